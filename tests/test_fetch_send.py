"""The Fetcher's own senders ask and read as the httpx client over aiohttp did.

Each test fetches from a real server on 127.0.0.1 through our own connections
(transport "wire", the default), an aiohttp session (transport "aiohttp") and an
httpx client (transport "httpx") and compares what the server saw or what the
Fetcher returned.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from httpserver import Reply, ScriptedServer

from harvester._fetch.resolver import CheckedResolver
from harvester._fetch.send import ClientSender, decode_headers, open_sender
from harvester._fetch.send_aiohttp import AiohttpSender
from harvester._fetch.wire import WireSender
from harvester.http import Fetcher
from harvester.politeness import FetchSettings, Politeness
from harvester.types import Page

POLITE = Politeness(concurrency=2, delay=0, obey_robots=False)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        yield srv


async def _fetch(transport: str, url: str, *, etag: str | None = None,
                 last_modified: str | None = None) -> Page:
    async with Fetcher(FetchSettings(transport=transport, timeout=5.0)) as fetcher:
        page = await fetcher.fetch(url, politeness=POLITE, etag=etag, last_modified=last_modified)
    assert isinstance(page, Page)
    return page


async def test_every_sender_puts_the_same_headers_on_the_wire(server: ScriptedServer) -> None:
    server.route("/p", Reply(200, b"ok"))
    for transport in ("wire", "aiohttp", "httpx"):
        await _fetch(transport, server.url("/p"), etag='"v1"', last_modified="Mon, 01 Jan 2024")
    wire, direct, through_httpx = (r.headers for r in server.requests)
    assert wire == direct == through_httpx
    assert wire["if-none-match"] == '"v1"' and wire["accept-encoding"] == "gzip, deflate"


async def test_cookie_set_by_a_page_goes_back_to_the_same_ip_host(
    server: ScriptedServer,
) -> None:
    server.route("/set", Reply(200, b"ok", {"Set-Cookie": "session=abc; Path=/"}))
    server.route("/next", Reply(200, b"ok"))
    async with Fetcher(FetchSettings(timeout=5.0)) as fetcher:
        await fetcher.fetch(server.url("/set"), politeness=POLITE)
        await fetcher.fetch(server.url("/next"), politeness=POLITE)
    assert server.requests[-1].headers.get("cookie") == "session=abc"


@pytest.mark.parametrize("transport", ["wire", "aiohttp", "httpx"])
async def test_brotli_we_did_not_ask_for_is_still_decoded(
    server: ScriptedServer, transport: str
) -> None:
    brotli = pytest.importorskip("brotli")  # httpx decodes br only with it (Scrapy has it)
    body = b"<html>" + b"brotli " * 500 + b"</html>"
    server.route("/br", Reply(200, brotli.compress(body), {"Content-Encoding": "br"}))
    page = await _fetch(transport, server.url("/br"))
    assert page.body == body


@pytest.mark.parametrize("transport", ["wire", "aiohttp", "httpx"])
async def test_unknown_encoding_passes_the_body_as_sent(
    server: ScriptedServer, transport: str
) -> None:
    server.route("/x", Reply(200, b"as sent", {"Content-Encoding": "x-mine"}))
    page = await _fetch(transport, server.url("/x"))
    assert page.body == b"as sent"


@pytest.mark.parametrize("transport", ["wire", "aiohttp", "httpx"])
async def test_page_headers_are_lower_case_with_repeats_joined(
    server: ScriptedServer, transport: str
) -> None:
    server.route("/h", Reply(200, b"ok", {"X-Thing": "one", "Content-Type": "text/html"}))
    page = await _fetch(transport, server.url("/h"))
    assert page.headers["x-thing"] == "one"
    assert page.headers["content-type"] == "text/html"


@pytest.mark.parametrize(
    "raw",
    [
        ((b"Content-Type", b"text/html"), (b"X-A", b"1"), (b"x-a", b"2")),
        ((b"Link", "<a>; title=\"café\"".encode()),),
        ((b"X-Latin", "caf\xe9".encode("latin-1")), (b"X-B", b"plain")),
        (),
    ],
)
def test_decoded_headers_match_httpx(raw: tuple[tuple[bytes, bytes], ...]) -> None:
    assert decode_headers(raw) == dict(httpx.Headers(list(raw)).items())


def _resolver() -> CheckedResolver:
    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    return CheckedResolver(resolve, lambda host: True)


async def test_own_sender_is_the_wire_unless_another_is_asked_for() -> None:
    wire = open_sender(FetchSettings(), _resolver())
    direct = open_sender(FetchSettings(transport="aiohttp"), _resolver())
    pooled = open_sender(FetchSettings(transport="httpx"), _resolver())
    assert isinstance(wire, WireSender)
    assert isinstance(direct, AiohttpSender) and isinstance(pooled, ClientSender)
    for sender in (wire, direct, pooled):
        await sender.aclose()


async def test_proxy_in_the_environment_goes_through_httpx(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.org:3128")
    for transport in ("wire", "aiohttp"):
        sender = open_sender(FetchSettings(transport=transport), _resolver())
        assert isinstance(sender, ClientSender)
        await sender.aclose()


async def test_each_request_is_logged_at_info_as_httpx_logged_it(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.route("/p", Reply(200, b"ok"))
    messages = []
    for transport in ("wire", "aiohttp", "httpx"):
        caplog.clear()
        with caplog.at_level(logging.INFO):
            await _fetch(transport, server.url("/p"))
        lines = [r.getMessage() for r in caplog.records]
        messages.append([line for line in lines if "HTTP Request" in line])
    wire, direct, through_httpx = messages
    line = f'HTTP Request: GET {server.url("/p")} "HTTP/1.1 200 OK"'
    assert wire == direct == through_httpx == [line]
