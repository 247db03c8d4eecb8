"""Embedded metadata as layers of field values: citation_*, eprints.*, DC, PRISM, Open Graph.

Each reader turns one syntax into a layer (see `_values`: a sparse map of
normalised Record fields). Platform parsers put their own layers in front
(Pure: properties table, RIS, ...) and resolve them with the same `resolve`;
the per-field precedence of these layers is the table in generic.py.
"""

from __future__ import annotations

import re
from typing import Any

from harvester.normalize.identifiers import normalize_doi
from harvester.normalize.languages import to_iso639_1
from harvester.normalize.names import make_person
from harvester.types import FileLink, Person

from ._html import MetaTags
from ._meta_minor import eprints_fields, og_fields, prism_fields
from ._values import (
    FieldMap,
    Layer,
    date,
    drop_type_echo,
    identifiers,
    keywords,
    pages,
    people,
    prose,
    put,
    refine_date,
    resolve,
    split_names,
    text,
    typed,
)

# The value helpers are re-exported: platform modules import them from here.
__all__ = ["FieldMap", "Layer", "MetaTags", "citation_author_rows", "citation_fields", "date",
           "dc_fields", "drop_type_echo", "eprints_fields", "identifiers", "keywords",
           "meta_layers", "og_fields", "pages", "people", "prism_fields", "prose", "put",
           "refine_date", "resolve", "text", "typed"]

def citation_author_rows(
    meta: MetaTags, prefix: str = "citation_"
) -> list[tuple[str, list[str], str | None]]:
    """(name, institutions, orcid) per citation_author, with the tags that follow it attached."""
    rows: list[tuple[str, list[str], str | None]] = []
    author = prefix + "author"
    authors, institution, orcid = author + "s", author + "_institution", author + "_orcid"
    for key, value in meta.with_prefix(author):
        if key == author and ";" not in value:
            rows.append((value, [], None))
        elif key in (author, authors):  # DSpace puts every author in one tag, some sites too
            rows.extend((n, [], None) for n in split_names(value) if n.strip())
        elif rows and key == institution:
            rows[-1][1].append(value)
        elif rows and key == orcid:
            rows[-1] = (rows[-1][0], rows[-1][1], value)
    return rows


def _citation_authors(meta: MetaTags, prefix: str) -> tuple[Person, ...]:
    rows = citation_author_rows(meta, prefix)
    out = (make_person(n, orcid=o, affiliations=tuple(a)) for n, a, o in rows)
    return tuple(p for p in out if p is not None)


def citation_fields(
    meta: MetaTags, order: str = "auto", prefix: str = "citation_", *, authors: bool = True
) -> FieldMap:
    """Highwire Press tags (Google Scholar); `prefix="bepress_citation_"` reads bepress.

    `authors=False` skips name splitting for callers that take authors elsewhere.
    """
    keys, kinds = _citation_keys(prefix)
    first = meta.first

    def g(field: str) -> str | None:
        return first(*keys[field])

    f: FieldMap = {}
    put(f, "title", text(g("title")))
    if authors:
        put(f, "authors", _citation_authors(meta, prefix))
    put(f, "published", date(g("published"), order))
    put(f, "online", date(g("online"), order))
    put(f, "journal", text(g("journal")))
    put(f, "volume", text(g("volume")))
    put(f, "issue", text(g("issue")))
    put(f, "pages", pages(g("firstpage"), g("lastpage")))
    put(f, "doi", normalize_doi(g("doi") or ""))
    put(f, "identifiers", identifiers(meta.all(prefix + "isbn"), meta.all(prefix + "issn")))
    put(f, "language", to_iso639_1(g("language") or ""))
    put(f, "keywords", keywords(meta.all(prefix + "keywords")))
    put(f, "abstract", prose(g("abstract")))
    put(f, "publisher", text(g("publisher")))
    put(f, "host_publication", text(g("host_publication")))
    # Highwire has no type tag; these tags are what Google Scholar reads the kind from.
    for tag, kind in kinds:
        if first(tag):
            put(f, "type", kind)
            break
    pdf = g("pdf")
    if pdf:
        f["files"] = (FileLink(pdf, mime="application/pdf"),)
    put(f, "url", g("url"))
    return f


_CITATION_KINDS = (
    ("conference_title", "conference-paper"),
    ("inbook_title", "chapter"),
    ("dissertation_institution", "thesis"),
    ("dissertation_name", "thesis"),
    ("technical_report_institution", "report"),
    ("technical_report_number", "report"),
)
# The tags each field reads, the first one found wins.
_CITATION_TAGS: dict[str, tuple[str, ...]] = {
    "title": ("title",), "published": ("publication_date", "date", "cover_date", "year"),
    "online": ("online_date",), "journal": ("journal_title", "series_title"),
    "volume": ("volume",), "issue": ("issue",), "firstpage": ("firstpage",),
    "lastpage": ("lastpage",), "doi": ("doi",), "language": ("language",),
    "abstract": ("abstract",),
    "publisher": ("publisher", "dissertation_institution", "technical_report_institution"),
    "host_publication": ("inbook_title", "conference_title"), "pdf": ("pdf_url",),
    "url": ("abstract_html_url",),
}
_PREFIXED: dict[str, tuple[dict[str, tuple[str, ...]], tuple[tuple[str, str], ...]]] = {}


def _citation_keys(prefix: str) -> tuple[dict[str, tuple[str, ...]], tuple[tuple[str, str], ...]]:
    """The full meta names per field, and per kind tag, for this prefix (built once)."""
    keys = _PREFIXED.get(prefix)
    if keys is None:
        fields = {name: tuple(prefix + n for n in tags) for name, tags in _CITATION_TAGS.items()}
        keys = (fields, tuple((prefix + tag, kind) for tag, kind in _CITATION_KINDS))
        if len(_PREFIXED) < 16:
            _PREFIXED[prefix] = keys
    return keys


def dc_fields(meta: MetaTags, order: str = "auto") -> FieldMap:
    def g(*names: str) -> str | None:
        return meta.first(*names)

    ids = meta.all("dc.identifier.doi") + meta.all("dc.identifier") + meta.all("dcterms.identifier")
    dois = (normalize_doi(v) for v in ids)
    f: FieldMap = {}
    put(f, "title", text(g("dc.title", "dcterms.title")))
    creators = next(
        (meta.all(k) for k in _DC_CREATORS if k in meta), []
    )
    put(f, "authors", people(creators))
    issued = ("dcterms.issued", "dc.date.issued", "dc.date", "dcterms.date", "dcterms.created")
    put(f, "published", date(g(*issued), order))
    put(f, "doi", next((d for d in dois if d), None))
    put(f, "language", to_iso639_1(g("dc.language", "dc.language.iso", "dcterms.language") or ""))
    put(f, "keywords", keywords(meta.all("dc.subject") + meta.all("dcterms.subject")))
    put(f, "abstract", prose(_dc_abstract(meta)))
    put(f, "publisher", text(g("dc.publisher", "dcterms.publisher")))
    put(f, "pages", pages(None, None, g("dcterms.extent", "dc.format.extent")))
    typed(f, g("dc.type", "dcterms.type"))
    return f


def _dc_abstract(meta: MetaTags) -> str | None:
    """The abstract, else the first plain DC.description that is prose: DSpace writes every
    dc.description there, links to the files among them (Deep Blue), and a link is no abstract.
    """
    stated = meta.first("dcterms.abstract", "dc.description.abstract")
    if stated:
        return stated
    return next((v for v in meta.all("dc.description") if not _LINK.fullmatch(v.strip())), None)


_LINK = re.compile(r"(?:https?|ftp)://\S+(?:\s\S+)*?\.\w{2,5}|(?:https?|ftp)://\S+")

# OJS writes DC.Creator.PersonalName; DSpace DC.contributor.author; the rest DC.creator.
_DC_CREATORS = ("dc.creator", "dc.creator.personalname", "dcterms.creator",
                "dc.contributor.author")


def meta_layers(meta: MetaTags, order: str = "auto") -> list[Layer]:
    """Embedded-metadata layers, most specific first (DESIGN.md: citation, eprints, DC, og).

    A syntax the page does not use gives an empty layer without running its reader.
    """
    present = {key.partition(".")[0] if "." in key else key.partition("_citation_")[0]
               for key, _ in meta.items}
    readers: list[tuple[str, str, Any]] = [
        ("meta:citation", "", lambda: citation_fields(meta, order)),
        ("meta:bepress", "bepress",
         lambda: citation_fields(meta, order, prefix="bepress_citation_")),
        ("meta:eprints", "eprints", lambda: eprints_fields(meta, order)),
        ("meta:dc", "dc", lambda: dc_fields(meta, order)),
        ("meta:prism", "prism", lambda: prism_fields(meta, order)),
        ("meta:og", "", lambda: og_fields(meta, order)),
    ]
    layers = [(name, read() if not family or family in present or (
        family == "dc" and "dcterms" in present) else {}) for name, family, read in readers]
    named = dict(layers)
    drop_type_echo(named["meta:citation"], named["meta:dc"].get("type_raw"))
    return layers

