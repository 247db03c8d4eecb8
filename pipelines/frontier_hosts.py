"""Per-host politeness shared by every worker: slots (requests in flight) and start times.

A host has `concurrency` slot rows in `host_leases`. A worker sends requests to a
host only while it holds slots there, at most one request in flight per slot held,
so all workers together never exceed the host's concurrency. Slots are leases:
renewed by their holder's heartbeat, free again once `expires_at` passes (the
holder died) or when released. A renewal that no longer finds a slot tells the
worker it lost it.

The delay between request starts is reserved in `frontier_hosts.next_start`
with one UPDATE per request (`GREATEST(next_start, now) + delay`), so workers on
different machines space their requests by the database clock, not their own.
A Retry-After pushes `next_start` forward (`hold_host`); a host without a delay
only reads it (`start_wait`), so one worker's pause holds for all.

PostgreSQL only (FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.dialects import postgresql

from .models_frontier import frontier_hosts


@dataclass(frozen=True, slots=True)
class HostPolicy:
    concurrency: int
    delay: float


@dataclass(frozen=True, slots=True)
class Slot:
    host: str
    slot: int
    policy: HostPolicy


def register_hosts(conn: Connection, hosts: Mapping[str, HostPolicy]) -> None:
    """Record each host's politeness (the last enqueue's wins) and create its slot rows."""
    if not hosts:
        return
    stmt = postgresql.insert(frontier_hosts).values(
        [{"host": h, "concurrency": p.concurrency, "delay": p.delay} for h, p in hosts.items()])
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["host"],
        set_={"concurrency": stmt.excluded.concurrency, "delay": stmt.excluded.delay}))
    conn.execute(text(
        "INSERT INTO host_leases (host, slot) "
        "SELECT h, generate_series(0, c - 1) "
        "FROM unnest(CAST(:hosts AS text[]), CAST(:sizes AS int[])) AS v(h, c) "
        "ON CONFLICT DO NOTHING"),
        {"hosts": list(hosts), "sizes": [p.concurrency for p in hosts.values()]})


def acquire_slot(conn: Connection, owner: str, host: str, ttl: float) -> Slot | None:
    """One free (or expired) slot of `host` for `owner`, or None when all are held."""
    row = conn.execute(text("""
        UPDATE host_leases l SET owner = :owner,
               expires_at = now() + :ttl * interval '1 second'
        FROM frontier_hosts h
        WHERE h.host = l.host AND (l.host, l.slot) IN (
            SELECT s.host, s.slot FROM host_leases s JOIN frontier_hosts p ON p.host = s.host
            WHERE s.host = :host AND s.slot < p.concurrency
              AND (s.owner IS NULL OR s.expires_at < now())
            ORDER BY s.slot LIMIT 1 FOR UPDATE OF s SKIP LOCKED)
        RETURNING l.slot, h.concurrency, h.delay"""),
        {"owner": owner, "ttl": ttl, "host": host}).first()
    if row is None:
        return None
    return Slot(host, int(row.slot), HostPolicy(int(row.concurrency), float(row.delay)))


def renew_slots(conn: Connection, owner: str, ttl: float) -> set[tuple[str, int]]:
    """Extend every slot `owner` still holds; returns them as (host, slot). One missing
    from the answer was taken over after its lease ran out, or the host shrank."""
    rows = conn.execute(text("""
        UPDATE host_leases l SET expires_at = now() + :ttl * interval '1 second'
        FROM frontier_hosts h
        WHERE l.owner = :owner AND h.host = l.host AND l.slot < h.concurrency
        RETURNING l.host, l.slot"""), {"owner": owner, "ttl": ttl})
    return {(r.host, int(r.slot)) for r in rows}


def release_slots(conn: Connection, owner: str, host: str | None = None,
                  slots: Iterable[int] | None = None) -> int:
    """Free `owner`'s slots (all, a host's, or some of a host's)."""
    where = "owner = :owner" + (" AND host = :host" if host is not None else "")
    if slots is not None:
        where += " AND slot = ANY(:slots)"
    result = conn.execute(text(
        f"UPDATE host_leases SET owner = NULL, expires_at = NULL WHERE {where}"),
        {"owner": owner, "host": host, "slots": list(slots or ())})
    return int(result.rowcount or 0)


def reserve_start(conn: Connection, host: str, delay: float) -> float:
    """Reserve the host's next request start, `delay` seconds after the last one reserved
    (the host's delay, or a longer robots.txt Crawl-delay); returns the seconds to wait."""
    wait = conn.execute(text("""
        UPDATE frontier_hosts
        SET next_start = GREATEST(COALESCE(next_start, clock_timestamp()), clock_timestamp())
                         + :delay * interval '1 second'
        WHERE host = :host
        RETURNING EXTRACT(EPOCH FROM next_start - :delay * interval '1 second'
                          - clock_timestamp())"""),
        {"host": host, "delay": delay}).scalar_one_or_none()
    return max(0.0, float(wait)) if wait is not None else 0.0


def start_wait(conn: Connection, host: str) -> float:
    """Seconds until the host's next start, for a host without a delay: reads only, so
    its requests do not queue on the row lock (0 unless a hold pushed it forward)."""
    wait = conn.execute(text(
        "SELECT EXTRACT(EPOCH FROM next_start - clock_timestamp()) FROM frontier_hosts "
        "WHERE host = :host"), {"host": host}).scalar_one_or_none()
    return max(0.0, float(wait)) if wait is not None else 0.0


def hold_host(conn: Connection, host: str, seconds: float) -> None:
    """No request to the host starts within `seconds` from now (a Retry-After), whichever
    worker sends it; a later reservation already made stays."""
    conn.execute(text("""
        UPDATE frontier_hosts
        SET next_start = GREATEST(next_start, clock_timestamp() + :s * interval '1 second')
        WHERE host = :host"""), {"host": host, "s": seconds})
