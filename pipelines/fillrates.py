"""Field fill rates per run and source: computed at the end of a run, stored with it.

A site redesign rarely breaks a harvest outright: the pages still parse, but a
field (the DOI, the abstract) quietly stops being found. The share of a
source's live publications that has each field, stored with every run, makes
that visible as a drop against the source's previous run.

Counts (filled, records) are stored rather than percentages so that the
"more than 20 points" rule (pipelines/filldrops.py) is decided exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
)

from .models import (
    authorships,
    harvest_run_fill_rates,
    harvest_run_sources,
    harvest_runs,
    keywords,
    publications,
)

FIELDS = ("abstract", "doi", "authors", "keywords", "journal", "volume", "issue", "pages",
          "published", "language", "type")  # fmt: skip


@dataclass(frozen=True, slots=True)
class FillRate:
    filled: int
    records: int

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.filled, self.records) if self.records else None

    @property
    def percent(self) -> int | None:
        """Rounded for display only; comparisons use `share`."""
        share = self.share
        return None if share is None else round(share * 100)


SourceRates = dict[str, FillRate]
"""Field name -> FillRate, for one source in one run."""


def _has_text(column: Any) -> ColumnElement[bool]:
    return and_(column.is_not(None), column != "")


def _conditions() -> dict[str, ColumnElement[bool]]:
    p = publications
    return {
        "abstract": _has_text(p.c.abstract),
        "doi": _has_text(p.c.doi),
        "authors": exists().where(
            authorships.c.publication_id == p.c.id, authorships.c.role == "author"
        ),
        "keywords": exists().where(keywords.c.publication_id == p.c.id),
        "journal": _has_text(p.c.journal),
        "volume": _has_text(p.c.volume),
        "issue": _has_text(p.c.issue),
        "pages": or_(_has_text(p.c.page_first), p.c.page_count.is_not(None)),
        "published": _has_text(p.c.published),
        "language": _has_text(p.c.language),
        "type": _has_text(p.c.type),
    }


def field_condition(name: str) -> ColumnElement[bool]:
    """True for a publication that has the field (`name` in FIELDS)."""
    return _conditions()[name]


def compute_fill_rates(conn: Connection, source_ids: Iterable[int]) -> dict[int, SourceRates]:
    """Fill rates of each source's live publications now, in one aggregate query."""
    ids = sorted(set(source_ids))
    rates: dict[int, SourceRates] = {
        sid: {f: FillRate(0, 0) for f in FIELDS} for sid in ids
    }
    if not ids:
        return rates
    p = publications
    conditions = _conditions()
    columns = [func.sum(case((conditions[f], 1), else_=0)).label(f) for f in FIELDS]
    query = (
        select(p.c.source_id, func.count().label("records"), *columns)
        .where(p.c.source_id.in_(ids), p.c.deleted_at.is_(None))
        .group_by(p.c.source_id)
    )
    for row in conn.execute(query).mappings():
        total = int(row["records"])
        rates[row["source_id"]] = {f: FillRate(int(row[f] or 0), total) for f in FIELDS}
    return rates


def run_source_ids(conn: Connection, run_id: int) -> list[int]:
    rs = harvest_run_sources
    query = select(rs.c.source_id).where(rs.c.run_id == run_id).order_by(rs.c.source_id)
    return list(conn.execute(query).scalars())


def record_fill_rates(
    conn: Connection, run_id: int, source_ids: Sequence[int] | None = None
) -> dict[int, SourceRates]:
    """Store the current fill rates with a run (default: every source the run recorded).

    Call at the end of a run, after its sources' records are committed; calling
    again replaces what was stored.
    """
    ids = run_source_ids(conn, run_id) if source_ids is None else list(source_ids)
    rates = compute_fill_rates(conn, ids)
    t = harvest_run_fill_rates
    if ids:
        conn.execute(delete(t).where(t.c.run_id == run_id, t.c.source_id.in_(ids)))
        rows = [{"run_id": run_id, "source_id": sid, "field": f, "filled": r.filled,
                 "records": r.records}
                for sid, by_field in rates.items() for f, r in by_field.items()]  # fmt: skip
        conn.execute(insert(t), rows)
    return rates


def ensure_fill_rates(conn: Connection, run_id: int) -> list[int]:
    """Record fill rates for a finished run's sources that lack them, where the run is
    still the source's latest (so the database still shows what the run left behind).
    Returns the source ids filled in; runs from before revision 0006 gain rates this way."""
    status = conn.execute(select(harvest_runs.c.status).where(harvest_runs.c.id == run_id))
    if status.scalar_one_or_none() in (None, "running"):
        return []
    rs, t = harvest_run_sources, harvest_run_fill_rates
    missing = [
        sid for sid in run_source_ids(conn, run_id)
        if conn.execute(select(t.c.field).where(t.c.run_id == run_id, t.c.source_id == sid)
                        .limit(1)).first() is None
        and conn.execute(select(func.max(rs.c.run_id)).where(rs.c.source_id == sid))
        .scalar_one() == run_id
    ]  # fmt: skip
    if missing:
        record_fill_rates(conn, run_id, missing)
    return missing


def load_fill_rates(conn: Connection, run_id: int) -> dict[int, SourceRates]:
    """Stored fill rates of one run: source id -> field -> FillRate."""
    t = harvest_run_fill_rates
    query = select(t.c.source_id, t.c.field, t.c.filled, t.c.records).where(t.c.run_id == run_id)
    rates: dict[int, SourceRates] = {}
    for row in conn.execute(query):
        rates.setdefault(row.source_id, {})[row.field] = FillRate(row.filled, row.records)
    return rates


def previous_fill_rates(
    conn: Connection, run_id: int, source_id: int
) -> tuple[int, SourceRates] | None:
    """The stored rates of the source's latest earlier run that has them, with its id."""
    t = harvest_run_fill_rates
    earlier = select(func.max(t.c.run_id)).where(t.c.source_id == source_id, t.c.run_id < run_id)
    previous = conn.execute(earlier).scalar_one_or_none()
    if previous is None:
        return None
    query = select(t.c.field, t.c.filled, t.c.records).where(
        t.c.run_id == previous, t.c.source_id == source_id)  # fmt: skip
    return previous, {r.field: FillRate(r.filled, r.records) for r in conn.execute(query)}
