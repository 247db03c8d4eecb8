"""Pure listing pages: research-output links, the pager, and walking all pages."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from httpserver import FakeTime, MockHandler, mock_fetcher

from harvester.discovery.listing import iter_listing, parse_listing
from harvester.errors import DiscoveryError
from harvester.politeness import Politeness
from harvester.types import Page

FIXTURES = Path(__file__).parent / "fixtures" / "discovery"
PORTAL = "https://portal.example.edu"
LISTING = f"{PORTAL}/en/publications/"
FREE = Politeness(concurrency=1, delay=0, obey_robots=False)


def fixture_page(name: str, url: str = LISTING) -> Page:
    return Page(url, (FIXTURES / name).read_bytes(), headers={"content-type": "text/html"})


@pytest.mark.corpus
def test_bath_listing_yields_its_fifty_research_outputs(corpus: Path) -> None:
    body = (corpus / "pure" / "bath-researchportal-publications-list-fragment.html").read_bytes()
    listing = parse_listing(Page("https://researchportal.bath.ac.uk/en/publications/", body))
    assert len(listing.items) == 50
    assert len(set(listing.items)) == 50
    assert all(
        u.startswith("https://researchportal.bath.ac.uk/en/publications/") for u in listing.items
    )
    assert not any("?" in u or "/persons/" in u for u in listing.items)
    assert listing.items[0].endswith("/an-illustrated-guide-to-clinical-psychology")
    assert listing.next_url == "https://researchportal.bath.ac.uk/en/publications/?page=1"


def test_result_titles_are_absolute_deduplicated_and_in_page_order() -> None:
    listing = parse_listing(fixture_page("listing-page-0.html"))
    assert listing.items == (
        f"{PORTAL}/en/publications/tidal-mixing-in-shallow-estuaries",
        f"{PORTAL}/en/publications/a-grammar-of-silence",
        f"{PORTAL}/en/publications/ledger-models-for-small-cooperatives",
    )


def test_next_link_is_followed_before_page_numbers() -> None:
    assert parse_listing(fixture_page("listing-page-0.html")).next_url == f"{LISTING}?page=1"


def test_without_next_link_the_next_page_number_is_used() -> None:
    page = fixture_page("listing-page-1.html", f"{LISTING}?page=1")
    assert parse_listing(page).next_url == f"{LISTING}?page=2"


def test_last_page_has_no_next() -> None:
    page = fixture_page("listing-page-2.html", f"{LISTING}?page=2")
    assert parse_listing(page).next_url is None


def test_links_by_path_without_result_markup() -> None:
    listing = parse_listing(fixture_page("listing-bare.html"))
    assert listing.items == (
        f"{PORTAL}/en/publications/river-bank-erosion-after-floods",
        f"{PORTAL}/en/publications/kelp-forest-recovery-rates",
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{LISTING}?page=3", f"{LISTING}?page=4"),
        (f"{LISTING}?page=4", None),
        (LISTING, None),
    ],
)
def test_pager_without_nav_uses_current_page_plus_one(url: str, expected: str | None) -> None:
    assert parse_listing(fixture_page("listing-bare.html", url)).next_url == expected


def portal(pages: dict[int, str]) -> tuple[MockHandler, list[str]]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        n = int(request.url.params.get("page", "0"))
        if n not in pages:
            return httpx.Response(404)
        return httpx.Response(200, content=(FIXTURES / pages[n]).read_bytes())

    return handler, seen


async def walk(pages: dict[int, str], **kw: int) -> tuple[list[str], list[str]]:
    handler, seen = portal(pages)
    fetcher = mock_fetcher(handler, FakeTime())
    items = [u async for u in iter_listing(fetcher, LISTING, politeness=FREE, **kw)]
    return items, seen


async def test_iter_listing_walks_every_page_once() -> None:
    pages = {0: "listing-page-0.html", 1: "listing-page-1.html", 2: "listing-page-2.html"}
    items, seen = await walk(pages)
    assert [u.rsplit("/", 1)[1] for u in items] == [
        "tidal-mixing-in-shallow-estuaries",
        "a-grammar-of-silence",
        "ledger-models-for-small-cooperatives",
        "soil-carbon-under-rotational-grazing",
        "a-self-levelling-trowel",
    ]
    assert seen == [LISTING, f"{LISTING}?page=1", f"{LISTING}?page=2"]


async def test_iter_listing_stops_when_a_page_adds_nothing_new() -> None:
    # Some portals answer any ?page=N past the end with the last page again.
    pages = {0: "listing-page-0.html", 1: "listing-page-0.html"}
    items, seen = await walk(pages)
    assert len(items) == 3
    assert seen == [LISTING, f"{LISTING}?page=1"]


async def test_iter_listing_respects_max_pages() -> None:
    pages = {0: "listing-page-0.html", 1: "listing-page-1.html", 2: "listing-page-2.html"}
    items, seen = await walk(pages, max_pages=2)
    assert len(seen) == 2 and len(items) == 4


async def test_iter_listing_failure_is_a_discovery_error() -> None:
    with pytest.raises(DiscoveryError) as info:
        await walk({0: "listing-page-0.html"})  # ?page=1 answers 404
    assert info.value.url == f"{LISTING}?page=1"
