"""The Fetcher against a real HTTP server on 127.0.0.1, over both transports.

The server's own log is the witness: what it never saw was never requested.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Iterator

import pytest
from httpserver import Reply, ScriptedServer

from harvester.errors import (
    GoneError,
    ResponseTooLarge,
    RobotsDisallowed,
    TooManyRedirects,
    TruncatedBody,
)
from harvester.http import Fetcher, NotModified
from harvester.politeness import FetchSettings, Politeness
from harvester.types import Page

OBEY = Politeness(concurrency=4, delay=0, obey_robots=True)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        srv.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private\n"))
        yield srv


@pytest.fixture(params=["httpx", "aiohttp", "wire"])
async def fetcher(request: pytest.FixtureRequest) -> AsyncIterator[Fetcher]:
    settings = FetchSettings(
        transport=request.param,
        timeout=5.0,
        max_retries=1,
        backoff_base=0.01,
        backoff_max=1.0,
        max_bytes=100_000,
    )
    async with Fetcher(settings) as f:
        yield f


async def test_user_agent_and_page(server: ScriptedServer, fetcher: Fetcher) -> None:
    server.route("/p", Reply(200, b"<html>hi</html>", {"Content-Type": "text/html; charset=utf-8"}))
    page = await fetcher.fetch(server.url("/p"), politeness=OBEY)
    assert isinstance(page, Page) and page.body == b"<html>hi</html>"
    assert page.content_type == "text/html"
    assert server.requests[-1].headers["user-agent"] == FetchSettings().user_agent


async def test_disallowed_path_never_reaches_the_server(
    server: ScriptedServer, fetcher: Fetcher
) -> None:
    server.route("/public", Reply(200, b"ok"))
    with pytest.raises(RobotsDisallowed):
        await fetcher.fetch(server.url("/private/secret"), politeness=OBEY)
    await fetcher.fetch(server.url("/public"), politeness=OBEY)
    assert server.paths() == ["/robots.txt", "/public"]


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_server_never_sees_more_than_concurrency_in_flight(
    server: ScriptedServer, fetcher: Fetcher, concurrency: int
) -> None:
    # each answer takes long enough that a loaded machine still starts the others: at
    # 0.03 s one loaded run of the suite (two processes, helpers busy) failed this with
    # concurrency 3, which can only be too few in flight, since the server stops
    # counting a request before its answer leaves and the client waits for the answer
    server.route("/slow", Reply(200, b"x", delay=0.15))
    polite = Politeness(concurrency=concurrency, delay=0, obey_robots=False)
    await asyncio.gather(
        *(fetcher.fetch(server.url(f"/slow?{i}"), politeness=polite) for i in range(5))
    )
    assert server.max_in_flight == concurrency


async def test_delay_spaces_request_starts(server: ScriptedServer, fetcher: Fetcher) -> None:
    server.route("/d", Reply(200, b"x"))
    polite = Politeness(concurrency=4, delay=0.05, obey_robots=False)
    await asyncio.gather(
        *(fetcher.fetch(server.url(f"/d?{i}"), politeness=polite) for i in range(4))
    )
    starts = sorted(r.started for r in server.requests)
    # Arrival times at the server jitter on a loaded machine (one request's
    # arrival can be late and bunch up with the next), so judge the whole span:
    # without the gate all four arrive within a few milliseconds.
    # The exact schedule is asserted with fake time in test_fetch_gate.py.
    assert starts[-1] - starts[0] >= 0.12, starts


async def test_gzip_encoded_response_is_decoded(server: ScriptedServer, fetcher: Fetcher) -> None:
    xml = b"<urlset>" + b"<url><loc>http://e.org/a</loc></url>" * 200 + b"</urlset>"
    server.route("/sitemap.xml", Reply(200, gzip.compress(xml), {"Content-Encoding": "gzip"}))
    page = await fetcher.fetch(server.url("/sitemap.xml"), politeness=OBEY)
    assert isinstance(page, Page) and page.body == xml


async def test_size_cap_on_declared_length(server: ScriptedServer, fetcher: Fetcher) -> None:
    server.route("/big", Reply(200, b"b" * 200_000))
    with pytest.raises(ResponseTooLarge):
        await fetcher.fetch(server.url("/big"), politeness=OBEY)


async def test_size_cap_on_decompressed_bomb(server: ScriptedServer, fetcher: Fetcher) -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)
    server.route("/bomb", Reply(200, bomb, {"Content-Encoding": "gzip"}))
    with pytest.raises(ResponseTooLarge):
        await fetcher.fetch(server.url("/bomb"), politeness=OBEY)


async def test_truncated_body_is_retried_then_reported(
    server: ScriptedServer, fetcher: Fetcher
) -> None:
    server.route("/short", Reply(200, b"s" * 100, content_length=1000))
    with pytest.raises(TruncatedBody):
        await fetcher.fetch(server.url("/short"), politeness=OBEY)
    assert server.paths().count("/short") == 2  # max_retries=1


async def test_truncated_then_whole_returns_whole(server: ScriptedServer, fetcher: Fetcher) -> None:
    server.route("/flaky", Reply(200, b"f" * 100, content_length=1000), Reply(200, b"f" * 1000))
    page = await fetcher.fetch(server.url("/flaky"), politeness=OBEY)
    assert isinstance(page, Page) and len(page.body) == 1000


async def test_redirect_loop_stops(server: ScriptedServer, fetcher: Fetcher) -> None:
    server.route("/a", Reply(302, headers={"Location": "/b"}))
    server.route("/b", Reply(302, headers={"Location": server.url("/a")}))
    with pytest.raises(TooManyRedirects):
        await fetcher.fetch(server.url("/a"), politeness=OBEY)
    assert server.paths() == ["/robots.txt", "/a", "/b"]


async def test_retry_after_then_success(server: ScriptedServer, fetcher: Fetcher) -> None:
    server.route("/busy", Reply(503, headers={"Retry-After": "0"}), Reply(200, b"done"))
    page = await fetcher.fetch(server.url("/busy"), politeness=OBEY)
    assert isinstance(page, Page) and page.body == b"done"
    assert fetcher.stats.retries == 1


async def test_conditional_get_304(server: ScriptedServer, fetcher: Fetcher) -> None:
    def answer(request: object) -> Reply:
        headers = getattr(request, "headers", {})
        return Reply(304) if headers.get("if-none-match") == '"v1"' else Reply(200, b"new")

    server.route("/c", answer)
    assert await fetcher.fetch(server.url("/c"), politeness=OBEY, etag='"v1"') == NotModified(
        server.url("/c")
    )


async def test_missing_page_is_gone(server: ScriptedServer, fetcher: Fetcher) -> None:
    with pytest.raises(GoneError):
        await fetcher.fetch(server.url("/nothing"), politeness=OBEY)
    assert server.paths().count("/nothing") == 1
