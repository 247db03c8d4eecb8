"""A sitemap <lastmod> read as the latest instant it may stand for (its precision's span,
one day wider when it names no zone); anything else is None, so the page is fetched."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from harvester.discovery.lastmod import lastmod_bound


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
        ) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(("value", "bound"), [
    # a date covers its whole day, plus a day for the zone it does not name
    ("2024-05-03", utc(2024, 5, 5)),
    ("2024-12", utc(2025, 1, 2)),
    ("2024-02", utc(2024, 3, 2)),
    ("2024", utc(2025, 1, 2)),
    # with a zone: to the last digit given
    ("2024-05-03T10:15:30Z", utc(2024, 5, 3, 10, 15, 31)),
    ("2024-05-03T10:15Z", utc(2024, 5, 3, 10, 16)),
    ("2024-05-03T10:15:30.25+02:00", utc(2024, 5, 3, 8, 15, 31)),
    ("2024-05-03T23:59:59-05:00", utc(2024, 5, 4, 5, 0, 0)),
    ("2024-05-03T10:15:30+0530", utc(2024, 5, 3, 4, 45, 31)),
    ("  2024-05-03T10:15:30Z\n", utc(2024, 5, 3, 10, 15, 31)),
    # a time without a zone could be any zone's: a day wider
    ("2024-05-03T10:15:30", utc(2024, 5, 4, 10, 15, 31)),
    ("2024-05-03 10:15:30", utc(2024, 5, 4, 10, 15, 31)),
])  # fmt: skip
def test_lastmod_bound_ends_its_span(value: str, bound: datetime) -> None:
    assert lastmod_bound(value) == bound


@pytest.mark.parametrize("value", [
    None, "", "yesterday", "2024-5-3", "03/05/2024", "2024-02-30", "2024-13", "2024-00-10",
    "2024-05-03T25:00Z", "2024-05-03T10:15:30+15:00", "2024-05-03T10:15:30Q",
    "Fri, 03 May 2024 10:15:30 GMT", "9999-12-31", "2024-05-03T10",
])  # fmt: skip
def test_unreadable_lastmod_is_none(value: str | None) -> None:
    assert lastmod_bound(value) is None
