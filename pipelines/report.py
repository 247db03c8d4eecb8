"""What the run report shows, read from the database: one run's per-source counts,
failures by reason with example URLs, fill rates beside the previous run, and
the run's sources' records per publication year. Rendering is pipelines/report_html.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, text

from .filldrops import FillDrop, SourceFill, compare_run
from .fillrates import ensure_fill_rates, field_condition
from .models import harvest_run_sources, harvest_runs, publications, sources

EXAMPLES_PER_DROP = 5
COUNTERS = ("discovered", "fetched", "not_modified", "new", "changed", "unchanged", "failed")


class RunNotFound(LookupError):
    """No such run (or no run at all when none was asked for)."""


@dataclass(frozen=True, slots=True)
class Failure:
    reason: str
    count: int
    examples: tuple[str, ...]  # "URL message", as SourceStats recorded them


@dataclass(frozen=True, slots=True)
class SourceRow:
    name: str
    status: str | None
    counts: dict[str, int | None]  # None: not known for this run (no stats stored)
    seconds: float | None
    failures: tuple[Failure, ...] = ()
    skipped: dict[str, int] = field(default_factory=dict)
    fatal: str | None = None


@dataclass(frozen=True, slots=True)
class RunReportData:
    run_id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    sources: tuple[SourceRow, ...]
    fills: tuple[SourceFill, ...]
    years: tuple[tuple[str, int], ...]  # ("2019", 12), ascending
    undated: int  # live records of the run's sources without a publication year
    # (source, field) of each drop -> a few (title, url) of live records now without it
    missing: dict[tuple[str, str], tuple[tuple[str | None, str], ...]] = field(
        default_factory=dict)

    @property
    def drops(self) -> list[FillDrop]:
        return [d for fill in self.fills for d in fill.drops()]


def latest_run_id(conn: Connection) -> int:
    run_id = conn.execute(select(func.max(harvest_runs.c.id))).scalar_one_or_none()
    if run_id is None:
        raise RunNotFound("no harvest runs in the database yet")
    return int(run_id)


def gather_report(conn: Connection, run_id: int | None = None) -> RunReportData:
    """Everything the report shows for a run (default: the latest). Fills in fill rates a
    finished run lacks when it is still its sources' latest run, so it needs a
    connection that may write (engine.begin())."""
    run_id = latest_run_id(conn) if run_id is None else run_id
    run = conn.execute(select(harvest_runs).where(harvest_runs.c.id == run_id)).first()
    if run is None:
        raise RunNotFound(f"no harvest run with id {run_id}")
    ensure_fill_rates(conn, run_id)
    stats: dict[str, Any] = json.loads(run.stats_json) if run.stats_json else {}
    rows = _source_rows(conn, run_id, json.loads(run.sources_json), stats)
    years, undated = _years(conn, [r.name for r in rows])
    fills = tuple(compare_run(conn, run_id))
    missing = {(d.source, d.field): _missing(conn, d.source, d.field)
               for fill in fills for d in fill.drops()}  # fmt: skip
    return RunReportData(run_id, run.status, run.started_at, run.finished_at, tuple(rows),
                         fills, years, undated, missing)  # fmt: skip


def _missing(conn: Connection, source: str, name: str) -> tuple[tuple[str | None, str], ...]:
    """Recently changed live records of the source without the field: where to look first."""
    p, s = publications, sources
    query = (
        select(p.c.title, p.c.url)
        .join(s, s.c.id == p.c.source_id)
        .where(s.c.name == source, p.c.deleted_at.is_(None), ~field_condition(name))
        .order_by(p.c.last_changed.desc(), p.c.id)
        .limit(EXAMPLES_PER_DROP)
    )
    return tuple((row.title, row.url) for row in conn.execute(query))


def _source_rows(
    conn: Connection, run_id: int, names: list[str], stats: dict[str, Any]
) -> list[SourceRow]:
    rs, s = harvest_run_sources, sources
    query = select(rs, s.c.name).join(s, s.c.id == rs.c.source_id).where(rs.c.run_id == run_id)
    stored = {row["name"]: row for row in conn.execute(query).mappings()}
    rows = []
    for name in sorted(set(names) | set(stored) | set(stats)):
        st: dict[str, Any] = stats.get(name) or {}
        db = stored.get(name)
        counts: dict[str, int | None] = {}
        for key in COUNTERS:
            value = db[key] if db is not None and key in db else st.get(key)
            counts[key] = None if value is None else int(value)
        failures = json.loads(db["failures_json"]) if db is not None else st.get("failures", {})
        rows.append(SourceRow(
            name=name,
            status=st.get("status"),
            counts=counts,
            seconds=float(db["seconds"]) if db is not None else st.get("seconds"),
            failures=tuple(sorted(
                (Failure(reason, int(f.get("count", 0)), tuple(f.get("examples", ())))
                 for reason, f in failures.items()),
                key=lambda f: (-f.count, f.reason))),
            skipped={k: int(v) for k, v in (st.get("skipped") or {}).items()},
            fatal=st.get("fatal"),
        ))  # fmt: skip
    return rows


_YEARS = text("""
    SELECT substr(published, 1, 4) AS year, count(*) AS records
    FROM v_publications
    WHERE source IN :names AND deleted_at IS NULL AND published IS NOT NULL
    GROUP BY substr(published, 1, 4)
    ORDER BY year
""").bindparams(bindparam("names", expanding=True))
_UNDATED = text("""
    SELECT count(*) FROM v_publications
    WHERE source IN :names AND deleted_at IS NULL AND published IS NULL
""").bindparams(bindparam("names", expanding=True))


def _years(conn: Connection, names: list[str]) -> tuple[tuple[tuple[str, int], ...], int]:
    if not names:
        return (), 0
    years = conn.execute(_YEARS, {"names": names})
    undated = conn.execute(_UNDATED, {"names": names}).scalar_one()
    return tuple((str(y), int(n)) for y, n in years), int(undated)
