"""The parse pool's channel to its workers: no page is lost when a worker is killed or
the pool is closed under it, what a worker's function raises reaches the caller, and
large bodies (more than a socket buffer holds) travel whole, in any number at once."""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import signal
import time
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import TypeVar

import pytest

from harvester.errors import HTTPStatusError
from harvester.types import Page
from pipelines.parse_channel import MAX_IN_FLIGHT
from pipelines.parse_pool import ParsePool, parse_one

pytestmark = pytest.mark.slow  # each test starts worker processes (~0.5 s of imports)

MB = 1 << 20
T = TypeVar("T")


# -- run in the workers (module level, so they pickle by name) -------------------------

def _digest(body: bytes) -> tuple[str, bytes]:
    """The body's hash, and the body back reversed: a large answer as well as a large task."""
    return hashlib.sha256(body).hexdigest(), body[::-1]


def _hold(pid_file: str, go_file: str) -> int:
    """Tell the test this worker's pid, then hold it busy until `go_file` exists."""
    Path(pid_file).write_text(str(os.getpid()))
    while not os.path.exists(go_file):
        time.sleep(0.01)
    return os.getpid()


def _raise_value_error(text: str) -> None:
    raise ValueError(text)


def _raise_http_status() -> None:
    raise HTTPStatusError("server said no", status=503, url="https://example.org/x")


# -- helpers --------------------------------------------------------------------------

@pytest.fixture
async def pool() -> AsyncIterator[ParsePool]:
    p = ParsePool(1)
    assert await p.started(), "the parse worker did not start"
    yield p
    p.close()


def pages(n: int, size: int = 2000) -> list[Page]:
    """Pure-like publication URLs with bodies that hold no record: each parses to a reason."""
    rng = random.Random(n * size)
    texts = [rng.randbytes(size).hex().encode()[:size] for _ in range(n)]
    return [Page(f"https://repo.example.org/en/publications/p{i}/",
                 b"<html><body><p>" + text + b"</p></body></html>")
            for i, text in enumerate(texts)]


async def settled(awaitable: Awaitable[T]) -> T:
    """A guard against a hang (a lost page never answers), not a timing: fails, not waits."""
    return await asyncio.wait_for(awaitable, 120)


async def hold_worker(pool: ParsePool, tmp_path: Path) -> tuple[asyncio.Task[object], int, Path]:
    """Occupy the worker with `_hold`; the task, the worker's pid and the file releasing it."""
    pid_file, go_file = tmp_path / "pid", tmp_path / "go"
    held = asyncio.create_task(pool.call(_hold, str(pid_file), str(go_file)))
    for _ in range(3000):  # a bound, not a timing: the worker answers within milliseconds
        if pid_file.exists() and pid_file.read_text():
            return held, int(pid_file.read_text()), go_file
        await asyncio.sleep(0.01)
    raise AssertionError("the worker never started the task")


# -- tests ----------------------------------------------------------------------------

async def test_a_worker_killed_mid_task_loses_no_page(pool: ParsePool, tmp_path: Path) -> None:
    held, pid, _go = await hold_worker(pool, tmp_path)
    batch = pages(5)
    parsing = [asyncio.create_task(pool.parse(p, "pure")) for p in batch]
    await asyncio.sleep(0)  # the pages go out to the worker behind the held task
    os.kill(pid, signal.SIGKILL)
    got = await settled(asyncio.gather(*parsing))
    assert await settled(held) is None  # the caller runs it inline
    assert got == [parse_one(p, "pure") for p in batch]
    assert pool.in_workers == 0
    # broken: from now on pages parse here, and started() says so
    assert not await pool.started()
    assert await pool.parse(batch[0], "pure") == parse_one(batch[0], "pure")
    assert await pool.call(_digest, b"x") is None


async def test_an_exception_raised_in_a_worker_reaches_the_caller(pool: ParsePool) -> None:
    with pytest.raises(ValueError, match="no such value") as raised:
        await pool.call(_raise_value_error, "no such value")
    assert any("in a parse worker" in note for note in raised.value.__notes__)
    # an exception that cannot be rebuilt from its pickle comes back named, not as a hang
    with pytest.raises(RuntimeError, match="HTTPStatusError: server said no"):
        await pool.call(_raise_http_status)
    # neither breaks the pool
    assert await pool.call(_digest, b"abc") == (hashlib.sha256(b"abc").hexdigest(), b"cba")


async def test_close_with_tasks_pending_hands_them_back_to_their_callers(
    pool: ParsePool, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    held, _pid, go = await hold_worker(pool, tmp_path)
    batch = pages(3)
    parsing = [asyncio.create_task(pool.parse(p, "pure")) for p in batch]
    await asyncio.sleep(0)
    go.touch()  # the worker finishes and finds its socket closed
    pool.close()
    pool.close()  # idempotent
    assert await settled(held) is None
    assert await settled(asyncio.gather(*parsing)) == [parse_one(p, "pure") for p in batch]
    assert "died" not in caplog.text  # closing is not breaking
    # a pool closed is not a pool broken: the next pooled use starts workers again
    assert await pool.started()
    assert await pool.call(_digest, b"ab") == (hashlib.sha256(b"ab").hexdigest(), b"ba")


async def test_many_megabyte_bodies_in_flight_at_once_come_back_whole() -> None:
    pool = ParsePool(2)
    try:
        assert await pool.started()
        rng = random.Random(7)
        bodies = [rng.randbytes(MB + i) for i in range(3 * 2 * MAX_IN_FLIGHT)]  # some wait here
        got = await settled(asyncio.gather(*(pool.call(_digest, b) for b in bodies)))
        assert got == [_digest(b) for b in bodies]
        # a chunk of megabyte pages is one task of many megabytes, and its answer
        big = pages(8, size=MB)
        parsed = await settled(asyncio.gather(*(pool.parse(p, "pure") for p in big)))
        assert parsed == [parse_one(p, "pure") for p in big]
        assert pool.in_workers == len(big)
    finally:
        pool.close()


async def test_a_body_larger_than_the_socket_buffer_does_not_block_the_loop(
    pool: ParsePool, tmp_path: Path
) -> None:
    held, _pid, go = await hold_worker(pool, tmp_path)
    body = random.Random(3).randbytes(24 * MB)  # more than the socket buffers hold
    sending = asyncio.create_task(pool.call(_digest, body))
    await asyncio.sleep(0)  # the loop comes back to this test while the rest is queued
    channel = pool._channel
    assert channel is not None and any(w.out for w in channel._workers)
    assert not sending.done()
    go.touch()
    assert await settled(held) is not None
    assert await settled(sending) == _digest(body)
