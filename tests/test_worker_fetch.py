"""A worker's fetcher keeps each host within the slots it holds and starts requests at
the times reserved for them (the database is replaced by a recording function here)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from httpserver import Reply, ScriptedServer

from harvester.politeness import FetchSettings, Politeness
from pipelines.frontier import host_of
from pipelines.worker_fetch import HostSlots, LeasedFetcher

# the source's own politeness: the slots, not these numbers, must set the pace
SOURCE = Politeness(concurrency=8, delay=0.0, obey_robots=True)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        srv.route("/robots.txt", Reply(404))
        for i in range(8):
            srv.route(f"/p/{i}", Reply(200, b"<html><h1>x</h1></html>", delay=0.05))
        yield srv


def fetcher(slots: HostSlots, reserved: list[str] | None = None,
            waits: list[float] | None = None, paused: list[float] | None = None
            ) -> LeasedFetcher:
    queue = list(waits or [])

    async def reserve(host: str, delay: float) -> float:
        if reserved is not None:
            reserved.append(f"{host} {delay:g}")
        return queue.pop(0) if queue else 0.0

    async def pause(seconds: float) -> None:
        if paused is not None:
            paused.append(seconds)

    # the Fetcher's own waits (a Crawl-delay in its gate) go through `pause` too
    return LeasedFetcher(FetchSettings(timeout=5.0, max_retries=0), slots=slots,
                         reserve=reserve, pause=pause, sleep=pause)


@pytest.mark.parametrize("held", [1, 2, 3])
async def test_requests_in_flight_never_exceed_the_slots_held(server: ScriptedServer,
                                                              held: int) -> None:
    slots = HostSlots()
    slots.set(host_of(server.base_url) or "", held)
    async with fetcher(slots) as f:
        await asyncio.gather(*(f.fetch(server.url(f"/p/{i}"), politeness=SOURCE)
                               for i in range(8)))
    assert server.max_in_flight == held
    assert sorted(p for p in server.paths() if p.startswith("/p/")) == [
        f"/p/{i}" for i in range(8)]


async def test_a_host_without_slots_gets_no_request_until_one_is_held(
        server: ScriptedServer) -> None:
    slots = HostSlots()
    host = host_of(server.base_url) or ""
    async with fetcher(slots) as f:
        waiting = asyncio.create_task(f.fetch(server.url("/p/0"), politeness=SOURCE))
        await asyncio.sleep(0.2)
        assert not waiting.done() and server.paths() == []
        slots.set(host, 1)
        await asyncio.wait_for(waiting, 5)
    assert server.paths() == ["/robots.txt", "/p/0"]


async def test_a_delayed_host_waits_for_each_reserved_start(server: ScriptedServer) -> None:
    slots = HostSlots()
    host = host_of(server.base_url) or ""
    slots.set(host, 1, delay=2.0)
    reserved: list[str] = []
    paused: list[float] = []
    async with fetcher(slots, reserved, waits=[0.0, 2.0, 4.0], paused=paused) as f:
        for i in range(3):
            await f.fetch(server.url(f"/p/{i}"), politeness=SOURCE)
    assert reserved == [f"{host} 2"] * 3
    assert paused == [2.0, 4.0]


async def test_a_host_without_delay_reserves_nothing(server: ScriptedServer) -> None:
    slots = HostSlots()
    slots.set(host_of(server.base_url) or "", 2, delay=0.0)
    reserved: list[str] = []
    async with fetcher(slots, reserved) as f:
        await f.fetch(server.url("/p/0"), politeness=SOURCE)
    assert reserved == []


async def test_a_cancelled_holder_lets_the_next_request_in() -> None:
    slots = HostSlots()
    slots.set("h", 1)
    entries = 0

    async def hold_forever() -> None:
        nonlocal entries
        async with slots.hold("h"):
            entries += 1
            await asyncio.sleep(60)

    first = asyncio.create_task(hold_forever())
    await asyncio.sleep(0.01)
    second = asyncio.create_task(hold_forever())
    await asyncio.sleep(0.01)
    assert entries == 1
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    await asyncio.sleep(0.01)
    assert entries == 2 and slots.max_busy["h"] == 1
    second.cancel()
    await asyncio.gather(second, return_exceptions=True)


async def test_a_robots_crawl_delay_is_reserved_across_workers_too() -> None:
    with ScriptedServer() as srv:
        srv.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 3\n"))
        srv.route("/p", Reply(200, b"<html></html>"))
        slots = HostSlots()
        host = host_of(srv.base_url) or ""
        slots.set(host, 1, delay=0.5)
        reserved: list[str] = []
        async with fetcher(slots, reserved) as f:
            for _ in range(2):
                await f.fetch(srv.url("/p"), politeness=SOURCE)
    # the first request reads robots.txt; from then on its Crawl-delay wins
    assert reserved == [f"{host} 0.5", f"{host} 3"]
