"""Pages fetched in the same night are not all asked again in the same later night:
each page's recheck_days is shortened by up to a quarter, by a fraction its URL
hashes to, so their rechecks spread over the last quarter of the span, and every
page is still asked again within recheck_days."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from pipelines.config import SourceSettings
from pipelines.state import PageState
from pipelines.unchanged import Skipper

FETCHED = datetime(2024, 6, 10, 1, 30, tzinfo=UTC)  # one night's harvest
URLS = [f"https://repo.test/en/publications/output-{i}/" for i in range(2000)]


def skipper(days: int) -> Skipper:
    return Skipper(SourceSettings(name="s", sitemap=("https://repo.test/sitemap.xml",),
                                  recheck_days=days))


def state(url: str, at: datetime = FETCHED) -> PageState:
    return PageState(url, None, None, "ab" * 32, url, 200, checked_at=at)


def first_night_asked(rule: Skipper, url: str, days: int) -> int:
    """The first night (days after the fetch) the page is requested again."""
    return next(d for d in range(days + 1)
                if not rule.unchanged(state(url), "2024-01-01", FETCHED + timedelta(days=d)))


@pytest.mark.parametrize("days", [30, 7])
def test_rechecks_of_one_nights_pages_spread_over_the_last_quarter_of_recheck_days(
        days: int) -> None:
    rule = skipper(days)
    nights = Counter(first_night_asked(rule, url, days) for url in URLS)
    spread = range(int(days * 0.75), days + 1)
    assert set(nights) <= set(spread)  # none before 3/4 of the span, none after it
    assert len(nights) >= len(spread) - 1  # nearly every night of that quarter has some
    # no night takes much more than its share of the quarter (30 days: 1 in 7.5)
    assert max(nights.values()) < len(URLS) * (1 / (days * 0.25) + 0.05)


def test_a_page_is_trusted_between_three_quarters_and_all_of_recheck_days() -> None:
    rule = skipper(30)
    spans = [rule.trusted_for(url) for url in URLS]
    assert timedelta(days=22.5) <= min(spans) < timedelta(days=23)
    assert timedelta(days=29.5) < max(spans) <= timedelta(days=30)


def test_every_page_is_asked_again_once_recheck_days_passed() -> None:
    rule, now = skipper(30), FETCHED + timedelta(days=30)
    assert not any(rule.unchanged(state(url), "2024-01-01", now) for url in URLS)


def test_a_pages_span_is_the_same_on_every_run_and_kept_after_a_recheck() -> None:
    url = URLS[7]
    first = first_night_asked(skipper(30), url, 30)
    assert first_night_asked(skipper(30), url, 30) == first
    rechecked = FETCHED + timedelta(days=first)
    span = skipper(30).trusted_for(url)
    rule = skipper(30)
    assert rule.unchanged(state(url, rechecked), "2024-01-01", rechecked + span * 0.999)
    assert not rule.unchanged(state(url, rechecked), "2024-01-01", rechecked + span)
