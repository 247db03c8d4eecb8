"""HAL record pages (hal.science, theses.hal.science, portals) -> Record.

Layers: the page markup (document-type label, title, author line, abstract,
keyword lists, journal/year header, identifier list, the "Citer" line), the
full metadata list when the page carries it inline (`#metadata-body` or a
`.metadatas` table; the current UI loads it by script, so usually absent),
then citation_* and DC meta. HAL's `citation_online_date` is the deposit date
("Soumis le"), never an early-online date, so `online` stays empty.
The publication date prefers `citation_publication_date` (full date of a thesis
defence) over the header's "Année : 2015" (gold: the more explicit statement).
"""

from __future__ import annotations

import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from harvester.errors import NotARecord
from harvester.normalize.identifiers import normalize_url
from harvester.normalize.pages import parse_pages
from harvester.types import Page, Record

from ._detect import Signals
from ._html import MetaTags, absolute, classes, inside, is_blank, parse_html, text_of
from ._labelled import Rows, cell_lines, label_key, rows_layer
from ._meta import FieldMap, Layer, citation_fields, dc_fields, put, resolve
from .coarse_types import coarse_type

PLATFORM = "hal"

# span.typdoc carries a language-independent class: label_ART, label_THESE, ...
TYPDOC: dict[str, str] = {
    "ART": "article", "COMM": "conference-paper", "POSTER": "conference-paper",
    "OUV": "book", "COUV": "chapter", "DOUV": "book", "PROCEEDINGS": "book",
    "THESE": "thesis", "HDR": "thesis", "MEM": "thesis", "ETABTHESE": "thesis",
    "REPORT": "report", "UNDEFINED": "preprint", "PREPRINT": "preprint", "WORKINGPAPER": "preprint",
    "SOFTWARE": "software", "DATA": "dataset", "IMG": "other", "VIDEO": "other", "SON": "other",
    "MAP": "other", "PATENT": "other", "LECTURE": "other", "OTHER": "other", "NOTICE": "other",
    "ISSUE": "other", "BLOG": "other", "TRAD": "other", "CREPORT": "other", "OTHERREPORT": "report",
}
# Labels of the full metadata list, French and English.
LIST_LABELS: dict[str, str] = {
    "type de document": "type_raw", "document type": "type_raw", "titre": "title",
    "title": "title", "langue": "language", "language": "language",
    "date de publication": "published", "publication date": "published",
    "date de soutenance": "published", "defense date": "published", "volume": "volume",
    "numéro": "issue", "issue": "issue", "page/identifiant": "pages", "page/identifier": "pages",
    "doi": "doi", "mots-clés": "keywords", "keywords": "keywords", "résumé": "abstract",
    "abstract": "abstract", "revue": "journal", "journal": "journal",
    "titre de la revue": "journal", "journal title": "journal", "éditeur": "publisher",
    "publisher": "publisher",
}
_YEAR = re.compile(r"(\d{4})")
_PAGES = re.compile(r"\bpp?\.\s*([\w-]+(?:\s*-\s*\w+)?)")
_SIMPLE = ("title", "abstract", "doi", "journal", "volume", "issue", "pages", "published",
           "language", "publisher", "type_raw", "authors", "keywords", "identifiers")
_PREFER: dict[str, tuple[str, ...]] = {
    "published": ("hal:list", "meta:citation", "meta:dc", "hal:markup"),
    "online": (),
    "pages": ("hal:list", "hal:citation", "meta:citation"),
}


def in_head(signals: Signals) -> bool:
    """Evidence in the address or the document head (asked of every platform first)."""
    return signals.host_is("hal.science", "archives-ouvertes.fr", "hal.inria.fr")


def in_body(signals: Signals) -> bool:
    """Evidence in the body's markup (asked only when no head says which platform)."""
    return b"span class=\"typdoc" in signals.body or (
        b"thumb.ccsd.cnrs.fr" in signals.body and b"listKeyword" in signals.body
    )


def looks_like(page: Page, signals: Signals) -> bool:
    return in_head(signals) or in_body(signals)


def _markup(tree: LexborHTMLParser) -> FieldMap:
    rows = Rows()
    # every query below stays inside the record section: the header's search form
    # is a third of the page (measured: 540 -> 300 µs of own work)
    scope: Any = tree.css_first("section.section-corps") or tree
    title = scope.css_first("h2.title-lang.active") or scope.css_first("h2.title-lang")
    rows.add("title", [text_of(title)], "h2.title-lang")
    typdoc = scope.css_first("span.typdoc")
    rows.add("type_raw", [text_of(typdoc)], "typdoc")
    header = scope.css_first("div.header-section")
    if header is not None:
        rows.add("journal", [text_of(header.css_first("span.journal"))], "header")
        year = _YEAR.search(text_of(header.css_first("span.year")))
        rows.add("published", [year.group(1) if year else ""], "header")
    abstract = scope.css_first("div.abstract-content.active") or scope.css_first(
        "div.abstract-content"
    )
    rows.add("abstract", [text_of(abstract)], "abstract")
    rows.add("keyword", [text_of(a) for a in inside(scope, "ul.listKeyword", "a")],
             "listKeyword")
    rows.add("authors", [text_of(span) for a in inside(scope, "#authors-simplified .authors", "a")
                         for span in a.css("span")], "authors")
    for li in inside(scope, "div.identifier-list", "li"):
        if label_key(text_of(li.css_first("span"))) == "doi":
            rows.add("doi", [text_of(li)], "identifier-list")
    f = rows_layer(rows)
    kind = next((TYPDOC[c[6:]] for c in classes(typdoc) if c.startswith("label_")
                 and c[6:] in TYPDOC), None) if typdoc is not None else None
    put(f, "type", kind)
    return f


def _full_list(tree: LexborHTMLParser, warnings: list[str]) -> FieldMap:
    rows = Rows()
    scope = tree.css_first("#metadata-body") or tree.css_first(".metadatas")
    if scope is None:
        return {}
    for tr in scope.css("tr"):
        th, td = tr.css_first("th") or tr.css_first("td.label"), tr.css_first("td:not(.label)")
        if th is None or td is None:
            continue
        key = LIST_LABELS.get(label_key(th.text()))
        if key:
            rows.add(key, cell_lines(td) if key == "keywords" else [td.text()], key)
    return rows_layer(rows, warnings=warnings)


def _citation_line(tree: LexborHTMLParser) -> FieldMap:
    f: FieldMap = {}
    m = _PAGES.search(text_of(tree.css_first("div#citation")))
    if m:
        put(f, "pages", parse_pages(m.group(1)))
    return f


def parse(page: Page) -> Record:
    if is_blank(page.body):
        raise NotARecord("empty page", url=page.url)
    tree = parse_html(page)
    meta = MetaTags.from_tree(tree)
    warnings: list[str] = []
    markup = _markup(tree)
    # one read of the citation_* tags: its authors only replace the markup's below
    citation = citation_fields(meta)
    meta_people = citation.pop("authors", ())
    citation.pop("online", None)
    named: dict[str, FieldMap] = {
        "hal:list": _full_list(tree, warnings),
        "hal:markup": markup,
        "hal:citation": _citation_line(tree),
        "meta:citation": citation,
        "meta:dc": dc_fields(meta),
    }
    # split "Family, Given" from citation_author when the page shows given-first names;
    # a portal theme without the author line has only the tags to name the authors
    shown = markup.get("authors", ())
    if meta_people and (not shown or len(meta_people) == len(shown)):
        markup["authors"] = meta_people
    layers: list[Layer] = list(named.items())
    picked = resolve(layers, _PREFER)
    if "title" not in picked:
        raise NotARecord("no title: not a HAL record page", url=page.url)
    values: dict[str, Any] = {k: picked[k][0] for k in _SIMPLE if k in picked}
    provenance = {k: picked[k][1] for k in _SIMPLE if k in picked}
    kind = markup.get("type") or coarse_type(values.get("type_raw"))
    if kind:
        provenance["type"] = "hal:markup" if "type" in markup else provenance.get("type_raw", "")
    canonical = absolute(page.url, meta.canonical or meta.first("og:url"))
    url = canonical or page.url
    hal_id = meta.all("dc.identifier")
    key = next((i for i in hal_id if "/" not in i), None) or normalize_url(url)
    return Record(url=url, platform=PLATFORM, source_key=key, type=kind,
                  provenance=provenance, warnings=tuple(warnings), **values)
