"""Decompression and entity bombs are refused quickly and without the memory they ask for.

tests/test_fetch_body.py covers the Fetcher's gzip cap and tests/test_oai_xml.py the
entity refusals of parse_xml; this file covers the readers built on them: sitemaps
fetched over HTTP, the OAI-PMH client, and every XML reader given each bomb.
"""

from __future__ import annotations

import gzip
import time  # limits count CPU seconds (process_time): a shared box skews wall time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator

import httpx
import pytest
from httpserver import Reply, ScriptedServer

from harvester.discovery.sitemap import iter_sitemap, parse_sitemap
from harvester.errors import DiscoveryError, FetchError, ParseError, ResponseTooLarge, UnsafeXML
from harvester.http import Fetcher
from harvester.oai.client import OAIClient
from harvester.oai.protocol import (
    parse_get_record,
    parse_identify,
    parse_list_identifiers,
    parse_list_metadata_formats,
    parse_list_records,
    parse_list_sets,
)
from harvester.politeness import FetchSettings, Politeness
from harvester.safexml import parse_xml

MB = 1024 * 1024
CAP = 8 * MB  # the fetch size cap in these tests
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
FREE = Politeness(concurrency=1, delay=0, obey_robots=False)


def gzip_bomb(expanded: int, head: bytes = b"") -> bytes:
    """A gzip stream of `head` then `expanded` spaces: ~1 KB per MB."""
    out = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b" " * MB
    parts = [out.compress(head)]
    parts += [out.compress(chunk) for _ in range(expanded // MB)]
    return b"".join([*parts, out.flush()])


def measured(call: Callable[[], object]) -> tuple[float, float]:
    """(seconds, peak MB of Python allocations) of one call, which must raise."""
    tracemalloc.start()
    start = time.process_time()
    try:
        call()
    except Exception:
        pass
    else:
        raise AssertionError("the bomb was accepted")
    finally:
        elapsed = time.process_time() - start
        peak = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()
    return elapsed, peak


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        srv.route("/robots.txt", Reply(404))
        yield srv


async def _walk(url: str, *, max_bytes: int = CAP) -> list[str]:
    async with Fetcher(FetchSettings(max_bytes=max_bytes, max_retries=0)) as fetcher:
        return [e.loc async for e in iter_sitemap(fetcher, url, politeness=FREE)]


@pytest.mark.parametrize("declared", [True, False], ids=["content-encoding", "undeclared-gz"])
async def test_sitemap_gzip_bomb_over_http_is_refused(
    server: ScriptedServer, declared: bool
) -> None:
    bomb = gzip_bomb(200 * MB, b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    headers = {"Content-Encoding": "gzip"} if declared else {"Content-Type": "application/x-gzip"}
    server.route("/sitemap.xml.gz", Reply(200, bomb, headers))
    tracemalloc.start()
    start = time.process_time()
    with pytest.raises(DiscoveryError) as info:
        # an undeclared .gz arrives whole (200 KB) and is inflated by the sitemap reader
        # under its own cap, which the fetch cap bounds here
        await _walk(server.url("/sitemap.xml.gz"))
    elapsed = time.process_time() - start
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    assert "bytes" in str(info.value)
    # declared: inflated under the fetch cap. Undeclared: the sitemap reader inflates a
    # megabyte at a time and gives up past its own 64 MB cap (sitemaps may hold 50 MB)
    assert elapsed < 1.0 and peak < 100, (elapsed, peak)


def test_sitemap_gzip_inside_gzip_is_a_discovery_error() -> None:
    # the inner layer went to parse_xml's own gunzip, whose ResponseTooLarge (a
    # FetchError) escaped parse_sitemap
    double = gzip.compress(gzip_bomb(110 * MB, b"<urlset>"))
    with pytest.raises(DiscoveryError):
        parse_sitemap(double, "https://repo.example.org/sitemap.xml.gz")


Handler = Callable[[httpx.Request], httpx.Response]


def _oai_client(handler: Handler) -> tuple[OAIClient, httpx.AsyncClient]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return OAIClient("https://oai.example.org/oai", client=http, max_retries=0,
                     max_bytes=CAP), http  # fmt: skip


async def _identify_bomb(body: bytes, headers: dict[str, str]) -> BaseException:
    async def stream() -> object:
        yield body

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, content=stream())  # type: ignore[arg-type]

    oai, http = _oai_client(handler)
    try:
        await oai.identify()
    except Exception as exc:  # inspected by the caller
        return exc
    finally:
        await http.aclose()
    raise AssertionError("the bomb was accepted")


async def test_oai_gzip_bomb_is_refused_under_the_cap() -> None:
    # the client read whole responses with httpx, which inflates gzip without limit
    bomb = gzip_bomb(200 * MB, f'<OAI-PMH xmlns="{OAI_NS}">'.encode())
    tracemalloc.start()
    start = time.process_time()
    exc = await _identify_bomb(bomb, {"Content-Encoding": "gzip"})
    elapsed = time.process_time() - start
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    assert isinstance(exc, ResponseTooLarge), repr(exc)
    assert elapsed < 1.0 and peak < 100, (elapsed, peak)


async def test_oai_response_past_the_cap_is_refused() -> None:
    body = f'<OAI-PMH xmlns="{OAI_NS}"><responseDate>'.encode() + b" " * (CAP + 1)
    exc = await _identify_bomb(body, {})
    assert isinstance(exc, ResponseTooLarge), repr(exc)


def test_undeclared_gzip_oai_page_is_capped() -> None:
    # safexml inflates an undeclared gzip body itself, a megabyte at a time, up to
    # MAX_DECOMPRESSED (64 MB)
    bomb = gzip_bomb(150 * MB, f'<OAI-PMH xmlns="{OAI_NS}">'.encode())
    elapsed, peak = measured(lambda: parse_list_records(bomb, "https://oai.example.org/oai"))
    assert elapsed < 1.0 and peak < 100, (elapsed, peak)


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>&lol9;</responseDate>
<urlset>&lol9;</urlset></OAI-PMH>"""
QUADRATIC = (b'<!DOCTYPE r [<!ENTITY a "' + b"x" * 100_000 + b'">]><OAI-PMH xmlns="'
             + OAI_NS.encode() + b'"><responseDate>' + b"&a;" * 50_000
             + b"</responseDate></OAI-PMH>")  # fmt: skip
PARAMETER = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % ext SYSTEM '
             b'"http://127.0.0.1:9/evil.dtd"> %ext;]><OAI-PMH xmlns="' + OAI_NS.encode() + b'"/>')
BOMBS = {
    "billion-laughs": LAUGHS,
    "quadratic": QUADRATIC,
    "parameter-entity": PARAMETER,
    "utf-16": LAUGHS.replace(b'"1.0"?>', b'"1.0" encoding="UTF-16"?>', 1).decode().encode("utf-16"),
    "utf-7": LAUGHS.replace(b'"1.0"?>', b'"1.0" encoding="UTF-7"?>', 1).split(b"?>", 1)[0]
    + b"?>" + LAUGHS.split(b"?>", 1)[1].decode().encode("utf-7"),
    "gzip": gzip.compress(LAUGHS),
}
READERS: dict[str, Callable[[bytes], object]] = {
    "parse_xml": lambda b: parse_xml(b, url="u"),
    "parse_xml-recover": lambda b: parse_xml(b, url="u", recover=True),
    "ListRecords": lambda b: parse_list_records(b, "u"),
    "ListRecords-recover": lambda b: parse_list_records(b, "u", recover=True),
    "ListIdentifiers": lambda b: parse_list_identifiers(b, "u", recover=True),
    "GetRecord": lambda b: parse_get_record(b, "u"),
    "Identify": lambda b: parse_identify(b, "u"),
    "ListMetadataFormats": lambda b: parse_list_metadata_formats(b, "u"),
    "ListSets": lambda b: parse_list_sets(b, "u"),
    "sitemap": lambda b: parse_sitemap(b, "https://repo.example.org/sitemap.xml"),
    "sitemap-recover": lambda b: parse_sitemap(b, "https://x.test/s.xml", recover=True),
}


@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_entity_bombs_are_refused_by_every_xml_reader(
    reader: Callable[[bytes], object], bomb: bytes
) -> None:
    start = time.process_time()
    with pytest.raises(UnsafeXML):
        reader(bomb)
    assert time.process_time() - start < 1.0


def test_an_unsupported_encoding_cannot_smuggle_a_bomb_in() -> None:
    # UTF-32 hides '<!ENTITY' from the byte scan; libxml2 then cannot read it at all
    doc = LAUGHS.replace(b'"1.0"?>', b'"1.0" encoding="UTF-32"?>', 1).decode().encode("utf-32")
    for reader in READERS.values():
        with pytest.raises((UnsafeXML, ParseError, DiscoveryError)):
            reader(doc)


def test_fetch_errors_are_not_what_the_xml_readers_raise() -> None:
    # guard for the tests above: a FetchError would mean a reader leaked a fetch concern
    assert not issubclass(UnsafeXML, FetchError) and not issubclass(DiscoveryError, FetchError)
