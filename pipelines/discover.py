"""Turn one configured source into a stream of page URLs, each at most once.

Every discovery method of a source runs in turn (explicit urls, sitemaps,
listing pages). A method that fails is counted and the others still run: a
broken sitemap must not hide the listing pages.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

from harvester.discovery.listing import iter_listing
from harvester.discovery.seeds import iter_seeds
from harvester.discovery.sitemap import iter_sitemap
from harvester.errors import HarvestError
from harvester.http import Fetcher

from .config import SourceSettings

log = logging.getLogger(__name__)

OnError = Callable[[str, HarvestError], None]


async def discover(
    source: SourceSettings, fetcher: Fetcher, on_error: OnError
) -> AsyncIterator[str]:
    """Yield each page URL of the source once, in discovery order."""
    seen: set[str] = set()

    def fresh(url: str) -> bool:
        if url in seen:
            return False
        seen.add(url)
        return True

    try:
        for url in iter_seeds(source.urls):
            if fresh(url):
                yield url
    except HarvestError as exc:
        on_error("urls", exc)

    for sitemap_url in source.sitemap:
        try:
            async for entry in iter_sitemap(fetcher, sitemap_url, politeness=source.politeness):
                if fresh(entry.loc):
                    yield entry.loc
        except HarvestError as exc:
            log.warning("sitemap %s failed: %s", sitemap_url, exc)
            on_error(sitemap_url, exc)

    for listing_url in source.listing:
        try:
            async for url in iter_listing(fetcher, listing_url, politeness=source.politeness):
                if fresh(url):
                    yield url
        except HarvestError as exc:
            log.warning("listing %s failed: %s", listing_url, exc)
            on_error(listing_url, exc)
