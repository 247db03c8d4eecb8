"""`harvester frontier`: where the shared frontier stands, for whoever runs the workers.

Per source the rows in each state (and why the failed ones failed), per host
its politeness and which workers hold its slots now. Read-only; the lease
columns are compared with the database clock, so a dead worker's slots show
as expired, not as held.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from .models_frontier import FRONTIER_STATES


@dataclass
class SourceRows:
    name: str
    states: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)  # reason -> rows

    def line(self) -> str:
        counts = " ".join(f"{s}={self.states.get(s, 0)}" for s in FRONTIER_STATES)
        reasons = ",".join(f"{r}:{n}" for r, n in sorted(self.failed.items()))
        return f"{self.name}: {counts}" + (f" reasons={reasons}" if reasons else "")


@dataclass
class HostSlots:
    host: str
    concurrency: int
    delay: float
    holders: list[str] = field(default_factory=list)  # one entry per live slot

    def line(self) -> str:
        held = ", ".join(sorted(self.holders)) or "none"
        return (f"{self.host}: concurrency={self.concurrency} delay={self.delay:g}s "
                f"slots held={len(self.holders)} by {held}")


def frontier_status(conn: Connection, source_names: Sequence[str] = ()
                    ) -> tuple[list[SourceRows], list[HostSlots]]:
    """Row counts per source (all with frontier rows, or the named ones) and host slots."""
    by_source: dict[str, SourceRows] = {n: SourceRows(n) for n in source_names}
    rows = conn.execute(text(
        "SELECT s.name, f.state, f.error_reason, count(*) AS n FROM frontier f "
        "JOIN sources s ON s.id = f.source_id GROUP BY s.name, f.state, f.error_reason "
        "ORDER BY s.name"))
    for name, state, reason, n in rows:
        if source_names and name not in by_source:
            continue
        entry = by_source.setdefault(name, SourceRows(name))
        entry.states[state] = entry.states.get(state, 0) + int(n)
        if state == "failed":
            entry.failed[reason or "unknown"] = int(n)
    holders: dict[str, list[str]] = defaultdict(list)
    for host, owner in conn.execute(text(
            "SELECT host, owner FROM host_leases WHERE owner IS NOT NULL "
            "AND expires_at > now()")):
        holders[host].append(owner)
    # hosts with work left or slots held: a finished host is no news
    hosts = [HostSlots(h, int(c), float(d), holders.get(h, []))
             for h, c, d in conn.execute(text(
                 "SELECT h.host, h.concurrency, h.delay FROM frontier_hosts h "
                 "WHERE h.host = ANY(:held) OR EXISTS (SELECT 1 FROM frontier f "
                 "  WHERE f.host = h.host AND f.state IN ('queued', 'leased')) "
                 "ORDER BY h.host"), {"held": list(holders)})]
    return list(by_source.values()), hosts
