"""bepress Digital Commons item pages -> Record.

Layers: the page's `div.element` blocks by id (`#title`, `#authors`,
`#publication_date`, `#document_type`, `#abstract`, `#keywords`, `#doi`,
`#source_publication`, ...), the `#recommended_citation` line (volume, issue,
article number), then `bepress_citation_*`, citation_* and DC meta, then the plain `keywords` and
`description` meta (the item's own, on Digital Commons). Dates such as "Spring 2019"
keep the precision the normaliser gives them (year); numeric ones are month first.
"""

from __future__ import annotations

import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from harvester.errors import NotARecord
from harvester.normalize.identifiers import normalize_url
from harvester.types import Page, PageRange, Record

from ._detect import Signals
from ._html import MetaTags, absolute, is_blank, parse_html, text_of
from ._labelled import Rows, cell_lines, rows_layer
from ._meta import (
    FieldMap,
    Layer,
    citation_fields,
    dc_fields,
    keywords,
    prose,
    put,
    resolve,
)
from .coarse_types import coarse_type

PLATFORM = "bepress"

BLOCKS: dict[str, str] = {
    "title": "title", "publication_date": "published", "document_type": "type_raw",
    "abstract": "abstract", "keywords": "keywords", "doi": "doi",
    "source_publication": "journal", "language": "language", "publisher": "publisher",
    "fpage": "page_first", "lpage": "page_last", "volnum": "volume", "issnum": "issue",
    "isbn": "isbn", "issn": "issn",
}
# Document types whose words the shared table reads otherwise.
TYPES: dict[str, str] = {
    "conference proceeding": "conference-paper", "presentation": "other",
    "book chapter": "chapter", "article": "article", "book review": "article",
    "editorial": "article", "data set": "dataset", "dataset": "dataset",
}
_CITED = re.compile(r"Vol\.\s*(?P<vol>[\w-]+)(?:\s*:\s*Iss\.\s*(?P<iss>[\w-]+))?")
_SIMPLE = ("title", "abstract", "doi", "journal", "volume", "issue", "pages", "published",
           "language", "publisher", "type_raw", "authors", "keywords", "identifiers")


def in_head(signals: Signals) -> bool:
    """Evidence in the address or the document head (asked of every platform first)."""
    return signals.has_meta_prefix("bepress_")


def in_body(signals: Signals) -> bool:
    """Evidence in the body's markup (asked only when no head says which platform)."""
    return b"digitalcommons" in signals.body and b'id="recommended_citation"' in signals.body


def looks_like(page: Page, signals: Signals) -> bool:
    return in_head(signals) or in_body(signals)


def _blocks(tree: LexborHTMLParser) -> FieldMap:
    rows = Rows()
    for key_id, key in BLOCKS.items():
        block = tree.css_first(f"div#{key_id}")
        if block is None:
            continue
        heading = block.css_first("h2, h4")
        values = cell_lines(block) if key == "keywords" else [text_of(block)]
        if heading is not None:
            label = text_of(heading)
            values = [v.removeprefix(label).strip() for v in values if v != label]
        rows.add(key, values, key_id)
    names = tree.css("div#authors p.author strong") or tree.css("div#authors p.author")
    rows.add("authors", [text_of(n) for n in names], "authors")
    # Digital Commons prints dates month first ("5-3-2019"), the US way, on every site
    f = rows_layer(rows, order="mdy")
    if "pages" not in f and "page_last" in rows:
        # a shown last page without a shown first one: the meta's first page joins it
        f["page_last"] = rows.first("page_last")
    cited = _CITED.search(text_of(tree.css_first("#recommended_citation")))
    if cited:
        put(f, "volume", f.get("volume") or cited.group("vol"))
        put(f, "issue", f.get("issue") or cited.group("iss"))
    return f


def _page_meta(meta: MetaTags) -> FieldMap:
    """Digital Commons writes the item's keywords and abstract into the page's plain
    `keywords` and `description` meta: they stand when a site hides those blocks."""
    f: FieldMap = {}
    put(f, "keywords", keywords(meta.all("keywords")))
    put(f, "abstract", prose(meta.first("description")))
    return f


def parse(page: Page) -> Record:
    if is_blank(page.body):
        raise NotARecord("empty page", url=page.url)
    tree = parse_html(page)
    meta = MetaTags.from_tree(tree)
    blocks = _blocks(tree)
    layers: list[Layer] = [
        ("bepress:page", blocks),
        ("meta:bepress", citation_fields(meta, prefix="bepress_citation_")),
        ("meta:citation", citation_fields(meta)),
        ("meta:dc", dc_fields(meta)),
        ("meta:page", _page_meta(meta)),
    ]
    picked = resolve(layers)
    if "title" not in picked:
        raise NotARecord("no title: not a Digital Commons item page", url=page.url)
    values: dict[str, Any] = {k: picked[k][0] for k in _SIMPLE if k in picked}
    provenance = {k: picked[k][1] for k in _SIMPLE if k in picked}
    shown = values.get("pages")
    if "page_last" in blocks and shown is not None and shown.first and not shown.last:
        values["pages"] = PageRange(shown.first, blocks["page_last"], shown.count)
    raw = values.get("type_raw")
    kind = TYPES.get((raw or "").casefold()) or coarse_type(raw)
    if kind:
        provenance["type"] = provenance.get("type_raw", "")
    canonical = absolute(page.url, meta.canonical or meta.first(
        "bepress_citation_abstract_html_url", "citation_abstract_html_url"))
    url = canonical or page.url
    return Record(url=url, platform=PLATFORM, source_key=normalize_url(url) if url else "",
                  type=kind, provenance=provenance, **values)
