"""One run per source at a time, on SQLite (flock) and PostgreSQL (advisory locks);
a holder killed with SIGKILL frees its sources."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.db import open_database
from pipelines.lock import Holder, PgLocks, SourceBusy, hold_sources
from pipelines.sample_site import SAMPLE_RECORDS, SampleSite

ROOT = Path(__file__).resolve().parent.parent

HOLDER = """
import asyncio, sys
from pipelines.db import make_engine
from pipelines.lock import hold_sources

async def main():
    async with hold_sources(make_engine(sys.argv[1]), sys.argv[2:]) as locks:
        locks.annotate(4242)
        print("locked", flush=True)
        await asyncio.sleep(3600)

asyncio.run(main())
"""


@pytest.fixture
def holder(db_url: str) -> Iterator[subprocess.Popen[str]]:
    """A separate process holding the lock of source 'sample' (run 4242) until killed."""
    open_database(db_url)
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, db_url, "sample"], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


async def try_hold(db_url: str, *names: str) -> None:
    async with hold_sources(open_database(db_url), names):
        pass


def test_holder_names_run_pid_host_and_since() -> None:
    h = Holder("s", 7, 123, "box", "2026-01-01T00:00:00+00:00")
    assert h.describe() == ("source s is being harvested by run 7 (pid 123 on host box) "
                            "since 2026-01-01T00:00:00+00:00")
    assert Holder("s").describe() == "source s is being harvested by another run"


async def test_second_holder_in_the_same_process_is_refused(db_url: str) -> None:
    engine = open_database(db_url)
    async with hold_sources(engine, ["a", "b"]) as locks:
        locks.annotate(17)
        with pytest.raises(SourceBusy) as info:
            async with hold_sources(engine, ["c", "b"]):
                pass
        message = str(info.value)
        assert message.startswith("source b is being harvested by run 17 ")
        assert f"(pid {os.getpid()} on host {socket.gethostname()}) since 20" in message
        assert message.endswith("; use --wait to wait")
        async with hold_sources(engine, ["c"]):  # others stay free; "c" was let go
            pass
    async with hold_sources(engine, ["a", "b", "c"]):  # all released on exit
        pass


async def test_waiting_holder_gets_the_source_when_the_first_lets_go(db_url: str) -> None:
    engine = open_database(db_url)
    first = hold_sources(engine, ["s"])
    await first.__aenter__()
    heard: list[str] = []
    polls: list[float] = []

    async def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 3:
            await first.__aexit__(None, None, None)

    async with hold_sources(engine, ["s"], wait=True, on_wait=heard.append, sleep=sleep,
                            poll=0.5):
        pass
    assert polls == [0.5, 0.5, 0.5]
    assert len(heard) == 1 and heard[0].startswith("source s is being harvested by ")
    assert heard[0].endswith("; waiting")


def test_sigkilled_holder_frees_the_source(db_url: str, holder: subprocess.Popen[str]) -> None:
    with pytest.raises(SourceBusy, match=rf"run 4242 \(pid {holder.pid} on host "):
        asyncio.run(try_hold(db_url, "sample"))
    asyncio.run(try_hold(db_url, "other"))  # only 'sample' is held
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    deadline = time.monotonic() + 10  # PostgreSQL notices the dead session at once, usually
    while True:
        try:
            asyncio.run(try_hold(db_url, "sample"))
            break
        except SourceBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.mark.slow
def test_cli_exits_1_while_the_source_is_held_and_harvests_after_the_holder_dies(
    db_url: str, holder: subprocess.Popen[str], tmp_path: Path
) -> None:
    with SampleSite() as site:
        config = tmp_path / "config.yaml"
        config.write_text(yaml.safe_dump({
            "database": db_url,
            "user_agent": "harvester-tests (+mailto:t@example.org)",
            "sources": [{"name": "sample", "platform": "pure", "allow_private": True,
                         "politeness": {"delay": 0},
                         "urls": [site.url_for(sorted(SAMPLE_RECORDS)[0])]}],
        }))
        busy = CliRunner().invoke(main, ["harvest", "--config", str(config)])
        assert busy.exit_code == 1
        assert "error: source sample is being harvested by run 4242" in busy.output
        assert "use --wait to wait" in busy.output
        assert not [p for _, p in site.requests], "a refused run must not fetch anything"

        holder.kill()
        holder.wait(timeout=10)
        time.sleep(0.2)
        done = CliRunner().invoke(main, ["harvest", "--config", str(config)])
        assert done.exit_code == 0, done.output
        assert "new=1" in done.output


def test_sqlite_lock_files_sit_next_to_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    asyncio.run(try_hold(url, "one", "two"))
    assert sorted(p.name for p in (tmp_path / "h.db.locks").iterdir()) == ["one.lock",
                                                                          "two.lock"]


@pytest.mark.postgres
async def test_postgres_locks_and_holders_are_per_database(pg_url: str, pg_server: str) -> None:
    import psycopg

    other = pg_url.rsplit("/", 1)[0] + "/" + pg_url.rsplit("/", 1)[1] + "_b"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'create database "{other.rsplit("/", 1)[1]}"')
    try:
        first, second = open_database(pg_url), open_database(other)
        async with hold_sources(first, ["s", "t"]) as a, hold_sources(second, ["s"]) as b:
            a.annotate(1)
            b.annotate(2)
            # "t" is held in the first database only: the second sees no holder
            assert PgLocks(second).holder("t") == Holder("t")
            with pytest.raises(SourceBusy, match="by run 2 "):
                async with hold_sources(second, ["s"]):
                    pass
        second.dispose()
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{other.rsplit("/", 1)[1]}" with (force)')
