"""Open Journal Systems article pages (OJS 2.x/3.x; PKP's Open Preprint Systems too) -> Record.

OJS writes Highwire citation_* and its own Dublin Core flavour
(`DC.Creator.PersonalName`, `DC.Source` = journal title, `DC.Source.Volume`,
`DC.Source.Issue`, `DC.Identifier.pageNumber`, `DC.Identifier.DOI`,
`DC.Type` = "Text.Serial.Journal", `DC.Type.articleType` = the journal
section). The OJS layer reads those; the page layer reads the default theme's
`section.item.abstract`, since OJS puts the abstract in DC.Description only
per locale. Articles are journal articles; OPS servers carry preprints.
"""

from __future__ import annotations

import re

from harvester.normalize.identifiers import normalize_doi
from harvester.normalize.text import strip_markup
from harvester.types import Page, Record

from ._detect import Signals
from ._html import MetaTags, text_of
from ._meta import FieldMap, date, pages, put, text
from .generic import EMBEDDED_ORDER, PRECEDENCE, build_record, read_embedded

PLATFORM = "ojs"

_GENERATORS = ("open journal systems", "open preprint systems")
_ARTICLE_URL = re.compile(r"/index\.php/[^/]+/(?:article|preprint)/view/\d+")
_MARKERS = (b"pkp_structure_page", b"pkp_page_article", b"obj_article_details")


def in_head(signals: Signals) -> bool:
    """Evidence in the address or the document head (asked of every platform first)."""
    return any(g in signals.generator for g in _GENERATORS) or (
        _ARTICLE_URL.search(signals.path) is not None
        and signals.has_meta("citation_journal_title")
    )


def in_body(signals: Signals) -> bool:
    """Evidence in the body's markup (asked only when no head says which platform)."""
    return any(m in signals.body for m in _MARKERS)


def looks_like(page: Page, signals: Signals) -> bool:
    return in_head(signals) or in_body(signals)


def ojs_fields(meta: MetaTags, generator: str) -> FieldMap:
    f: FieldMap = {}
    put(f, "journal", text(meta.first("dc.source")))
    put(f, "volume", text(meta.first("dc.source.volume")))
    put(f, "issue", text(meta.first("dc.source.issue")))
    put(f, "pages", pages(meta.first("dc.identifier.pagenumber"), None))
    put(f, "doi", normalize_doi(meta.first("dc.identifier.doi") or ""))
    put(f, "type_raw", text(meta.first("dc.type.articletype")))
    # OJS 2 may print only the year in citation_date beside this full day: the
    # record takes the day (refine_date), never a different year from here
    put(f, "published", date(meta.first("dc.date.issued")))
    f["type"] = "preprint" if "preprint" in generator else "article"
    return f


def parse(page: Page) -> Record:
    emb = read_embedded(page)
    signals = Signals.of(page.url, page.body[:65536])
    f = ojs_fields(emb.meta, signals.generator)
    block = emb.tree.css_first("section.item.abstract") or emb.tree.css_first("div#articleAbstract")
    if block is not None:
        heading = block.css_first("h2, h3, .label")
        if heading is not None:
            heading.decompose()
        put(f, "abstract", strip_markup(block.html or "") or text_of(block) or None)
    prefer = {"type": ("ojs", *PRECEDENCE["type"]), "published": (*EMBEDDED_ORDER, "ojs")}
    return build_record(page, emb, platform=PLATFORM, front=[("ojs", f)], prefer=prefer)
