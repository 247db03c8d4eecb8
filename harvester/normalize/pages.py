"""Page ranges and page counts exactly as printed: nothing is expanded or computed.

"1251-66" stays first "1251", last "66"; a count comes only from text that states
one ("16 pages"), never from the difference of a range.
"""

from __future__ import annotations

import re

from harvester.types import PageRange

from .text import clean

_DASH = r"(?:[-‐‑‒–—−]+|\bto\b|\bbis\b)"
# A page: 1251, e0123, S12, A1, 12a, or a roman numeral up to 399 (front matter);
# the roman forms are strict so that words such as "mix" or "dim" are not pages.
_ROMAN = r"c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_PAGE = (
    rf"(?:[A-Za-z]{{1,3}}\d+[A-Za-z]?|\d+[A-Za-z]{{0,2}}|(?-i:(?=[ivxlc]){_ROMAN})"
    rf"|(?-i:(?=[IVXLC]){_ROMAN.upper()}))"
)
_PREFIX = (
    r"(?:(?:pp|p|pages?|pgs?|pg|s|seiten?|sider?|sidor|blz|bl|pag|págs?|str)(?:\.\s*|\s+))?"
)
# Text after the range that says nothing about first/last: "ff.", a stated count.
_TAIL = r"(?:\s*f{1,2}\.?)?(?:\s*[(\[][^)\]]*[)\]])?\.?"
_RANGE = re.compile(
    rf"{_PREFIX}({_PAGE})(?:\s*{_DASH}\s*({_PAGE}))?"
    rf"((?:\s*[,;]\s*{_PAGE}(?:\s*{_DASH}\s*{_PAGE})?)*)\s*{_DASH}?{_TAIL}",
    re.I,
)
_LAST_PAGE = re.compile(rf"({_PAGE})\s*$")

_UNIT = (
    r"(?:pp|p|pages?|pgs?|pg|s|seiten|sider|sidor|blz|bl|leaves|lvs|folios?|sheets?"
    r"|pagina'?s|páginas|pagine|str)"
)
# The number must not end a range ("1251-1266 pp." states no count).
_COUNT = re.compile(
    rf"(?<![-‐‑‒–—−\d])(?<![-‐‑‒–—−]\s)\b(\d{{1,5}})\s*{_UNIT}\b(?!\.?\s*(?:of\s+)?plates)",
    re.I,
)
_LABELLED_COUNT = re.compile(
    r"(?:pages?|seiten(?:zahl|anzahl)?|sider|sidor|pagina'?s|blz|umfang|extent|length)"
    r"\s*[:=]?\s*(\d{1,5})\s*\.?",
    re.I,
)
_BARE_COUNT = re.compile(r"\d{1,5}")


def parse_pages(text: str | None) -> PageRange:
    """First and last page as printed; PageRange() when the text is no page range.

    Several ranges ("12-15, 20-25") give the first page of the first and the
    last page of the last.
    """
    cleaned = clean(text)
    if cleaned is None:
        return PageRange()
    m = _RANGE.fullmatch(cleaned)
    if m is None:
        return PageRange()
    first, last, more = m.group(1), m.group(2), m.group(3)
    if more:
        tail = _LAST_PAGE.search(more)
        if tail:
            last = tail.group(1)
    return PageRange(first=first, last=last)


def parse_page_count(text: str | None) -> int | None:
    """A page count the text states ("16", "16 pages", "xii, 240 p."); else None."""
    cleaned = clean(text)
    if cleaned is None:
        return None
    if _BARE_COUNT.fullmatch(cleaned):
        return _positive(cleaned)
    counts = _COUNT.findall(cleaned)
    if counts:
        return _positive(counts[-1])
    m = _LABELLED_COUNT.search(cleaned)
    if m and m.end() == len(cleaned):
        return _positive(m.group(1))
    return None


def _positive(digits: str) -> int | None:
    n = int(digits)
    return n if n > 0 else None
