"""Sitemaps (sitemaps.org 0.9): parse one document, or walk an index down to page URLs.

`parse_sitemap` is pure. `iter_sitemap` fetches through the Fetcher (so
robots.txt, politeness and retries apply) and yields entries as each child
sitemap arrives, depth-first, never collecting the whole site in memory.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin

from lxml import etree

from harvester.errors import DiscoveryError, FetchError, ParseError, ResponseTooLarge, UnsafeXML
from harvester.http import Fetcher, NotModified
from harvester.politeness import Politeness
from harvester.safexml import InflatesTooFar, inflate_capped, parse_xml

# The protocol allows 50 MB uncompressed; a little slack for sloppy generators.
MAX_SITEMAP_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 4
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    loc: str
    lastmod: str | None = None


@dataclass(frozen=True, slots=True)
class Sitemap:
    url: str
    kind: Literal["index", "urlset"]
    entries: tuple[SitemapEntry, ...]


def gunzip_capped(body: bytes, url: str, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """Decompress a gzip body, refusing to produce more than `limit` bytes."""
    try:
        return inflate_capped(body, limit)
    except zlib.error as exc:
        raise DiscoveryError(f"sitemap is not valid gzip: {exc}", url=url) from exc
    except InflatesTooFar as exc:
        raise DiscoveryError(f"sitemap decompresses past {limit} bytes", url=url) from exc


def parse_sitemap(
    body: bytes, url: str, *, recover: bool = False, max_bytes: int = MAX_SITEMAP_BYTES
) -> Sitemap:
    """Read a <urlset> or <sitemapindex>, namespaced or not, gzipped or not."""
    if body[:2] == _GZIP_MAGIC:
        body = gunzip_capped(body, url, max_bytes)
    if len(body) > max_bytes:
        raise DiscoveryError(f"sitemap is larger than {max_bytes} bytes", url=url)
    if not body.strip():
        raise DiscoveryError("sitemap is empty", url=url)
    try:
        # one hardened parser for all XML: no entities, no DTD or network loads
        root = parse_xml(body, url=url, recover=recover)
    except UnsafeXML:
        raise
    except ParseError as exc:
        raise DiscoveryError(f"sitemap is not well-formed XML: {exc}", url=url) from exc
    except ResponseTooLarge as exc:  # gzip inside gzip: parse_xml inflates the inner layer
        raise DiscoveryError(f"sitemap decompresses too far: {exc}", url=url) from exc

    kinds: dict[str, tuple[Literal["index", "urlset"], str]] = {
        "sitemapindex": ("index", "sitemap"),
        "urlset": ("urlset", "url"),
    }
    name = _local(root)
    if name not in kinds:
        raise DiscoveryError(f"not a sitemap: root element <{name}>", url=url)
    kind, child = kinds[name]
    entries = []
    for item in root:
        if not isinstance(item.tag, str) or _local(item) != child:
            continue
        fields = {_local(f): (f.text or "").strip() for f in item if isinstance(f.tag, str)}
        loc = fields.get("loc")
        if not loc:
            continue
        try:
            absolute = urljoin(url, loc)
        except ValueError:  # "http://[::1" and other hosts urllib cannot split: not fetchable
            continue
        entries.append(SitemapEntry(absolute, fields.get("lastmod") or None))
    return Sitemap(url, kind, tuple(entries))


def _local(el: etree._Element) -> str:
    # not etree.QName: it raises ValueError on the tags recover mode invents (":tle")
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rpartition("}")[2]


async def iter_sitemap(
    fetcher: Fetcher,
    url: str,
    *,
    politeness: Politeness,
    max_depth: int = MAX_DEPTH,
) -> AsyncIterator[SitemapEntry]:
    """Yield page entries from a sitemap or sitemap index, following indexes depth-first.

    Each sitemap is fetched at most once (index loops end there); nesting
    deeper than `max_depth` is skipped. A failure raises DiscoveryError naming
    the sitemap that failed; entries already yielded stay yielded.
    """
    seen: set[str] = set()

    async def walk(current: str, depth: int) -> AsyncIterator[SitemapEntry]:
        if current in seen or depth > max_depth:
            return
        seen.add(current)
        sitemap = parse_sitemap(await _fetch(fetcher, current, politeness), current)
        for entry in sitemap.entries:
            if sitemap.kind == "urlset":
                yield entry
            else:
                async for inner in walk(entry.loc, depth + 1):
                    yield inner

    async for entry in walk(url, 0):
        yield entry


async def _fetch(fetcher: Fetcher, url: str, politeness: Politeness) -> bytes:
    try:
        page = await fetcher.fetch(url, politeness=politeness)
    except FetchError as exc:
        raise DiscoveryError(f"sitemap could not be fetched: {exc}", url=url) from exc
    if isinstance(page, NotModified):  # no validators were sent; a 304 is a broken server
        raise DiscoveryError("unexpected 304 for an unconditional request", url=url)
    return page.body
