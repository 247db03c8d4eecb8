"""Which listed pages are not requested: a known record page fetched fine within
recheck_days, whose sitemap lastmod ends before that fetch; everything else is asked."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from harvester.errors import ConfigError
from pipelines.config import SourceSettings, parse_settings
from pipelines.state import PageState
from pipelines.unchanged import Skipper

FETCHED = datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
NOW = FETCHED + timedelta(days=2)
KNOWN = PageState("https://repo.test/p/1", '"v1"', None, "ab" * 32, "key-1", 200,
                  checked_at=FETCHED)
SOURCE = SourceSettings(name="s", sitemap=("https://repo.test/sitemap.xml",))


@pytest.mark.parametrize(("lastmod", "state", "now", "skipped"), [
    ("2024-06-01", KNOWN, NOW, True),
    ("2024-06-10T11:59:00Z", KNOWN, NOW, True),
    ("2024-06-10T11:59:58+00:00", KNOWN, NOW, True),
    ("2024-06-10T11:59:59+00:00", KNOWN, NOW, False),  # its second reaches our fetch
    # the day of the fetch (and the next, for zones) may still hold a change
    ("2024-06-10", KNOWN, NOW, False),
    ("2024-06-09", KNOWN, NOW, False),
    ("2024-06-08", KNOWN, NOW, True),
    ("2024-06-10T12:00:00Z", KNOWN, NOW, False),
    ("2024-06-10T11:59:00", KNOWN, NOW, False),  # no zone: a day wider
    ("2024-06-11T08:00Z", KNOWN, NOW, False),  # changed after our fetch
    ("2031-01-01", KNOWN, NOW, False),  # in the future
    ("soon", KNOWN, NOW, False),
    (None, KNOWN, NOW, False),
    ("2024-06-01", None, NOW, False),  # never fetched
    ("2024-06-01", dataclasses.replace(KNOWN, status=304), NOW, True),
    ("2024-06-01", dataclasses.replace(KNOWN, source_key=None), NOW, False),
    ("2024-06-01", dataclasses.replace(KNOWN, error_reason="network", status=None), NOW, False),
    ("2024-06-01", dataclasses.replace(KNOWN, status=404, error_reason="gone"), NOW, False),
    ("2024-06-01", dataclasses.replace(KNOWN, checked_at=None), NOW, False),
    # trusted at least 3/4 of recheck_days (30), never longer (tests/test_lastmod_spread.py);
    # a clock gone back asks too
    ("2024-06-01", KNOWN, FETCHED + timedelta(days=22, hours=11), True),
    ("2024-06-01", KNOWN, FETCHED + timedelta(days=30), False),
    ("2024-06-01", KNOWN, FETCHED - timedelta(hours=1), False),
])  # fmt: skip
def test_page_is_skipped_only_when_its_lastmod_predates_a_recent_good_fetch(
    lastmod: str | None, state: PageState | None, now: datetime, skipped: bool
) -> None:
    assert Skipper(SOURCE).unchanged(state, lastmod, now) is skipped


@pytest.mark.parametrize("changes", [{"lastmod": "ignore"}, {"recheck_days": 0}])
def test_ignore_or_zero_recheck_days_asks_for_every_page(changes: dict[str, object]) -> None:
    source = dataclasses.replace(SOURCE, **changes)  # type: ignore[arg-type]
    assert Skipper(source).unchanged(KNOWN, "2024-06-01", NOW) is False


def test_recheck_days_sets_how_long_a_fetch_is_trusted() -> None:
    skipper = Skipper(dataclasses.replace(SOURCE, recheck_days=1))
    assert skipper.unchanged(KNOWN, "2024-06-01", FETCHED + timedelta(hours=17)) is True
    assert skipper.unchanged(KNOWN, "2024-06-01", FETCHED + timedelta(hours=25)) is False


def source_config(**keys: object) -> SourceSettings:
    return parse_settings({
        "user_agent": "harvester-tests (+mailto:t@example.org)",
        "sources": [{"name": "s", **keys}]}, path=None, env={}).sources[0]


def test_lastmod_is_trusted_for_30_days_unless_configured() -> None:
    default = source_config(sitemap="https://repo.test/sitemap.xml")
    assert (default.lastmod, default.recheck_days) == ("trust", 30)
    chosen = source_config(sitemap="https://repo.test/sitemap.xml", lastmod="ignore",
                           recheck_days=0)
    assert (chosen.lastmod, chosen.recheck_days) == ("ignore", 0)


@pytest.mark.parametrize(("keys", "message"), [
    ({"lastmod": "maybe"}, r"sources\[0\]\.lastmod: must be one of trust, ignore, got 'maybe'"),
    ({"recheck_days": -1}, r"sources\[0\]\.recheck_days: must be an integer >= 0, got -1"),
    ({"recheck_days": 1.5}, r"sources\[0\]\.recheck_days: must be an integer >= 0"),
    ({"oai": "https://repo.test/oai", "lastmod": "trust"},
     r"sources\[0\]\.lastmod: only allowed on a source with sitemap, listing or urls"),
])  # fmt: skip
def test_bad_lastmod_settings_are_config_errors(keys: dict[str, object], message: str) -> None:
    sitemap = {} if "oai" in keys else {"sitemap": "https://repo.test/sitemap.xml"}
    with pytest.raises(ConfigError, match=message):
        source_config(**sitemap, **keys)
