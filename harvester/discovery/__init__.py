"""Discovery: where page URLs come from (sitemaps, Pure listing pages, seed lists).

Each module has a pure parser and an async iterator that fetches through a
`harvester.http.Fetcher`, so politeness, robots.txt and retries always apply.
"""

from harvester.discovery.listing import ListingPage, iter_listing, parse_listing
from harvester.discovery.seeds import iter_seeds, normalize_seed
from harvester.discovery.sitemap import Sitemap, SitemapEntry, iter_sitemap, parse_sitemap

__all__ = [
    "ListingPage",
    "Sitemap",
    "SitemapEntry",
    "iter_listing",
    "iter_seeds",
    "iter_sitemap",
    "normalize_seed",
    "parse_listing",
    "parse_sitemap",
]
