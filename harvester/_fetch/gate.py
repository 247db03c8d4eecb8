"""Per-host politeness: a cap on requests in flight and a minimum gap between request starts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
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

    def slot(self, key: str, *, concurrency: int, delay: float) -> _Slot:
        return _Slot(self, self._host(key, concurrency), delay)

    def hold_off(self, key: str, seconds: float) -> None:
        """Push the host's next start back (a Retry-After applies to every request to it)."""
        host = self._hosts.get(key)
        if host is not None:
            host.next_start = max(host.next_start, self._clock() + seconds)


class _Slot:
    """One request's turn at a host: a class, not @asynccontextmanager, which costs an
    async generator and its event-loop hooks for every request."""

    __slots__ = ("_delay", "_gate", "_host")

    def __init__(self, gate: HostGate, host: _Host, delay: float) -> None:
        self._gate, self._host, self._delay = gate, host, delay

    async def __aenter__(self) -> None:
        host, gate = self._host, self._gate
        await host.slots.acquire()
        try:
            now = gate._clock()
            start = max(now, host.next_start)
            host.next_start = start + self._delay
            if start > now:
                await gate._sleep(start - now)
        except BaseException:  # cancelled while waiting its turn: the slot is not taken
            host.slots.release()
            raise

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        self._host.slots.release()
