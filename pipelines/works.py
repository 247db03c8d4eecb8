"""Works: which publications are one work, decided incrementally as records load.

`assign_works(conn, ids)` (and `assign_records`, the loader's entry, which
takes the match keys from the Records in hand) re-decides the given
publications together with everything their decision can touch: their current
work-mates, the publications sharing a DOI with them or whose titles match theirs
in a (year, first author) block, and the partners of any user override involved,
until that set is closed. Outside it nothing can change, since works are the
connected components of the links in `works_match`: the rest of a block keeps its
decision, so a batch compares its records with their blocks, not a block with
itself. Rows are rewritten only where a decision changed, and `decided_at`
tells when each was last made. A work keeps its id as long as its
earliest member stays in it (a work merged from several keeps the id of the
one contributing most members). On PostgreSQL a transaction-scoped advisory lock
serialises assignments, so two sources loading the same DOI at once still make
one work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection

from harvester.types import Record

from .load_bulk import is_postgres, one_of
from .models import publications, work_members
from .works_keys import Keys
from .works_rows import (
    MEMBER_COLUMNS,
    Member,
    Override,
    chunks,
    read_linked,
    read_members,
    read_overrides,
    record_keys,
    stored_keys,
)
from .works_write import decide, write_decisions

__all__ = [
    "MEMBER_COLUMNS",
    "Member",
    "Override",
    "assign_records",
    "assign_works",
    "decide",
    "record_keys",
    "stored_keys",
    "write_decisions",
]

_LOCK = "SELECT pg_advisory_xact_lock(1464816203, 1)"  # classid "WORK"


def assign_records(conn: Connection, records: Sequence[Record], ids: Mapping[str, int],
                   *, now: datetime, inserted: int = 0) -> None:  # fmt: skip
    """Re-decide the works of these just-written records (keys from the records); the
    first `inserted` of them are publications this transaction made, which have no
    decision and no override yet (an override names stored publications only)."""
    fresh: dict[int, Keys] = {}
    for r in records:
        pid = ids[r.source_key]
        fresh[pid] = record_keys(r, pid)
    _assign(conn, fresh, now, known=[ids[r.source_key] for r in records[inserted:]])


def assign_works(conn: Connection, publication_ids: Iterable[int], *,
                 now: datetime | None = None) -> None:  # fmt: skip
    """Re-decide the works of these publications from their stored values."""
    fresh: dict[int, Keys] = {}
    for chunk in chunks(sorted(set(publication_ids))):
        fresh.update(stored_keys(conn, one_of(conn, publications.c.id, chunk)))
    _assign(conn, fresh, now or datetime.now(UTC), force=True)


def _assign(conn: Connection, fresh: dict[int, Keys], now: datetime, *,
            force: bool = False, known: Sequence[int] | None = None) -> None:  # fmt: skip
    """`known`: the ids among `fresh` that may have a decision or an override already
    (default: all); the others are new publications."""
    if not fresh:
        return
    if is_postgres(conn):
        conn.exec_driver_sql(_LOCK)
    wm = work_members.c
    members = read_members(conn, wm.publication_id, list(fresh) if known is None else known)
    if not force and members:  # same keys as last time: the decision cannot change
        fresh = {pid: k for pid, k in fresh.items()
                 if pid not in members or not members[pid].judged_by(k)}  # fmt: skip
        if not fresh:
            return
    dois = list({k.doi for k in fresh.values() if k.doi})  # any order finds the same rows
    members.update(read_members(conn, wm.match_doi, dois))
    members.update(read_linked(conn, fresh.values()))
    new = set() if known is None else fresh.keys() - set(known)
    scope, overrides = _close(conn, set(fresh), members, new)
    keys = dict(fresh)
    missing = []
    for pid in scope - keys.keys():
        if pid in members:
            keys[pid] = members[pid].keys()
        else:
            missing.append(pid)
    for chunk in chunks(missing):
        keys.update(stored_keys(conn, one_of(conn, publications.c.id, chunk)))
    write_decisions(conn, decide(keys, overrides), keys, members, now)


def _close(conn: Connection, scope: set[int], members: dict[int, Member], new: set[int]
           ) -> tuple[set[int], list[Override]]:  # fmt: skip
    """Grow the scope by whole works and override partners until nothing is added.
    `new`: publications with no override (made in this transaction), not asked about."""
    wm = work_members.c
    overrides: dict[int, Override] = {}
    works_read: set[int] = set()
    asked = set(new)
    scope = scope | set(members)
    while True:
        to_read = {m.work_id for m in members.values()} - works_read
        works_read |= to_read
        if to_read:
            members.update(read_members(conn, wm.work_id, sorted(to_read)))
        scope |= set(members)
        for o in read_overrides(conn, sorted(scope - asked)):
            overrides[o.id] = o
        asked |= scope
        partners = {p for o in overrides.values() for p in (o.publication_id,
                                                             o.other_publication_id)
                    if p is not None} - scope
        if not partners and not ({m.work_id for m in members.values()} - works_read):
            return scope, sorted(overrides.values())
        members.update(read_members(conn, wm.publication_id, sorted(partners)))
        scope |= partners

