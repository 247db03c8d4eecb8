"""Parse workers spawned before the run (parse_start.prestart) are the ones its pool
uses; workers nobody takes are stopped; a worker still starting when the pool closes
is not waited for; `harvester harvest` leaves no worker behind, however it ends."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines import parse_start
from pipelines.cli import main
from pipelines.parse_channel import Channel
from pipelines.parse_pool import ParsePool, parse_one
from tests.test_parse_pool import pages

pytestmark = pytest.mark.slow  # each test starts worker processes (~0.5 s of imports)


@pytest.fixture(autouse=True)
def _nothing_left() -> object:
    yield None
    parse_start.release()


def _prestarted() -> list[int]:
    return [p.pid for p, _ in parse_start._early if p.pid is not None]


def _forbid_spawning(monkeypatch: pytest.MonkeyPatch) -> None:
    def spawn(workers: int) -> list[parse_start.Spawned]:
        raise AssertionError(f"spawned {workers} new workers instead of the prestarted ones")

    monkeypatch.setattr(parse_start, "spawn", spawn)
    monkeypatch.setattr("pipelines.parse_channel.spawn", spawn)


async def test_the_pool_takes_the_prestarted_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    parse_start.prestart(2)
    pids = _prestarted()
    assert len(pids) == 2
    _forbid_spawning(monkeypatch)
    pool = ParsePool(2)
    try:
        assert await asyncio.wait_for(pool.started(), 120)
        answered = {await pool.call(os.getpid) for _ in range(8)}
        assert answered and answered <= set(pids)
    finally:
        pool.close()
    assert parse_start._early == []


async def test_pages_wait_for_prestarted_workers_still_starting_rather_than_parse_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    parse_start.prestart(1)
    _forbid_spawning(monkeypatch)
    pool = ParsePool(1)
    try:
        # asked at once, before the worker's imports are done: no page is parsed here
        parsed = await asyncio.wait_for(asyncio.gather(*(
            pool.parse(page, "pure") for page in pages(4))), 120)
        assert pool.in_workers == 4
        assert parsed == [parse_one(page, "pure") for page in pages(4)]
    finally:
        pool.close()


async def test_a_pool_of_another_size_stops_them_and_spawns_its_own() -> None:
    parse_start.prestart(2)
    early = [p for p, _ in parse_start._early]
    pool = ParsePool(1)
    try:
        assert await asyncio.wait_for(pool.started(), 120)
        assert await pool.call(os.getpid) not in {p.pid for p in early}
        assert not any(p.is_alive() for p in early)
    finally:
        pool.close()


def test_release_stops_the_workers_nobody_took_and_may_be_repeated() -> None:
    parse_start.prestart(1)
    (process, sock), = parse_start._early
    parse_start.release()
    parse_start.release()
    assert not process.is_alive() and sock.fileno() == -1
    assert parse_start._early == []


def test_prestart_of_none_spawns_nothing() -> None:
    parse_start.prestart(0)
    assert parse_start._early == []


async def test_closing_before_a_worker_answered_terminates_it() -> None:
    parse_start.prestart(1)
    (process, _), = parse_start._early
    channel = Channel(1, asyncio.get_running_loop())
    channel.close()  # the loop never ran: its ready frame was not read
    assert process.exitcode == -signal.SIGTERM


def test_harvest_that_fails_early_leaves_no_worker(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    spawned: list[parse_start.Spawned] = []
    real = parse_start.spawn

    def spawn(workers: int) -> list[parse_start.Spawned]:
        spawned.extend(real(workers))
        return spawned[-workers:]

    monkeypatch.setattr(parse_start, "spawn", spawn)
    result = CliRunner().invoke(main, ["harvest", "--config", str(tmp_path / "none.yaml"),
                                       "--parse-workers", "1"])
    assert result.exit_code == 2, result.output
    assert spawned == []  # a config that does not load spawns nothing
    import yaml

    config = tmp_path / "config.yaml"  # loads, but its database does not answer
    config.write_text(yaml.safe_dump({
        "database": "postgresql://postgres@127.0.0.1:1/none",
        "user_agent": "harvester-tests (+mailto:t@example.org)",
        "sources": [{"name": "web", "platform": "pure", "urls": ["https://repo.example.org/p/1"]}]}))
    result = CliRunner().invoke(main, ["harvest", "--config", str(config), "--parse-workers", "1"])
    assert result.exit_code == 2, result.output
    assert len(spawned) == 1, "the harvest command did not prestart its worker"
    assert not spawned[0][0].is_alive()


@pytest.mark.parametrize(("stored", "kept"), [(True, 0), (False, 1)])
def test_a_reharvest_lets_its_prestarted_workers_go(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stored: bool, kept: int) -> None:
    import yaml
    from sqlalchemy import insert

    import pipelines.db
    from pipelines.load import ensure_source
    from pipelines.models import fetched_pages

    database = tmp_path / "h.db"
    engine = pipelines.db.open_database(f"sqlite:///{database}")
    with engine.begin() as conn:
        source_id = ensure_source(conn, "web", "pure", None)
        if stored:
            conn.execute(insert(fetched_pages).values(
                url="https://repo.example.org/p/1", source_id=source_id, status=200,
                checked_at=datetime.now(UTC), attempts=1))
    engine.dispose()
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "database": str(database), "user_agent": "harvester-tests (+mailto:t@example.org)",
        "sources": [{"name": "web", "platform": "pure", "urls": ["https://repo.example.org/p/1"]}]}))
    early: list[int] = []

    def open_database_seen(url: str, **_options: object) -> object:
        early.append(len(parse_start._early))
        raise SystemExit(3)  # stop here: what follows is the run

    monkeypatch.setattr(pipelines.db, "open_database", open_database_seen)
    result = CliRunner().invoke(main, ["harvest", "--config", str(config), "--parse-workers", "1"])
    assert result.exit_code == 3, result.output
    assert early == [kept]
