"""Dates at the precision the page prints them: never invent a day or a month.

`parse_date` returns None for anything it cannot read without guessing: an
ambiguous 03/04/2019 (unless the caller names the order), a two-year span,
unknown words. `parse_date_range` reads "20–21 Sept 2019" or "3/30/25 → 4/3/25".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from harvester.types import PartialDate

from ._months import MONTHS, NOISE_WORDS, SEASONS

MIN_YEAR = 1000
MAX_YEAR = 2100
# Two-digit years: 00-49 -> 2000s, 50-99 -> 1900s.
_PIVOT = 50

_ISO = re.compile(
    r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?",
    re.I,
)
# 1-3 numbers joined by one repeated separator: 2025/03/30, 20.09.2019, 3/30/25, 09/2019
_NUMERIC = re.compile(r"(\d{1,4})\s*([./-])\s*(\d{1,4})(?:\s*\2\s*(\d{1,4}))?\.?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TIME = re.compile(
    r"\b\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[ap]\.?m\.?\b)?\s*"
    r"(?:Z\b|UTC\b|GMT\b|CES?T\b|[+-]\d{2}:?\d{2}\b)?",
    re.I,
)
_TOKEN = re.compile(r"\d+|[^\W\d_]+")
_RANGE_SPLIT = re.compile(r"\s*(?:→|⇒|->|–|—|--|\s-\s|\bto\b|\buntil\b|\bbis\b|\btot\b)\s*", re.I)
_YEAR_SPAN = re.compile(r"(\d{4})\s*[-/‐]\s*(\d{4})")

# PartialDate(...) without __init__ (positional_pickle's slot setter), for `_build`
_new_date: Callable[..., PartialDate] = PartialDate._unpickle  # type: ignore[attr-defined]

_ORDERS = frozenset({"auto", "dmy", "mdy", "ymd"})

# (year, month, day), each None when the text does not give it
_Parts = tuple[int | None, int | None, int | None]


def parse_date(text: str | None, *, order: str = "auto") -> PartialDate | None:
    """Read one date, keeping its precision; None when unreadable or ambiguous.

    `order` says how to read all-numeric day/month dates: "dmy", "mdy", "ymd",
    or "auto" (only when one number is above 12, or both are equal).
    """
    if not text:
        return None
    if order not in _ORDERS:
        raise ValueError(f"unknown date order: {order!r}")
    return _parse_date(text, order)


# Pages of one portal repeat the same date strings; PartialDate is immutable.
@lru_cache(maxsize=8192)
def _parse_date(text: str, order: str) -> PartialDate | None:
    text = text.strip()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    m = _ISO.fullmatch(text)
    if m:
        y, mo, d = m.groups()
        month, day = int(mo) if mo else None, int(d) if d else None
        # zeros stand for "not stated" ("2019-00-00", "2019-03-00"); "2019-00-10" stays unread
        day = day or None
        if month == 0 and day is None:
            month = None
        return _build(int(y), month, day)
    if _RANGE_SPLIT.search(text) or _YEAR_SPAN.fullmatch(text):
        return None
    parts = _parse_parts(text, order, partial=False)
    return _build(*parts) if parts else None


def parse_date_range(
    text: str | None, *, order: str = "auto"
) -> tuple[PartialDate | None, PartialDate | None]:
    """Read "start → end"; the start borrows the year and month it omits from the end.

    A single date gives (date, None); an open range "2019 –" gives (2019, None).
    With order "auto", an all-numeric side that is ambiguous takes the order the
    other side proves ("3/30/25 → 4/3/25" is month-first throughout).
    """
    if not text or not text.strip():
        return None, None
    if order not in _ORDERS:
        raise ValueError(f"unknown date order: {order!r}")
    text = text.strip()
    span = _YEAR_SPAN.fullmatch(text)
    if span:
        return _build(int(span.group(1)), None, None), _build(int(span.group(2)), None, None)
    pieces = _RANGE_SPLIT.split(text)
    if len(pieces) == 1:
        pieces = _iso_interval(text)
        if len(pieces) == 1:
            return parse_date(text, order=order), None
    if len(pieces) != 2:
        return None, None
    left, right = pieces[0].strip(), pieces[1].strip()
    start, end = _pair(left, right, order)
    if order == "auto" and left and right and (start is None or end is None):
        proved = [o for o in ("dmy", "mdy") if None not in _pair(left, right, o)]
        if len(proved) == 1:
            start, end = _pair(left, right, proved[0])
    return start, end


def _iso_interval(text: str) -> list[str]:
    """ISO 8601 intervals "2019-09-20/2019-09-21" use a slash."""
    left, sep, right = text.partition("/")
    if sep and _ISO.fullmatch(left.strip()) and _ISO.fullmatch(right.strip()):
        return [left, right]
    return [text]


def _pair(left: str, right: str, order: str) -> tuple[PartialDate | None, PartialDate | None]:
    end = parse_date(right, order=order) if right else None
    if not left:
        return None, end
    start = parse_date(left, order=order)
    if start is not None or end is None:
        return start, end
    parts = _parse_parts(left, order, partial=True)
    if not parts:
        return None, end
    y, mo, d = parts
    if y is not None:
        return _build(y, mo, d), end
    if mo is None and d is not None:
        mo = end.month
    start = _build(end.year, mo, d)
    depth = 1 + (end.month is not None) + (end.day is not None)
    if start is not None and _key(start)[:depth] > _key(end)[:depth]:
        start = _build(end.year - 1, mo, d)  # "1 Dec – 3 Jan 2020" starts the year before
    return start, end


def _key(date: PartialDate) -> tuple[int, int, int]:
    return date.year, date.month or 0, date.day or 0


def _parse_parts(text: str, order: str, *, partial: bool) -> _Parts | None:
    """Read the pieces of a non-ISO date. `partial` allows a missing year (range starts)."""
    text = _TIME.sub(" ", text).strip(" ,;()[]")
    m = _NUMERIC.fullmatch(text)
    if m:
        return _numeric(m.group(1), m.group(3), m.group(4), m.group(2), order)
    m = _COMPACT.fullmatch(text)
    if m:
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    return _words(text.lower(), partial)


def _numeric(a: str, b: str, c: str | None, sep: str, order: str) -> _Parts | None:
    if len(a) == 4:  # year first is never ambiguous: 2025/03/30, 2019.09
        if len(b) > 2 or (c is not None and len(c) > 2):
            return None
        return int(a), int(b), int(c) if c else None
    if len(a) > 2:
        return None
    if c is None:  # 09/2019 is a month; 09/19 could be a day and a month
        return (int(b), int(a), None) if len(b) == 4 else None
    if len(b) > 2 or len(c) not in (2, 4):
        return None
    x, y, year = int(a), int(b), _year(c)
    if order == "ymd":
        return None
    if order == "auto":
        # d.m.y is the only dotted order in use; equal numbers read the same both ways
        if sep == "." or x == y or x > 12 >= y:
            order = "dmy"
        elif y > 12 >= x:
            order = "mdy"
        else:
            return None
    return (year, y, x) if order == "dmy" else (year, x, y)


def _year(digits: str) -> int:
    n = int(digits)
    if len(digits) == 2:
        return 2000 + n if n < _PIVOT else 1900 + n
    return n


def _words(text: str, partial: bool) -> _Parts | None:
    """Dates with a month name, a season or a bare year: "1. Dezember 2019", "Spring 2019"."""
    year: int | None = None
    month: int | None = None
    numbers: list[int] = []
    season = False
    for token in _TOKEN.findall(text):
        if token.isdecimal():
            if len(token) == 4:
                if year is not None:
                    return None  # two years: a span, not a date
                year = int(token)
            elif len(token) <= 2:
                numbers.append(int(token))
            else:
                return None
            continue
        found = MONTHS.get(token)
        if found is not None:
            if month is not None and month != found:
                return None
            month = found
        elif token in SEASONS:
            season = True
        elif token not in NOISE_WORDS:
            return None
    if year is None and not partial:
        return None
    if season:
        return (year, None, None) if month is None and not numbers else None
    if len(numbers) > 1:
        return None
    day = numbers[0] if numbers else None
    if month is None and day is not None and not partial:
        return None  # "12 2019": a day or a month? do not guess
    if year is None and month is None and day is None:
        return None
    return year, month, day


def _build(year: int | None, month: int | None, day: int | None) -> PartialDate | None:
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None:
        if month is None or not 1 <= day <= 31:
            return None
        try:
            datetime(year, month, day)
        except ValueError:
            return None
    # checked above as PartialDate.__post_init__ would (within its ranges), so without
    # __init__: its three object.__setattr__s and a second datetime() cost ~1 µs a date
    return _new_date(year, month, day)
