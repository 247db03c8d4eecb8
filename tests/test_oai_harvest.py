"""OAI-PMH harvests against a real third-party data provider (pyoai's server
classes, `oaipmh` fork) on 127.0.0.1: complete, incremental, resumable after a
crash, an expired token costing one window, tombstones, missing marks and
landing-page enrichment. Database state is compared, not just counters."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from pipelines.config import Settings, parse_settings
from pipelines.db import open_database
from pipelines.models import publications
from pipelines.run import harvest
from pipelines.sample_site import SAMPLE_RECORDS, expected_for
from pipelines.stats import SourceStats
from tests.conftest import ROOT
from tests.oai_server import FIRST, Item, OAITestServer, synthetic

pytestmark = pytest.mark.slow

N = 2500
DELETED = N // 50


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return synthetic(N)


@pytest.fixture
def server(items: list[Item]) -> Iterator[OAITestServer]:
    with OAITestServer(items, batch_size=100) as srv:
        yield srv


def settings_for(srv: OAITestServer, db_url: str, **source: Any) -> Settings:
    src = {"name": "repo", "oai": srv.url, "window": "year", "enrich": False,
           "politeness": {"delay": 0, "concurrency": 4, "obey_robots": False},
           "allow_private": True, **source}
    return parse_settings({"database": db_url, "user_agent": "harvester-tests (+mailto:t@ex.org)",
                           "fetch": {"transport": "httpx", "max_retries": 0}, "sources": [src]},
                          path=None, env={})


def run(settings: Settings, engine: Engine, *, full: bool = False,
        client: httpx.AsyncClient | None = None) -> SourceStats:
    async def go() -> SourceStats:
        return (await harvest(settings, engine, client=client, full=full)).sources[0]

    return asyncio.run(go())


def snapshot(engine: Engine) -> list[tuple[Any, ...]]:
    """Every stored value a user sees, without ids and wall-clock stamps."""
    p = publications.c
    with engine.connect() as conn:
        pubs = conn.execute(select(p.source_key, p.record_json, p.content_hash, p.deleted_at,
                                   p.missing_since).order_by(p.source_key)).all()
        authors = conn.execute(text(
            "select p.source_key, a.position, a.name from authorships a "
            "join publications p on p.id = a.publication_id order by 1, 2")).all()
        oai = conn.execute(text("select source_key, datestamp, oai_hash, enrich_state "
                                "from oai_records order by source_key")).all()
    return [tuple(r) for r in (*pubs, *authors, *oai)]


def one(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


class CrashAfter(httpx.AsyncBaseTransport):
    """Lets `pages` ListRecords requests through, then dies like a killed process
    (a BaseException: no handler in the harvester may swallow it)."""

    def __init__(self, pages: int) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.left = pages

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.params.get("verb") == "ListRecords":
            if self.left == 0:
                raise SimulatedCrash
            self.left -= 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class SimulatedCrash(BaseException):
    pass


def crash_after(settings: Settings, engine: Engine, pages: int) -> None:
    async def go() -> None:
        async with httpx.AsyncClient(transport=CrashAfter(pages)) as client:
            await harvest(settings, engine, client=client)

    with pytest.raises(SimulatedCrash):
        asyncio.run(go())


def test_full_harvest_stores_every_record_once_and_deleted_ones_as_tombstones(
    server: OAITestServer, db_url: str
) -> None:
    engine = open_database(db_url)
    stats = run(settings_for(server, db_url), engine)

    assert stats.status == "ok", stats.summary_line()
    assert (stats.discovered, stats.new, stats.deleted) == (N, N - DELETED, DELETED)
    assert len(server.list_requests()) == N // 100 + 1  # 25 pages + the empty 2026 window
    assert one(engine, "select count(*) from publications") == N
    assert one(engine, "select count(distinct source_key) from publications") == N
    # a record first seen as deleted is a row with its identifier and deleted_at only
    with engine.connect() as conn:
        dead = conn.execute(text("select source, title, deleted_at from v_publications "
                                 "where deleted_at is not null")).all()
    assert len(dead) == DELETED
    assert {(r.source, r.title) for r in dead} == {("repo", None)}
    assert one(engine, "select metadata_prefix from oai_checkpoints") == "oai_dc"


def test_incremental_run_gets_exactly_the_changed_records_and_keeps_tombstone_data(
    server: OAITestServer, db_url: str
) -> None:
    settings = settings_for(server, db_url)
    engine = open_database(db_url)
    run(settings, engine)
    touched = [f"oai:test.example:{i:05d}" for i in (3, 400, 1800, 2001, 2498)]
    gone = [f"oai:test.example:{i:05d}" for i in (10, 11, 1200)]
    fresh = [Item(f"oai:test.example:new{i}", FIRST, {"title": [f"New {i}"]}) for i in range(4)]
    server.touch(touched)
    server.delete(gone)
    # new items carry today's datestamp so an incremental run can see them
    server.add([Item(i.identifier, i.datestamp.replace(year=2026, month=11), i.fields)
                for i in fresh])
    before = len(server.list_requests())

    stats = run(settings, engine)

    assert stats.status == "ok", stats.summary_line()
    assert (stats.new, stats.changed, stats.deleted) == (0, len(touched), len(gone)) or (
        stats.new, stats.changed, stats.deleted) == (len(fresh), len(touched), len(gone))
    listed = server.list_requests()[before:]
    assert all("from" in p or "resumptionToken" in p for p in listed)
    assert stats.discovered == len(touched) + len(gone) + (stats.new and len(fresh))
    title = one(engine, "select title from publications where source_key = :k", k=gone[2])
    assert title == "Invented record 1200"  # the tombstone keeps its earlier data
    assert one(engine, "select count(*) from publications where deleted_at is not null") == (
        DELETED + len(gone))
    assert one(engine, "select title from publications where source_key = :k",
               k=touched[0]) == "Invented record 3 (revised)"


def test_killed_mid_list_and_rerun_ends_with_the_uninterrupted_database(
    server: OAITestServer, db_url: str, tmp_path: Any
) -> None:
    reference = open_database(f"sqlite:///{tmp_path / 'reference.db'}")
    run(settings_for(server, str(reference.url)), reference)
    settings = settings_for(server, db_url)
    engine = open_database(db_url)
    crash_after(settings, engine, pages=7)
    assert one(engine, "select count(*) from oai_records") == 700  # pages 1-7 committed
    token = one(engine, "select resumption_token from oai_checkpoints")
    assert token
    before = len(server.list_requests())

    stats = run(settings, engine)

    resumed = server.list_requests()[before:]
    assert resumed[0] == {"verb": "ListRecords", "resumptionToken": token}
    assert len(resumed) == N // 100 - 7 + 1  # the rest of the pages, + the empty window
    assert stats.discovered == N - 700
    assert snapshot(engine) == snapshot(reference)
    assert one(engine, "select harvest_mode from oai_checkpoints") is None


def test_sigkilled_harvester_process_reruns_to_the_uninterrupted_database(
    server: OAITestServer, tmp_path: Any
) -> None:
    reference = open_database(f"sqlite:///{tmp_path / 'reference.db'}")
    run(settings_for(server, str(reference.url)), reference)
    db_url = f"sqlite:///{tmp_path / 'killed.db'}"
    config = tmp_path / "config.yaml"
    config.write_text(json.dumps({  # JSON is YAML
        "database": db_url, "user_agent": "harvester-tests (+mailto:t@ex.org)",
        "sources": [{"name": "repo", "oai": server.url, "window": "year", "enrich": False,
                     "allow_private": True,
                     "politeness": {"delay": 0, "obey_robots": False}}]}))
    server.requests.clear()
    server.list_delay = 0.02
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "harvest", "--config",
                              str(config)], cwd=tmp_path, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while len(server.list_requests()) < 9 and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(10) == -signal.SIGKILL
    server.list_delay = 0.0
    engine = open_database(db_url)
    listed = one(engine, "select count(*) from oai_records")
    assert 0 < listed < N  # killed mid-list, with pages committed

    stats = run(settings_for(server, db_url), engine)

    assert stats.status == "ok", stats.summary_line()
    assert stats.discovered <= N - listed + 100  # at most the page in flight again
    assert snapshot(engine) == snapshot(reference)


def test_expired_token_restarts_only_its_window(server: OAITestServer, sqlite_url: str,
                                                tmp_path: Any) -> None:
    baseline = open_database(f"sqlite:///{tmp_path / 'baseline.db'}")
    run(settings_for(server, str(baseline.url), window="month"), baseline)
    clean = len(server.list_requests())
    server.requests.clear()
    # the third page of every month is at cursor 200; refuse the first such token once
    server.expire(lambda cursor: cursor == 200 and not server._refused)
    engine = open_database(sqlite_url)

    stats = run(settings_for(server, sqlite_url, window="month"), engine)

    assert stats.status == "ok", stats.summary_line()
    assert stats.skipped["oai-window-restart"] == 1
    # the refused request, then the window's first two pages again: nothing else
    assert len(server.list_requests()) == clean + 3
    assert snapshot(engine) == snapshot(baseline)


def test_stored_token_refused_after_a_crash_costs_only_that_window(
    server: OAITestServer, sqlite_url: str, tmp_path: Any
) -> None:
    reference = open_database(f"sqlite:///{tmp_path / 'reference.db'}")
    run(settings_for(server, str(reference.url), window="month"), reference)
    per_run = len(server.list_requests())
    settings = settings_for(server, sqlite_url, window="month")
    engine = open_database(sqlite_url)
    crash_after(settings, engine, pages=5)  # Jan: 3 pages, Feb: 2 of 3 committed
    server.expire(lambda cursor: not server._refused)  # the stored token, and only it
    before = len(server.list_requests())

    stats = run(settings, engine)

    redo = server.list_requests()[before:]
    assert "resumptionToken" in redo[0] and "from" in redo[1]  # refused, then Feb from start
    assert stats.skipped["oai-window-restart"] == 1
    assert len(redo) == per_run - 3 + 1  # everything after January, plus the refused request
    assert snapshot(engine) == snapshot(reference)


def test_repeated_token_stops_the_source_with_an_error(server: OAITestServer,
                                                       sqlite_url: str) -> None:
    server.repeat_tokens = True
    engine = open_database(sqlite_url)

    stats = run(settings_for(server, sqlite_url), engine)

    assert stats.status == "failed"
    assert stats.failed["oai-repeatedResumptionToken"] == 1
    assert len(server.list_requests()) == 2  # the first page and the one repeating its token
    assert one(engine, "select count(*) from oai_records") == 200


def test_full_run_marks_records_it_did_not_list_as_missing(server: OAITestServer,
                                                           db_url: str) -> None:
    settings = settings_for(server, db_url)
    engine = open_database(db_url)
    run(settings, engine)
    dropped = [f"oai:test.example:{i:05d}" for i in (5, 6, 2100)]
    server.drop(dropped)

    incremental = run(settings, engine)
    assert incremental.missing == 0
    full = run(settings, engine, full=True)

    assert full.missing == len(dropped) and full.status == "ok"
    assert (full.new, full.changed, full.unchanged) == (0, 0, N - DELETED - len(dropped))
    with engine.connect() as conn:
        marked = conn.execute(text("select source_key, title from publications "
                                   "where missing_since is not null order by 1")).all()
    assert [tuple(r) for r in marked] == [
        (k, f"Invented record {int(k[-5:])}") for k in dropped]  # marked, data kept


@pytest.fixture
def small_server() -> Iterator[OAITestServer]:
    slugs = list(SAMPLE_RECORDS)[:3]
    with OAITestServer(batch_size=4) as srv:
        items = synthetic(10, deleted_every=1000)
        for n, slug in enumerate(slugs):
            want = SAMPLE_RECORDS[slug]["expected"]
            items[n] = Item(items[n].identifier, items[n].datestamp, {
                "title": [want["title"]], "creator": ["Someone, Else"],
                "identifier": [srv.page_url(slug)], "type": ["Journal article"]})
        srv.add(items)
        yield srv


def test_enrichment_fills_pages_and_journal_from_the_landing_page(
    small_server: OAITestServer, sqlite_url: str
) -> None:
    slugs = list(SAMPLE_RECORDS)[:3]
    small_server.landing_status[slugs[2]] = 500
    settings = settings_for(small_server, sqlite_url, enrich=True)
    engine = open_database(sqlite_url)

    stats = run(settings, engine)

    assert stats.enriched == 2 and stats.fatal is None
    assert stats.failed["enrich-http-status"] == 1  # counted, never fatal
    with engine.connect() as conn:
        rows = {r.source_key: r for r in conn.execute(text(
            "select source_key, journal, volume, page_first, page_last, title, "
            "provenance_json from publications"))}
    for n, slug in enumerate(slugs[:2]):
        want = expected_for(slug)
        got = rows[f"oai:test.example:{n:05d}"]
        assert (got.journal, got.volume, got.page_first, got.page_last) == (
            want["journal"], want["volume"], want["pages"]["first"], want["pages"]["last"])
        provenance = json.loads(got.provenance_json)
        assert provenance["title"] == "oai:oai_dc"
        assert provenance["journal"].startswith("page:")
    assert rows["oai:test.example:00002"].journal is None  # its page failed: OAI data kept
    # landing pages are fetched after the list, never between resumption requests
    order = small_server.requests
    pages = [i for i, (path, _) in enumerate(order) if path.startswith("/en/")]
    assert len(pages) == 3
    for i in pages:
        following = next(q for path, q in order[i:] if path == "/oai")
        assert "resumptionToken" not in following

    again = run(settings, engine)
    assert (again.enriched, again.changed, again.fetched) == (0, 0, 0)
