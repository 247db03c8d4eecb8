"""Database faults mid-run: the connection dropped, a full disk, a concurrent writer's
duplicate key. The run retries once or stops, and what was committed stays intact.

Harvests run against the sample site on 127.0.0.1 with tiny batches, so a fault
strikes after some batches have committed. The reference is an uninterrupted
harvest into a separate SQLite database: (source_key, content_hash) per record.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, event, make_url, text
from sqlalchemy.engine import Engine

from harvester.errors import DatabaseError
from harvester.types import Person, Record
from pipelines.config import parse_settings
from pipelines.db import in_transaction, make_engine, open_database
from pipelines.load import ensure_source, upsert_records
from pipelines.run import harvest
from pipelines.sample_site import SampleSite
from pipelines.stats import RunReport, SourceStats

pytestmark = pytest.mark.slow

SYNTHETIC = 12
BATCH = "3"


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite(synthetic=SYNTHETIC) as s:
        yield s


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARVESTER_BATCH_SIZE", BATCH)
    monkeypatch.setenv("HARVESTER_PARSE_WORKERS", "0")


async def _no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


def settings_for(site: SampleSite, db_url: str) -> Any:
    return parse_settings(
        {"database": db_url, "user_agent": "harvester-tests (+mailto:t@example.org)",
         "archive": False,
         "sources": [{"name": "sample", "platform": "pure", "allow_private": True,
                      "politeness": {"concurrency": 2, "delay": 0},
                      "sitemap": f"{site.base_url}/sitemap.xml"}]},
        path=None, env={})


def run(site: SampleSite, engine: Engine, progress: Any = None) -> RunReport:
    settings = settings_for(site, engine.url.render_as_string(hide_password=False))
    return asyncio.run(harvest(settings, engine, sleep=_no_sleep, progress=progress))


def content(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("select source_key, content_hash from publications")).all()
    return {(r[0], r[1]) for r in rows}


def records_without_page(engine: Engine) -> int:
    """Publications whose page row is missing: a batch committed half-way would leave some."""
    with engine.connect() as conn:
        return int(conn.execute(text(
            "select count(*) from publications p where not exists (select 1 from fetched_pages f "
            "where f.source_key = p.source_key)")).scalar_one())


@pytest.fixture(scope="module")
def reference(site: SampleSite, tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('ref') / 'ref.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HARVESTER_BATCH_SIZE", BATCH)
        mp.setenv("HARVESTER_PARSE_WORKERS", "0")
        report = run(site, open_database(url))
    assert report.ok
    got = content(make_engine(url))
    assert len(got) == SYNTHETIC + 13
    return got


class AfterFirstBatch:
    """Progress callback: arms a fault once the first batch has committed."""

    def __init__(self) -> None:
        self.armed = threading.Event()
        self.committed_before = 0

    def __call__(self, stats: SourceStats) -> None:
        if stats.new and not self.armed.is_set():
            self.committed_before = stats.new
            self.armed.set()


def drop_write_connections(engine: Engine, admin_url: str, arm: AfterFirstBatch,
                           times: int) -> list[int]:
    """Once armed, terminate the write thread's backend just before it writes page rows,
    i.e. inside a batch's transaction after its records went in. `times` faults in all."""
    killed: list[int] = []

    def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if (not arm.armed.is_set() or len(killed) >= times
                or "INSERT INTO fetched_pages" not in statement):
            return
        pid = cursor.connection.info.backend_pid
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                "select pg_terminate_backend(pid, 5000) from pg_stat_activity "
                "where datname = current_database() and pid <> pg_backend_pid() and pid = %s",
                (pid,))
        killed.append(pid)

    event.listen(engine, "before_cursor_execute", before)
    return killed


def plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.postgres
def test_connection_dropped_mid_batch_is_retried_once_and_the_run_completes(
    site: SampleSite, pg_url: str, reference: set[tuple[str, str]]
) -> None:
    engine = open_database(pg_url)
    arm = AfterFirstBatch()
    killed = drop_write_connections(engine, plain(pg_url), arm, times=1)

    report = run(site, engine, arm)

    assert len(killed) == 1, "the fault never struck"
    assert report.ok, report.sources[0].summary_line()
    assert content(engine) == reference
    assert records_without_page(engine) == 0


@pytest.mark.postgres
def test_connection_dropped_twice_stops_the_source_with_what_was_committed_intact(
    site: SampleSite, pg_url: str, reference: set[tuple[str, str]]
) -> None:
    engine = open_database(pg_url)
    arm = AfterFirstBatch()
    killed = drop_write_connections(engine, plain(pg_url), arm, times=2)

    report = run(site, engine, arm)

    assert len(killed) == 2
    stats = report.sources[0]
    assert not report.ok
    assert stats.fatal is not None and "storing a batch failed" in stats.fatal, stats.fatal
    assert "connection" in stats.fatal, stats.fatal
    kept = content(engine)
    assert arm.committed_before <= len(kept) < len(reference)
    assert kept <= reference
    assert records_without_page(engine) == 0

    again = run(site, open_database(pg_url))
    assert again.ok, again.sources[0].summary_line()
    assert content(engine) == reference


def test_full_disk_stops_the_source_naming_the_cause_and_a_rerun_completes(
    site: SampleSite, tmp_path: Path, reference: set[tuple[str, str]]
) -> None:
    url = f"sqlite:///{tmp_path / 'full.db'}"
    open_database(url).dispose()
    engine = make_engine(url)
    arm = AfterFirstBatch()

    @event.listens_for(engine, "checkout")
    def cap(dbapi_conn: Any, *_: Any) -> None:
        # once the first batch is in, the file may not grow by a single page more
        if arm.armed.is_set():
            cursor = dbapi_conn.cursor()
            pages = cursor.execute("PRAGMA page_count").fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count = {pages}")
            cursor.close()

    report = run(site, engine, arm)

    stats = report.sources[0]
    assert not report.ok
    assert stats.fatal is not None and "database or disk is full" in stats.fatal, stats.fatal
    engine.dispose()
    free = make_engine(url)
    kept = content(free)
    assert arm.committed_before <= len(kept) < len(reference)
    assert kept <= reference
    assert records_without_page(free) == 0
    with free.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"

    again = run(site, free)
    assert again.ok, again.sources[0].summary_line()
    assert content(free) == reference


@pytest.mark.postgres
def test_concurrent_writer_inserting_the_same_keys_first_makes_the_other_retry(
    pg_url: str,
) -> None:
    engine = open_database(pg_url)
    with engine.begin() as conn:
        source_id = ensure_source(conn, "shared", "pure", None)
    records = [Record(url=f"https://repo.test/p/k{i}", platform="pure", source_key=f"k{i}",
                      title=f"Shared title {i}", authors=(Person(f"Writer {i}"),))
               for i in range(6)]
    first_inserted = threading.Event()
    release_first = threading.Event()
    results: dict[str, Any] = {}
    now = datetime(2024, 5, 1, tzinfo=UTC)

    def first(conn: Connection) -> Any:
        loaded = upsert_records(conn, source_id, records[:4], now=now)
        first_inserted.set()
        assert release_first.wait(10)
        return loaded

    def second(conn: Connection) -> Any:
        return upsert_records(conn, source_id, records[2:], now=now)

    def call(name: str, work: Any) -> None:
        try:
            results[name] = in_transaction(engine, work)
        except Exception as exc:  # the assertion below names it
            results[name] = exc

    a = threading.Thread(target=call, args=("first", first))
    a.start()
    assert first_inserted.wait(10)
    b = threading.Thread(target=call, args=("second", second))
    b.start()
    _wait_for_lock_wait(plain(pg_url))
    release_first.set()
    a.join(10)
    b.join(10)

    assert not isinstance(results["first"], Exception), results["first"]
    assert not isinstance(results["second"], Exception), results["second"]
    assert (results["first"].new, results["second"].new) == (4, 2)
    assert results["second"].unchanged == 2
    with engine.connect() as conn:
        keys = conn.execute(text("select source_key from publications")).scalars().all()
    assert sorted(keys) == sorted(r.source_key for r in records)


def _wait_for_lock_wait(admin_url: str) -> None:
    """Until a backend of this database waits on a lock (the second writer's insert)."""
    deadline = time.monotonic() + 10
    with psycopg.connect(admin_url, autocommit=True) as admin:
        while time.monotonic() < deadline:
            waiting = admin.execute(
                "select count(*) from pg_stat_activity where datname = current_database() "
                "and wait_event_type = 'Lock'").fetchone()
            if waiting and waiting[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second writer never waited for the first")


def test_a_failure_other_than_a_dropped_connection_or_duplicate_is_not_retried(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    calls: list[int] = []

    def work(conn: Connection) -> None:
        calls.append(1)
        conn.execute(text("select * from no_such_table"))

    with pytest.raises(DatabaseError, match="no such table"):
        in_transaction(engine, work)
    assert calls == [1]


def test_a_database_failing_when_the_run_closes_raises_database_error(
    site: SampleSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The records committed before stay; the CLI turns the error into exit code 2."""
    from sqlalchemy.exc import OperationalError

    import pipelines.run as run_module

    def disk_full(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError("update harvest_runs", {}, Exception("database or disk is full"))

    settings = settings_for(site, f"sqlite:///{tmp_path / 'h.db'}")
    engine = open_database(settings.database_url)
    monkeypatch.setattr(run_module, "finish_run", disk_full)
    with pytest.raises(DatabaseError, match="disk is full"):
        asyncio.run(harvest(settings, engine, sleep=_no_sleep))
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from publications")).scalar_one() == len(
            site.slugs)
