"""Per-host politeness: requests in flight per host and the minimum gap between starts."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from httpserver import FakeTime, mock_fetcher

from harvester._fetch.gate import HostGate
from harvester.politeness import Politeness


async def test_sequential_starts_to_one_host_are_spaced_by_delay() -> None:
    fake = FakeTime()
    starts: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        starts.append(fake.now)
        return httpx.Response(200)

    fetcher = mock_fetcher(handler, fake)
    polite = Politeness(concurrency=2, delay=2.5, obey_robots=False)
    for i in range(3):
        await fetcher.fetch(f"https://a.example.org/{i}", politeness=polite)
    assert [t - starts[0] for t in starts] == [0.0, 2.5, 5.0]


async def test_concurrent_requests_queue_per_host_not_across_hosts() -> None:
    fake = FakeTime(advance=False)
    fetcher = mock_fetcher(lambda r: httpx.Response(200), fake)
    polite = Politeness(concurrency=4, delay=2.5, obey_robots=False)
    urls = [f"https://a.example.org/{i}" for i in range(3)] + ["https://b.example.org/0"]
    await asyncio.gather(*(fetcher.fetch(u, politeness=polite) for u in urls))
    # a.example.org's 2nd and 3rd requests wait their turn; b.example.org's first does not.
    assert sorted(fake.sleeps) == [2.5, 5.0]


async def test_zero_delay_never_sleeps() -> None:
    fake = FakeTime()
    fetcher = mock_fetcher(lambda r: httpx.Response(200), fake)
    polite = Politeness(concurrency=1, delay=0, obey_robots=False)
    for i in range(4):
        await fetcher.fetch(f"https://a.example.org/{i}", politeness=polite)
    assert fake.sleeps == []


@pytest.mark.parametrize("concurrency", [1, 2, 3])
async def test_gate_admits_at_most_concurrency_per_host(concurrency: int) -> None:
    gate = HostGate(clock=lambda: 0.0, sleep=asyncio.sleep)
    inside = 0
    peak = 0

    async def work() -> None:
        nonlocal inside, peak
        async with gate.slot("h", concurrency=concurrency, delay=0):
            inside += 1
            peak = max(peak, inside)
            for _ in range(3):
                await asyncio.sleep(0)
            inside -= 1

    await asyncio.gather(*(work() for _ in range(8)))
    assert peak == concurrency


async def test_waiting_requests_take_distinct_start_slots() -> None:
    fake = FakeTime(advance=False)
    gate = HostGate(clock=fake.clock, sleep=fake.sleep)

    async def work() -> None:
        async with gate.slot("h", concurrency=10, delay=1.0):
            pass

    await asyncio.gather(*(work() for _ in range(4)))
    # Each waiter sleeps from the same "now" to its own reserved start.
    assert sorted(fake.sleeps) == [1.0, 2.0, 3.0]


async def test_hold_off_pushes_next_start_back() -> None:
    fake = FakeTime()
    gate = HostGate(clock=fake.clock, sleep=fake.sleep)
    async with gate.slot("h", concurrency=1, delay=1.0):
        pass
    gate.hold_off("h", 30.0)
    async with gate.slot("h", concurrency=1, delay=1.0):
        pass
    assert fake.sleeps == [30.0]


async def test_request_cancelled_while_waiting_its_turn_frees_its_slot() -> None:
    turn_reached = asyncio.Event()

    async def sleep_forever(seconds: float) -> None:
        turn_reached.set()
        await asyncio.Event().wait()

    gate = HostGate(clock=lambda: 0.0, sleep=sleep_forever)
    async with gate.slot("h", concurrency=1, delay=5.0):
        pass

    async def wait_turn() -> None:
        async with gate.slot("h", concurrency=1, delay=5.0):
            raise AssertionError("the turn never comes")

    waiting = asyncio.create_task(wait_turn())
    await turn_reached.wait()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert not gate._hosts["h"].slots.locked()


async def test_failed_request_frees_its_slot() -> None:
    fake = FakeTime()
    gate = HostGate(clock=fake.clock, sleep=fake.sleep)
    with pytest.raises(ValueError):
        async with gate.slot("h", concurrency=1, delay=0.0):
            raise ValueError("answer went wrong")
    assert not gate._hosts["h"].slots.locked()
