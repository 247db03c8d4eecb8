"""arXiv abstract pages (arxiv.org/abs/<id>) and their mirrors -> Record.

citation_* meta give title, authors (Family, Given), citation_date (first
submission) and the abstract. The page layer adds the visible abstract (links
shown as "this http URL", as a reader copies it), the arXiv-issued DataCite DOI
under "Cite as", the Subjects row as keywords and a page count only when the
Comments row states one ("7 pages, 3 figures"). citation_online_date is the
date of the version shown, not an early-online date, so it is not read. A
journal DOI in the "DOI" row belongs to the published version, another work.
"""

from __future__ import annotations

import re
from dataclasses import replace

from selectolax.lexbor import LexborHTMLParser

from harvester.normalize.identifiers import normalize_doi
from harvester.normalize.pages import parse_page_count
from harvester.normalize.text import clean
from harvester.types import Identifier, Page, PageRange, Record

from ._detect import Signals
from ._html import text_of
from ._meta import FieldMap, put
from .generic import PRECEDENCE, build_record, read_embedded

PLATFORM = "arxiv"

_ID = re.compile(r"/abs/((?:\d{4}\.\d{4,5}|[a-z.-]+/\d{7}))(?:v\d+)?", re.I)


def in_head(signals: Signals) -> bool:
    """Evidence in the address or the document head (asked of every platform first)."""
    if signals.host_is("arxiv.org") and signals.path.startswith("/abs/"):
        return True
    return signals.has_meta("citation_arxiv_id")


def looks_like(page: Page, signals: Signals) -> bool:
    return in_head(signals)


def page_fields(tree: LexborHTMLParser) -> FieldMap:
    f: FieldMap = {"type": "preprint", "type_raw": "arXiv preprint"}
    block = tree.css_first("blockquote.abstract")
    if block is not None:
        label = block.css_first("span.descriptor")
        if label is not None:
            label.decompose()
        put(f, "abstract", text_of(block) or None)
    link = tree.css_first("#arxiv-doi-link") or tree.css_first("td.arxivdoi a")
    put(f, "doi", normalize_doi(link.attributes.get("href") or text_of(link)) if link else None)
    subjects = text_of(tree.css_first("td.subjects"))
    put(f, "keywords", tuple(dict.fromkeys(
        s for s in (clean(p) for p in subjects.split(";")) if s)))
    count = parse_page_count(text_of(tree.css_first("td.comments")))
    if count is not None:
        f["pages"] = PageRange(count=count)
    return f


def parse(page: Page) -> Record:
    emb = read_embedded(page)
    front = page_fields(emb.tree)
    prefer = {
        "type": ("arxiv", *PRECEDENCE["type"]),
        "keywords": ("arxiv",),  # arXiv has no author keywords; Subjects is what it shows
    }
    record = build_record(page, emb, platform=PLATFORM, front=[("arxiv", front)], prefer=prefer)
    arxiv_id = emb.meta.first("citation_arxiv_id")
    if arxiv_id is None:
        m = _ID.search(record.url) or _ID.search(page.url)
        arxiv_id = m.group(1) if m else None
    if arxiv_id is None:
        return record
    return replace(record, source_key=f"arxiv:{arxiv_id}",
                   identifiers=(Identifier("arxiv", arxiv_id), *record.identifiers))
