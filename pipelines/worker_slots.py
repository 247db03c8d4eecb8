"""The host slots one worker holds, as the event loop sees them: how many requests it
may have in flight per host, and how many it has.

The round planner (pipelines/worker_plan.py) sets each host's capacity to the number
of slot leases the worker holds there (pipelines/frontier_hosts.py), and the
heartbeat lowers it when a lease was lost. `hold` admits one request per free slot;
waiters re-check whenever a capacity changes or a request ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class HostSlots:
    """Per host: slots held (capacity) and requests in flight. Event-loop thread only."""

    def __init__(self) -> None:
        self._capacity: dict[str, int] = {}
        self._delay: dict[str, float] = {}
        self._busy: dict[str, int] = {}
        self._lost: set[str] = set()
        self._wake = asyncio.Event()
        self.max_busy: dict[str, int] = {}  # the most in flight at once, per host

    def set(self, host: str, capacity: int, delay: float | None = None) -> None:
        """What the planner decided: `capacity` slots held (and the host's delay)."""
        self._capacity[host] = capacity
        self._lost.discard(host)
        if delay is not None:
            self._delay[host] = delay
        self._poke()

    def lose(self, host: str, capacity: int) -> None:
        """Leases ran out mid-round: down to `capacity`; requests to the host wait (the
        round is being stopped) rather than go out without a slot."""
        self._capacity[host] = capacity
        self._lost.add(host)
        self._poke()

    def capacity(self, host: str) -> int:
        return self._capacity.get(host, 0)

    def delay(self, host: str) -> float:
        return self._delay.get(host, 0.0)

    def leased(self, host: str) -> bool:
        """Whether requests to `host` go through this worker's slots: it holds some, or
        lost them this round. Any other host (a redirect's target) is not leased."""
        return self._capacity.get(host, 0) > 0 or host in self._lost

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
