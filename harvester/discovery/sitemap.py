"""Sitemaps (sitemaps.org 0.9): read one document as a stream, or walk an index down to pages.

`open_sitemap` and `parse_sitemap` are pure. The document is read with a pull
parser, element by element, each <url> let go once read: a 50,000-URL
sitemap never sits in memory as a tree (the body itself does, as bytes: the
fetch caps it, and a gzipped one is inflated a megabyte at a time under
MAX_SITEMAP_BYTES). The parser is safexml's hardened one: no entities, no DTD
or network loads, entity declarations refused. `iter_sitemap` fetches through
the Fetcher (so robots.txt, politeness and retries apply) and yields entries
as each child sitemap arrives, depth-first, never collecting the whole site.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Literal, cast

from lxml import etree

from harvester.errors import DiscoveryError, FetchError, UnsafeXML
from harvester.http import Fetcher, NotModified
from harvester.normalize.identifiers import join_url
from harvester.politeness import Politeness
from harvester.safexml import (
    InflatesTooFar,
    _ExternalLoad,
    _refuse_entities,
    _refuse_entity_decls,
    _RefuseAll,
    inflate_capped,
    sanitize,
)

# The protocol allows 50 MB uncompressed; a little slack for sloppy generators.
MAX_SITEMAP_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 4
_GZIP_MAGIC = b"\x1f\x8b"
_FEED = 1 << 16  # bytes handed to the pull parser at a time

Kind = Literal["index", "urlset"]
_KINDS: dict[str, tuple[Kind, str]] = {"sitemapindex": ("index", "sitemap"),
                                       "urlset": ("urlset", "url")}


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    loc: str
    lastmod: str | None = None


@dataclass(frozen=True, slots=True)
class Sitemap:
    url: str
    kind: Kind
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
    """Read a <urlset> or <sitemapindex>, namespaced or not, gzipped or not, whole."""
    kind, entries = open_sitemap(body, url, recover=recover, max_bytes=max_bytes)
    return Sitemap(url, kind, tuple(entries))


def open_sitemap(
    body: bytes, url: str, *, recover: bool = False, max_bytes: int = MAX_SITEMAP_BYTES
) -> tuple[Kind, Iterator[SitemapEntry]]:
    """The sitemap's kind (its root element is read and checked now) and its entries,
    read lazily. Errors past the root (a document cut short) raise from the iterator."""
    data = _plain(body, url, max_bytes)
    stream = _read(data, url, recover)
    kind = cast(Kind, next(stream))  # the root: _read raises rather than stop before it
    return kind, cast(Iterator[SitemapEntry], stream)


def _plain(body: bytes, url: str, max_bytes: int) -> bytes:
    """The XML bytes: inflated (twice for gzip inside gzip), capped, checked, cleaned."""
    for _layer in range(2):
        if body[:2] != _GZIP_MAGIC:
            break
        body = gunzip_capped(body, url, max_bytes)
    if len(body) > max_bytes:
        raise DiscoveryError(f"sitemap is larger than {max_bytes} bytes", url=url)
    if body[:2] == _GZIP_MAGIC:
        raise DiscoveryError("sitemap is gzip inside gzip inside gzip", url=url)
    if not body.strip():
        raise DiscoveryError("sitemap is empty", url=url)
    _refuse_entity_decls(body, url)
    # control characters XML forbids: strict parsing would fail on them anyway
    return sanitize(body)


def _read(data: bytes, url: str, recover: bool) -> Iterator[Kind | SitemapEntry]:
    """Yield the kind once the root opens, then each entry as its element closes."""
    parser = etree.XMLPullParser(
        events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=False,
        load_dtd=False, recover=recover, collect_ids=False)
    parser.resolvers.add(_RefuseAll())
    depth, child, root = 0, "", None
    for at in range(0, len(data) + _FEED, _FEED):  # one extra turn: close() after the last
        events = _feed(parser, data[at:at + _FEED], url, last=at >= len(data))
        for event, el in events:
            if event == "start":
                depth += 1
                if root is None:
                    root = el
                    _refuse_entities(el, url)
                    name = _local(el)
                    if name not in _KINDS:
                        raise DiscoveryError(f"not a sitemap: root element <{name}>", url=url)
                    kind, child = _KINDS[name]
                    yield kind
                continue
            depth -= 1
            if depth != 1:
                continue
            if _local(el) == child:
                entry = _entry(el, url)
                if entry is not None:
                    yield entry
            # read: let it and its siblings before it go
            el.clear()
            while root is not None and el.getprevious() is not None:
                del root[0]
        if at >= len(data):
            break
    if root is None:
        raise DiscoveryError("sitemap is not well-formed XML: no root element", url=url)


def _feed(parser: etree.XMLPullParser, chunk: bytes, url: str, *, last: bool
          ) -> Iterator[tuple[str, etree._Element]]:
    try:
        if chunk:
            parser.feed(chunk)
        if last:
            parser.close()
    except _ExternalLoad as exc:
        raise UnsafeXML(f"document loads an external resource ({exc}); refused", url=url) from exc
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"sitemap is not well-formed XML: {exc}", url=url) from exc
    return parser.read_events()  # type: ignore[return-value]


def _entry(item: etree._Element, url: str) -> SitemapEntry | None:
    fields = {_local(f): (f.text or "").strip() for f in item if isinstance(f.tag, str)}
    loc = fields.get("loc")
    if not loc:
        return None
    try:
        resolved = join_url(url, loc)
    except ValueError:  # "http://[::1" and other hosts urllib cannot split: not fetchable
        return None
    return SitemapEntry(resolved, fields.get("lastmod") or None)


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
) -> AsyncGenerator[SitemapEntry, None]:
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
        kind, entries = open_sitemap(await _fetch(fetcher, current, politeness), current)
        for entry in entries:
            if kind == "urlset":
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
