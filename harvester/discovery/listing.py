"""Pure portal listing pages (`/en/publications/?page=N`): research-output links and the pager.

A result on a listing page is `li.list-result-item > div.result-container`
with the title link `h3.title > a`, whose `rel` names the output type
(ContributionToJournal, BookAnthology, ...). The pager is `nav.pages` with
`a.nextLink`; its `?page=N` is 0-based.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser
from selectolax.lexbor import LexborNode as Node

from harvester.errors import DiscoveryError, FetchError
from harvester.http import Fetcher, NotModified
from harvester.nesting import too_nested
from harvester.politeness import Politeness
from harvester.types import Page

_RESULT_CLASSES = ("result-container", "list-result-item")

# Pure's research-output type names as they appear in rel= on title links.
_OUTPUT_RELS = frozenset(
    {
        "contributiontojournal",
        "contributiontobookanthology",
        "contributiontoconference",
        "contributiontoperiodical",
        "contributiontomemorandum",
        "bookanthology",
        "workingpaper",
        "thesis",
        "patent",
        "othercontribution",
        "nontextual",
        "memorandum",
        "researchoutput",
    }
)
# /publications/<slug>[/]: one path segment under publications, optionally after a locale.
_OUTPUT_PATH = re.compile(r"^(?:/[a-z]{2}(?:[-_][a-zA-Z]{2})?)?/publications/([^/?#]+)/?$")
_NOT_SLUGS = frozenset({"search", "searchall", "index", "export", "rss"})


@dataclass(frozen=True, slots=True)
class ListingPage:
    items: tuple[str, ...]
    next_url: str | None


def _is_output_path(url: str) -> bool:
    parts = urlsplit(url)
    if parts.query:
        return False
    m = _OUTPUT_PATH.match(parts.path)
    return m is not None and m.group(1).lower() not in _NOT_SLUGS


def _classes(node: Node) -> list[str]:
    return (node.attributes.get("class") or "").split()


def _is_result_title(a: Node) -> bool:
    """`h3.title > a` somewhere inside a result container."""
    h3 = a.parent
    if h3 is None or h3.tag != "h3" or "title" not in _classes(h3):
        return False
    node = h3.parent
    while node is not None:
        if any(c in _RESULT_CLASSES for c in _classes(node)):
            return True
        node = node.parent
    return False


def parse_listing(page: Page) -> ListingPage:
    """Research-output URLs (absolute, de-duplicated, in page order) and the next page's URL."""
    data = page.text().encode("utf-8")
    if too_nested(data):  # lexbor is quadratic in nesting depth: minutes for 200 KB
        raise DiscoveryError("listing page nests too deep to parse", url=page.url)
    tree = LexborHTMLParser(data)
    base = page.url
    items: dict[str, None] = {}
    for a in tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = _join(base, href)
        if url is None or urlsplit(url).scheme not in ("http", "https"):
            continue
        rel = (a.attributes.get("rel") or "").strip().lower()
        if rel in _OUTPUT_RELS or _is_output_path(url) or _is_result_title(a):
            items.setdefault(url, None)
    return ListingPage(tuple(items), _next_url(tree, base))


def _page_number(url: str) -> int | None:
    try:
        values = parse_qs(urlsplit(url).query).get("page")
    except ValueError:  # the page's own URL may be unsplittable too
        return None
    if not values:
        return None
    try:
        return int(values[0])
    except ValueError:
        return None


def _next_url(tree: LexborHTMLParser, base: str) -> str | None:
    node = tree.css_first("a.nextLink[href]")
    if node is not None:
        href = (node.attributes.get("href") or "").strip()
        if href and (url := _join(base, href)) is not None:
            return url
    wanted = (_page_number(base) or 0) + 1
    scope = tree.css_first("nav.pages") or tree
    for a in scope.css("a[href]"):
        url = _join(base, (a.attributes.get("href") or "").strip())
        if url is not None and _page_number(url) == wanted:
            return url
    return None


def _join(base: str, href: str) -> str | None:
    """The absolute URL without its fragment; None for one urllib cannot split ("http://[")."""
    try:
        url = urldefrag(urljoin(base, href))[0]
        urlsplit(url)  # urljoin hands back an unsplit href when the base is empty
    except ValueError:
        return None
    return url


async def iter_listing(
    fetcher: Fetcher, url: str, *, politeness: Politeness, max_pages: int = 10_000
) -> AsyncIterator[str]:
    """Yield research-output URLs page by page, following the pager.

    Stops at the last page, at a page URL already visited, at a page that adds
    no new items (a portal that repeats its last page for any ?page=N), or
    after `max_pages`.
    """
    visited: set[str] = set()
    seen: set[str] = set()
    current: str | None = url
    while current is not None and current not in visited and len(visited) < max_pages:
        visited.add(current)
        listing = parse_listing(await _fetch(fetcher, current, politeness))
        fresh = [item for item in listing.items if item not in seen]
        if not fresh:
            return
        for item in fresh:
            seen.add(item)
            yield item
        current = listing.next_url


async def _fetch(fetcher: Fetcher, url: str, politeness: Politeness) -> Page:
    try:
        page = await fetcher.fetch(url, politeness=politeness)
    except FetchError as exc:
        raise DiscoveryError(f"listing page could not be fetched: {exc}", url=url) from exc
    if isinstance(page, NotModified):
        raise DiscoveryError("unexpected 304 for an unconditional request", url=url)
    return page
