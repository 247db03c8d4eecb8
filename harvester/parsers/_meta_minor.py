"""The smaller embedded vocabularies as layers: eprints.*, PRISM and Open Graph.

Read by `_meta.meta_layers` after citation_* (and, for eprints.*, before DC); the
EPrints and Pure parsers also call them directly.
"""

from __future__ import annotations

import re

from harvester.normalize.identifiers import normalize_doi
from harvester.normalize.languages import to_iso639_1

from ._html import MetaTags
from ._values import FieldMap, date, identifiers, keywords, pages, people, prose, put, text, typed

# EPrints' `ispublished` values (its default namedset) -> the status words the Pure parser gives.
_EPRINTS_STATUS = {
    "pub": "published",
    "inpress": "accepted",
    "submitted": "submitted",
    "unpub": "unpublished",
}


def eprints_fields(meta: MetaTags, order: str = "auto") -> FieldMap:
    f: FieldMap = {}
    put(f, "title", text(meta.first("eprints.title")))
    put(f, "authors", people(meta.all("eprints.creators_name")))
    put(f, "published", date(meta.first("eprints.date"), order))
    put(f, "journal", text(meta.first("eprints.publication")))
    put(f, "volume", text(meta.first("eprints.volume")))
    put(f, "issue", text(meta.first("eprints.number")))
    put(f, "pages", pages(meta.first("eprints.pagerange"), None, meta.first("eprints.pages")))
    put(f, "doi", normalize_doi(meta.first("eprints.id_number", "eprints.doi") or ""))
    put(f, "identifiers", identifiers(meta.all("eprints.isbn"), meta.all("eprints.issn")))
    put(f, "keywords", keywords(meta.all("eprints.keywords")))
    put(f, "abstract", prose(meta.first("eprints.abstract")))
    put(f, "publisher", text(meta.first("eprints.publisher")))
    put(f, "host_publication", text(meta.first("eprints.book_title")))
    put(f, "status", _EPRINTS_STATUS.get((meta.first("eprints.ispublished") or "").casefold()))
    put(f, "language", to_iso639_1(meta.first("eprints.language") or ""))
    typed(f, meta.first("eprints.type"))
    if f.get("type") in (None, "other") and meta.first("eprints.thesis_type"):
        f["type"] = "thesis"
    return f


def prism_fields(meta: MetaTags, order: str = "auto") -> FieldMap:
    f: FieldMap = {}
    put(f, "journal", text(meta.first("prism.publicationname")))
    put(f, "volume", text(meta.first("prism.volume")))
    put(f, "issue", text(meta.first("prism.number", "prism.issueidentifier")))
    put(f, "pages", pages(meta.first("prism.startingpage"), meta.first("prism.endingpage")))
    put(f, "doi", normalize_doi(meta.first("prism.doi") or ""))
    put(f, "published", date(meta.first("prism.publicationdate", "prism.coverdate"), order))
    ids = identifiers(meta.all("prism.isbn"), meta.all("prism.issn"), meta.all("prism.eissn"))
    put(f, "identifiers", ids)
    return f


def og_fields(meta: MetaTags, order: str = "auto") -> FieldMap:
    """Open Graph, with the `article:` properties in which a page without other metadata
    may state its date, authors and tags (every other layer comes first)."""
    f: FieldMap = {}
    put(f, "title", text(meta.first("og:title")))
    put(f, "abstract", text(meta.first("og:description")))
    put(f, "url", meta.first("og:url"))
    put(f, "published", date(meta.first("article:published_time"), order))
    # the protocol makes article:author a profile URL; only a name is an author
    names = [v for v in meta.all("article:author") if not _URL.match(v.strip())]
    put(f, "authors", people(names))
    put(f, "keywords", keywords(meta.all("article:tag")))
    return f


_URL = re.compile(r"(?:https?:)?//|www\.", re.IGNORECASE)
