"""Deciding works under the user's overrides, and writing only the member rows that changed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from .load_bulk import driver_value, insert_rows, is_postgres, one_of
from .load_fk import children_of_own_rows
from .models import work_members, works
from .works_keys import Keys
from .works_match import Decision, cluster
from .works_rows import MEMBER_COLUMNS, Member, Override, chunks


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
    unowned = 0
    for members in clusters:
        owned = [holder[d.publication_id] for d in members
                 if d.publication_id in holder] if holder else None  # fmt: skip
        pick = None
        if owned:  # several when works merged: the one with most members here, then lowest
            counts = Counter(old[d.publication_id].work_id for d in members
                             if d.publication_id in old)  # fmt: skip
            pick = min(owned, key=lambda w: (-counts[w], w))
            taken.add(pick)
        else:
            unowned += 1
        chosen.append((members, pick))
    new_ids = iter(_new_works(conn, unowned, now))
    stamp = driver_value(conn, work_members, "decided_at", now)
    rows: list[tuple[Any, ...]] = []
    for members, work_id in chosen:
        wid = work_id if work_id is not None else next(new_ids)
        for d in members:
            pid = d.publication_id
            # Member's fields in order (Keys' own after its publication_id), then decided_at
            row = (pid, wid, d.reason, d.score, d.matched_with, d.matched_json(),
                   *keys[pid][1:], stamp)  # fmt: skip
            before = old.get(pid)
            if before is None or before != row[:-1]:
                rows.append(row)
    for chunk in chunks([r[0] for r in rows if r[0] in old]):
        conn.execute(delete(work_members).where(one_of(conn, work_members.c.publication_id,
                                                       chunk)))  # fmt: skip
    # No foreign-key triggers (pipelines.load_fk): publications are never deleted, and
    # each work is new or had members when read under the lock that every assignment
    # and rebuild takes (only they delete works, and only memberless ones).
    with children_of_own_rows(conn):
        insert_rows(conn, work_members, (*MEMBER_COLUMNS, "decided_at"), rows)
    gone = sorted({m.work_id for m in old.values()} - taken)
    for chunk in chunks(gone):
        conn.execute(delete(works).where(one_of(conn, works.c.id, chunk)))


_COUNT_OUT = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?) "
              "INSERT INTO works (id, created_at) SELECT ? + x, ? FROM n")


def _new_works(conn: Connection, n: int, now: datetime) -> list[int]:
    """Ids of n new works. SQLite: this transaction has written, so it holds the write lock."""
    if n == 0:
        return []
    stamp = driver_value(conn, works, "created_at", now)
    if is_postgres(conn):  # one round trip; which id goes to which work does not matter
        listed = conn.exec_driver_sql(  # one text value, not a row fetched per id
            "WITH made AS (INSERT INTO works (created_at) SELECT %(at)s "
            "FROM generate_series(1, %(n)s) RETURNING id) "
            "SELECT string_agg(id::text, ',') FROM made", {"at": stamp, "n": n}).scalar_one()
        return [int(i) for i in listed.split(",")]
    top = int(conn.execute(select(func.coalesce(func.max(works.c.id), 0))).scalar_one())
    # rows counted out by SQLite itself: half the CPU of executemany's tuple per row
    conn.exec_driver_sql(_COUNT_OUT, (n, top, stamp))
    return list(range(top + 1, top + n + 1))
