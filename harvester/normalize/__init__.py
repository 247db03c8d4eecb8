"""Pure normalisation functions that parsers apply to every value they read.

Each returns None (or an empty value) rather than guess: a date keeps the
precision printed, a page count is only what the page states, a DOI is bare
and lower-case, a language is an ISO 639-1 code.
"""

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
