"""Elsevier Pure portal research-output pages -> Record.

Layers, most explicit first: the properties table (by row label), the
"Publication series" table, the sidebar DOI, the RIS and BibTeX "Cite this"
tabs, citation_* meta, Open Graph, then blocks found by class name. Title,
abstract and keywords are the exception: the visible heading/abstract/keyword
list win, because the RIS title drops the part after a colon (PSU raw page:
T1 "Pirate" under the heading "Pirate: No Compromise ...").
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from harvester.errors import NotARecord
from harvester.normalize.identifiers import normalize_url
from harvester.types import Citation, FileLink, Identifier, Page, Person, Record

from . import pure_markup as mk
from ._html import MetaTags, absolute
from ._meta import FieldMap, Layer, citation_fields, og_fields, put, resolve
from .pure_cite import bibtex_fields, parse_bibtex, parse_ris, ris_fields
from .pure_props import properties_fields, read_rows, series_fields
from .pure_types import type_from_line, type_from_rendering

PLATFORM = "pure"

MARKERS = re.compile(
    rb"rendering_researchoutput|rendering_contributionto|\"cmsName\"\s*:\s*\"Pure Portal\""
    rb"|Powered by\s*(?:<a[^>]*>\s*)?Pure\b"
)

_DEFAULT = ("pure:properties", "pure:series", "pure:access", "ris", "bibtex", "meta:citation",
            "meta:og")
_PREFER: dict[str, tuple[str, ...]] = {
    "title": ("pure:heading", "meta:citation", "ris", "bibtex", "meta:og"),
    "subtitle": ("pure:heading",),
    "abstract": ("pure:abstract", "ris", "bibtex", "meta:citation"),
    "keywords": ("pure:keywords", "ris", "bibtex", "meta:citation"),
    "type": ("pure:type", "ris", "bibtex", "pure:rendering"),
    "type_raw": ("pure:type",),
    # SNU gold: citation_online_date alone is not an early-online date.
    "online": ("pure:properties",),
    "authors": ("pure:persons", "ris", "bibtex", "meta:citation"),
}
_SIMPLE = ("title", "subtitle", "abstract", "doi", "journal", "volume", "issue", "article_number",
           "pages", "published", "online", "status", "status_date", "language", "publisher",
           "host_publication", "type", "type_raw")


_PORTAL_URL = re.compile(r"/(?:portal/)?[a-z]{2}/publications/")


def looks_like_pure(body: bytes, url: str = "") -> bool:
    if MARKERS.search(body) is not None:
        return True
    return bool(_PORTAL_URL.search(url)) and b"portal_link" in body


def _date_order(meta: MetaTags) -> str:
    """en_US portals print "Mar 30 2025" and "3/30/25" (C: PSU raw page)."""
    locale = (meta.first("og:locale") or "").replace("-", "_").lower()
    return "mdy" if locale == "en_us" else "auto"


def _cite_layers(tree: LexborHTMLParser) -> tuple[FieldMap, FieldMap, list[Citation]]:
    ris: FieldMap = {}
    bib: FieldMap = {}
    cites: list[Citation] = []
    node = tree.css_first("div.rendering_ris")
    if node is not None:
        # a <p> per tag, but one tag's value may span lines (N1 in the PSU raw page)
        lines = [ln for p in node.css("p") for ln in p.text().splitlines()]
        lines = lines or node.text().splitlines()
        ris = ris_fields(parse_ris(lines))
        cites.append(Citation("ris", "\n".join(line.strip() for line in lines)))
    node = tree.css_first("div.rendering_bibtex")
    if node is not None:
        lines = [d.text() for d in node.css("div, p")] or node.text().splitlines()
        kind, key, fields = parse_bibtex(lines)
        bib = bibtex_fields(kind, key, fields)
        cites.append(Citation("bibtex", "\n".join(lines)))
    return ris, bib, cites


def _merge_authors(persons: list[Person], layers: dict[str, FieldMap]) -> tuple[Person, ...]:
    """Visible persons list, with family/given from RIS and ORCID/affiliation from citation_*
    where both lists line up one to one."""
    authors = [p for p in persons if p.role == "author"]
    ris: tuple[Person, ...] = layers["ris"].get("authors", ())
    cit: tuple[Person, ...] = layers["meta:citation"].get("authors", ())
    out: list[Person] = []
    for i, person in enumerate(authors):
        family = ris[i].family if len(ris) == len(authors) else None
        if family and family.casefold() in person.name.casefold():
            person = dataclasses.replace(person, family=family, given=ris[i].given)
        if len(cit) == len(authors):
            person = dataclasses.replace(
                person,
                orcid=person.orcid or cit[i].orcid,
                affiliations=person.affiliations or cit[i].affiliations,
            )
        out.append(person)
    return tuple(out)


def parse(page: Page) -> Record:
    html = page.text()
    if not html.strip():
        raise NotARecord("empty page", url=page.url)
    if not looks_like_pure(page.body, page.url):
        raise NotARecord("no Pure markers: not a Pure research-output page", url=page.url)
    tree = LexborHTMLParser(html)
    meta = MetaTags.from_tree(tree)
    order = _date_order(meta)
    warnings: list[str] = []

    main, series, _unknown = read_rows(tree, tree.css_first("div.rendering_detailsportal"))
    ris, bib, citations = _cite_layers(tree)
    title, subtitle = mk.heading(tree)
    type_raw = mk.type_line(tree)
    keywords, subjects = mk.keyword_groups(tree)
    persons = mk.persons(tree)
    named: dict[str, FieldMap] = {
        "pure:properties": properties_fields(main, order, warnings),
        "pure:series": series_fields(main, series),
        "pure:access": {},
        "ris": ris,
        "bibtex": bib,
        "meta:citation": citation_fields(meta, order),
        "meta:og": og_fields(meta),
        "pure:heading": {},
        "pure:abstract": {},
        "pure:keywords": {},
        "pure:type": {},
        "pure:rendering": {},
        "pure:persons": {},
    }
    put(named["pure:heading"], "title", title)
    put(named["pure:heading"], "subtitle", subtitle)
    put(named["pure:abstract"], "abstract", mk.abstract(tree))
    put(named["pure:keywords"], "keywords", tuple(dict.fromkeys(keywords)))
    put(named["pure:type"], "type_raw", type_raw)
    put(named["pure:type"], "type", type_from_line(type_raw or ""))
    put(named["pure:rendering"], "type", type_from_rendering(mk.rendering_classes(tree)))
    put(named["pure:access"], "doi", next(iter(mk.access_dois(tree)), None))
    put(named["pure:persons"], "authors", _merge_authors(persons, named))

    props = named["pure:properties"]
    prefer = dict(_PREFER)
    if props.get("status") not in (None, "published"):
        prefer["published"] = ("pure:properties",)  # an accepted paper has no publication date
    layers: list[Layer] = [(n, named[n]) for n in _DEFAULT] + [
        (n, f) for n, f in named.items() if n not in _DEFAULT
    ]
    picked = resolve(layers, prefer)
    if "title" not in picked:
        raise NotARecord("no title: not a research-output page", url=page.url)

    canonical = absolute(page.url, meta.canonical or meta.first("og:url"))
    url = canonical or page.url
    uuid = mk.record_uuid(html, page.url, canonical) or bib.get("uuid")
    values: dict[str, Any] = {k: picked[k][0] for k in _SIMPLE if k in picked}
    provenance = {k: picked[k][1] for k in (*_SIMPLE, "authors", "keywords") if k in picked}

    ids: list[Identifier] = [Identifier("pure-uuid", uuid)] if uuid else []
    for name in ("pure:properties", "ris", "bibtex", "meta:citation"):
        for ident in named[name].get("identifiers", ()):
            if ident not in ids:
                ids.append(ident)
                provenance.setdefault("identifiers", name)
    if "scopus" in ris:
        ids.append(ris["scopus"])
    files: dict[str, FileLink] = {f.url: f for f in mk.files(tree, page.url)}
    for f in named["meta:citation"].get("files", ()):
        files.setdefault(f.url, f)
    if "</html>" not in html[-512:].lower():
        warnings.append("document looks truncated (no closing </html>)")

    return Record(
        url=url,
        platform=PLATFORM,
        source_key=uuid or (normalize_url(canonical) if canonical else None) or page.url,
        authors=picked["authors"][0] if "authors" in picked else (),
        keywords=picked["keywords"][0] if "keywords" in picked else (),
        subjects=tuple(subjects + mk.fingerprint(tree)),
        identifiers=tuple(ids),
        files=tuple(files.values()),
        metrics=tuple(mk.metrics(tree)),
        citations=tuple(citations),
        provenance=provenance,
        warnings=tuple(warnings),
        **values,
    )
