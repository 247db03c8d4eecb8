"""ListRecords with the next request sent while a page is read (harvester/oai/prefetch.py):
the token guessed from a page's tail, pages in order whatever the guess, errors of the
request sent ahead raised only after the page before it, nothing left in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from harvester.oai.client import OAIClient
from harvester.oai.formats import FORMATS
from harvester.oai.mapped import MappedPage, map_page, read_list_records
from harvester.oai.prefetch import Process, mapped_pages, peek_token
from harvester.oai.protocol import BadResumptionToken, OAIError
from tests.test_oai_client import BASE, envelope, error_body, records_page

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
OAI_DC = FORMATS["oai_dc"]


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        ('<resumptionToken cursor="0" completeListSize="9">abc</resumptionToken>', "abc"),
        ("<resumptionToken>a&amp;b=c&#38;d</resumptionToken>", "a&b=c&d"),
        ("<resumptionToken>\n   spaced \n</resumptionToken >", "spaced"),
        ('<oai:resumptionToken xmlns:oai="x">pref</oai:resumptionToken>', "pref"),
        ('<resumptionToken completeListSize="5" cursor="4"/>', None),
        ("<resumptionToken></resumptionToken>", None),
        ("<resumptionTokenX>no</resumptionTokenX>", None),
        ("", None),
    ],
)
def test_token_is_read_from_the_page_tail(tail: str, expected: str | None) -> None:
    body = envelope(f"<ListRecords><record/>{tail}</ListRecords>")
    assert peek_token(body) == expected


def test_token_guess_takes_the_last_token_element() -> None:
    body = b"<x><resumptionToken>first</resumptionToken><resumptionToken>last</resumptionToken></x>"
    assert peek_token(body) == "last"


class Server:
    """Pages by token; `log` records each request and each page handed out, in order."""

    def __init__(self, pages: dict[str | None, bytes]) -> None:
        self.pages = pages
        self.log: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("resumptionToken")
        self.log.append(f"GET {token}")
        return httpx.Response(200, content=self.pages.get(token, error_body("badResumptionToken")))


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> OAIClient:
    async def no_sleep(_: float) -> None:
        return None

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return OAIClient(BASE, client=http, sleep=no_sleep, now=lambda: NOW)


def processor(log: list[str]) -> Process:
    async def process(body: bytes, url: str) -> MappedPage:
        await asyncio.sleep(0.01)  # as a worker process would take
        page = map_page(read_list_records(body, url, "oai_dc", recover=False), OAI_DC, BASE)
        log.append(f"read {page.items[0].identifier if page.items else '-'}")
        return page

    return process


async def pages_of(server: Server, **kw: object) -> list[MappedPage]:
    out: list[MappedPage] = []
    async for page in mapped_pages(client_for(server), "oai_dc", processor(server.log),
                                   **kw):  # type: ignore[arg-type]
        server.log.append(f"yield {len(out)}")
        out.append(page)
    return out


THREE = {None: records_page(["a1", "a2"], "t1"), "t1": records_page(["b1"], "t2"),
         "t2": records_page(["c1"], None)}


async def test_next_page_is_asked_for_before_this_one_is_read() -> None:
    server = Server(THREE)
    pages = await pages_of(server)
    assert [[i.identifier for i in p.items] for p in pages] == [["a1", "a2"], ["b1"], ["c1"]]
    assert [p.resumption_token for p in pages] == ["t1", "t2", None]
    assert server.log == ["GET None", "GET t1", "read a1", "yield 0", "GET t2", "read b1",
                          "yield 1", "read c1", "yield 2"]


async def test_wrong_guess_is_dropped_and_the_read_token_asked_for() -> None:
    # a comment after the real token holds a token-like element: the guess is wrong
    first = records_page(["a1"], "t1").replace(
        b"</ListRecords>", b"</ListRecords><!-- <resumptionToken>fake</resumptionToken> -->")
    server = Server({None: first, "t1": records_page(["b1"], None)})
    pages = await pages_of(server)
    assert [[i.identifier for i in p.items] for p in pages] == [["a1"], ["b1"]]
    assert server.log.count("GET t1") == 1
    assert server.log.index("GET t1") > server.log.index("read a1")


async def test_refused_token_of_the_request_sent_ahead_is_raised_after_the_page_before() -> None:
    server = Server({None: records_page(["a1"], "gone")})
    seen: list[MappedPage] = []
    with pytest.raises(BadResumptionToken):
        async for page in mapped_pages(client_for(server), "oai_dc", processor(server.log)):
            seen.append(page)
    assert len(seen) == 1  # page one reached the caller (to be committed) first


async def test_no_records_match_yields_nothing() -> None:
    server = Server({None: error_body("noRecordsMatch")})
    assert await pages_of(server) == []


async def test_other_oai_error_propagates() -> None:
    server = Server({None: error_body("cannotDisseminateFormat")})
    with pytest.raises(OAIError) as info:
        await pages_of(server)
    assert info.value.code == "cannotDisseminateFormat"


async def test_caller_leaving_early_cancels_the_request_sent_ahead() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    cancelled: list[bool] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("resumptionToken") == "t1":
            started.set()
            try:
                await release.wait()
            except asyncio.CancelledError:
                cancelled.append(True)
                raise
        return httpx.Response(200, content=records_page(["a1"], "t1"))

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = OAIClient(BASE, client=http, now=lambda: NOW)
    pages = mapped_pages(client, "oai_dc", processor([]))
    first = await anext(pages)
    await started.wait()
    await pages.aclose()
    assert first.resumption_token == "t1"
    assert cancelled == [True]


async def test_repeated_token_stops_the_list() -> None:
    server = Server({None: records_page(["a1"], "t1"), "t1": records_page(["b1"], "t1")})
    with pytest.raises(OAIError) as info:
        await pages_of(server)
    assert info.value.code == "repeatedResumptionToken"
    assert server.log.count("GET t1") == 1  # the repeated token is not asked for again
