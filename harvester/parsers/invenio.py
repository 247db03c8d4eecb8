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

from selectolax.lexbor import LexborHTMLParser, LexborNode

from harvester.normalize.dates import parse_date
from harvester.normalize.languages import to_iso639_1
from harvester.types import Page, Record

from ._detect import Signals, has_any
from ._html import text_of
from ._meta import FieldMap, put, typed
from .generic import build_record, read_embedded

PLATFORM = "invenio"

_MARKERS = (b"invenio-csl", b"invenio-search", b"data-invenio-config", b"invenio-page-body",
            b"inveniordm", b"invenio-software.org")
_RECORD_ID = re.compile(r"/records?/([\w-]+)")
# InvenioRDM translates the labels it reads by (its de/fr/es/it/pt catalogues, [K]): a
# site in another language prints "Date de publication" where Zenodo prints the English.
_TYPE_LABELS = ("resource type", "ressourcentyp", "type de ressource", "tipo de recurso",
                "tipo di risorsa")
_DATE_LABELS = ("publication date", "veröffentlichungsdatum", "publikationsdatum",
                "date de publication", "fecha de publicación", "data di pubblicazione",
                "data de publicação")
_LANGUAGE_LABELS = ("languages", "language", "sprachen", "sprache", "langues", "langue",
                    "idiomas", "idioma", "lingue", "lingua")


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
    kind = _labelled(tree, "aria-label", _TYPE_LABELS) or tree.css_first(
        "div.record-detail span.pull-right > span.label-default"
    )
    typed(f, text_of(kind) or _first(rows, _TYPE_LABELS))
    when = _labelled(tree, "title", _DATE_LABELS)
    put(f, "published", parse_date(text_of(when)) or parse_date(_first(rows, _DATE_LABELS)))
    put(f, "language", to_iso639_1(_first(rows, _LANGUAGE_LABELS)))
    return f


def _labelled(
    tree: LexborHTMLParser, attribute: str, labels: tuple[str, ...]
) -> LexborNode | None:
    """The first element whose `attribute` is one of the labels, in any UI language."""
    for node in tree.css(f"[{attribute}]"):
        if (node.attributes.get(attribute) or "").strip().lower() in labels:
            return node
    return None


def _first(rows: dict[str, str], labels: tuple[str, ...]) -> str | None:
    return next((rows[label] for label in labels if label in rows), None)


def parse(page: Page) -> Record:
    emb = read_embedded(page)
    front = [("invenio:page", page_fields(emb.tree))]
    record = build_record(page, emb, platform=PLATFORM, front=front)
    m = _RECORD_ID.search(record.url)
    if m:  # the record id survives UI generations (/record/1 -> /records/1)
        host = record.url.split("/")[2] if "://" in record.url else ""
        return replace(record, source_key=f"{host}:{m.group(1)}")
    return record
