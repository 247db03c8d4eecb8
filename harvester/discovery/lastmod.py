"""A sitemap's <lastmod> as the latest instant it may stand for.

sitemaps.org takes W3C Datetime: YYYY, YYYY-MM, YYYY-MM-DD, or a date with a
time (hh:mm, hh:mm:ss, hh:mm:ss.s) and a zone (Z, +hh:mm, -hh:mm). A value
names a span as wide as its precision ("2024-05-03" is the whole day), so a
page may have changed up to the end of that span. A value without a zone (a
date alone, or a time some generators write without one) may be in any zone
from UTC-12 to UTC+14: one more day covers them all. A crawler may skip a page
only when this bound is earlier than its own last fetch (pipelines/unchanged.py);
anything it cannot read is None, and the page is fetched.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

__all__ = ["lastmod_bound"]

_W3C = re.compile(
    r"(?P<y>\d{4})(?:-(?P<mo>\d{2})(?:-(?P<d>\d{2})"
    r"(?:[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?)?)?",
    re.ASCII)
_ZONE_SLACK = timedelta(days=1)


def lastmod_bound(value: str | None) -> datetime | None:
    """The end of the span `value` names, in UTC, widened by a day when it names no zone;
    None when it is missing or not a W3C datetime (nor a date a calendar has)."""
    if not value:
        return None
    m = _W3C.fullmatch(value.strip())
    if m is None:
        return None
    try:
        return _bound(m)
    except (ValueError, OverflowError):  # 2024-02-30, 25:00, year 9999's end
        return None


def _bound(m: re.Match[str]) -> datetime:
    year = int(m["y"])
    if m["mo"] is None:
        return datetime(year + 1, 1, 1, tzinfo=UTC) + _ZONE_SLACK
    month = int(m["mo"])
    if m["d"] is None:
        datetime(year, month, 1)  # a month that exists
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        return end + _ZONE_SLACK
    day = datetime(year, month, int(m["d"]), tzinfo=UTC)
    if m["h"] is None:
        return day + timedelta(days=1) + _ZONE_SLACK
    second = int(m["s"]) if m["s"] is not None else 0
    at = day.replace(hour=int(m["h"]), minute=int(m["mi"]), second=second)
    # the span of the last digit given; fractions of a second round up to the next one
    at += timedelta(seconds=1) if m["s"] is not None else timedelta(minutes=1)
    zone = m["tz"]
    if zone is None:
        return at + _ZONE_SLACK
    if zone == "Z":
        return at
    sign = -1 if zone[0] == "-" else 1
    hours, minutes = int(zone[1:3]), int(zone[-2:])
    if hours > 14 or minutes > 59:
        raise ValueError(f"no such zone: {zone}")
    offset = timezone(sign * timedelta(hours=hours, minutes=minutes))
    return at.replace(tzinfo=offset).astimezone(UTC)
