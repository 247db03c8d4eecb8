"""Per-host politeness: a cap on requests in flight and a minimum gap between request starts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol


class _Host:
    __slots__ = ("next_start", "slots")

    def __init__(self, concurrency: int) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        self.next_start = float("-inf")


class Gate(Protocol):
    """What the Fetcher needs of a per-host gate: HostGate in one process; a gate backed
    by shared leases when several processes share a host's limits."""

    def slot(self, key: str, *, concurrency: int, delay: float
             ) -> AbstractAsyncContextManager[None]: ...

    def hold_off(self, key: str, seconds: float) -> None: ...


class HostGate:
    """Admits requests to one host at most `concurrency` at a time, spaced by `delay`.

    Start times are reserved before sleeping (no await between reading and
    writing `next_start`), so concurrent waiters queue up at distinct slots
    instead of all waking at the same instant.
    """

    def __init__(
        self, *, clock: Callable[[], float], sleep: Callable[[float], Awaitable[None]]
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._hosts: dict[str, _Host] = {}

    def _host(self, key: str, concurrency: int) -> _Host:
        # The first caller's concurrency sticks: a semaphore cannot be resized safely.
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(concurrency)
        return host

    @asynccontextmanager
    async def slot(self, key: str, *, concurrency: int, delay: float) -> AsyncIterator[None]:
        host = self._host(key, concurrency)
        async with host.slots:
            now = self._clock()
            start = max(now, host.next_start)
            host.next_start = start + delay
            if start > now:
                await self._sleep(start - now)
            yield

    def hold_off(self, key: str, seconds: float) -> None:
        """Push the host's next start back (a Retry-After applies to every request to it)."""
        host = self._hosts.get(key)
        if host is not None:
            host.next_start = max(host.next_start, self._clock() + seconds)
