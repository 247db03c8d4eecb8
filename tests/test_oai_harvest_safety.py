"""OAI-PMH harvests and the run's safety rails: stop (SIGINT/SIGTERM) ends after the page
in hand is committed and a re-run ends with the uninterrupted database; a base URL on a
private address is refused before any request unless the source allows it; every
ListRecords answer is in the WARC archive, on disk before its records commit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from sqlalchemy.engine import Engine
from warcio.archiveiterator import ArchiveIterator

from harvester.errors import NetworkError, UnsafeURL
from harvester.oai.client import OAIClient
from pipelines.config import Settings, parse_settings
from pipelines.db import open_database
from pipelines.run import harvest
from pipelines.sample_site import SAMPLE_RECORDS
from pipelines.stats import RunReport, SourceStats
from tests.oai_server import Item, OAITestServer, synthetic
from tests.test_oai_harvest import one, snapshot

pytestmark = pytest.mark.slow

PAGES = 6  # ListRecords pages of the year 2025; the 2026 window answers noRecordsMatch
N = PAGES * 100


@pytest.fixture
def server() -> Iterator[OAITestServer]:
    with OAITestServer(synthetic(N), batch_size=100) as srv:
        yield srv


def settings(srv: OAITestServer, db_url: str, *, archive: Path | None = None,
             **source: Any) -> Settings:
    """Like a config file: allow_private only when the test passes it."""
    src = {"name": "repo", "oai": srv.url, "window": "year", "enrich": False,
           "politeness": {"delay": 0, "concurrency": 4, "obey_robots": False}, **source}
    top: dict[str, Any] = {"database": db_url, "user_agent": "harvester-tests (+mailto:t@ex.org)",
                           "fetch": {"transport": "httpx", "max_retries": 0}, "sources": [src],
                           "archive": str(archive) if archive else False}
    return parse_settings(top, path=None, env={})


def run(cfg: Settings, engine: Engine, *, stop: asyncio.Event | None = None,
        progress: Callable[[SourceStats], None] | None = None,
        client: httpx.AsyncClient | None = None) -> RunReport:
    async def go() -> RunReport:
        # a stop that is not honoured must fail the test, not hang it
        return await asyncio.wait_for(
            harvest(cfg, engine, client=client, stop=stop, progress=progress), 30)

    return asyncio.run(go())


def reference(srv: OAITestServer, tmp_path: Path, **source: Any) -> Engine:
    engine = open_database(f"sqlite:///{tmp_path / 'reference.db'}")
    report = run(settings(srv, str(engine.url), allow_private=True, **source), engine)
    assert report.status == "ok"
    srv.requests.clear()
    return engine


# --- stop ------------------------------------------------------------------------------


@pytest.mark.parametrize("after", [1, 3, PAGES])
def test_stop_after_page_n_commits_n_pages_and_a_rerun_equals_an_uninterrupted_run(
    server: OAITestServer, db_url: str, tmp_path: Path, after: int
) -> None:
    want = snapshot(reference(server, tmp_path))
    engine = open_database(db_url)
    cfg = settings(server, db_url, allow_private=True)
    stop = asyncio.Event()

    def on_progress(stats: SourceStats) -> None:  # called once a page is committed
        if stats.discovered >= after * 100:
            stop.set()

    report = run(cfg, engine, stop=stop, progress=on_progress)

    stats = report.sources[0]
    assert (report.status, stats.status) == ("stopped", "stopped"), stats.summary_line()
    assert stats.stopped and stats.discovered == after * 100
    # no request after the stop; the next page's request may have gone out before it,
    # while page `after` was being mapped (harvester/oai/prefetch.py), and is dropped
    asked = len(server.list_requests())
    assert asked == after or (asked == after + 1 and after < PAGES), asked
    assert one(engine, "select count(*) from oai_records") == after * 100
    assert one(engine, "select status from harvest_runs order by id desc limit 1") == "stopped"
    token = one(engine, "select resumption_token from oai_checkpoints")
    assert (token is None) == (after == PAGES)  # the last page carries no token
    server.requests.clear()

    again = run(cfg, engine)

    assert again.status == "ok"
    resumed = server.list_requests()
    if token:
        assert resumed[0] == {"verb": "ListRecords", "resumptionToken": token}
    assert len(resumed) == PAGES - after + 1  # the pages left, and the empty 2026 window
    assert again.sources[0].discovered == N - after * 100
    assert snapshot(engine) == want


class StopAt(httpx.AsyncBaseTransport):
    """Sets `stop` when ListRecords request number `nth` is sent and never answers it,
    like a slow server when SIGTERM arrives. Landing pages: `on_landing` decides."""

    def __init__(self, stop: asyncio.Event, nth: int = 0,
                 on_landing: Callable[[int], bool] | None = None) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.stop, self.nth, self.on_landing = stop, nth, on_landing
        self.lists = self.landings = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.params.get("verb") == "ListRecords":
            self.lists += 1
            if self.lists == self.nth:
                await self._hang()
        elif request.url.path.startswith("/en/") and self.on_landing is not None:
            self.landings += 1
            if not self.on_landing(self.landings):
                await self._hang()
            response = await self.inner.handle_async_request(request)
            self.stop.set()
            return response
        return await self.inner.handle_async_request(request)

    async def _hang(self) -> None:
        self.stop.set()
        await asyncio.Event().wait()

    async def aclose(self) -> None:
        await self.inner.aclose()


def with_transport(cfg: Settings, engine: Engine, transport: httpx.AsyncBaseTransport,
                   stop: asyncio.Event) -> RunReport:
    async def go() -> RunReport:
        async with httpx.AsyncClient(transport=transport) as client:
            return await asyncio.wait_for(harvest(cfg, engine, client=client, stop=stop), 30)

    return asyncio.run(go())


def test_stop_while_a_page_is_awaited_drops_that_request_and_keeps_the_stored_token(
    server: OAITestServer, sqlite_url: str, tmp_path: Path
) -> None:
    want = snapshot(reference(server, tmp_path))
    engine = open_database(sqlite_url)
    cfg = settings(server, sqlite_url, allow_private=True)
    stop = asyncio.Event()

    report = with_transport(cfg, engine, StopAt(stop, nth=3), stop)

    assert report.status == "stopped"
    # request 3 goes out while page 2 is read and mapped (one request ahead): page 2 is
    # committed unless the stop comes first, as it can on a loaded machine; then it is
    # dropped with request 3 and the stored token asks for it again. Never page 3.
    assert one(engine, "select count(*) from oai_records") in (100, 200)
    token = one(engine, "select resumption_token from oai_checkpoints")
    assert token
    server.requests.clear()

    assert run(cfg, engine).status == "ok"
    assert server.list_requests()[0] == {"verb": "ListRecords", "resumptionToken": token}
    assert snapshot(engine) == want


@pytest.fixture
def small_server() -> Iterator[OAITestServer]:
    """10 records on 3 pages; the first 3 have landing pages to enrich from."""
    with OAITestServer(batch_size=4) as srv:
        items = synthetic(10, deleted_every=1000)
        for n, slug in enumerate(list(SAMPLE_RECORDS)[:3]):
            items[n] = Item(items[n].identifier, items[n].datestamp, {
                "title": [f"Landing {n}"], "identifier": [srv.page_url(slug)]})
        srv.add(items)
        yield srv


def test_stop_during_enrichment_drops_unanswered_pages_and_leaves_them_pending(
    small_server: OAITestServer, sqlite_url: str
) -> None:
    engine = open_database(sqlite_url)
    cfg = settings(small_server, sqlite_url, allow_private=True, enrich=True)
    stop = asyncio.Event()
    # the first landing page is answered (and then stop is set); the others never are
    transport = StopAt(stop, on_landing=lambda n: n == 1)

    report = with_transport(cfg, engine, transport, stop)

    assert report.status == "stopped"
    assert transport.landings == 3  # all three were asked for, two hang
    states = one(engine, "select group_concat(enrich_state, ',') from "
                         "(select enrich_state from oai_records where enrich_state is not null "
                         "order by enrich_state)").split(",")
    assert "failed" not in states  # a dropped fetch is not a failure
    assert states.count("pending") >= 2 and len(states) == 3
    assert report.sources[0].enriched == states.count("done")
    listed = len(small_server.list_requests())
    assert listed == 3  # the 2026 window waits for the next run

    again = run(cfg, engine)

    assert again.status == "ok"
    assert again.sources[0].enriched == states.count("pending")
    assert one(engine, "select count(*) from oai_records where enrich_state = 'done'") == 3


# --- network safety ------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "status", "requests"), [
    ({}, "failed", 0),  # a config-built source refuses private addresses by default
    ({"allow_private": False}, "failed", 0),
    ({"allow_private": True}, "ok", PAGES + 3),  # Identify, formats, pages, empty window
])
def test_base_url_on_loopback_is_refused_before_any_request_unless_allowed(
    server: OAITestServer, sqlite_url: str, source: dict[str, Any], status: str, requests: int
) -> None:
    engine = open_database(sqlite_url)

    stats = run(settings(server, sqlite_url, **source), engine).sources[0]

    assert stats.status == status, stats.summary_line()
    assert len(server.requests) == requests
    assert stats.failed["unsafe-url"] == (1 if status == "failed" else 0)
    assert one(engine, "select count(*) from oai_records") == (N if status == "ok" else 0)


IDENTIFY = (b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>'
            b"2025-01-01T00:00:00Z</responseDate><request>x</request><Identify>"
            b"<repositoryName>r</repositoryName><baseURL>x</baseURL><protocolVersion>2.0"
            b"</protocolVersion><adminEmail>a@b.c</adminEmail><earliestDatestamp>2020-01-01"
            b"</earliestDatestamp><deletedRecord>no</deletedRecord><granularity>YYYY-MM-DD"
            b"</granularity></Identify></OAI-PMH>")


@pytest.mark.parametrize(("url", "addresses", "refused"), [
    ("https://repo.example/oai", ["10.1.2.3"], True),
    ("https://repo.example/oai", ["93.184.216.34", "169.254.169.254"], True),  # any one
    ("https://repo.example/oai", ["::ffff:127.0.0.1"], True),
    ("http://[::1]:8080/oai", [], True),
    ("ftp://repo.example/oai", ["93.184.216.34"], True),
    ("https://repo.example/oai", ["93.184.216.34"], False),
])
def test_client_checks_the_base_url_address_before_its_first_request(
    url: str, addresses: list[str], refused: bool
) -> None:
    sent: list[httpx.Request] = []
    asked: list[tuple[str, int]] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return addresses

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, content=IDENTIFY)

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            oai = OAIClient(url, client=http, allow_private=False, resolve=resolve)
            await oai.identify()

    if refused:
        with pytest.raises(UnsafeURL):
            asyncio.run(go())
        assert sent == []
    else:
        asyncio.run(go())
        assert len(sent) == 1 and asked == [("repo.example", 443)]


def test_client_base_url_that_does_not_resolve_is_a_network_error_without_a_request() -> None:
    sent: list[httpx.Request] = []

    async def resolve(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    async def go() -> None:
        transport = httpx.MockTransport(answer)
        async with httpx.AsyncClient(transport=transport) as http:
            await OAIClient("https://nowhere.example/oai", client=http, allow_private=False,
                            resolve=resolve).identify()

    with pytest.raises(NetworkError):
        asyncio.run(go())
    assert sent == []


# --- archive -------------------------------------------------------------------------------


def archived_answers(directory: Path) -> list[dict[str, str]]:
    """The request parameters of every response record in the WARC files."""
    out = []
    for path in sorted(directory.glob("*.warc.gz")):
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type != "response":
                    continue
                params = dict(parse_qsl(urlsplit(
                    record.rec_headers.get_header("WARC-Target-URI")).query))
                body = record.content_stream().read()
                assert b"<OAI-PMH" in body
                out.append(params)
    return out


def archived_lists(directory: Path) -> list[dict[str, str]]:
    """The request parameters of every ListRecords response record in the WARC files."""
    return [p for p in archived_answers(directory) if p.get("verb") == "ListRecords"]


def test_every_list_records_response_is_archived_before_its_page_commits(
    server: OAITestServer, sqlite_url: str, tmp_path: Path
) -> None:
    warc = tmp_path / "warc"
    engine = open_database(sqlite_url)
    seen: list[tuple[int, int]] = []  # (pages committed, ListRecords answers on disk)

    def on_progress(stats: SourceStats) -> None:
        seen.append((stats.discovered // 100, len(archived_lists(warc))))

    report = run(settings(server, sqlite_url, archive=warc, allow_private=True), engine,
                 progress=on_progress)

    assert report.status == "ok"
    listed = server.list_requests()
    assert len(listed) == PAGES + 1
    assert archived_lists(warc) == listed  # one response per request, in order, no others
    # the other verbs' answers are archived too: every response, not only the lists
    verbs = {p["verb"] for p in archived_answers(warc)}
    assert {"Identify", "ListMetadataFormats", "ListRecords"} <= verbs
    # each page's answer was synced to disk before the commit that stored its records
    assert all(on_disk >= pages for pages, on_disk in seen[:-1])
    assert [p for p, _ in seen[:PAGES]] == list(range(1, PAGES + 1))
