"""A worker's fetcher: requests to a host only within the slots the worker holds there.

`HostSlots` counts this worker's requests in flight per host against the number of
slots it holds (pipelines/frontier_hosts.py); `LeasedFetcher` is the run's Fetcher
with every fetch (robots.txt, retries and redirects included) inside one of those
slots, and, for a host with a delay (or a robots.txt Crawl-delay), the start
reserved through the database first.
The Fetcher's own per-host gate is opened wide: the slots are the limit, shared
by every worker. A host whose slots were all lost makes its fetches wait; the
worker then stops the round, which cancels them.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

from harvester.http import Fetcher, NotModified, OnRetry
from harvester.politeness import Politeness
from harvester.types import Page

from .frontier import host_of

# the Fetcher's in-process gate must never be the limit: the slots are
_GATE_CONCURRENCY = 1024

_DEFAULT_POLITENESS = Politeness()

Reserve = Callable[[str, float], Awaitable[float]]  # (host, delay) -> seconds to wait


class HostSlots:
    """Per host: slots held (capacity) and requests in flight. Event-loop thread only."""

    def __init__(self) -> None:
        self._capacity: dict[str, int] = {}
        self._delay: dict[str, float] = {}
        self._busy: dict[str, int] = {}
        self._wake = asyncio.Event()
        self.max_busy: dict[str, int] = {}  # the most in flight at once, per host

    def set(self, host: str, capacity: int, delay: float | None = None) -> None:
        self._capacity[host] = capacity
        if delay is not None:
            self._delay[host] = delay
        self._poke()

    def capacity(self, host: str) -> int:
        return self._capacity.get(host, 0)

    def delay(self, host: str) -> float:
        return self._delay.get(host, 0.0)

    def _poke(self) -> None:
        # wakes every waiter (they re-check); later waiters wait on a fresh event
        self._wake.set()
        self._wake = asyncio.Event()

    @asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        while self._busy.get(host, 0) >= self._capacity.get(host, 0):
            await self._wake.wait()
        busy = self._busy[host] = self._busy.get(host, 0) + 1
        self.max_busy[host] = max(self.max_busy.get(host, 0), busy)
        try:
            yield
        finally:
            self._busy[host] -= 1
            self._poke()


class LeasedFetcher(Fetcher):
    """Fetcher whose requests to a host stay within `slots`, started at reserved times."""

    def __init__(self, *args: Any, slots: HostSlots, reserve: Reserve,
                 pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slots = slots
        self._reserve = reserve
        self._pause = pause

    async def fetch(
        self,
        url: str,
        *,
        politeness: Politeness = _DEFAULT_POLITENESS,
        etag: str | None = None,
        last_modified: str | None = None,
        on_retry: OnRetry | None = None,
    ) -> Page | NotModified:
        host = host_of(url)
        wide = dataclasses.replace(politeness, concurrency=_GATE_CONCURRENCY, delay=0.0)
        if host is None:  # the Fetcher says why (UnsafeURL)
            return await super().fetch(url, politeness=wide)
        async with self.slots.hold(host):
            delay = max(self.slots.delay(host), self._crawl_delay(url, host, politeness))
            if delay > 0:
                wait = await self._reserve(host, delay)
                if wait > 0:
                    await self._pause(wait)
            return await super().fetch(url, politeness=wide, etag=etag,
                                       last_modified=last_modified, on_retry=on_retry)

    def _crawl_delay(self, url: str, host: str, politeness: Politeness) -> float:
        """robots.txt's Crawl-delay for us, once the Fetcher has read it (the first request
        to a host goes unspaced), so that it too holds across workers."""
        if not politeness.obey_robots:
            return 0.0
        rules = self._robots.peek(f"{httpx.URL(url).scheme}://{host}")
        delay = rules.crawl_delay(self._settings.user_agent) if rules is not None else None
        return delay or 0.0
