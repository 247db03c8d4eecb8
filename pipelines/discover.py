"""Turn one configured source into a stream of page URLs, each at most once.

Every discovery method of a source runs in turn (explicit urls, sitemaps,
listing pages). A method that fails is counted and the others still run: a
broken sitemap must not hide the listing pages. After a complete discovery, the
pages a source used to list and no longer does are asked for again (then_recheck).
A sitemap's <lastmod> travels with its URL (`Listed`): the pipeline may skip a
page it dates before our last fetch (pipelines/unchanged.py).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, select

from harvester.discovery.listing import iter_listing
from harvester.discovery.seeds import iter_seeds
from harvester.discovery.sitemap import iter_sitemap
from harvester.errors import HarvestError
from harvester.http import Fetcher
from harvester.normalize.identifiers import normalize_url

from .config import SourceSettings
from .models import fetched_pages, publications
from .state_rows import json_select

log = logging.getLogger(__name__)

OnError = Callable[[str, HarvestError], None]
_KEYS_PER_QUERY = 5000


class Listed(NamedTuple):
    """A page URL (normalised) and the sitemap's <lastmod> for it, as written (or None)."""

    url: str
    lastmod: str | None = None


async def discover(
    source: SourceSettings, fetcher: Fetcher, on_error: OnError,
    seen: set[str] | None = None,
) -> AsyncIterator[str]:
    """discover_listed's URLs alone."""
    async for found in discover_listed(source, fetcher, on_error, seen):
        yield found.url


async def discover_listed(
    source: SourceSettings, fetcher: Fetcher, on_error: OnError,
    seen: set[str] | None = None,
) -> AsyncIterator[Listed]:
    """Yield each page URL of the source once, normalised (normalize_url: the form
    fetched_pages keeps), in discovery order, with its sitemap lastmod. `seen`
    collects them: the caller's set, so a re-check of unlisted pages needs no second one."""
    seen = set() if seen is None else seen

    def fresh(url: str) -> str | None:
        key = normalize_url(url)
        if key in seen:
            return None
        seen.add(key)
        return key

    try:
        for url in iter_seeds(source.urls):
            if key := fresh(url):
                yield Listed(key)
    except HarvestError as exc:
        on_error("urls", exc)

    for sitemap_url in source.sitemap:
        try:
            async for entry in iter_sitemap(fetcher, sitemap_url, politeness=source.politeness):
                if key := fresh(entry.loc):
                    yield Listed(key, entry.lastmod)
        except HarvestError as exc:
            log.warning("sitemap %s failed: %s", sitemap_url, exc)
            on_error(sitemap_url, exc)

    for listing_url in source.listing:
        try:
            async for url in iter_listing(fetcher, listing_url, politeness=source.politeness):
                if key := fresh(url):
                    yield Listed(key)
        except HarvestError as exc:
            log.warning("listing %s failed: %s", listing_url, exc)
            on_error(listing_url, exc)


async def then_recheck(
    urls: AsyncIterator[Listed], listed: set[str], complete: Callable[[], bool],
    unlisted: Callable[[set[str]], Awaitable[list[str]]],
) -> AsyncIterator[Listed]:
    """Yield `urls` (discover's, which fills `listed`), then, when discovery was
    `complete()` (no error, not stopped), the source's known record pages it no longer
    lists (`unlisted(listed)`): only a page asked for again can answer 404/410 and be
    confirmed gone."""
    async for found in urls:
        yield found
    if complete():
        for url in await unlisted(listed):
            yield Listed(url)


def unlisted_pages(conn: Connection, source_id: int, listed: set[str]) -> list[str]:
    """Pages of the source that carried a live record and are not in `listed`, by URL.
    The listed ones are dropped before any record is looked at: usually all of them
    are listed, and a liveness test per page cost three times the plain read."""
    fp, p = fetched_pages.c, publications.c
    pages = select(fp.url, fp.source_key).where(
        fp.source_id == source_id, fp.source_key.is_not(None))
    gone = {url: key for url, key in _rows(conn, pages) if url not in listed}
    keys = sorted(set(gone.values()))
    live: set[str] = set()
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        found = select(p.source_key).where(
            p.source_id == source_id, p.source_key.in_(keys[start:start + _KEYS_PER_QUERY]),
            p.deleted_at.is_(None))
        live.update(key for key, in _rows(conn, found))
    return sorted(url for url, key in gone.items() if key in live)


def _rows(conn: Connection, stmt: Select[Any]) -> Iterable[Sequence[Any]]:
    """On SQLite one step for all rows: this runs in the read thread while the event loop
    sends requests, and sqlite3 hands the GIL over at every step (pipelines/state_rows)."""
    rows = json_select(conn, stmt)
    return conn.execute(stmt) if rows is None else rows
