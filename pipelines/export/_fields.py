"""Shared readers over one exported record (the `Record.to_json()` shape).

Every format module reads a record through these helpers, so a rule such as
"an organisation has no family name" or "a date keeps its precision" is
decided once for all formats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One publication as the reader yields it: database id, source name, record JSON."""

    id: int
    source: str
    record: Mapping[str, Any]


def one_line(value: Any) -> str | None:
    """The value as text with whitespace (newlines too) collapsed; None for empty."""
    if value is None:
        return None
    text = _SPACES.sub(" ", str(value)).strip()
    return text or None


def full_title(record: Mapping[str, Any]) -> str | None:
    """Title and subtitle joined the way reference managers print them."""
    title, subtitle = one_line(record.get("title")), one_line(record.get("subtitle"))
    if title and subtitle:
        return f"{title}: {subtitle}"
    return title or subtitle


def people(record: Mapping[str, Any], role: str = "author") -> list[Mapping[str, Any]]:
    """Persons with this role, in page order."""
    return [p for p in record.get("authors") or () if (p.get("role") or "author") == role]


def date_parts(value: str | None) -> list[int]:
    """`2019-06` -> [2019, 6]: as many parts as the stored precision, never more."""
    if not value:
        return []
    return [int(part) for part in value.split("-")]


def year(record: Mapping[str, Any]) -> int | None:
    parts = date_parts(record.get("published")) or date_parts(record.get("online"))
    return parts[0] if parts else None


def issued(record: Mapping[str, Any]) -> list[int]:
    """The date a citation shows: published, else first online."""
    return date_parts(record.get("published")) or date_parts(record.get("online"))


def page_range(record: Mapping[str, Any], dash: str = "-") -> str | None:
    pages = record.get("pages") or {}
    first, last = one_line(pages.get("first")), one_line(pages.get("last"))
    if first and last and first != last:
        return f"{first}{dash}{last}"
    return first or last


def identifier(record: Mapping[str, Any], *schemes: str) -> str | None:
    """The first identifier value of any of these schemes, in that order of preference."""
    found = {i.get("scheme"): i.get("value") for i in reversed(record.get("identifiers") or ())}
    for scheme in schemes:
        if found.get(scheme):
            return str(found[scheme])
    return None


def keywords(record: Mapping[str, Any]) -> list[str]:
    return [k for k in (one_line(k) for k in record.get("keywords") or ()) if k]
