"""Parsing pages off the event loop: in worker processes once a source is big enough.

Parsing is pure CPU (about a millisecond a page) and, run inline, it holds the
event loop while requests wait. Worker processes use the other cores; a page
goes out as a pickled `Page` and comes back as a pickled `Record` (frozen
dataclasses, ~0.05 ms of pickling both ways). While it has the page, the
worker also hashes the body and, when the run archives, renders its WARC
record (0.3 ms of gzip): the parent only appends the bytes.

Small runs never start a pool: `parse(..., pooled=False)` parses inline, and
the pool is created on first pooled use; pages are parsed inline until its
workers have started (about half a second of imports, on the other core).
`harvester harvest` spawns them first thing (pipelines/parse_start.py): pages
wait for those instead, and the parent does not import the parsers at all.

Workers are spawned, not forked: a forked child would inherit the run's lock
file descriptor (pipelines/lock.py) and hold the source's lock after a
SIGKILLed parent. They ignore SIGINT, so a Ctrl-C reaching the whole process
group still lets the parent finish the pages in hand, and exit on their own
when their parent is gone. A pool that breaks (a worker killed) is dropped
and parsing goes on inline: the pages it held are parsed again here, none lost.

The channel to the workers (pipelines/parse_channel.py) is a socket each, read
and written by the event loop itself; the pool is used from one running loop.
close() hands the pages still out back to their callers, who parse them inline.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar

from harvester.errors import ParseError
from harvester.types import Page, Record
from harvester.types_parts import positional_pickle
from harvester.warc import render_record

from .parse_channel import Channel, PoolClosed
from .parse_worker import Shipped, _worker_start

__all__ = ["CHUNK", "ENV_WORKERS", "ParsePool", "Parsed", "PoolClosed", "_worker_start",
           "default_workers", "parse_many", "parse_one"]

log = logging.getLogger(__name__)

ENV_WORKERS = "HARVESTER_PARSE_WORKERS"
# Pages asked for in one event-loop turn travel together: one pickled task per
# chunk instead of per page shares a round trip's fixed cost (a send, a receive,
# a wake-up) among them.
CHUNK = 16

_Item = tuple[Page, str, str | None, int | None]
T = TypeVar("T")


# pickled positionally (every answer crosses from a worker): a slots dataclass's own
# __getstate__/__setstate__ cost ~2.5 µs a page each way (bench pages, 4-page chunks)
@positional_pickle
@dataclass(frozen=True, slots=True)
class Parsed:
    """A record, or why the page gave none (a ParseError's reason and message).

    `same`: the body hashes to the `known_sha` asked about, so it was not parsed.
    `warc`: the page's archive record, when asked for."""

    sha256: str
    record: Record | None = None
    reason: str | None = None
    message: str = ""
    same: bool = False
    warc: bytes | None = None


def default_workers() -> int:
    """HARVESTER_PARSE_WORKERS when set (0: always inline), else 2 on two or more
    usable cores and 0 on one.

    On two cores the main process (fetching, archiving, loading: about 0.5 ms a
    63 KiB page) and two workers (about 1 ms a page) share both cores better than
    one worker does: bench/e2e.py's harvest, 5,000 pages on an idle 2-core machine,
    took 5.05 / 5.06 s with two workers and 6.40 / 6.83 s with one. On one core a
    pool costs pickling and buys nothing. More than two is not measured."""
    value = os.environ.get(ENV_WORKERS, "").strip()
    if value.isdigit():
        return int(value)
    return 0 if usable_cores() < 2 else 2


def usable_cores() -> int:
    """Cores this process may run on (a container's CPU set), not the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parse_one(page: Page, platform: str, known_sha: str | None = None,
              archive_level: int | None = None) -> Parsed:
    """Hash, parse (unless the hash is `known_sha`) and optionally render the WARC record.
    A ParseError comes back as a value: exceptions with keyword-only context do not
    survive pickling back from a worker."""
    sha256 = page.sha256
    warc = render_record(page, archive_level) if archive_level is not None else None
    if known_sha is not None and sha256 == known_sha:
        return Parsed(sha256, same=True, warc=warc)
    # here, not at module level: the parent mostly parses nothing itself (below), and the
    # parsers' imports are ~37 ms of its start-up CPU (a worker imports them before READY)
    from harvester.parsers import parse_page

    try:
        record, _name = parse_page(page, platform)
    except ParseError as exc:
        return Parsed(sha256, None, exc.reason, str(exc), warc=warc)
    return Parsed(sha256, record, warc=warc)


def parse_many(items: list[tuple[Page, str, str | None, int | None]]) -> list[Parsed]:
    return [parse_one(*item) for item in items]


class ParsePool:
    """Parses inline or in up to `workers` processes; close() when the run ends."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else max(0, workers)
        self._channel: Channel | None = None
        self._broken = False
        self.in_workers = 0  # pages parsed in worker processes
        self._pending: list[tuple[_Item, asyncio.Future[Parsed]]] = []
        self._flush_soon = False
        self._closing: list[Channel] = []

    def _ready_channel(self) -> Channel | None:
        """The channel when a worker answers; starts the workers on first use."""
        if self.workers == 0 or self._broken:
            return None
        loop = asyncio.get_running_loop()
        channel = self._channel
        if channel is not None and channel.loop is not loop:
            channel.close()  # a later event loop: the earlier one's sockets are not watched
            channel = None
        if channel is None:
            channel = self._channel = Channel(self.workers, loop)
        if channel.broken:
            self._mark_broken()
            return None
        # workers spawned on first use import for half a second: parse here meanwhile;
        # prestarted ones are nearly ready when the first page comes: it waits for them
        return channel if channel.ready or channel.prestarted else None

    def _mark_broken(self) -> None:
        if not self._broken:
            log.warning("parse workers died; parsing in the main process from now on")
            self._broken = True

    async def parse(self, page: Page, platform: str, *, pooled: bool = True,
                    known_sha: str | None = None, archive_level: int | None = None) -> Parsed:
        """`archive_level` asks a worker for the WARC record; inline, none is rendered
        (the caller archives the page itself, off the event loop)."""
        channel = self._ready_channel() if pooled else None
        if channel is None:
            return parse_one(page, platform, known_sha)
        loop = channel.loop
        future: asyncio.Future[Parsed] = loop.create_future()
        self._pending.append(((page, platform, known_sha, archive_level), future))
        if len(self._pending) >= CHUNK:
            self._flush(channel)
        elif not self._flush_soon:
            self._flush_soon = True
            loop.call_soon(self._flush, channel)
        try:
            parsed = await future
            self.in_workers += 1
            return parsed
        except BrokenProcessPool as exc:
            if not isinstance(exc, PoolClosed):
                self._mark_broken()
            return parse_one(page, platform, known_sha)

    def _flush(self, channel: Channel) -> None:
        self._flush_soon = False
        if not self._pending:
            return
        chunk, self._pending = self._pending, []
        futures = [f for _, f in chunk]
        # the bodies travel out of band, straight from the pages' bytes
        items = [(Shipped(page), *rest) for (page, *rest), _ in chunk]
        done = channel.submit(parse_many, (items,), {})

        def hand_out(result: asyncio.Future[list[Parsed]]) -> None:
            for i, f in enumerate(futures):
                if f.done():
                    continue
                if result.cancelled():
                    f.cancel()
                elif (exc := result.exception()) is not None:
                    f.set_exception(exc)
                else:
                    f.set_result(result.result()[i])

        done.add_done_callback(hand_out)

    async def call(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T | None:
        """fn(*args, **kwargs) in a worker (fn and its arguments picklable, fn defined at
        module level in an importable module: a worker does not run the parent's
        `__main__`, see parse_start.spawn); None when no worker is ready, the pool broke
        or was closed meanwhile: the caller runs it inline. What fn raises is raised here (the same
        type when it survives pickling, else a RuntimeError naming it). Used for whole
        OAI pages (pipelines/oai_job.py)."""
        channel = self._ready_channel()
        if channel is None:
            return None
        try:
            result: T = await channel.submit(fn, args, kwargs)
            return result
        except PoolClosed:
            return None
        except BrokenProcessPool:  # a worker died
            self._mark_broken()
            return None

    async def started(self) -> bool:
        """Start the workers now and wait until they all answer; False when parsing
        stays inline."""
        self._ready_channel()
        channel = self._channel
        if channel is None or self._broken:
            return False
        if not await asyncio.shield(channel.all_ready):
            self._broken = True
            return False
        return True

    def close(self, wait: bool = True) -> None:
        """Stop the workers (pages still out are parsed inline by their callers).
        Idempotent; a later pooled use starts new workers. `wait=False` leaves waiting
        for their exit to join(): they exit while the caller goes on."""
        if self._channel is not None:
            channel, self._channel = self._channel, None
            channel.close(wait)
            if not wait:
                self._closing.append(channel)

    def join(self) -> None:
        """Wait for the workers of close(wait=False) to exit."""
        while self._closing:
            self._closing.pop().join()
