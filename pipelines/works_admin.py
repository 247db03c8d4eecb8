"""What a user does with works: rebuild them all, split or merge by hand, and see why.

Overrides are stored as publication pairs, not work ids, so they keep their
meaning when works are renumbered: a merge of P into work W is stored as
"P belongs with W's earliest member".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from harvester.errors import HarvestError

from .models import publications, sources, work_members, work_overrides, works
from .works import MEMBER_COLUMNS as _COLUMNS
from .works import Member, Override, assign_works, decide, stored_keys, write_decisions


class WorkNotFound(HarvestError):
    """A publication or work id the user named does not exist (CLI: exit 1)."""

    reason = "not-found"


@dataclass(frozen=True, slots=True)
class RebuildStats:
    publications: int
    works: int
    changed: int


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def rebuild_works(conn: Connection, *, now: datetime | None = None) -> RebuildStats:
    """Re-decide every publication's work from its stored values and the overrides."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(1464816203, 1)")
    keys = stored_keys(conn, None)
    wm, o = work_members.c, work_overrides.c
    old = {row[0]: Member(*row) for row in conn.execute(select(*(wm[c] for c in _COLUMNS)))}
    overrides = [Override(*row) for row in conn.execute(
        select(o.id, o.publication_id, o.action, o.other_publication_id))]  # fmt: skip
    clusters = decide(keys, overrides)
    before = dict(old)
    write_decisions(conn, clusters, keys, old, _now(now))
    # works left without members by earlier deletions of publications
    conn.execute(works.delete().where(~works.c.id.in_(select(wm.work_id))))
    after = {row[0]: Member(*row) for row in conn.execute(select(*(wm[c] for c in _COLUMNS)))}
    changed = sum(1 for pid, row in after.items() if before.get(pid) != row)
    return RebuildStats(len(keys), len(clusters), changed)


def work_of(conn: Connection, publication_id: int) -> int:
    found = conn.execute(select(work_members.c.work_id)
                         .where(work_members.c.publication_id == publication_id)).scalar()
    if found is None:
        _require_publication(conn, publication_id)
        raise WorkNotFound(f"publication {publication_id} is in no work yet: "
                           "run `harvester works rebuild`")  # fmt: skip
    return int(found)


def split_publication(conn: Connection, publication_id: int, *, now: datetime | None = None,
                      note: str | None = None) -> int:  # fmt: skip
    """Take the publication out of its work for good; the id of its own work."""
    _require_publication(conn, publication_id)
    _override(conn, publication_id, "split", None, _now(now), note)
    assign_works(conn, [publication_id], now=now)
    return work_of(conn, publication_id)


def merge_publication(conn: Connection, publication_id: int, work_id: int, *,
                      now: datetime | None = None, note: str | None = None) -> int:  # fmt: skip
    """Put the publication into the work (for good); the work id it ends up in."""
    _require_publication(conn, publication_id)
    anchor = conn.execute(select(func.min(work_members.c.publication_id))
                          .where(work_members.c.work_id == work_id)).scalar()  # fmt: skip
    if anchor is None:
        raise WorkNotFound(f"no work {work_id}")
    _override(conn, publication_id, "merge", int(anchor), _now(now), note)
    assign_works(conn, [publication_id, int(anchor)], now=now)
    return work_of(conn, publication_id)


def _override(conn: Connection, pid: int, action: str, other: int | None, now: datetime,
              note: str | None) -> None:  # fmt: skip
    conn.execute(work_overrides.insert().values(publication_id=pid, action=action,
                                                other_publication_id=other, decided_at=now,
                                                note=note))  # fmt: skip


def _require_publication(conn: Connection, publication_id: int) -> None:
    if conn.execute(select(publications.c.id)
                    .where(publications.c.id == publication_id)).first() is None:
        raise WorkNotFound(f"no publication {publication_id}")


@dataclass(frozen=True, slots=True)
class Explanation:
    publication_id: int
    source: str
    url: str
    title: str | None
    reason: str
    score: float
    matched_with: int | None
    matched: dict[str, Any]
    decided_at: datetime


def explain_work(conn: Connection, work_id: int) -> list[Explanation]:
    """Each member of the work with the decision that put it there, earliest first."""
    wm, p, s = work_members.c, publications.c, sources.c
    query = (select(wm.publication_id, s.name, p.url, p.title, wm.reason, wm.score,
                    wm.matched_with, wm.matched_json, wm.decided_at)
             .join_from(work_members, publications, p.id == wm.publication_id)
             .join(sources, s.id == p.source_id)
             .where(wm.work_id == work_id).order_by(wm.publication_id))  # fmt: skip
    found = [Explanation(pid, src, url, title, reason, score, other, json.loads(matched), at)
             for pid, src, url, title, reason, score, other, matched, at
             in conn.execute(query)]  # fmt: skip
    if not found:
        raise WorkNotFound(f"no work {work_id}")
    return found


def explain_lines(work_id: int, members: list[Explanation]) -> list[str]:
    """`harvester works --explain` output: one line per member and why."""
    n_sources = len({m.source for m in members})
    lines = [f"work {work_id}: {len(members)} publication(s) from {n_sources} source(s)"]
    for m in members:
        lines.append(f"  publication {m.publication_id} [{m.source}] {m.url}")
        lines.append(f"    title: {m.title!r}")
        lines.append(f"    {_why(m)} (decided {m.decided_at:%Y-%m-%d %H:%M:%S} UTC)")
    return lines


def _why(m: Explanation) -> str:
    with_ = f"publication {m.matched_with}"
    if m.reason == "doi":
        return f"reason doi: same DOI {m.matched.get('doi')} as {with_}, score {m.score:.2f}"
    if m.reason == "title-year-author":
        a, b = m.matched.get("titles", ["", ""])
        return (f"reason title-year-author: with {with_}, score {m.score:.4f} >= 0.93; "
                f"titles {a!r} ~ {b!r}; year {m.matched.get('year')}; "
                f"first author {m.matched.get('author')!r}")
    if m.reason == "manual" and m.matched.get("override") == "split":
        return "reason manual: split out of its work by a user (work_overrides)"
    if m.reason == "manual":
        return f"reason manual: merged with {with_} by a user (work_overrides)"
    return "reason first: the work's earliest publication"
