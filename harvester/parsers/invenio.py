"""Invenio record pages: legacy Zenodo (Invenio 3) and InvenioRDM -> Record.

Both UIs carry citation_* meta, schema.org JSON-LD and Open Graph, read by
the generic layers. The page layer ("invenio:page") adds what the meta tags
miss: the visible resource-type label, the publication date (InvenioRDM has no
citation_publication_date) and the "Languages" row. Creators only: JSON-LD
`contributor`/`editor` (data curators) are not authors.
"""

from __future__ import annotations

import re
from dataclasses import replace

from selectolax.lexbor import LexborHTMLParser

from harvester.normalize.dates import parse_date
from harvester.normalize.languages import to_iso639_1
from harvester.types import Page, Record

from ._detect import Signals, has_any
from ._html import text_of
from ._meta import FieldMap, put, typed
from .generic import build_record, read_embedded

PLATFORM = "invenio"

_MARKERS = (b"invenio-csl", b"invenio-search", b"data-invenio-config", b"invenio-page-body",
            b"inveniordm")
_RECORD_ID = re.compile(r"/records?/([\w-]+)")


def in_head(signals: Signals) -> bool:
    """Evidence in the address or the document head (asked of every platform first)."""
    return "invenio" in signals.generator or signals.host_is("zenodo.org")


def in_body(signals: Signals) -> bool:
    """Evidence in the body's markup (asked only when no head says which platform)."""
    return has_any(signals.body, _MARKERS, b"invenio")


def looks_like(page: Page, signals: Signals) -> bool:
    return in_head(signals) or in_body(signals)


def _detail_rows(tree: LexborHTMLParser) -> dict[str, str]:
    """InvenioRDM "Additional details" dt/dd pairs, by lower-cased label."""
    rows: dict[str, str] = {}
    for dt in tree.css("dl dt"):
        dd = dt.next
        while dd is not None and dd.tag != "dd":
            dd = dd.next
        label = text_of(dt).rstrip(":").lower()
        if dd is not None and label and label not in rows:
            rows[label] = text_of(dd)
    return rows


def page_fields(tree: LexborHTMLParser) -> FieldMap:
    f: FieldMap = {}
    rows = _detail_rows(tree)
    kind = tree.css_first('[aria-label="Resource type"]') or tree.css_first(
        "div.record-detail span.pull-right > span.label-default"
    )
    typed(f, text_of(kind) or rows.get("resource type"))
    when = tree.css_first('[title="Publication date"]')
    put(f, "published", parse_date(text_of(when)) or parse_date(rows.get("publication date")))
    put(f, "language", to_iso639_1(rows.get("languages") or rows.get("language")))
    return f


def parse(page: Page) -> Record:
    emb = read_embedded(page)
    front = [("invenio:page", page_fields(emb.tree))]
    record = build_record(page, emb, platform=PLATFORM, front=front)
    m = _RECORD_ID.search(record.url)
    if m:  # the record id survives UI generations (/record/1 -> /records/1)
        host = record.url.split("/")[2] if "://" in record.url else ""
        return replace(record, source_key=f"{host}:{m.group(1)}")
    return record
