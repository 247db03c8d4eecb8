"""Two workers' gates over one PostgreSQL database: a Retry-After one of them sees
pauses the other (once its last pause read is RECHECK_SECONDS old, for a host without
delay), and a host's delay spaces the starts of both (server timestamps)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from httpserver import Reply, ScriptedServer
from sqlalchemy.engine import Engine

from harvester.errors import HTTPStatusError
from harvester.http import Fetcher
from harvester.politeness import FetchSettings, Politeness
from pipelines.db import open_database
from pipelines.frontier import host_of
from pipelines.frontier_hosts import HostPolicy, register_hosts
from pipelines.worker_gate import RECHECK_SECONDS, DatabaseStarts, WorkerGate
from pipelines.worker_slots import HostSlots

pytestmark = pytest.mark.postgres
POLITE = Politeness(concurrency=2, delay=0.0, obey_robots=False)
PAUSE = 1  # seconds of Retry-After


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        srv.route("/busy", Reply(503, headers={"Retry-After": str(PAUSE)}))
        for i in range(4):
            srv.route(f"/p/{i}", Reply(200, b"<html></html>"))
        yield srv


def worker(engine: Engine, host: str, control: ThreadPoolExecutor,
           delay: float = 0.0) -> tuple[Fetcher, WorkerGate]:
    slots = HostSlots()
    slots.set(host, 1, delay)  # each of the two holds one of the host's two slots
    gate = WorkerGate(slots, DatabaseStarts(engine, control))
    return Fetcher(FetchSettings(timeout=5.0, max_retries=0), gate=gate), gate


def started(server: ScriptedServer, path: str) -> float:
    return next(r.started for r in server.requests if r.path == path)


@pytest.mark.parametrize("delay", [0.0, 0.05])
async def test_a_retry_after_seen_by_one_worker_delays_the_next_request_of_another(
        pg_url: str, server: ScriptedServer, delay: float) -> None:
    engine = open_database(pg_url)
    host = host_of(server.base_url) or ""
    with engine.begin() as conn:
        register_hosts(conn, {host: HostPolicy(2, delay)})
    with ThreadPoolExecutor(2) as control:
        (one, one_gate), (two, _) = (worker(engine, host, control, delay) for _ in range(2))
        async with one, two:
            await two.fetch(server.url("/p/0"), politeness=POLITE)
            with pytest.raises(HTTPStatusError):
                await one.fetch(server.url("/busy"), politeness=POLITE)
            await one_gate.settle()
            await asyncio.sleep(RECHECK_SECONDS)  # how long two may go by its last read
            await two.fetch(server.url("/p/1"), politeness=POLITE)
    assert server.paths() == ["/p/0", "/busy", "/p/1"]
    assert started(server, "/p/1") - started(server, "/busy") >= PAUSE - 0.05


async def test_a_hosts_delay_spaces_the_starts_of_two_workers(
        pg_url: str, server: ScriptedServer) -> None:
    engine = open_database(pg_url)
    host = host_of(server.base_url) or ""
    delay = 0.2
    with engine.begin() as conn:
        register_hosts(conn, {host: HostPolicy(2, delay)})
    with ThreadPoolExecutor(2) as control:
        (one, _), (two, _) = (worker(engine, host, control, delay) for _ in range(2))
        async with one, two:
            await asyncio.gather(*(f.fetch(server.url(f"/p/{i}"), politeness=POLITE)
                                   for i, f in enumerate((one, two, one, two))))
    starts = sorted(r.started for r in server.requests)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 4 and min(gaps) >= delay * 0.8
