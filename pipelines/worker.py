"""`harvester worker`: drain the shared frontier, together with any number of other workers.

Each worker (one process, on any machine) repeats a round:

    hosts with claimable rows ─▶ hold this worker's fair share of each host's slots
    (host_leases; pipelines/worker_plan.py), free the others ─▶ claim `batch` rows
    per slot held, FOR UPDATE SKIP LOCKED ─▶ the harvest pipeline
    (pipelines/pipeline.py) fetches them through the worker's gate (at most one
    request in flight per slot held, starts spaced through the database:
    pipelines/worker_gate.py), parses, and stores
    each batch in ONE transaction that also marks its frontier rows done or failed
    ─▶ rows not answered (a stop) go back to the queue.

A heartbeat renews the worker's slot and row leases every lease/3 seconds; a slot it
no longer finds was taken over (its lease ran out), so the round stops and the next
one starts from what the worker still holds. A worker that dies (SIGKILL, a lost
machine) stops renewing: its rows and slots are claimable once their leases pass.
SIGINT/SIGTERM: the pages already answered are committed, the rest handed back, the
slots freed, the run closed as 'stopped'. Every worker records a harvest_runs row
with its counters, so `harvester runs` shows worker runs beside harvest runs.
Workers need PostgreSQL: the frontier relies on SKIP LOCKED.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from sqlalchemy import Connection

from harvester.errors import DatabaseError, HarvestError

from .db import in_transaction
from .frontier import Claimed, remaining, renew_rows
from .frontier_hosts import renew_slots
from .outcomes import Outcome
from .pipeline import SourcePipeline
from .worker_kit import WorkerKit
from .worker_plan import plan_round

__all__ = ["WorkerOptions", "new_owner", "work_rounds"]

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    lease_seconds: float = 30.0
    batch: int = 50  # rows claimed per slot held, per round
    until_empty: bool = False  # exit once no row is queued or leased
    poll_seconds: float = 2.0  # wait when nothing is claimable
    parse_workers: int | None = None


def new_owner() -> str:
    """A name unique to this process, readable in the lease columns."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Rounds:
    """The round loop of one worker (see the module docstring)."""

    def __init__(self, kit: WorkerKit, options: WorkerOptions, stop: asyncio.Event) -> None:
        self.kit, self.options, self.stop = kit, options, stop
        self.owner = kit.owner
        self.held: dict[str, set[int]] = defaultdict(set)  # host -> slot numbers
        self.control = asyncio.Lock()  # slot bookkeeping: one of plan/heartbeat at a time
        self.round_stop: asyncio.Event | None = None
        self.round_hosts: set[str] = set()

    async def _db(self, work: Callable[[Connection], T]) -> T:
        """`work` in one short transaction, in a control thread; DatabaseError on failure."""
        def run() -> T:
            return in_transaction(self.kit.engine, work, what="a frontier query failed on")
        return await asyncio.get_running_loop().run_in_executor(self.kit.control, run)

    async def run(self) -> None:
        beat = asyncio.create_task(self._heartbeat())
        try:
            await self._loop()
        except DatabaseError as exc:  # the frontier is unreachable: this worker stops
            for stats in self.kit.stats.values():
                stats.fatal = stats.fatal or str(exc)
        finally:
            beat.cancel()
            await asyncio.gather(beat, return_exceptions=True)

    async def _loop(self) -> None:
        while not self.stop.is_set():
            claimed = await self._plan()
            if claimed:
                await self._round(claimed)
                continue
            left = partial(remaining, source_ids=list(self.kit.by_id))
            if self.options.until_empty and await self._db(left) == 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), self.options.poll_seconds)

    # -- planning: slots and claims ---------------------------------------------------------

    async def _plan(self) -> list[Claimed]:
        """Slots and rows for the next round (pipelines/worker_plan.py)."""
        async with self.control:
            plan = await self._db(partial(
                plan_round, owner=self.owner, group=self.kit.group, source_ids=list(self.kit.by_id),
                ttl=self.options.lease_seconds, batch=self.options.batch,
                held={h: frozenset(s) for h, s in self.held.items()}))
            for host in self.held.keys() | plan.held.keys():
                policy = plan.policies.get(host)
                self.kit.slots.set(host, len(plan.held.get(host, ())),
                                   policy.delay if policy is not None else None)
            self.held = defaultdict(set, plan.held)
        return plan.claimed

    async def _heartbeat(self) -> None:
        ttl = self.options.lease_seconds
        while True:
            await asyncio.sleep(ttl / 3)
            try:
                async with self.control:
                    kept = await self._db(partial(_renew, owner=self.owner, ttl=ttl))
                    self._forget_lost(kept)
            except DatabaseError as exc:  # the next renewal may get through
                log.warning("worker %s: renewing leases failed: %s", self.owner, exc)

    def _forget_lost(self, kept: set[tuple[str, int]]) -> None:
        for host, slots in self.held.items():
            lost = {s for s in slots if (host, s) not in kept}
            if not lost:
                continue
            log.warning("worker %s lost slots %s of %s (lease ran out)", self.owner, lost, host)
            slots -= lost
            if host in self.round_hosts and self.round_stop is not None:
                self.kit.slots.lose(host, len(slots))  # its requests wait, not go out
                self.round_stop.set()  # stop fetching; the next round re-plans
            else:
                self.kit.slots.set(host, len(slots))

    # -- one round ---------------------------------------------------------------------------

    async def _round(self, claimed: list[Claimed]) -> None:
        self.round_stop = round_stop = asyncio.Event()
        self.round_hosts = {c.host for c in claimed}
        relay = asyncio.create_task(self._relay_stop(round_stop))
        by_source: dict[int, list[Claimed]] = defaultdict(list)
        for row in claimed:
            by_source[row.source_id].append(row)
        try:
            results = await asyncio.gather(
                *(self._pipe(sid, rows, round_stop) for sid, rows in by_source.items()),
                return_exceptions=True)
        finally:
            relay.cancel()
            self.round_stop, self.round_hosts = None, set()
            # rows not answered (a stop, a lost slot) go back to the queue
            handed = await self._db(self.kit.release_rows)
            if handed:
                log.info("worker %s handed back %d rows", self.owner, handed)
        for sid, result in zip(by_source, results, strict=True):
            if isinstance(result, HarvestError):
                self.kit.stats[sid].fatal = str(result)
                self.stop.set()  # a database failure: this worker stops, others go on
            elif isinstance(result, BaseException):
                raise result

    async def _relay_stop(self, round_stop: asyncio.Event) -> None:
        await self.stop.wait()
        round_stop.set()

    async def _pipe(self, source_id: int, rows: Sequence[Claimed],
                    round_stop: asyncio.Event) -> None:
        kit = self.kit
        source = kit.by_id[source_id]

        def on_store(conn: Connection, outcomes: Sequence[Outcome]) -> None:
            kit.complete(conn, source_id, outcomes)

        pipeline = SourcePipeline(source, source_id, kit.fetcher, kit.stats[source_id],
                                  kit.plumbing, batch=self.options.batch, stop=round_stop,
                                  on_store=on_store)
        await pipeline.run(_interleaved(rows))


def _renew(conn: Connection, owner: str, ttl: float) -> set[tuple[str, int]]:
    renew_rows(conn, owner, ttl)
    return renew_slots(conn, owner, ttl)


async def _interleaved(rows: Sequence[Claimed]) -> AsyncIterator[str]:
    """The URLs host by host in turn, so no host's slots wait behind another's queue."""
    by_host: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_host[row.host].append(row.url)
    queues = list(by_host.values())
    for i in range(max(map(len, queues), default=0)):
        for queue in queues:
            if i < len(queue):
                yield queue[i]


async def work_rounds(kit: WorkerKit, options: WorkerOptions, stop: asyncio.Event) -> float:
    """Run rounds until stopped (or, with until_empty, the frontier is drained).
    Returns the seconds it took."""
    started = time.monotonic()
    await Rounds(kit, options, stop).run()
    return time.monotonic() - started
