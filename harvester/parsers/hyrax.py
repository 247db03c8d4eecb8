"""Samvera Hyrax work pages (`/concern/<type>s/<id>`) and Sufia 6/7 file pages -> Record.

Layers: the work's attribute list (`li.attribute-<field>` inside
`dl.work-show` / `ul.tabular`, read by field name, not by label; Sufia, Hyrax's
predecessor, shows a labelled `dl.file-show-descriptions` and the description
in `p.genericfile_description`), the title heading, then citation_* and DC
meta. Hyrax has no issue date by default:
`date_created` is used for `published` only after the `citation_publication_date`
meta that Hyrax itself derives from it, and its provenance says so.
"""

from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser

from harvester.errors import NotARecord
from harvester.normalize.identifiers import normalize_url
from harvester.types import Page, Record

from ._detect import Signals
from ._html import MetaTags, absolute, children, classes, is_blank, parse_html, text_of
from ._labelled import Rows, cell_links, label_key, rows_layer
from ._meta import FieldMap, Layer, citation_fields, dc_fields, resolve
from .coarse_types import coarse_type

PLATFORM = "hyrax"

ATTRIBUTES: dict[str, str] = {
    "title": "title", "creator": "authors", "keyword": "keyword", "subject": "keyword",
    "abstract": "abstract", "description": "description", "language": "language",
    "publisher": "publisher", "resource_type": "type_raw", "identifier": "doi", "doi": "doi",
    "date_issued": "published", "date_published": "published", "date_created": "created",
    "journal_title": "journal", "volume": "volume", "issue": "issue", "pagination": "pages",
    "extent": "page_count", "isbn": "isbn", "issn": "issn",
}
# Sufia's labels (English only: it had no other locale in use) -> the keys above.
SUFIA_LABELS: dict[str, str] = {
    "author": "authors", "creator": "authors", "keyword": "keyword", "subject": "keyword",
    "language": "language", "publisher": "publisher", "type of work": "type_raw",
    "resource type": "type_raw", "identifier": "doi", "date created": "created",
    "abstract": "abstract", "description": "description",
}
_LINKED = ("authors", "keyword", "language", "type_raw")
_SIMPLE = ("title", "abstract", "doi", "journal", "volume", "issue", "pages", "published",
           "language", "publisher", "type_raw", "authors", "keywords", "identifiers")


def in_head(signals: Signals) -> bool:
    """Evidence in the address or the document head (asked of every platform first)."""
    return "/concern/" in signals.path


def in_body(signals: Signals) -> bool:
    """Evidence in the body's markup (asked only when no head says which platform)."""
    return b"dl class=\"work-show" in signals.body or b"file-show-descriptions" in signals.body or (
        b"attribute-creator" in signals.body and b"ul class=\"tabular" in signals.body
    )


def looks_like(page: Page, signals: Signals) -> bool:
    return in_head(signals) or in_body(signals)


def _attributes(tree: LexborHTMLParser) -> tuple[FieldMap, FieldMap]:
    rows, created = Rows(), Rows()
    for li in tree.css("li.attribute"):
        field = next((c[10:] for c in classes(li) if c.startswith("attribute-")), "")
        key = ATTRIBUTES.get(field)
        if key == "created":
            created.add("published", [text_of(li)], field)
        elif key:
            rows.add(key, [text_of(li)], field)
    if not rows.values:
        _sufia(tree, rows, created)
    if "abstract" not in rows:
        rows.add("abstract", rows.all("description"), "description")
    heading = tree.css_first("header h1, .title-with-badges h2, h1.work-title, h1.visibility")
    if heading is not None and "title" not in rows:
        badge = heading.css_first("span.label, span.badge")
        text = text_of(heading)
        rows.add("title", [text.removesuffix(text_of(badge)).strip() if badge else text], "h1")
    return rows_layer(rows), rows_layer(created)


def _sufia(tree: LexborHTMLParser, rows: Rows, created: Rows) -> None:
    """A Sufia file page: dt/dd pairs by label, values one a link (or a line)."""
    dl = tree.css_first("dl.file-show-descriptions")
    key: str | None = None
    for node in children(dl) if dl is not None else ():
        if node.tag == "dt":
            key = SUFIA_LABELS.get(label_key(node.text()))
        elif node.tag == "dd" and key:
            values = cell_links(node) if key in _LINKED else [text_of(node)]
            (created if key == "created" else rows).add(
                "published" if key == "created" else key, values, key
            )
    description = tree.css_first("p.genericfile_description")
    if description is not None:
        rows.add("description", [text_of(description)], "genericfile_description")


def parse(page: Page) -> Record:
    if is_blank(page.body):
        raise NotARecord("empty page", url=page.url)
    tree = parse_html(page)
    meta = MetaTags.from_tree(tree)
    work, created = _attributes(tree)
    layers: list[Layer] = [("hyrax:attributes", work), ("meta:citation", citation_fields(meta)),
                           ("meta:dc", dc_fields(meta)), ("hyrax:date_created", created)]
    picked = resolve(layers)
    if "title" not in picked:
        raise NotARecord("no title: not a Hyrax work page", url=page.url)
    values: dict[str, Any] = {k: picked[k][0] for k in _SIMPLE if k in picked}
    provenance = {k: picked[k][1] for k in _SIMPLE if k in picked}
    kind = coarse_type(values.get("type_raw"))
    if kind:
        provenance["type"] = provenance.get("type_raw", "")
    canonical = absolute(page.url, meta.canonical or meta.first("og:url"))
    url = canonical or page.url
    return Record(url=url, platform=PLATFORM, source_key=normalize_url(url) if url else "",
                  type=kind, provenance=provenance, **values)
