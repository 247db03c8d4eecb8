"""The data that flows from fetchers to parsers to the loader.

Every value object is a frozen dataclass: a parser builds a `Record` once and
nothing downstream may change it. The loader accepts `Record` and nothing else.
`Record.to_json()` is the one public record shape (GOLD.md keys plus extras),
used by `harvester parse`, by the loader's stored copy and later by exports.

The classes live in `types_parts` (the value objects a Record holds), `types_record`
and `types_page`; every name is importable from here.
"""

from __future__ import annotations

from .types_page import Page
from .types_parts import (
    Citation,
    FileLink,
    Identifier,
    Metric,
    PageRange,
    PartialDate,
    Person,
    Subject,
)
from .types_record import MAX_SOURCE_KEY, Record

__all__ = [
    "MAX_SOURCE_KEY",
    "Citation",
    "FileLink",
    "Identifier",
    "Metric",
    "Page",
    "PageRange",
    "PartialDate",
    "Person",
    "Record",
    "Subject",
]
