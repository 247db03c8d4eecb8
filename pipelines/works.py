"""Works: which publications are one work, decided incrementally as records load.

`assign_works(conn, ids)` (and `assign_records`, the loader's entry, which
takes the match keys from the Records in hand) re-decides the given
publications together with everything their decision can touch: their current
work-mates, the publications sharing a DOI or a (year, first author) block with
them, and the partners of any user override involved, until that set is closed.
Outside it nothing can change, since works are the connected components of the
links in `works_match`. Rows are rewritten only where a decision changed, and
`decided_at` tells when each was last made. A work keeps its id as long as its
earliest member stays in it (a work merged from several keeps the id of the
one contributing most members). On PostgreSQL a transaction-scoped advisory lock
serialises assignments, so two sources loading the same DOI at once still make
one work.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Connection, and_, delete, func, or_, select

from harvester.types import Record

from .load_bulk import driver_value, insert_rows, is_postgres, one_of
from .models import authorships, publications, work_members, work_overrides, works
from .works_match import Decision, Keys, cluster, normalise_name, title_key, year_of

_LOCK = "SELECT pg_advisory_xact_lock(1464816203, 1)"  # classid "WORK"
_IN_CHUNK = 5000
MEMBER_COLUMNS = ("publication_id", "work_id", "reason", "score", "matched_with",
                  "matched_json", "match_doi", "match_title", "match_year", "match_author",
                  "match_type")  # fmt: skip


class Member(NamedTuple):
    """A work_members row without its decided_at, comparable with a new decision."""

    publication_id: int
    work_id: int
    reason: str
    score: float
    matched_with: int | None
    matched_json: str
    match_doi: str | None
    match_title: str | None
    match_year: str | None
    match_author: str | None
    match_type: str | None

    def keys(self) -> Keys:
        return Keys(self.publication_id, self.match_doi, self.match_title, self.match_year,
                    self.match_author, self.match_type)  # fmt: skip


class Override(NamedTuple):
    id: int
    publication_id: int
    action: str
    other_publication_id: int | None


def _doi(value: str | None) -> str | None:
    return value.strip().casefold() or None if value else None


def record_keys(record: Record, publication_id: int) -> Keys:
    first = next((p for p in record.authors if p.role == "author"), None)
    published = record.published.isoformat() if record.published else None
    author = normalise_name(first.family or first.name) if first else None
    return Keys(publication_id, _doi(record.doi), title_key(record.title, record.subtitle),
                year_of(published), author, record.type)


def stored_keys(conn: Connection, where: ColumnElement[bool] | None) -> dict[int, Keys]:
    """Match keys computed from the stored publications (all of them when `where` is None)."""
    p, a = publications.c, authorships.c
    first = and_(a.publication_id == p.id, a.role == "author", a.position == 1)
    query = (select(p.id, p.doi, p.title, p.subtitle, p.published, p.type, a.family, a.name)
             .select_from(publications.outerjoin(authorships, first)))  # fmt: skip
    if where is not None:
        query = query.where(where)
    return {
        pid: Keys(pid, _doi(doi), title_key(title, subtitle), year_of(published),
                  normalise_name(family or name), kind)
        for pid, doi, title, subtitle, published, kind, family, name in conn.execute(query)
    }  # fmt: skip


def assign_records(conn: Connection, records: Sequence[Record], ids: Mapping[str, int],
                   *, now: datetime, inserted: int = 0) -> None:  # fmt: skip
    """Re-decide the works of these just-written records (keys from the records); the
    first `inserted` of them are new publications, which have no decision yet."""
    fresh = {ids[r.source_key]: record_keys(r, ids[r.source_key]) for r in records}
    _assign(conn, fresh, now, known=[ids[r.source_key] for r in records[inserted:]])


def assign_works(conn: Connection, publication_ids: Iterable[int], *,
                 now: datetime | None = None) -> None:  # fmt: skip
    """Re-decide the works of these publications from their stored values."""
    fresh: dict[int, Keys] = {}
    for chunk in _chunks(sorted(set(publication_ids))):
        fresh.update(stored_keys(conn, one_of(conn, publications.c.id, chunk)))
    _assign(conn, fresh, now or datetime.now(UTC), force=True)


def _assign(conn: Connection, fresh: dict[int, Keys], now: datetime, *,
            force: bool = False, known: Sequence[int] | None = None) -> None:  # fmt: skip
    """`known`: the ids among `fresh` that may have a decision already (default: all)."""
    if not fresh:
        return
    if is_postgres(conn):
        conn.exec_driver_sql(_LOCK)
    wm = work_members.c
    members = _members(conn, wm.publication_id, list(fresh) if known is None else known)
    if not force:  # same keys as last time: the decision cannot change
        fresh = {pid: k for pid, k in fresh.items()
                 if pid not in members or members[pid].keys() != k}  # fmt: skip
        if not fresh:
            return
    members.update(_members(conn, wm.match_doi, sorted({k.doi for k in fresh.values() if k.doi})))
    blocks = {(k.year, k.author) for k in fresh.values() if k.year and k.author and k.title}
    if blocks:
        same_author = _members(conn, wm.match_author, sorted({a for _, a in blocks}))
        members.update((pid, m) for pid, m in same_author.items()
                       if (m.match_year, m.match_author) in blocks)  # fmt: skip
    scope, overrides = _close(conn, set(fresh), members)
    keys = {pid: fresh[pid] if pid in fresh else members[pid].keys()
            for pid in scope if pid in fresh or pid in members}  # fmt: skip
    missing = [pid for pid in scope if pid not in keys]
    for chunk in _chunks(missing):
        keys.update(stored_keys(conn, one_of(conn, publications.c.id, chunk)))
    write_decisions(conn, decide(keys, overrides), keys, members, now)


def _close(conn: Connection, scope: set[int], members: dict[int, Member]
           ) -> tuple[set[int], list[Override]]:  # fmt: skip
    """Grow the scope by whole works and override partners until nothing is added."""
    wm = work_members.c
    overrides: dict[int, Override] = {}
    works_read: set[int] = set()
    asked: set[int] = set()
    scope = scope | set(members)
    while True:
        to_read = {m.work_id for m in members.values()} - works_read
        works_read |= to_read
        if to_read:
            members.update(_members(conn, wm.work_id, sorted(to_read)))
        scope |= set(members)
        for o in _overrides(conn, sorted(scope - asked)):
            overrides[o.id] = o
        asked |= scope
        partners = {p for o in overrides.values() for p in (o.publication_id,
                                                             o.other_publication_id)
                    if p is not None} - scope
        if not partners and not ({m.work_id for m in members.values()} - works_read):
            return scope, sorted(overrides.values())
        members.update(_members(conn, wm.publication_id, sorted(partners)))
        scope |= partners


def decide(keys: Mapping[int, Keys], overrides: Sequence[Override]) -> list[list[Decision]]:
    """Clusters under the overrides: the latest decision about a publication wins."""
    last_split: dict[int, int] = {}
    last_own: dict[int, tuple[int, str]] = {}
    for o in sorted(overrides):
        last_own[o.publication_id] = (o.id, o.action)
        if o.action == "split":
            last_split[o.publication_id] = o.id
    split = {pid for pid, (_, action) in last_own.items() if action == "split"}
    merges = [(o.publication_id, o.other_publication_id) for o in overrides
              if o.action == "merge" and o.other_publication_id is not None
              and o.id > last_split.get(o.publication_id, 0)
              and o.id > last_split.get(o.other_publication_id, 0)]  # fmt: skip
    return cluster(list(keys.values()), [(a, b) for a, b in merges if b is not None], split)


def write_decisions(conn: Connection, clusters: Sequence[Sequence[Decision]],
                    keys: Mapping[int, Keys], old: Mapping[int, Member],
                    now: datetime) -> None:  # fmt: skip
    """Store the clusters, reusing work ids; only changed member rows are rewritten.

    Every member of the works in `old` must be among the clusters (the scope is closed).
    """
    earliest: dict[int, int] = {}
    for m in old.values():
        if m.work_id not in earliest or m.publication_id < earliest[m.work_id]:
            earliest[m.work_id] = m.publication_id
    holder = {pid: w for w, pid in earliest.items()}  # a work follows its earliest member
    taken: set[int] = set()
    chosen: list[tuple[Sequence[Decision], int | None]] = []
    for members in clusters:
        owned = [holder[d.publication_id] for d in members if d.publication_id in holder]
        pick = None
        if owned:  # several when works merged: the one with most members here, then lowest
            counts = Counter(old[d.publication_id].work_id for d in members
                             if d.publication_id in old)  # fmt: skip
            pick = min(owned, key=lambda w: (-counts[w], w))
            taken.add(pick)
        chosen.append((members, pick))
    new_ids = iter(_new_works(conn, sum(1 for _, w in chosen if w is None), now))
    stamp = driver_value(conn, work_members, "decided_at", now)
    rows: list[tuple[Any, ...]] = []
    for members, work_id in chosen:
        wid = work_id if work_id is not None else next(new_ids)
        for d in members:
            pid = d.publication_id
            k = keys[pid]
            row = (pid, wid, d.reason, d.score, d.matched_with, d.matched_json(), k.doi,
                   k.title, k.year, k.author, k.type)  # Member's fields, in order
            if pid not in old or old[pid] != row:
                rows.append((*row, stamp))
    for chunk in _chunks([r[0] for r in rows if r[0] in old]):
        conn.execute(delete(work_members).where(one_of(conn, work_members.c.publication_id,
                                                       chunk)))  # fmt: skip
    insert_rows(conn, work_members, (*MEMBER_COLUMNS, "decided_at"), rows)
    gone = sorted({m.work_id for m in old.values()} - taken)
    for chunk in _chunks(gone):
        conn.execute(delete(works).where(one_of(conn, works.c.id, chunk)))


def _new_works(conn: Connection, n: int, now: datetime) -> list[int]:
    """Ids of n new works. SQLite: this transaction has written, so it holds the write lock."""
    if n == 0:
        return []
    stamp = driver_value(conn, works, "created_at", now)
    if is_postgres(conn):  # one round trip; which id goes to which work does not matter
        return list(conn.exec_driver_sql(
            "INSERT INTO works (created_at) SELECT %(at)s FROM generate_series(1, %(n)s) "
            "RETURNING id", {"at": stamp, "n": n}).scalars())  # fmt: skip
    top = conn.execute(select(func.coalesce(func.max(works.c.id), 0))).scalar_one()
    ids = list(range(int(top) + 1, int(top) + n + 1))
    insert_rows(conn, works, ("id", "created_at"), [(i, stamp) for i in ids])
    return ids


def _members(conn: Connection, column: Any, values: Collection[Any]) -> dict[int, Member]:
    found: dict[int, Member] = {}
    columns = [work_members.c[c] for c in MEMBER_COLUMNS]
    for chunk in _chunks(list(values)):
        for row in conn.execute(select(*columns).where(one_of(conn, column, chunk))):
            found[row[0]] = Member(*row)
    return found


def _overrides(conn: Connection, ids: list[int]) -> list[Override]:
    o = work_overrides.c
    found: list[Override] = []
    for chunk in _chunks(ids):
        query = select(o.id, o.publication_id, o.action, o.other_publication_id).where(
            or_(one_of(conn, o.publication_id, chunk), one_of(conn, o.other_publication_id,
                                                                chunk)))  # fmt: skip
        found.extend(Override(*row) for row in conn.execute(query))
    return found


def _chunks(items: Sequence[Any]) -> Iterable[list[Any]]:
    items = list(items)
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start:start + _IN_CHUNK]
