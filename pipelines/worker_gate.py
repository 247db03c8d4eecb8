"""A worker's per-host gate (harvester/_fetch/gate.py's Gate) over limits that every
worker shares through the database.

The Fetcher passes each request attempt and each redirect hop through
`slot(host, concurrency, delay)`, with `delay` the source's delay or the robots.txt
Crawl-delay, whichever is longer (the Fetcher's one lookup). Here a request to a
host the worker leases slots on (pipelines/worker_slots.py)

    waits for one of its slots (so all workers together stay within the host's
    concurrency) ─▶ asks the database when it may start: a host with a delay
    reserves its start (frontier_hosts.reserve_start); one without reads whether a
    pause holds (start_wait), at most once per RECHECK_SECONDS, the asks meanwhile
    sharing the answer ─▶ sleeps until then ─▶ is sent; the slot is free again once
    its answer is read.

A slot is held for one attempt, never across the Fetcher's retry back-offs. A
Retry-After (`hold_off`) pauses this worker at once and is written to the host's
next start in the database, so every other worker's requests wait too, from their
next reservation (a delayed host) or within RECHECK_SECONDS (a host without one:
a read per request cost ~0.36 ms of the worker's CPU, measured at load 4).
Hosts the worker holds no slots on (a redirect to another site) go through an
in-process HostGate with the source's politeness.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from functools import partial
from math import inf
from typing import Protocol, TypeVar

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from harvester._fetch.gate import HostGate

from .db import in_transaction
from .frontier_hosts import hold_host, reserve_start, start_wait
from .worker_slots import HostSlots

__all__ = ["RECHECK_SECONDS", "DatabaseStarts", "Starts", "WorkerGate"]

log = logging.getLogger(__name__)
T = TypeVar("T")
RECHECK_SECONDS = 0.1  # a host without delay: how stale our idea of its pause may be


class Starts(Protocol):
    """Where the hosts' start times live (DatabaseStarts; a fake in unit tests)."""

    async def reserve(self, host: str, delay: float) -> float:
        """Seconds to wait before a request to `host` starts (delay 0: reserve nothing)."""
        ...

    async def hold(self, host: str, seconds: float) -> None:
        """No request to `host` starts within `seconds`."""
        ...


class DatabaseStarts:
    """Start times in frontier_hosts, queried in the worker's control threads."""

    def __init__(self, engine: Engine, executor: Executor) -> None:
        self._engine, self._executor = engine, executor

    async def reserve(self, host: str, delay: float) -> float:
        if delay > 0:
            return await self._run(partial(reserve_start, host=host, delay=delay))
        return await self._run(partial(start_wait, host=host))

    async def hold(self, host: str, seconds: float) -> None:
        await self._run(partial(hold_host, host=host, seconds=seconds))

    async def _run(self, work: Callable[[Connection], T]) -> T:
        run = partial(in_transaction, self._engine, work, what="a host's start time failed on")
        return await asyncio.get_running_loop().run_in_executor(self._executor, run)


class WorkerGate:
    """Gate over the worker's leased slots and the shared start times (module docstring)."""

    def __init__(self, slots: HostSlots, starts: Starts, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 recheck: float = RECHECK_SECONDS) -> None:
        self._slots, self._starts = slots, starts
        self._clock, self._sleep, self._recheck = clock, sleep, recheck
        self._local = HostGate(clock=clock, sleep=sleep)
        self._held: dict[str, float] = {}  # host -> clock() before which it is paused
        self._checked: dict[str, float] = {}  # host -> clock() of its last pause read
        self._checks: dict[str, asyncio.Task[float]] = {}
        self._writes: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def slot(self, key: str, *, concurrency: int, delay: float) -> AsyncIterator[None]:
        if not self._slots.leased(key):
            async with self._local.slot(key, concurrency=concurrency, delay=delay):
                yield
            return
        async with self._slots.hold(key):
            delay = max(delay, self._slots.delay(key))
            # a reserved start is this request's own; a pause read holds for all of ours
            reserved = await self._starts.reserve(key, delay) if delay > 0 else 0.0
            if delay <= 0 and self._clock() - self._checked.get(key, -inf) >= self._recheck:
                self._pause(key, await self._check(key))
            wait = max(reserved, self._held.get(key, 0.0) - self._clock())
            if wait > 0:
                await self._sleep(wait)
            yield

    def hold_off(self, key: str, seconds: float) -> None:
        self._local.hold_off(key, seconds)
        self._pause(key, seconds)
        task = asyncio.get_running_loop().create_task(self._starts.hold(key, seconds))
        self._writes.add(task)
        task.add_done_callback(self._written)

    async def settle(self) -> None:
        """Wait until the pauses seen so far are in the database."""
        while self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)

    def _written(self, task: asyncio.Task[None]) -> None:
        self._writes.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            # this worker still waits; the others may not learn of the pause
            log.warning("recording a host's Retry-After pause failed: %s", exc)

    def _pause(self, key: str, seconds: float) -> None:
        self._held[key] = max(self._held.get(key, 0.0), self._clock() + seconds)

    async def _check(self, key: str) -> float:
        """One start_wait query per host at a time: requests arriving meanwhile share it."""
        task = self._checks.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._starts.reserve(key, 0.0))
            self._checks[key] = task
            task.add_done_callback(partial(self._done, key))
        return await asyncio.shield(task)

    def _done(self, key: str, task: asyncio.Task[float]) -> None:
        if self._checks.get(key) is task:
            del self._checks[key]
            self._checked[key] = self._clock()
        if not task.cancelled():
            task.exception()  # retrieved: its awaiters (if any are left) raise it
