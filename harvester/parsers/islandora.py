"""Islandora object pages -> Record: Islandora 7 (MODS/DC display as
`dl.islandora-inline-metadata` / `fieldset.islandora-metadata`) and Islandora 2
(Drupal field blocks `div.field--name-field-*` with `field__label`/`field__item`).

Layers: the metadata display read by label (definition_list labels plus the
MODS/Drupal names Islandora prints: "Date Issued", "Genre", "Linked Agent",
"Extent", ...), then citation_* (islandora_scholar / google_scholar modules) and
DC meta. Typed-relation agents ("Author: Doe, Jane", "Doe, Jane (aut)") are
authors only with an author/creator role.
"""

from __future__ import annotations

import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from harvester.errors import NotARecord
from harvester.normalize.identifiers import normalize_url
from harvester.types import Page, Record

from ._detect import Signals
from ._html import MetaTags, absolute, is_blank, parse_html, text_of
from ._labelled import Rows, label_key
from ._meta import Layer, citation_fields, dc_fields, resolve
from .definition_list import LABELS, add_values, read_dl, rows_record_fields

PLATFORM = "islandora"

ISLANDORA_LABELS: dict[str, str] = {
    **LABELS, "linked agent": "contributors", "contributors": "contributors",
    "author(s)": "authors", "name": "contributors", "date issued": "published",
    "date created": "created", "genre": "type_raw", "abstract/description": "abstract",
    "extent": "page_count", "host": "journal", "journal": "journal",
    "related item": "journal", "identifier (doi)": "doi",
    # the MODS display's labels as Spanish, German and French sites translate them [K]
    "título": "title", "autor": "authors", "autores": "authors", "resumen": "abstract",
    "fecha de publicación": "published", "fecha de emisión": "published", "tipo": "type_raw",
    "idioma": "language", "palabras clave": "keyword", "materias": "keyword",
    "titel": "title", "autor/in": "authors", "erscheinungsdatum": "published",
    "zusammenfassung": "abstract", "sprache": "language", "schlagwörter": "keyword",
    "titre": "title", "auteur": "authors", "auteurs": "authors", "résumé": "abstract",
    "date de publication": "published", "langue": "language", "mots-clés": "keyword",
}
_SIMPLE = ("title", "abstract", "doi", "journal", "volume", "issue", "pages", "published",
           "language", "publisher", "type_raw", "type", "authors", "keywords", "identifiers")


def in_body(signals: Signals) -> bool:
    """Evidence in the body's markup (asked only when no head says which platform)."""
    body = signals.body
    # three of the four markers hold "islandora": one scan rules them out on other pages
    at = body.find(b"islandora")
    if at < 0:
        return b"field--name-field-linked-agent" in body
    return (
        body.find(b"islandora-inline-metadata", at) >= 0
        or body.find(b"islandora-metadata", at) >= 0
        or b"field--name-field-linked-agent" in body
        or body.find(b"/islandora/object/", max(0, at - 1), 50000) >= 0
    )


def looks_like(page: Page, signals: Signals) -> bool:
    return in_body(signals)


_MACHINE_NAME = re.compile(r"\bfield--name-field-(?:edtf-)?([a-z0-9-]+)")


def _field_key(field: LexborNode) -> str | None:
    """A Drupal field's row by its printed label, else by its machine name: a site in
    another language (or one that hides the labels) still names its fields
    `field--name-field-description`, `field--name-field-edtf-date-issued` ..."""
    label = field.css_first("div.field__label")
    key = ISLANDORA_LABELS.get(label_key(label.text())) if label is not None else None
    if key is None:
        m = _MACHINE_NAME.search(field.attributes.get("class") or "")
        key = ISLANDORA_LABELS.get(m.group(1).replace("-", " ")) if m else None
    return key


def _drupal_fields(tree: LexborHTMLParser) -> Rows:
    rows = Rows()
    for field in tree.css("div.field"):
        key = _field_key(field)
        if key:
            items = [text_of(i) for i in field.css("div.field__item")]
            add_values(rows, key, [v for v in items if v])
    return rows


def _metadata(tree: LexborHTMLParser) -> Rows:
    rows = Rows()
    for dl in tree.css("dl.islandora-inline-metadata, fieldset.islandora-metadata dl"):
        found = read_dl(dl, ISLANDORA_LABELS)
        if len(found.values) > len(rows.values):
            rows = found
    drupal = _drupal_fields(tree)
    if len(drupal.values) > len(rows.values):
        rows = drupal
    if "title" not in rows:
        heading = tree.css_first("h1.page-title, h1#page-title, h1")
        rows.add("title", [text_of(heading)], "h1")
    return rows


def parse(page: Page) -> Record:
    if is_blank(page.body):
        raise NotARecord("empty page", url=page.url)
    tree = parse_html(page)
    meta = MetaTags.from_tree(tree)
    rows = _metadata(tree)
    if len(rows.values) < 2 and not meta.first("citation_title"):
        raise NotARecord("no Islandora metadata display", url=page.url)
    layers: list[Layer] = [("islandora:metadata", rows_record_fields(rows)),
                           ("meta:citation", citation_fields(meta)), ("meta:dc", dc_fields(meta))]
    picked = resolve(layers)
    if "title" not in picked:
        raise NotARecord("no title: not an Islandora object page", url=page.url)
    values: dict[str, Any] = {k: picked[k][0] for k in _SIMPLE if k in picked}
    provenance = {k: picked[k][1] for k in _SIMPLE if k in picked}
    canonical = absolute(page.url, meta.canonical)
    url = canonical or page.url
    return Record(url=url, platform=PLATFORM, source_key=normalize_url(url) if url else "",
                  provenance=provenance, **values)
