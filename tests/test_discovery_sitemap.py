"""Sitemaps: urlset and index, namespaced or not, gzip with a cap, hostile XML refused."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from httpserver import FakeTime, Reply, ScriptedServer, mock_fetcher

from harvester.discovery.sitemap import SitemapEntry, iter_sitemap, open_sitemap, parse_sitemap
from harvester.errors import DiscoveryError, UnsafeXML
from harvester.http import Fetcher
from harvester.politeness import FetchSettings, Politeness

FIXTURES = Path(__file__).parent / "fixtures" / "discovery"
PORTAL = "https://portal.example.edu"
FREE = Politeness(concurrency=1, delay=0, obey_robots=False)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def urlset(*slugs: str) -> bytes:
    body = "".join(f"<url><loc>{PORTAL}/en/publications/{s}</loc></url>" for s in slugs)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'.encode()


def index(*locs: str) -> bytes:
    body = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>'.encode()


def test_namespaced_urlset_with_lastmod_and_whitespace() -> None:
    sm = parse_sitemap(fixture("sitemap-urlset.xml"), f"{PORTAL}/sitemap.xml")
    assert sm.kind == "urlset"
    assert sm.entries == (
        SitemapEntry(
            f"{PORTAL}/en/publications/tidal-mixing-in-shallow-estuaries",
            "2024-03-01T10:00:00+00:00",
        ),
        SitemapEntry(f"{PORTAL}/en/publications/a-grammar-of-silence?lang=en&v=2", None),
        SitemapEntry(f"{PORTAL}/en/publications/relative-but-tolerated", "2023-12"),
    )


def test_urlset_without_namespace() -> None:
    sm = parse_sitemap(fixture("sitemap-plain.xml"), f"{PORTAL}/sitemap.xml")
    assert [e.loc.rsplit("/", 1)[1] for e in sm.entries] == [
        "ledger-models-for-small-cooperatives",
        "a-self-levelling-trowel",
    ]
    assert sm.entries[1].lastmod == "2022-07-19"


def test_sitemap_index() -> None:
    sm = parse_sitemap(fixture("sitemap-index.xml"), f"{PORTAL}/sitemap_index.xml")
    assert sm.kind == "index"
    assert [e.loc for e in sm.entries] == [f"{PORTAL}/sitemap-1.xml", f"{PORTAL}/sitemap-2.xml.gz"]
    assert sm.entries[0].lastmod == "2024-03-01"


def test_gzip_body_is_recognised_by_magic_bytes() -> None:
    sm = parse_sitemap(gzip.compress(fixture("sitemap-plain.xml")), f"{PORTAL}/s.xml.gz")
    assert len(sm.entries) == 2


def test_gzip_past_the_cap_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 2_000_000 + b"</urlset>")
    with pytest.raises(DiscoveryError, match="decompresses past"):
        parse_sitemap(bomb, f"{PORTAL}/s.xml.gz", max_bytes=1_000_000)


@pytest.mark.parametrize("name", ["sitemap-entities.xml", "sitemap-external-entity.xml"])
def test_entity_declarations_are_refused(name: str) -> None:
    with pytest.raises(UnsafeXML) as info:
        parse_sitemap(fixture(name), f"{PORTAL}/s.xml")
    assert info.value.url == f"{PORTAL}/s.xml"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"<urlset><url><loc>x</loc></urlset>", "not well-formed"),
        (b"<html><body>Not found</body></html>", "root element <html>"),
        (b"\x1f\x8bnot really gzip", "not valid gzip"),
    ],
)
def test_broken_sitemaps_raise_discovery_error(body: bytes, message: str) -> None:
    with pytest.raises(DiscoveryError, match=message):
        parse_sitemap(body, f"{PORTAL}/s.xml")


def test_recover_reads_what_it_can_when_asked() -> None:
    broken = urlset("a", "b")[: -len("</urlset>")]
    assert len(parse_sitemap(broken, f"{PORTAL}/s.xml", recover=True).entries) == 2


def site(routes: dict[str, bytes]) -> tuple[Fetcher, list[str]]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        body = routes.get(request.url.path)
        return httpx.Response(404) if body is None else httpx.Response(200, content=body)

    return mock_fetcher(handler, FakeTime()), seen


async def test_index_is_walked_depth_first_in_order() -> None:
    fetcher, seen = site(
        {
            "/index.xml": index(f"{PORTAL}/a.xml", f"{PORTAL}/nested.xml", f"{PORTAL}/c.xml.gz"),
            "/a.xml": urlset("a1", "a2"),
            "/nested.xml": index(f"{PORTAL}/b.xml"),
            "/b.xml": urlset("b1"),
            "/c.xml.gz": gzip.compress(urlset("c1")),
        }
    )
    got = [e.loc async for e in iter_sitemap(fetcher, f"{PORTAL}/index.xml", politeness=FREE)]
    assert [u.rsplit("/", 1)[1] for u in got] == ["a1", "a2", "b1", "c1"]
    assert seen == ["/index.xml", "/a.xml", "/nested.xml", "/b.xml", "/c.xml.gz"]


async def test_index_loops_fetch_each_sitemap_once() -> None:
    fetcher, seen = site(
        {
            "/index.xml": index(f"{PORTAL}/other.xml", f"{PORTAL}/a.xml"),
            "/other.xml": index(f"{PORTAL}/index.xml", f"{PORTAL}/a.xml"),
            "/a.xml": urlset("a1"),
        }
    )
    got = [e.loc async for e in iter_sitemap(fetcher, f"{PORTAL}/index.xml", politeness=FREE)]
    assert len(got) == 1
    assert seen == ["/index.xml", "/other.xml", "/a.xml"]


async def test_nesting_beyond_max_depth_is_not_fetched() -> None:
    fetcher, seen = site(
        {
            "/0.xml": index(f"{PORTAL}/1.xml"),
            "/1.xml": index(f"{PORTAL}/2.xml"),
            "/2.xml": urlset("deep"),
        }
    )
    got = [e async for e in iter_sitemap(fetcher, f"{PORTAL}/0.xml", politeness=FREE, max_depth=1)]
    assert got == [] and seen == ["/0.xml", "/1.xml"]


async def test_entries_stream_before_later_sitemaps_are_fetched() -> None:
    fetcher, seen = site(
        {
            "/i.xml": index(f"{PORTAL}/a.xml", f"{PORTAL}/b.xml"),
            "/a.xml": urlset("a1"),
            "/b.xml": urlset("b1"),
        }
    )
    entries = iter_sitemap(fetcher, f"{PORTAL}/i.xml", politeness=FREE)
    first = await anext(entries)
    assert first.loc.endswith("/a1") and "/b.xml" not in seen
    await entries.aclose()


async def test_missing_child_sitemap_is_a_discovery_error_naming_it() -> None:
    fetcher, _ = site({"/i.xml": index(f"{PORTAL}/gone.xml")})
    with pytest.raises(DiscoveryError) as info:
        [e async for e in iter_sitemap(fetcher, f"{PORTAL}/i.xml", politeness=FREE)]
    assert info.value.url == f"{PORTAL}/gone.xml"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        yield srv


@pytest.mark.parametrize("transport", ["httpx", "aiohttp", "wire"])
async def test_gzip_sitemaps_over_http(server: ScriptedServer, transport: str) -> None:
    server.route("/robots.txt", Reply(404))
    server.route(
        "/sitemap_index.xml", Reply(200, index(server.url("/s1.xml.gz"), server.url("/s2.xml")))
    )
    # A .gz file served as a file, and a plain one gzipped on the wire.
    server.route(
        "/s1.xml.gz",
        Reply(200, gzip.compress(urlset("one", "two")), {"Content-Type": "application/x-gzip"}),
    )
    server.route(
        "/s2.xml",
        Reply(
            200,
            gzip.compress(urlset("three")),
            {"Content-Encoding": "gzip", "Content-Type": "application/xml"},
        ),
    )
    polite = Politeness(concurrency=1, delay=0, obey_robots=True)
    async with Fetcher(FetchSettings(transport=transport, max_retries=0)) as fetcher:
        url = server.url("/sitemap_index.xml")
        got = [e.loc async for e in iter_sitemap(fetcher, url, politeness=polite)]
    assert [u.rsplit("/", 1)[1] for u in got] == ["one", "two", "three"]
    assert server.paths() == ["/robots.txt", "/sitemap_index.xml", "/s1.xml.gz", "/s2.xml"]


def test_sitemap_with_an_external_doctype_is_refused_without_reading_the_file(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "{secret.as_uri()}">'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://example.org/a</loc></url></urlset>"
    ).encode()
    with pytest.raises(UnsafeXML) as info:
        parse_sitemap(body, "https://example.org/sitemap.xml")
    assert "TOP-SECRET" not in str(info.value)


def test_entries_are_read_as_a_stream_before_the_document_ends() -> None:
    # a document cut short: the entries before the break come out, then the error
    cut = urlset("a", "b", "c")[: -len("</loc></url></urlset>")]
    kind, entries = open_sitemap(cut, f"{PORTAL}/s.xml")
    assert kind == "urlset"
    assert next(entries).loc.endswith("/a") and next(entries).loc.endswith("/b")
    with pytest.raises(DiscoveryError, match="not well-formed"):
        list(entries)


def test_a_large_urlset_keeps_every_entry_in_order() -> None:
    slugs = [f"p{i}" for i in range(20_000)]  # several pull-parser feeds
    kind, entries = open_sitemap(gzip.compress(urlset(*slugs)), f"{PORTAL}/s.xml.gz")
    assert kind == "urlset"
    assert [e.loc.rsplit("/", 1)[1] for e in entries] == slugs


def test_the_root_is_checked_before_any_entry_is_read() -> None:
    with pytest.raises(DiscoveryError, match="root element <feed>"):
        open_sitemap(b"<feed><url><loc>/a</loc></url></feed>", f"{PORTAL}/s.xml")
