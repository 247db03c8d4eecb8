"""The shared frontier: page URLs that workers claim, lease, and mark done or failed.

    enqueue ─▶ queued ─claim─▶ leased(owner, lease_until) ─complete─▶ done | failed
                  ▲                │ lease_until passed (holder died): claimable again
                  └──release───────┘ (a worker stopping hands back what it did not fetch)

A claim is one `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`, so
concurrent workers never get the same row and never wait for each other's locks.
Lease times use the database clock only. `complete` runs inside the transaction
that stores the pages' records (pipelines/worker.py hands it to the pipeline), so
a row is done exactly when its record is committed. Enqueueing again puts done and
failed rows back in the queue; queued and leased ones are left as they are.

PostgreSQL only (FOR UPDATE SKIP LOCKED, xmax); see pipelines/frontier_hosts.py
for the per-host slots that cap requests in flight across workers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy import Boolean, Connection, Engine, literal_column, make_url, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import ArgumentError

from harvester.errors import ConfigError

from .frontier_hosts import HostPolicy
from .models_frontier import frontier

_CHUNK = 1000  # URLs per INSERT


@dataclass(frozen=True, slots=True)
class EnqueueCounts:
    new: int = 0  # never queued before
    requeued: int = 0  # done or failed in an earlier run, queued again
    pending: int = 0  # queued or leased already: left alone
    invalid: int = 0  # no http(s) URL with a host: not queued

    def __add__(self, other: EnqueueCounts) -> EnqueueCounts:
        return EnqueueCounts(self.new + other.new, self.requeued + other.requeued,
                             self.pending + other.pending, self.invalid + other.invalid)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    source_id: int
    url: str
    host: str
    attempts: int  # 2 or more: taken over from a holder whose lease ran out


def require_postgres(database: Engine | str, command: str) -> None:
    """ConfigError unless the database (an engine or a URL) is PostgreSQL: the frontier
    is shared through row locks (SKIP LOCKED) and by several machines."""
    try:
        name = (database.dialect.name if isinstance(database, Engine)
                else make_url(database).get_backend_name())
    except ArgumentError:
        return  # not a URL at all: opening it says so
    if name != "postgresql":
        raise ConfigError(f"`harvester {command}` needs PostgreSQL: the frontier is shared "
                          f"by workers through row locks SQLite does not have "
                          f"(this config's database is {name})")


def host_of(url: str) -> str | None:
    """The host key the fetcher limits by: netloc with port (two ports are two hosts)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None
    return parsed.netloc.decode("ascii")


def enqueue(conn: Connection, source_id: int, urls: Iterable[str], at: datetime
            ) -> EnqueueCounts:
    """Queue these (already normalised) URLs of one source. Workers only claim rows of
    hosts registered with frontier_hosts.register_hosts (harvester enqueue does both)."""
    counts = EnqueueCounts()
    rows: list[dict[str, object]] = []
    invalid = 0
    for url in dict.fromkeys(urls):
        host = host_of(url)
        if host is None:
            invalid += 1
            continue
        rows.append({"source_id": source_id, "url": url, "host": host, "state": "queued",
                     "attempts": 0, "enqueued_at": at})
    for start in range(0, len(rows), _CHUNK):
        counts += _insert(conn, rows[start:start + _CHUNK])
    return counts + EnqueueCounts(invalid=invalid)


def _insert(conn: Connection, rows: list[dict[str, object]]) -> EnqueueCounts:
    stmt = postgresql.insert(frontier).values(rows)
    upsert = stmt.on_conflict_do_update(
        index_elements=["source_id", "url"],
        set_={"state": "queued", "lease_owner": None, "lease_until": None, "attempts": 0,
              "error_reason": None, "enqueued_at": stmt.excluded.enqueued_at,
              "finished_at": None},
        where=frontier.c.state.in_(("done", "failed")),
    ).returning(literal_column("xmax = 0", Boolean()).label("inserted"))
    touched = [bool(r.inserted) for r in conn.execute(upsert)]
    new = sum(touched)
    return EnqueueCounts(new=new, requeued=len(touched) - new, pending=len(rows) - len(touched))


_CLAIMABLE = """(state = 'queued' OR (state = 'leased' AND lease_until < now()))"""


def claimable_hosts(conn: Connection, source_ids: Sequence[int]) -> dict[str, HostPolicy]:
    """Registered hosts (frontier_hosts) with rows a worker could claim now, with their
    politeness. One index probe per host, not a scan of the frontier: this runs every
    round."""
    rows = conn.execute(text(
        "SELECT h.host, h.concurrency, h.delay FROM frontier_hosts h WHERE EXISTS ("
        "  SELECT 1 FROM frontier f WHERE f.host = h.host AND f.source_id = ANY(:sources)"
        f"   AND {_CLAIMABLE}) ORDER BY h.host"), {"sources": list(source_ids)})
    return {r.host: HostPolicy(int(r.concurrency), float(r.delay)) for r in rows}


def claim(conn: Connection, owner: str, source_ids: Sequence[int], host: str, n: int,
          ttl: float) -> list[Claimed]:
    """Lease up to `n` claimable rows of `host` to `owner` for `ttl` seconds, oldest first."""
    rows = conn.execute(text(f"""
        UPDATE frontier SET state = 'leased', lease_owner = :owner,
               lease_until = now() + :ttl * interval '1 second', attempts = attempts + 1
        WHERE id IN (SELECT id FROM frontier
                     WHERE source_id = ANY(:sources) AND host = :host AND {_CLAIMABLE}
                     ORDER BY id LIMIT :n FOR UPDATE SKIP LOCKED)
        RETURNING id, source_id, url, host, attempts"""),
        {"owner": owner, "ttl": ttl, "sources": list(source_ids), "host": host, "n": n})
    return sorted((Claimed(*r) for r in rows), key=lambda c: c.id)


def complete(conn: Connection, owner: str, source_id: int,
             finished: Sequence[tuple[str, str | None]]) -> int:
    """Mark rows still leased by `owner` done (reason None) or failed (a reason).
    Returns how many were; a row another worker took over is left to it."""
    if not finished:
        return 0
    result = conn.execute(text("""
        UPDATE frontier f SET state = CASE WHEN v.reason IS NULL THEN 'done' ELSE 'failed' END,
               error_reason = v.reason, finished_at = now(),
               lease_owner = NULL, lease_until = NULL
        FROM unnest(CAST(:urls AS text[]), CAST(:reasons AS text[])) AS v(url, reason)
        WHERE f.source_id = :source AND f.url = v.url
          AND f.state = 'leased' AND f.lease_owner = :owner"""),
        {"urls": [u for u, _ in finished], "reasons": [r for _, r in finished],
         "source": source_id, "owner": owner})
    return int(result.rowcount or 0)


def renew_rows(conn: Connection, owner: str, ttl: float) -> int:
    """Extend the leases of every row `owner` still holds; returns how many."""
    result = conn.execute(text(
        "UPDATE frontier SET lease_until = now() + :ttl * interval '1 second' "
        "WHERE lease_owner = :owner AND state = 'leased'"), {"owner": owner, "ttl": ttl})
    return int(result.rowcount or 0)


def release_rows(conn: Connection, owner: str) -> int:
    """Hand back every row `owner` holds, unfetched: queued again for any worker."""
    result = conn.execute(text(
        "UPDATE frontier SET state = 'queued', lease_owner = NULL, lease_until = NULL "
        "WHERE lease_owner = :owner AND state = 'leased'"), {"owner": owner})
    return int(result.rowcount or 0)


def give_up(conn: Connection, source_ids: Sequence[int], max_attempts: int) -> int:
    """Fail the rows whose holders died `max_attempts` times (a page that kills workers,
    say by exhausting their memory, must not kill them all); the next enqueue re-queues
    them. Returns how many."""
    result = conn.execute(text(
        "UPDATE frontier SET state = 'failed', error_reason = 'lease-expired', "
        "finished_at = now(), lease_owner = NULL, lease_until = NULL "
        "WHERE source_id = ANY(:sources) AND state = 'leased' AND lease_until < now() "
        "AND attempts >= :max"), {"sources": list(source_ids), "max": max_attempts})
    return int(result.rowcount or 0)


def remaining(conn: Connection, source_ids: Sequence[int]) -> int:
    """Rows still to do (queued, or leased by a live or dead worker)."""
    return int(conn.execute(text(
        "SELECT count(*) FROM frontier WHERE source_id = ANY(:sources) "
        "AND state IN ('queued', 'leased')"), {"sources": list(source_ids)}).scalar_one())
