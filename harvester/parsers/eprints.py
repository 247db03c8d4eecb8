"""EPrints 3 abstract pages (`/id/eprint/N/`, `/N/`) -> Record.

Layers: the summary table (`div.ep_summary_content` th/td rows: "Item Type",
"Uncontrolled Keywords", "Official URL", ...), the page title and abstract,
the `eprints.*` meta (3.x exports them by default; sites may switch them off),
then citation_* and DC. Type comes from `eprints.type` (the internal id:
book_section, conference_item, monograph, ...) before the shown "Item Type".
`eprints.date` is the publication date only when `eprints.date_type` is
"published", "published_online" (the "dates" field sites add to 3.4) or "completed"
(or not stated); a "submitted" or "accepted" date is not.
"""

from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser

from harvester.errors import NotARecord
from harvester.normalize.identifiers import normalize_url
from harvester.types import Identifier, Page, Record

from ._detect import Signals
from ._html import MetaTags, absolute, is_blank, parse_html, text_of
from ._labelled import Rows, cell_links, label_key, rows_layer
from ._meta import (
    FieldMap,
    Layer,
    citation_fields,
    dc_fields,
    eprints_fields,
    refine_date,
    resolve,
)
from .coarse_types import coarse_type

PLATFORM = "eprints"

# eprints.type ids and the "Item Type" labels whose word the coarse table reads otherwise.
TYPES: dict[str, str] = {
    "article": "article", "book_section": "chapter", "book section": "chapter",
    "monograph": "report", "conference_item": "conference-paper", "book": "book",
    "thesis": "thesis", "patent": "other", "artefact": "other", "exhibition": "other",
    "composition": "other", "performance": "other", "image": "other", "video": "other",
    "audio": "other", "dataset": "dataset", "data_collection": "dataset",
    "experiment": "other", "teaching_resource": "other", "other": "other",
}
LABELS: dict[str, str] = {
    "item type": "type_raw", "uncontrolled keywords": "keywords", "keywords": "keywords",
    "official url": "official_url", "doi": "doi", "identification number": "doi",
    "journal or publication title": "journal", "publication": "journal", "volume": "volume",
    "number": "issue", "issue": "issue", "page range": "pages", "pages": "page_count",
    "number of pages": "page_count", "issn": "issn", "isbn": "isbn", "publisher": "publisher",
    "language": "language", "date": "published", "creators": "authors", "authors": "authors",
    "title": "title",
}
_SIMPLE = ("title", "abstract", "doi", "journal", "volume", "issue", "pages", "published",
           "language", "publisher", "type_raw", "authors", "keywords", "identifiers",
           "host_publication", "status")
_PUBLISHED_TYPES = ("", "published", "completed", "published_online")


def in_head(signals: Signals) -> bool:
    """Evidence in the address or the document head (asked of every platform first)."""
    return "eprints" in signals.generator or signals.has_meta_prefix("eprints.")


def in_body(signals: Signals) -> bool:
    """Evidence in the body's markup (asked only when no head says which platform)."""
    return b"ep_summary_content" in signals.body or b"ep_tm_pagetitle" in signals.body


def looks_like(page: Page, signals: Signals) -> bool:
    return in_head(signals) or in_body(signals)


def _summary(tree: LexborHTMLParser, warnings: list[str]) -> tuple[FieldMap, str | None]:
    rows = Rows()
    scope = tree.css_first("div.ep_summary_content") or tree.body
    if scope is None:
        return {}, None
    title = tree.css_first("h1.ep_tm_pagetitle") or tree.css_first("#page-title")
    rows.add("title", [text_of(title)], "pagetitle")
    for tr in scope.css("table tr"):
        th, td = tr.css_first("th"), tr.css_first("td")
        if th is None or td is None:
            continue
        key = LABELS.get(label_key(th.text()))
        if key == "authors":
            rows.add(key, cell_links(td), key)
        elif key:
            rows.add(key, [td.text()], key)
    heading = next((h for h in scope.css("h2, h3") if label_key(h.text()) == "abstract"), None)
    if heading is not None:
        para = heading.next
        while para is not None and para.tag not in ("p", "div"):
            para = para.next
        rows.add("abstract", [text_of(para)], "abstract")
    rows.add("authors", [text_of(s) for s in scope.css("p span.person_name")], "citation")
    f = rows_layer(rows, warnings=warnings)
    return f, rows.first("official_url")


def _not_the_publisher(picked: dict[str, tuple[Any, str]], layers: list[Layer]) -> None:
    """A journal named as the page's publisher is the publisher (Pensoft writes
    eprints.publication "Pensoft Publishers"): another layer's journal wins."""
    journal = picked.get("journal", (None, ""))[0]
    publishers = {f["publisher"].casefold() for _, f in layers if f.get("publisher")}
    if not journal or journal.casefold() not in publishers:
        return
    other = next(((f["journal"], n) for n, f in layers
                  if f.get("journal") and f["journal"].casefold() not in publishers), None)
    if other is not None:
        picked["journal"] = other


def parse(page: Page) -> Record:
    if is_blank(page.body):
        raise NotARecord("empty page", url=page.url)
    tree = parse_html(page)
    meta = MetaTags.from_tree(tree)
    warnings: list[str] = []
    summary, official = _summary(tree, warnings)
    ep = eprints_fields(meta)
    date_type = (meta.first("eprints.date_type") or "").casefold()
    if date_type not in _PUBLISHED_TYPES:
        ep.pop("published", None)
        warnings.append(f"eprints.date is a {date_type} date, not a publication date")
    layers: list[Layer] = [("eprints:summary", summary), ("meta:eprints", ep),
                           ("meta:citation", citation_fields(meta)), ("meta:dc", dc_fields(meta))]
    picked = resolve(layers, {"published": ("meta:eprints", "eprints:summary", "meta:citation")})
    refine_date(picked, layers)
    if "title" not in picked:
        raise NotARecord("no title: not an EPrints abstract page", url=page.url)
    _not_the_publisher(picked, layers)
    values: dict[str, Any] = {k: picked[k][0] for k in _SIMPLE if k in picked}
    provenance = {k: picked[k][1] for k in _SIMPLE if k in picked}
    type_id = (meta.first("eprints.type") or "").casefold()
    shown = (values.get("type_raw") or "").casefold()
    kind = TYPES.get(type_id) or TYPES.get(shown.split(" (")[0]) or coarse_type(shown)
    if kind:
        provenance["type"] = "meta:eprints" if type_id in TYPES else provenance["type_raw"]
    canonical = absolute(page.url, meta.canonical or meta.first("citation_abstract_html_url"))
    url = canonical or page.url
    eprint_id = meta.first("eprints.eprintid")
    host_url = official or meta.first("eprints.official_url")
    ids = (Identifier("url", host_url),) if host_url else ()
    values["identifiers"] = tuple(values.get("identifiers", ())) + ids
    return Record(url=url, platform=PLATFORM, source_key=eprint_id or normalize_url(url),
                  type=kind, provenance=provenance, warnings=tuple(warnings), **values)
