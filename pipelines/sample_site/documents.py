"""The discovery documents of the sample portal: robots.txt, sitemaps, listing pages.

Listing markup follows Pure's search results (MARKUP.md, the Bath list fragment):
`li.list-result-item > div.result-container > div.rendering_…_portal-short >
h3.title > a.link[rel=…]`, and `nav.pages` with 0-based `?page=N` steps and
`a.nextLink`.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from xml.sax.saxutils import escape as xml_escape

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
DEFAULT_ROBOTS = """User-agent: *
Disallow: /en/private/
Sitemap: {base_url}/sitemap.xml
"""


@dataclass(frozen=True, slots=True)
class Entry:
    """What the listing and the sitemaps need to know of one page."""

    slug: str
    title: str
    rel: str
    lastmod: str  # YYYY-MM-DD
    byline: str = ""


def page_url(base_url: str, slug: str) -> str:
    return f"{base_url}/en/publications/{slug}/"


def sitemap_index(base_url: str, lastmod: str) -> bytes:
    items = "".join(f"<sitemap><loc>{base_url}/{name}</loc><lastmod>{lastmod}</lastmod></sitemap>"
                    for name in ("sitemap-1.xml", "sitemap-2.xml.gz"))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">'
            f"{items}</sitemapindex>\n").encode()


def split_for_sitemaps(entries: Sequence[Entry]) -> tuple[Sequence[Entry], Sequence[Entry]]:
    half = (len(entries) + 1) // 2
    return entries[:half], entries[half:]


def urlset(base_url: str, entries: Sequence[Entry], *, gz: bool = False) -> bytes:
    items = "".join(f"<url><loc>{xml_escape(page_url(base_url, e.slug))}</loc>"
                    f"<lastmod>{e.lastmod}</lastmod></url>" for e in entries)
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">{items}'
            "</urlset>\n").encode()
    # mtime=0 keeps the gzip bytes identical between runs
    return gzip.compress(body, mtime=0) if gz else body


def _item(base_url: str, index: int, e: Entry) -> str:
    fam = e.rel.lower()
    cls = (f"rendering rendering_researchoutput  rendering_researchoutput_portal-short "
           f"rendering_{fam} rendering_portal-short rendering_{fam}_portal-short")
    return (f'<li class="list-result-item list-result-item-{index}"><div class="result-container">'
            f'<div class="{cls}"><h3 class="title"><a rel="{e.rel}" href="'
            f'{page_url(base_url, e.slug)}" class="link"><span>{escape(e.title)}</span></a></h3>'
            f"{escape(e.byline)}</div></div></li>")


def _pager(page: int, pages: int) -> str:
    steps = []
    if page > 0:
        steps.append(f'<li class="previous"><a href="/en/publications/?page={page - 1}" '
                     f'class="prevLink" aria-label="Previous page, page{page}">‹ Previous</a></li>')
    for n in range(pages):
        if n == page:
            steps.append(f'<li><span class="currentStep" aria-label="Current page, page{n + 1}">'
                         f"{n + 1}</span></li>")
        else:
            steps.append(f'<li><a href="/en/publications/?page={n}" class="step" '
                         f'aria-label="Goto page{n + 1}">{n + 1}</a></li>')
    if page + 1 < pages:
        steps.append(f'<li class="next"><a href="/en/publications/?page={page + 1}" '
                     f'class="nextLink" aria-label="Next page, page{page + 2}">Next ›</a></li>')
    return f'<nav class="pages" aria-label="Pagination"><ul>{"".join(steps)}</ul></nav>'


def listing_page(base_url: str, entries: Sequence[Entry], page: int, per_page: int) -> str:
    """One 0-based page of the research-output list; past the end it lists nothing."""
    pages = max(1, -(-len(entries) // per_page))
    start = page * per_page
    shown = entries[start:start + per_page]
    items = "".join(_item(base_url, start + i, e) for i, e in enumerate(shown))
    info = (f"{start + 1} - {start + len(shown)} out of {len(entries)} results" if shown
            else f"0 out of {len(entries)} results")
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/>'
            "<title>Research output - Northbridge University</title></head>"
            '<body data-page="publications"><main id="page-content">'
            '<div class="portal-search-results"><div class="search-result-top"><ul>'
            f'<li class="search-pager-information">{info}</li></ul></div>'
            f'<h2 class="sr-only hidden_search_result_heading">Search results</h2>'
            f'<ul class="list-results">{items}</ul>{_pager(page, pages)}</div></main></body>'
            "</html>\n")
