"""Fill rates compared with the previous run of the same source, and the drops to flag.

The rule: a field is flagged when its share of records falls by MORE than
DROP_POINTS percentage points since the source's previous run that stored
fill rates. Shares are exact fractions, so 92% -> 72% is not flagged and
92% -> 71% is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, select

from .fillrates import FIELDS, FillRate, SourceRates, load_fill_rates, previous_fill_rates
from .models import sources

DROP_POINTS = 20


@dataclass(frozen=True, slots=True)
class FillDrop:
    source: str
    field: str
    previous_run: int
    previous: FillRate
    current: FillRate

    def describe(self) -> str:
        return f"{self.field} fill rate {self.previous.percent}% -> {self.current.percent}%"

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "field": self.field, "previous_run": self.previous_run,
                "previous_percent": self.previous.percent,
                "current_percent": self.current.percent, "message": self.describe()}  # fmt: skip


def is_drop(previous: FillRate, current: FillRate, points: int = DROP_POINTS) -> bool:
    """True when the share fell by more than `points` points (never for an empty source)."""
    before, now = previous.share, current.share
    if before is None or now is None:
        return False
    return (before - now) * 100 > Fraction(points)


@dataclass(frozen=True, slots=True)
class SourceFill:
    """One source's fill rates in a run, beside those of its previous run (if any)."""

    source: str
    current: SourceRates
    previous_run: int | None
    previous: SourceRates | None

    def drops(self) -> list[FillDrop]:
        if self.previous is None or self.previous_run is None:
            return []
        found = []
        for field in FIELDS:
            before, now = self.previous.get(field), self.current.get(field)
            if before is not None and now is not None and is_drop(before, now):
                found.append(FillDrop(self.source, field, self.previous_run, before, now))
        return found


def compare_run(conn: Connection, run_id: int) -> list[SourceFill]:
    """Each source with stored fill rates in this run, by name, with its previous rates."""
    current = load_fill_rates(conn, run_id)
    names = _source_names(conn, current)
    compared = []
    for source_id, rates in current.items():
        previous = previous_fill_rates(conn, run_id, source_id)
        compared.append(SourceFill(names[source_id], rates,
                                   previous[0] if previous else None,
                                   previous[1] if previous else None))  # fmt: skip
    return sorted(compared, key=lambda s: s.source)


def run_drops(conn: Connection, run_ids: Iterable[int]) -> dict[int, list[FillDrop]]:
    """Run id -> the fill-rate drops flagged for it (empty lists included)."""
    return {run_id: [d for s in compare_run(conn, run_id) for d in s.drops()]
            for run_id in run_ids}  # fmt: skip


def _source_names(conn: Connection, rates: dict[int, SourceRates]) -> dict[int, str]:
    if not rates:
        return {}
    query = select(sources.c.id, sources.c.name).where(sources.c.id.in_(list(rates)))
    return {row.id: row.name for row in conn.execute(query)}
