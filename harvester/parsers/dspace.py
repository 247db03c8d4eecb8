"""DSpace item pages (4-6 JSPUI and XMLUI, 7+ Angular, legacy Dryad) -> Record.

Layers, most explicit first: the full-record rows (qualified dc.* names say
exactly what each value is), the simple item view (labels), the Dryad header,
then citation_* and Dublin Core meta. Keywords come only from the item tables
when the page shows the full record; beside a simple view only `citation_keywords`
may add them. DSpace fills `citation_keywords` with dc.type when an item has
no subject (ANU: "Thesis (PhD)"), so that echo is dropped, and site templates
add their own `dcterms.subject` (ANU), so DC subjects count only on pages
without any item table. Accession/available dates are deposit dates and never the
publication date, except on Dryad, whose "Date Published" line shows the date
the data package was published (gold note).
"""

from __future__ import annotations

import re
from typing import Any

from harvester.errors import NotARecord
from harvester.normalize.identifiers import normalize_url
from harvester.types import Page, Record

from ._detect import Signals, has_any
from ._html import MetaTags, absolute, is_blank, parse_html
from ._labelled import Rows, rows_layer
from ._meta import FieldMap, Layer, citation_fields, dc_fields, put, resolve
from .coarse_types import coarse_type
from .dspace_rows import dryad_rows, full_rows, simple_rows

PLATFORM = "dspace"

_MARKERS = (b"ds-includeSet-table", b"itemDisplayTable", b"metadataFieldLabel", b"<ds-app",
            b"ds-item-page", b"ds-generic-item-page-field", b"item-page-field-wrapper",
            b"simple-item-view-", b"ds-artifact-list")
# Five markers hold "ds-": one scan for it stands for them on the pages without it.
_DS_MARKERS = tuple(m for m in _MARKERS if b"ds-" in m)
_OTHER_MARKERS = tuple(m for m in _MARKERS if b"ds-" not in m)
_HANDLE = re.compile(r"(?:hdl\.handle\.net/|/handle/)(\d+(?:\.\d+)*/[\w.-]+)")
_SIMPLE = ("title", "abstract", "doi", "journal", "volume", "issue", "pages", "published",
           "language", "publisher", "type_raw", "authors", "keywords", "identifiers")
_PREFER: dict[str, tuple[str, ...]] = {
    "keywords": ("dspace:full", "dspace:simple", "dryad"),
    "abstract": ("dspace:full", "dspace:simple", "dryad", "meta:citation", "meta:dc",
                 "dspace:description"),
    "type_raw": ("dspace:full", "dspace:simple", "meta:dc", "meta:citation"),
}


def in_head(signals: Signals) -> bool:
    """Evidence in the address or the document head (asked of every platform first)."""
    return signals.generator.startswith("dspace") or " dspace" in signals.generator


def in_body(signals: Signals) -> bool:
    """Evidence in the body's markup (asked only when no head says which platform)."""
    return has_any(signals.body, _DS_MARKERS, b"ds-") or any(
        m in signals.body for m in _OTHER_MARKERS
    )


def looks_like(page: Page, signals: Signals) -> bool:
    return in_head(signals) or in_body(signals)


def _rows_to_fields(rows: Rows, warnings: list[str]) -> FieldMap:
    """Canonical rows -> fields, with DSpace's own keys (identifier, uri, series) folded in."""
    for key in ("identifier", "uri"):
        for value in rows.all(key):
            rows.add("doi", [value], key)
    if "journal" not in rows and "series" in rows:
        rows.add("journal", [(rows.first("series") or "").split(";")[0]], "series")
    f = rows_layer(rows, warnings=warnings)
    put(f, "url", next((u for u in rows.all("uri") if u.startswith("http")), None))
    return f


def _dryad(rows: Rows, f: FieldMap) -> None:
    if rows:
        # a Dryad package page describes data, whatever DC.type says ("Article")
        f["type_raw"], f["type"] = "Dryad data package", "dataset"


# DSpace's default dc.type values (submission-forms.xml), the COAR labels sites use, and
# the common Portuguese, Spanish, Italian (IRIS, the Italian DSpace-CRIS sites), German
# (DINI) and French ones.
_TYPE_WORDS = frozenset((
    "animation", "article", "book", "book chapter", "dataset", "learning object", "image",
    "image, 3-d", "map", "musical score", "plan or blueprint", "preprint", "presentation",
    "recording, acoustical", "recording, musical", "recording, oral", "software",
    "technical report", "thesis", "video", "working paper", "journal article",
    "research article", "review article", "conference paper", "conference object",
    "doctoral thesis", "master thesis", "bachelor thesis", "book part", "report",
    "artigo", "artigo de periódico", "tese", "dissertação", "livro", "capítulo de livro",
    "trabalho de conclusão de curso", "artículo", "artículo de revista", "tesis", "libro",
    "capítulo de libro", "trabajo de grado",
    "articolo", "articolo su rivista", "articolo in rivista", "contributo in volume",
    "contributo in atti di convegno", "monografia", "tesi di dottorato",
    "zeitschriftenartikel", "buch", "buchkapitel", "buchbeitrag", "konferenzbeitrag",
    "dissertation", "masterarbeit", "bachelorarbeit", "bericht", "forschungsdaten",
    "article de revue", "livre", "chapitre de livre", "thèse", "communication dans un congrès",
    "rapport", "jeu de données",
))


def _type_from_keywords(named: dict[str, FieldMap]) -> None:
    """DSpace writes citation_keywords as the subjects then dc.type ("lakes; Article"); a
    DSpace 7 page states the type nowhere else, so a last keyword that is a type word is
    the type, not a keyword."""
    if any(named[n].get("type_raw") for n in ("dspace:full", "dspace:simple", "meta:dc")):
        return
    kws = named["meta:citation"].get("keywords", ())
    if kws and kws[-1].casefold() in _TYPE_WORDS:
        named["meta:citation"]["type_raw"] = kws[-1]
        named["meta:citation"]["keywords"] = kws[:-1]


def parse(page: Page) -> Record:
    if is_blank(page.body):
        raise NotARecord("empty page", url=page.url)
    tree = parse_html(page)
    meta = MetaTags.from_tree(tree)
    warnings: list[str] = []
    full, simple, dryad = full_rows(tree), simple_rows(tree), dryad_rows(tree)
    description = Rows()
    description.add("abstract", simple.all("description"), "description")
    named: dict[str, FieldMap] = {
        "dspace:full": _rows_to_fields(full, warnings),
        "dspace:simple": _rows_to_fields(simple, warnings),
        "dryad": _rows_to_fields(dryad, warnings),
        "meta:citation": citation_fields(meta),
        "meta:dc": dc_fields(meta),
        "dspace:description": rows_layer(description),
    }
    _dryad(dryad, named["dryad"])
    # meta keywords: never the type echo; DC subjects only when the page shows no table
    _type_from_keywords(named)
    type_raw = next((named[n]["type_raw"] for n in ("dspace:full", "dspace:simple", "meta:dc")
                     if named[n].get("type_raw")), "").casefold()
    for name in ("meta:citation", "meta:dc"):
        kws = tuple(k for k in named[name].get("keywords", ()) if k.casefold() != type_raw)
        named[name]["keywords"] = kws
    if full:
        prefer = _PREFER
    elif simple or dryad:
        prefer = {**_PREFER, "keywords": (*_PREFER["keywords"], "meta:citation")}
    else:
        prefer = {**_PREFER, "keywords": ("meta:citation", "meta:dc")}
    layers: list[Layer] = list(named.items())
    picked = resolve(layers, prefer)
    if "title" not in picked:
        raise NotARecord("no item title: not a DSpace item page", url=page.url)

    values: dict[str, Any] = {k: picked[k][0] for k in _SIMPLE if k in picked}
    provenance = {k: picked[k][1] for k in _SIMPLE if k in picked}
    kind = named["dryad"].get("type") or coarse_type(values.get("type_raw"))
    if kind:
        provenance["type"] = "dryad" if "type" in named["dryad"] else provenance["type_raw"]
    url_from = picked.get("url", (None, ""))[0]
    canonical = absolute(page.url, meta.canonical or meta.first("citation_abstract_html_url"))
    url = canonical or page.url or url_from or ""
    ids = [url_from, *meta.all("dc.identifier"), canonical, page.url]
    handle = _HANDLE.search(" ".join(filter(None, ids)))
    source_key = handle.group(1) if handle else (normalize_url(url) if url else page.url)
    if not page.url and url_from:
        url = url_from
    return Record(url=url, platform=PLATFORM, source_key=source_key, type=kind,
                  provenance=provenance, warnings=tuple(warnings), **values)
