"""Pure normalisation functions that parsers apply to every value they read.

Each returns None (or an empty value) rather than guess: a date keeps the
precision printed, a page count is only what the page states, a DOI is bare
and lower-case, a language is an ISO 639-1 code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .dates import parse_date, parse_date_range
    from .identifiers import (
        normalize_doi,
        normalize_isbn,
        normalize_issn,
        normalize_orcid,
        normalize_url,
    )
    from .languages import to_iso639_1
    from .names import make_person, split_name
    from .pages import parse_page_count, parse_pages
    from .text import clean, clean_many, split_keywords, strip_markup

# Each name is imported from its module on first use (PEP 562): the fetch and discovery
# code imports `harvester.normalize.identifiers` alone, and a package that imported every
# module here made a re-harvest of 304s load the dates, names, languages and text tables
# it never reads.
_HOME = {
    "parse_date": "dates", "parse_date_range": "dates",
    "normalize_doi": "identifiers", "normalize_isbn": "identifiers",
    "normalize_issn": "identifiers", "normalize_orcid": "identifiers",
    "normalize_url": "identifiers",
    "to_iso639_1": "languages",
    "make_person": "names", "split_name": "names",
    "parse_page_count": "pages", "parse_pages": "pages",
    "clean": "text", "clean_many": "text", "split_keywords": "text",
    "strip_markup": "text",
}

__all__ = [
    "clean",
    "clean_many",
    "make_person",
    "normalize_doi",
    "normalize_isbn",
    "normalize_issn",
    "normalize_orcid",
    "normalize_url",
    "parse_date",
    "parse_date_range",
    "parse_page_count",
    "parse_pages",
    "split_keywords",
    "split_name",
    "strip_markup",
    "to_iso639_1",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
