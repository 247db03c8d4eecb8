"""Response bodies: the size cap (also after decompression), short bodies, the Page returned."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from httpserver import MOCK_NOW, FakeTime, mock_fetcher, scripted

from harvester.errors import FetchError, ResponseTooLarge, TruncatedBody, UnsafeURL
from harvester.http import Fetcher, NotModified
from harvester.politeness import Politeness
from harvester.types import Page

FREE = Politeness(concurrency=4, delay=0, obey_robots=False)
URL = "https://repo.example.org/item"


class Chunks(httpx.AsyncByteStream):
    """A streamed body that may stop early with an error, like a dropped connection."""

    def __init__(self, *chunks: bytes, fail: Exception | None = None) -> None:
        self.chunks = chunks
        self.fail = fail
        self.read = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.read += len(chunk)
            yield chunk
        if self.fail is not None:
            raise self.fail


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def fetcher_for(fake: FakeTime) -> Callable[..., Fetcher]:
    return lambda handler, **kw: mock_fetcher(handler, fake, **kw)


async def test_page_carries_final_url_lowercased_headers_and_fetch_time(fetcher_for) -> None:
    handler, _ = scripted(
        httpx.Response(200, headers={"Content-Type": "text/html", "ETag": '"v1"'}, content=b"<p>")
    )
    page = await fetcher_for(handler).fetch(URL, politeness=FREE)
    assert isinstance(page, Page)
    assert (page.url, page.requested_url, page.status, page.body) == (URL, URL, 200, b"<p>")
    assert page.headers["content-type"] == "text/html" and page.headers["etag"] == '"v1"'
    assert page.fetched_at == MOCK_NOW


async def test_content_length_over_cap_is_refused_before_reading(fetcher_for) -> None:
    stream = Chunks(b"x" * 10)
    handler, _ = scripted(httpx.Response(200, headers={"Content-Length": "5000"}, stream=stream))
    with pytest.raises(ResponseTooLarge, match="Content-Length 5000"):
        await fetcher_for(handler, max_bytes=1000).fetch(URL, politeness=FREE)
    assert stream.read == 0


async def test_streamed_body_past_cap_is_refused(fetcher_for) -> None:
    handler, _ = scripted(httpx.Response(200, stream=Chunks(*[b"y" * 400] * 5)))
    with pytest.raises(ResponseTooLarge):
        await fetcher_for(handler, max_bytes=1000).fetch(URL, politeness=FREE)


async def test_body_exactly_at_cap_is_accepted(fetcher_for) -> None:
    handler, _ = scripted(httpx.Response(200, stream=Chunks(b"z" * 600, b"z" * 400)))
    page = await fetcher_for(handler, max_bytes=1000).fetch(URL, politeness=FREE)
    assert isinstance(page, Page) and len(page.body) == 1000


async def test_gzip_bomb_is_capped_by_decoded_size(fetcher_for) -> None:
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))
    assert len(bomb) < 100_000
    handler, _ = scripted(
        httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=Chunks(bomb))
    )
    with pytest.raises(ResponseTooLarge):
        await fetcher_for(handler, max_bytes=1_000_000).fetch(URL, politeness=FREE)


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send
        ("identity", lambda b: b),
    ],
)
async def test_encoded_bodies_are_decoded(
    fetcher_for, encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    text = b"<html>" + b"abc " * 5000 + b"</html>"
    data = encode(text)
    handler, _ = scripted(
        httpx.Response(
            200,
            headers={"Content-Encoding": encoding, "Content-Length": str(len(data))},
            stream=Chunks(data[:100], data[100:]),
        )
    )
    page = await fetcher_for(handler).fetch(URL, politeness=FREE)
    assert isinstance(page, Page) and page.body == text


async def test_corrupt_gzip_is_a_fetch_error(fetcher_for) -> None:
    handler, _ = scripted(
        httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=Chunks(b"not gzip at all"))
    )
    with pytest.raises(FetchError, match="could not decode"):
        await fetcher_for(handler).fetch(URL, politeness=FREE)


async def test_connection_dropped_mid_body_is_retried_then_truncated(fetcher_for) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"Content-Length": "1000"},
            stream=Chunks(b"a" * 300, fail=httpx.ReadError("peer closed")),
        )

    fetcher = fetcher_for(handler, max_retries=2)
    with pytest.raises(TruncatedBody, match="300 of 1000"):
        await fetcher.fetch(URL, politeness=FREE)
    assert fetcher.stats.requests == 3


async def test_short_body_without_error_is_not_returned_as_whole(fetcher_for) -> None:
    short = httpx.Response(200, headers={"Content-Length": "10"}, stream=Chunks(b"12345"))
    handler, seen = scripted(short, httpx.Response(200, content=b"1234567890"))
    page = await fetcher_for(handler).fetch(URL, politeness=FREE)
    assert isinstance(page, Page) and page.body == b"1234567890"
    assert len(seen) == 2


async def test_conditional_get_sends_validators_and_maps_304(fetcher_for) -> None:
    handler, seen = scripted(httpx.Response(304))
    fetcher = fetcher_for(handler)
    result = await fetcher.fetch(
        URL, politeness=FREE, etag='"abc"', last_modified="Wed, 21 Oct 2015 07:28:00 GMT"
    )
    assert result == NotModified(URL)
    assert seen[0].headers["if-none-match"] == '"abc"'
    assert seen[0].headers["if-modified-since"] == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert fetcher.stats.not_modified == 1


async def test_plain_get_sends_no_validators(fetcher_for) -> None:
    handler, seen = scripted(httpx.Response(200))
    await fetcher_for(handler).fetch(URL, politeness=FREE)
    assert "if-none-match" not in seen[0].headers
    assert "if-modified-since" not in seen[0].headers


@pytest.mark.parametrize(
    "url", ["ftp://repo.example.org/x", "file:///etc/passwd", "javascript:alert(1)", "http://"]
)
async def test_non_http_urls_are_refused_unrequested(fetcher_for, url: str) -> None:
    handler, seen = scripted(httpx.Response(200))
    with pytest.raises(UnsafeURL):
        await fetcher_for(handler).fetch(url, politeness=FREE)
    assert seen == []


class _OnePiece:
    """A response whose body arrives in one read (body.Response, as read_body uses it)."""

    def __init__(self, piece: bytes) -> None:
        self.piece = piece
        self.headers = {"content-length": str(len(piece))}
        self.is_stream_consumed = False
        self.num_bytes_downloaded = 0

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        self.num_bytes_downloaded = len(self.piece)
        yield self.piece


async def test_a_body_read_in_one_piece_is_that_piece_not_a_copy() -> None:
    from harvester._fetch.body import read_body

    piece = bytes(range(256)) * 256
    response = _OnePiece(piece)
    assert await read_body(response, url="http://x/", max_bytes=1 << 20) is piece  # type: ignore[arg-type]
