"""Date windows for OAI-PMH harvests: pure functions, no I/O.

A harvest from `start` to now is cut into calendar windows (day, month, year,
or one window) so an expired resumption token costs one window, not the whole
harvest. Windows are written at the server's granularity and touch without
overlapping: a window's `until` is one tick (a second or a day) before the
next window's `from`. The last window has no `until`, so records changed
while the harvest runs are still listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from harvester.errors import DiscoveryError

SECONDS = "YYYY-MM-DDThh:mm:ssZ"
UNITS = ("day", "month", "year", "none")


@dataclass(frozen=True, slots=True)
class Window:
    from_: str | None  # None: from the beginning (a server without earliestDatestamp)
    until: str | None  # None: open-ended (the last window)


def parse_stamp(text: str) -> datetime:
    """A UTC datetime from an OAI datestamp or responseDate (day or seconds
    granularity; fractions of a second and offsets are tolerated)."""
    raw = text.strip()
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), datetime.min.time(), UTC)
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise DiscoveryError(f"not an OAI datestamp: {text!r}") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_stamp(value: datetime, granularity: str) -> str:
    utc = value.astimezone(UTC)
    if granularity == SECONDS:
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    return utc.strftime("%Y-%m-%d")


def tick(granularity: str) -> timedelta:
    """The smallest step the server can tell apart."""
    return timedelta(seconds=1) if granularity == SECONDS else timedelta(days=1)


def _floor(value: datetime, granularity: str) -> datetime:
    if granularity == SECONDS:
        return value.replace(microsecond=0)
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


def _next_boundary(value: datetime, unit: str) -> datetime:
    """The first instant of the next calendar day/month/year after `value`."""
    start = value.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "month":
        year, month = (value.year + 1, 1) if value.month == 12 else (value.year, value.month + 1)
        return start.replace(year=year, month=month, day=1)
    return start.replace(year=value.year + 1, month=1, day=1)


def split_windows(start: datetime, now: datetime, unit: str, granularity: str) -> list[Window]:
    """Windows covering [start, ∞), cut at calendar boundaries up to `now`."""
    if unit not in UNITS:
        raise ValueError(f"window unit must be one of {UNITS}, got {unit!r}")
    step = tick(granularity)
    begin = _floor(start.astimezone(UTC), granularity)
    out: list[Window] = []
    if unit != "none":
        boundary = _next_boundary(begin, unit)
        while boundary <= now:
            out.append(Window(format_stamp(begin, granularity),
                              format_stamp(boundary - step, granularity)))
            begin = boundary
            boundary = _next_boundary(begin, unit)
    out.append(Window(format_stamp(begin, granularity), None))
    return out


def windows_after(until: str, now: datetime, unit: str, granularity: str) -> list[Window]:
    """The windows that follow one ending at `until` (for a resumed harvest)."""
    return split_windows(parse_stamp(until) + tick(granularity), now, unit, granularity)
