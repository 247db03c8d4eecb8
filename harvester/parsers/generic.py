"""Fallback parser for any page: embedded metadata only (citation_*, eprints, DC, PRISM, og).

Platform parsers that know a page's markup do better; this one keeps
`platform: auto` useful on sites nobody has written a parser for yet.
"""

from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser

from harvester.errors import NotARecord
from harvester.normalize.identifiers import normalize_url
from harvester.types import Page, Record

from ._html import MetaTags, absolute
from ._meta import meta_layers, resolve

PLATFORM = "other"

_SIMPLE = ("title", "abstract", "doi", "journal", "volume", "issue", "pages", "published",
           "online", "language", "publisher", "host_publication", "type_raw", "authors",
           "keywords", "identifiers", "files")


def parse(page: Page) -> Record:
    html = page.text()
    if not html.strip():
        raise NotARecord("empty page", url=page.url)
    meta = MetaTags.from_tree(LexborHTMLParser(html))
    picked = resolve(meta_layers(meta))
    if "title" not in picked:
        raise NotARecord("no embedded title metadata (citation_*, DC, og)", url=page.url)
    canonical = absolute(page.url, meta.canonical or picked.get("url", (None, ""))[0])
    values: dict[str, Any] = {k: picked[k][0] for k in _SIMPLE if k in picked}
    return Record(
        url=canonical or page.url,
        platform=PLATFORM,
        source_key=normalize_url(canonical) if canonical else page.url,
        provenance={k: picked[k][1] for k in _SIMPLE if k in picked},
        **values,
    )
