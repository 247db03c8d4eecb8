"""The loopback sample portal: discovery documents, pages, conditional GET, scripting."""

from __future__ import annotations

import gzip
import hashlib
import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import httpx
import pytest
from lxml import etree
from protego import Protego
from selectolax.lexbor import LexborHTMLParser

from pipelines.sample_site import SAMPLE_RECORDS, SampleSite

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def site() -> Iterator[SampleSite]:
    with SampleSite() as s:
        yield s


@pytest.fixture
def client(site: SampleSite) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.base_url, timeout=5) as c:
        yield c


def locs(xml: bytes, tag: str) -> list[str]:
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    return [str(x) for x in root.xpath(f"/sm:{tag}/*/sm:loc/text()", namespaces=NS)]


def sitemap_pages(client: httpx.Client) -> list[str]:
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("application/xml")
    urls: list[str] = []
    for loc in locs(index.content, "sitemapindex"):
        r = client.get(loc)
        assert r.status_code == 200
        body = gzip.decompress(r.content) if loc.endswith(".gz") else r.content
        urls += locs(body, "urlset")
    return urls


def listing_pages(client: httpx.Client) -> tuple[list[str], list[str]]:
    """Follow a.nextLink from the first listing page; return (listing URLs, item hrefs)."""
    url: str | None = "/en/publications/"
    seen, hrefs = [], []
    while url:
        seen.append(url)
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
        doc = LexborHTMLParser(r.text)
        hrefs += [a.attributes["href"] or "" for a in
                  doc.css("div.result-container h3.title > a.link")]
        nxt = doc.css_first("nav.pages a.nextLink")
        url = nxt.attributes["href"] if nxt else None
        assert len(seen) < 50, "pager does not end"
    return seen, hrefs


def all_page_urls(site: SampleSite) -> list[str]:
    return sorted(site.url_for(slug) for slug in SAMPLE_RECORDS)


def test_robots_disallows_private_and_names_the_sitemap(client: httpx.Client,
                                                        site: SampleSite) -> None:
    r = client.get("/robots.txt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    rp = Protego.parse(r.text)
    assert not rp.can_fetch(f"{site.base_url}/en/private/report/", "harvester")
    assert rp.can_fetch(site.url_for(next(iter(SAMPLE_RECORDS))), "harvester")
    assert list(rp.sitemaps) == [f"{site.base_url}/sitemap.xml"]
    assert client.get("/en/private/report/").status_code == 200


def test_sitemap_index_with_plain_and_gzip_sitemaps_lists_every_page_once(
    client: httpx.Client, site: SampleSite
) -> None:
    index = locs(client.get("/sitemap.xml").content, "sitemapindex")
    assert index == [f"{site.base_url}/sitemap-1.xml", f"{site.base_url}/sitemap-2.xml.gz"]
    gz = client.get("/sitemap-2.xml.gz")
    assert gz.content[:2] == b"\x1f\x8b" and "content-encoding" not in gz.headers
    urls = sitemap_pages(client)
    assert sorted(urls) == all_page_urls(site)
    plain = etree.fromstring(client.get("/sitemap-1.xml").content)
    lastmods = plain.xpath("//sm:lastmod/text()", namespaces=NS)
    assert lastmods and all(len(d) == 10 and d[4] == "-" for d in lastmods)


@pytest.mark.parametrize("per_page", [1, 5, 13, 50])
def test_listing_pager_reaches_every_page_exactly_once(per_page: int) -> None:
    with SampleSite(per_page=per_page) as site, httpx.Client(base_url=site.base_url) as c:
        seen, hrefs = listing_pages(c)
    n = len(SAMPLE_RECORDS)
    assert len(seen) == math.ceil(n / per_page)
    assert seen[1:] == [f"/en/publications/?page={i}" for i in range(1, len(seen))]
    assert sorted(hrefs) == all_page_urls(site)


def test_listing_links_carry_the_pure_rel_of_each_output(client: httpx.Client) -> None:
    doc = LexborHTMLParser(client.get("/en/publications/?page=0").text)
    rels = [a.attributes["rel"] for a in doc.css("h3.title > a.link")]
    assert rels[0] == "ContributionToJournal" and len(rels) == 5
    past_end = LexborHTMLParser(client.get("/en/publications/?page=99").text)
    assert past_end.css("h3.title") == [] and past_end.css_first("a.nextLink") is None


def test_page_has_strong_sha256_etag_and_answers_conditional_get_with_304(
    client: httpx.Client, site: SampleSite
) -> None:
    slug = next(iter(SAMPLE_RECORDS))
    r = client.get(site.url_for(slug))
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["etag"] == f'"{hashlib.sha256(r.content).hexdigest()}"'
    again = client.get(site.url_for(slug), headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == r.headers["etag"]
    since = client.get(site.url_for(slug),
                       headers={"If-Modified-Since": r.headers["last-modified"]})
    assert since.status_code == 304
    other = client.get(site.url_for(slug), headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200 and other.content == r.content


def test_set_page_changes_etag_and_last_modified(client: httpx.Client, site: SampleSite) -> None:
    slug = next(iter(SAMPLE_RECORDS))
    old = client.get(site.url_for(slug))
    site.set_page(slug, old.text.replace("</h1>", " (revised)</h1>", 1))
    new = client.get(site.url_for(slug), headers={"If-None-Match": old.headers["etag"]})
    assert new.status_code == 200 and "(revised)" in new.text
    assert new.headers["etag"] != old.headers["etag"]
    assert (parsedate_to_datetime(new.headers["last-modified"])
            > parsedate_to_datetime(old.headers["last-modified"]))
    since = client.get(site.url_for(slug), headers={"If-Modified-Since":
                                                     old.headers["last-modified"]})
    assert since.status_code == 200


def test_fail_next_gives_the_scripted_status_then_recovers(client: httpx.Client,
                                                          site: SampleSite) -> None:
    path = f"/en/publications/{next(iter(SAMPLE_RECORDS))}/"
    site.fail_next(path, 503, {"Retry-After": "7"}, times=2)
    first, second, third = (client.get(path) for _ in range(3))
    assert [first.status_code, second.status_code, third.status_code] == [503, 503, 200]
    assert first.headers["retry-after"] == "7"
    site.fail_next("/en/publications/", 500)
    assert client.get("/en/publications/?page=1").status_code == 500
    assert client.get("/en/publications/?page=1").status_code == 200


def test_removed_page_is_gone_and_leaves_sitemap_and_listing(client: httpx.Client,
                                                             site: SampleSite) -> None:
    slug = next(iter(SAMPLE_RECORDS))
    site.remove(slug)
    assert client.get(site.url_for(slug)).status_code == 410
    assert site.url_for(slug) not in sitemap_pages(client)
    _, hrefs = listing_pages(client)
    assert site.url_for(slug) not in hrefs and len(hrefs) == len(SAMPLE_RECORDS) - 1


@pytest.mark.parametrize(
    ("path", "status"),
    [("/nothing", 404), ("/en/publications/no-such-output/", 404),
     ("/en/publications/?page=x", 404), ("/en/private/", 404)],
)
def test_unknown_paths_are_404(client: httpx.Client, path: str, status: int) -> None:
    assert client.get(path).status_code == status


def test_page_without_trailing_slash_redirects_to_the_canonical_url(
    client: httpx.Client, site: SampleSite
) -> None:
    slug = next(iter(SAMPLE_RECORDS))
    r = client.get(f"/en/publications/{slug}")
    assert r.status_code == 301 and r.headers["location"] == site.url_for(slug)


def test_serves_concurrent_requests_and_logs_each(site: SampleSite) -> None:
    urls = [site.url_for(s) for s in SAMPLE_RECORDS] * 3
    with httpx.Client(limits=httpx.Limits(max_connections=16)) as c, \
            ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda u: c.get(u).status_code, urls))
    assert statuses == [200] * len(urls)
    assert len(site.requests) == len(urls)
    assert all(m == "GET" for m, _ in site.requests)


def test_custom_pages_and_synthetic_pages() -> None:
    pages = {"one": "<html><body><h1><span>One</span></h1></body></html>"}
    with SampleSite(pages=pages) as site, httpx.Client() as c:
        assert c.get(site.url_for("one")).text == pages["one"]
        _, hrefs = listing_pages(httpx.Client(base_url=site.base_url))
        assert hrefs == [site.url_for("one")]
    with SampleSite(synthetic=40, per_page=25) as site, \
            httpx.Client(base_url=site.base_url) as c:
        assert len(sitemap_pages(c)) == len(SAMPLE_RECORDS) + 40
        seen, hrefs = listing_pages(c)
        assert len(seen) == 3 and len(set(hrefs)) == len(SAMPLE_RECORDS) + 40


def test_exit_stops_the_server() -> None:
    with SampleSite() as site:
        url = urljoin(site.base_url, "/robots.txt")
        assert httpx.get(url).status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)
