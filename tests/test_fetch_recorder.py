"""Every HTTP answer reaches the fetcher's recorder once: pages, redirect hops, 304s,
errors with a capped body, each retried attempt; a caller that archives its pages
itself (`keeping_pages()`) gets no second copy of them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from httpserver import FakeTime, Reply, ScriptedServer

from harvester._fetch.answer import ERROR_BODY_CAP
from harvester.errors import GoneError, HarvestError, HTTPStatusError, ResponseTooLarge
from harvester.http import Fetcher, NotModified
from harvester.politeness import FetchSettings, Politeness
from harvester.types import Page

POLITE = Politeness(concurrency=1, delay=0, obey_robots=True)
SETTINGS = FetchSettings(max_retries=2, backoff_base=0, max_bytes=100_000)


class Tape:
    """A recorder that keeps (path, status, body length, truncated) of each answer."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.seen: list[tuple[str, int, int, str | None]] = []

    def __call__(self, response: Page, /, *, truncated: str | None = None) -> None:
        self.seen.append((response.url.removeprefix(self.base), response.status,
                          len(response.body), truncated))


def run(srv: ScriptedServer, *paths: str, keeping: bool = False,
        etag: str | None = None) -> tuple[Tape, list[object]]:
    tape = Tape(srv.base_url)
    time = FakeTime()

    async def go() -> list[object]:
        async with Fetcher(SETTINGS, recorder=tape, sleep=time.sleep, clock=time.clock) as f:
            fetcher = f.keeping_pages() if keeping else f
            out: list[object] = []
            for path in paths:
                try:
                    out.append(await fetcher.fetch(srv.url(path), politeness=POLITE, etag=etag))
                except HarvestError as exc:
                    out.append(exc)
            return out

    return tape, asyncio.run(go())


@pytest.fixture
def srv() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        s.route("/robots.txt", Reply(200, b"User-agent: *\nAllow: /\n"))
        s.route("/page", Reply(200, b"<html>page</html>"))
        s.route("/old", Reply(301, b"moved", headers={"Location": "/page"}))
        s.route("/flaky", Reply(503, b"busy", headers={"Retry-After": "0"}), Reply(200, b"ok"))
        s.route("/big-404", Reply(404, b"x" * (ERROR_BODY_CAP + 10)))
        s.route("/same", Reply(304, headers={"ETag": '"1"'}))
        s.route("/huge", Reply(200, b"y" * 200_000))
        s.route("/teapot", Reply(418, b"short and stout"))
        yield s


def test_every_answer_is_recorded_once_in_order(srv: ScriptedServer) -> None:
    tape, out = run(srv, "/old", "/flaky", "/big-404", "/teapot")
    assert isinstance(out[0], Page) and isinstance(out[1], Page)
    assert isinstance(out[2], GoneError) and isinstance(out[3], HTTPStatusError)
    assert tape.seen == [
        ("/robots.txt", 200, 23, None),
        ("/old", 301, 5, None),
        ("/page", 200, 17, None),
        ("/flaky", 503, 4, None),
        ("/flaky", 200, 2, None),
        ("/big-404", 404, ERROR_BODY_CAP, "length"),
        ("/teapot", 418, 15, None),
    ]


def test_a_caller_keeping_its_pages_gets_no_second_copy(srv: ScriptedServer) -> None:
    tape, out = run(srv, "/old", "/flaky", "/page", keeping=True)
    assert all(isinstance(o, Page) for o in out)
    assert tape.seen == [("/robots.txt", 200, 23, None), ("/old", 301, 5, None),
                         ("/flaky", 503, 4, None)]


def test_not_modified_and_a_body_past_the_cap_are_recorded_without_body(
    srv: ScriptedServer,
) -> None:
    tape, out = run(srv, "/same", "/huge", keeping=True, etag='"1"')
    assert isinstance(out[0], NotModified) and isinstance(out[1], ResponseTooLarge)
    assert tape.seen[1:] == [("/same", 304, 0, None), ("/huge", 200, 0, "length")]
