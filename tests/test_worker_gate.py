"""A worker's gate keeps each host within the slots the worker holds, one slot per
request attempt, and starts requests when the shared start times allow (the
database is replaced by a recording fake here; tests/test_worker_gate_db.py uses it)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from httpserver import FakeTime, Reply, ScriptedServer

from harvester.errors import HTTPStatusError
from harvester.http import Fetcher
from harvester.politeness import FetchSettings, Politeness
from pipelines.frontier import host_of
from pipelines.worker_gate import RECHECK_SECONDS, WorkerGate
from pipelines.worker_slots import HostSlots

# the source's own politeness: the slots, not these numbers, must set the pace
SOURCE = Politeness(concurrency=8, delay=0.0, obey_robots=True)
NO_ROBOTS = Politeness(concurrency=8, delay=0.0, obey_robots=False)


class FakeStarts:
    """Start times as the gate asks for them: `waits` answered in turn, then 0."""

    def __init__(self, waits: tuple[float, ...] = ()) -> None:
        self.reserved: list[str] = []
        self.holds: list[tuple[str, float]] = []
        self._waits = list(waits)

    async def reserve(self, host: str, delay: float) -> float:
        self.reserved.append(f"{host} {delay:g}")
        return self._waits.pop(0) if self._waits else 0.0

    async def hold(self, host: str, seconds: float) -> None:
        self.holds.append((host, seconds))


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        srv.route("/robots.txt", Reply(404))
        for i in range(8):
            srv.route(f"/p/{i}", Reply(200, b"<html><h1>x</h1></html>", delay=0.05))
        yield srv


def fetcher(slots: HostSlots, starts: FakeStarts | None = None, time: FakeTime | None = None
            ) -> Fetcher:
    time = time or FakeTime(advance=False)
    gate = WorkerGate(slots, starts or FakeStarts(), clock=time.clock, sleep=time.sleep)
    return Fetcher(FetchSettings(timeout=5.0, max_retries=0), gate=gate, clock=time.clock,
                   sleep=time.sleep)


def host(server: ScriptedServer) -> str:
    return host_of(server.base_url) or ""


@pytest.mark.parametrize("held", [1, 2, 3])
async def test_requests_in_flight_never_exceed_the_slots_held(server: ScriptedServer,
                                                              held: int) -> None:
    slots = HostSlots()
    slots.set(host(server), held)
    async with fetcher(slots) as f:
        await asyncio.gather(*(f.fetch(server.url(f"/p/{i}"), politeness=SOURCE)
                               for i in range(8)))
    assert server.max_in_flight == held
    assert sorted(p for p in server.paths() if p.startswith("/p/")) == [
        f"/p/{i}" for i in range(8)]


async def test_a_host_whose_slots_were_lost_gets_no_request_until_one_is_held_again(
        server: ScriptedServer) -> None:
    slots = HostSlots()
    slots.set(host(server), 1)
    slots.lose(host(server), 0)
    async with fetcher(slots) as f:
        waiting = asyncio.create_task(f.fetch(server.url("/p/0"), politeness=SOURCE))
        await asyncio.sleep(0.2)
        assert not waiting.done() and server.paths() == []
        slots.set(host(server), 1)
        await asyncio.wait_for(waiting, 5)
    assert server.paths() == ["/robots.txt", "/p/0"]


async def test_a_host_without_slots_of_ours_goes_by_the_sources_own_politeness(
        server: ScriptedServer) -> None:
    # a redirect's target: no lease, no shared start times, the source's concurrency
    starts = FakeStarts()
    async with fetcher(HostSlots(), starts) as f:
        await asyncio.gather(*(f.fetch(server.url(f"/p/{i}"), politeness=Politeness(
            concurrency=3, delay=0.0, obey_robots=False)) for i in range(8)))
    assert server.max_in_flight == 3 and len(server.paths()) == 8
    assert starts.reserved == []


async def test_a_delayed_host_waits_for_each_reserved_start(server: ScriptedServer) -> None:
    slots = HostSlots()
    slots.set(host(server), 1, delay=2.0)
    starts = FakeStarts(waits=(0.0, 0.0, 2.0, 4.0))
    time = FakeTime(advance=False)
    async with fetcher(slots, starts, time) as f:
        for i in range(3):
            await f.fetch(server.url(f"/p/{i}"), politeness=SOURCE)
    # robots.txt too: every request start is reserved
    assert starts.reserved == [f"{host(server)} 2"] * 4
    assert time.sleeps == [2.0, 4.0]


async def test_a_host_without_delay_only_reads_whether_a_pause_holds_now_and_then(
        server: ScriptedServer) -> None:
    slots = HostSlots()
    slots.set(host(server), 2, delay=0.0)
    starts = FakeStarts(waits=(1.5, 0.0))
    time = FakeTime()
    async with fetcher(slots, starts, time) as f:
        await f.fetch(server.url("/p/0"), politeness=SOURCE)  # robots.txt, then the page
        time.now += RECHECK_SECONDS / 2
        await f.fetch(server.url("/p/1"), politeness=SOURCE)
    # robots.txt waits out the pause read; the page, 1.5 s on, reads again; /p/1 not
    assert starts.reserved == [f"{host(server)} 0"] * 2
    assert time.sleeps == [1.5]
    assert server.paths() == ["/robots.txt", "/p/0", "/p/1"]


async def test_requests_arriving_together_share_one_pause_check() -> None:
    release = asyncio.Event()
    asked = 0

    class SlowStarts(FakeStarts):
        async def reserve(self, host: str, delay: float) -> float:
            nonlocal asked
            asked += 1
            await release.wait()
            return 0.0

    slots = HostSlots()
    slots.set("h", 4)
    gate = WorkerGate(slots, SlowStarts())
    admitted = 0

    async def request() -> None:
        nonlocal admitted
        async with gate.slot("h", concurrency=4, delay=0.0):
            admitted += 1

    tasks = [asyncio.create_task(request()) for _ in range(4)]
    await asyncio.sleep(0.01)
    assert (asked, admitted) == (1, 0)
    release.set()
    await asyncio.gather(*tasks)
    assert (asked, admitted) == (1, 4)


async def test_a_robots_crawl_delay_is_reserved_from_the_first_page_on() -> None:
    with ScriptedServer() as srv:
        srv.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 3\n"))
        srv.route("/p", Reply(200, b"<html></html>"))
        slots = HostSlots()
        slots.set(host(srv), 1, delay=0.5)
        starts = FakeStarts()
        async with fetcher(slots, starts) as f:
            for _ in range(2):
                await f.fetch(srv.url("/p"), politeness=SOURCE)
    # robots.txt goes at the host's delay; once read, its Crawl-delay wins
    assert starts.reserved == [f"{host(srv)} 0.5", f"{host(srv)} 3", f"{host(srv)} 3"]


async def test_a_retry_back_off_does_not_hold_the_slot(server: ScriptedServer) -> None:
    server.route("/flaky", Reply(503), Reply(200, b"<html>ok</html>"))
    slots = HostSlots()
    slots.set(host(server), 1)
    backing_off, released = asyncio.Event(), asyncio.Event()

    async def back_off(seconds: float) -> None:
        backing_off.set()
        await released.wait()

    gate = WorkerGate(slots, FakeStarts())
    async with Fetcher(FetchSettings(timeout=5.0, max_retries=1), gate=gate,
                       sleep=back_off) as f:
        flaky = asyncio.create_task(f.fetch(server.url("/flaky"), politeness=NO_ROBOTS))
        await asyncio.wait_for(backing_off.wait(), 5)
        # the only slot is free while /flaky waits to be tried again
        await asyncio.wait_for(f.fetch(server.url("/p/0"), politeness=NO_ROBOTS), 5)
        released.set()
        await asyncio.wait_for(flaky, 5)
    assert server.paths() == ["/flaky", "/p/0", "/flaky"]
    assert slots.max_busy[host(server)] == 1


async def test_a_retry_after_pauses_this_worker_and_is_recorded_for_the_others(
        server: ScriptedServer) -> None:
    server.route("/busy", Reply(503, headers={"Retry-After": "7"}))
    slots = HostSlots()
    slots.set(host(server), 1)
    starts = FakeStarts()
    time = FakeTime(advance=False)
    gate = WorkerGate(slots, starts, clock=time.clock, sleep=time.sleep)
    async with Fetcher(FetchSettings(timeout=5.0, max_retries=0), gate=gate,
                       clock=time.clock, sleep=time.sleep) as f:
        with pytest.raises(HTTPStatusError):
            await f.fetch(server.url("/busy"), politeness=NO_ROBOTS)
        await gate.settle()
        assert starts.holds == [(host(server), 7.0)]
        time.now += 2.0
        await f.fetch(server.url("/p/0"), politeness=NO_ROBOTS)
    assert time.sleeps == [5.0]  # what is left of the pause
    assert server.paths() == ["/busy", "/p/0"]


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
