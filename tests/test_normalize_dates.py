"""parse_date / parse_date_range: precision kept, nothing guessed."""

from __future__ import annotations

import pytest

from harvester.normalize import parse_date, parse_date_range
from harvester.types import PartialDate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ISO and ISO-like
        ("2019-09-20", "2019-09-20"),
        ("2019-09", "2019-09"),
        ("2019", "2019"),
        ("2019-9-2", "2019-09-02"),
        ("2019-09-20T10:00:00Z", "2019-09-20"),
        ("2019-09-20T23:30:00+02:00", "2019-09-20"),
        ("2019-09-20 10:00:00", "2019-09-20"),
        ("2019-09-20T10:00:00.123-0500", "2019-09-20"),
        ("  2019-09-20  ", "2019-09-20"),
        ("2025/03/30", "2025-03-30"),
        ("2025/03", "2025-03"),
        ("2019.09.20", "2019-09-20"),
        ("20190920", "2019-09-20"),
        # English month names and abbreviations
        ("1 Dec 2019", "2019-12-01"),
        ("1 Dec. 2019", "2019-12-01"),
        ("20 Sept 2019", "2019-09-20"),
        ("20 Sept. 2019", "2019-09-20"),
        ("Jun 2016", "2016-06"),
        ("June 2016", "2016-06"),
        ("JUNE 2016", "2016-06"),
        ("Mar 30 2025", "2025-03-30"),
        ("March 30, 2025", "2025-03-30"),
        ("March 30th, 2025", "2025-03-30"),
        ("1st December 2019", "2019-12-01"),
        ("2019 Dec 1", "2019-12-01"),
        ("20-Sep-2019", "2019-09-20"),
        ("Tue, 01 Dec 2019 10:00:00 GMT", "2019-12-01"),
        ("Sunday, 1 December 2019", "2019-12-01"),
        ("December 1, 2019 3:45 pm", "2019-12-01"),
        ("Published online: 20 September 2019", "2019-09-20"),
        # German, Danish, Dutch, Swedish, French, Spanish
        ("1. Dezember 2019", "2019-12-01"),
        ("am 1. Dez. 2019", "2019-12-01"),
        ("März 2019", "2019-03"),
        ("Juni 2016", "2016-06"),
        ("1 december 2019", "2019-12-01"),
        ("1 maj 2019", "2019-05-01"),
        ("1. marts 2019", "2019-03-01"),
        ("mrt 2019", "2019-03"),
        ("okt. 2019", "2019-10"),
        ("3 mei 2019", "2019-05-03"),
        ("den 1 augusti 2019", "2019-08-01"),
        ("1er décembre 2019", "2019-12-01"),
        ("le 1er décembre 2019", "2019-12-01"),
        ("août 2019", "2019-08"),
        ("févr. 2019", "2019-02"),
        ("juil. 2019", "2019-07"),
        ("30 de marzo de 2025", "2025-03-30"),
        # seasons keep year precision
        ("Spring 2019", "2019"),
        ("Herbst 2019", "2019"),
        ("2019 Winter", "2019"),
        # numeric day/month that the numbers settle
        ("20.09.2019", "2019-09-20"),
        ("20.09.2019.", "2019-09-20"),
        ("01.09.2019", "2019-09-01"),
        ("30/3/2025", "2025-03-30"),
        ("3/30/2025", "2025-03-30"),
        ("3/30/25", "2025-03-30"),
        ("5/5/2019", "2019-05-05"),
        ("20-09-2019", "2019-09-20"),
        ("09/2019", "2019-09"),
        ("3/30/99", "1999-03-30"),
        # surroundings that change nothing
        ("[2019]", "2019"),
        ("©2019", "2019"),
        ("2019-12-01\u00a0", "2019-12-01"),
    ],
)
def test_dates_parse_at_printed_precision(text: str, expected: str) -> None:
    assert parse_date(text) == PartialDate.fromisoformat(expected)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "not a date",
        "3/4/2019",  # 3 April or March 4?
        "04/03/19",
        "Dec 19",  # day 19 or year 2019?
        "12 2019",
        "2019-2020",
        "2019/2020",
        "2019 2020",
        "3/30/25 → 4/3/25",
        "1 Dec 2019 - 3 Dec 2019",
        "0999",
        "2101",
        "31 Feb 2019",
        "2019-02-30",
        "2019-13",
        "2019-00-10",
        "32 Jan 2019",
        "ca. 2019",
        "Q1 2019",
        "forthcoming",
        "12/19",
        "123 Jan 2019",
        "Spring 3 2019",
        "1 March April 2019",
        "2019-09-20/2019-09-21",
    ],
)
def test_unreadable_or_ambiguous_dates_give_none(text: str | None) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("3/4/2019", "dmy", "2019-04-03"),
        ("3/4/2019", "mdy", "2019-03-04"),
        ("3/30/25", "mdy", "2025-03-30"),
        ("30/3/2025", "dmy", "2025-03-30"),
        ("04/03/19", "dmy", "2019-03-04"),
    ],
)
def test_named_order_reads_ambiguous_numeric_dates(text: str, order: str, expected: str) -> None:
    assert parse_date(text, order=order) == PartialDate.fromisoformat(expected)


@pytest.mark.parametrize(("text", "order"), [("3/30/25", "dmy"), ("3/4/2019", "ymd")])
def test_named_order_that_does_not_fit_gives_none(text: str, order: str) -> None:
    assert parse_date(text, order=order) is None


def test_unknown_order_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="order"):
        parse_date("2019", order="myd")


def test_leap_day_is_accepted_only_in_leap_years() -> None:
    assert parse_date("29 Feb 2020") == PartialDate(2020, 2, 29)
    assert parse_date("29 Feb 2019") is None


def test_decomposed_umlaut_month_is_recognised() -> None:
    assert parse_date("Ma\u0308rz 2019") == PartialDate(2019, 3)


def _d(text: str | None) -> PartialDate | None:
    return PartialDate.fromisoformat(text) if text else None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("3/30/25 → 4/3/25", "2025-03-30", "2025-04-03"),
        ("2019-09-20 - 2019-09-21", "2019-09-20", "2019-09-21"),
        ("2019-09-20/2019-09-21", "2019-09-20", "2019-09-21"),
        ("20–21 Sept 2019", "2019-09-20", "2019-09-21"),
        ("20 - 21 September 2019", "2019-09-20", "2019-09-21"),
        ("Sept 20 - Oct 3, 2019", "2019-09-20", "2019-10-03"),
        ("1 Dec – 3 Jan 2020", "2019-12-01", "2020-01-03"),
        ("June – August 2019", "2019-06", "2019-08"),
        ("2019-2020", "2019", "2020"),
        ("2019–2020", "2019", "2020"),
        ("1 Jan 2019 to 3 Feb 2019", "2019-01-01", "2019-02-03"),
        ("2019 –", "2019", None),
        ("– 2020", None, "2020"),
        ("2019-09-20", "2019-09-20", None),
        ("", None, None),
        (None, None, None),
        ("3/4/25 - 5/4/25", None, None),
        ("a - b - c", None, None),
    ],
)
def test_date_ranges_split_and_borrow_from_the_end(
    text: str | None, start: str | None, end: str | None
) -> None:
    assert parse_date_range(text) == (_d(start), _d(end))


def test_range_with_named_order_reads_both_sides() -> None:
    assert parse_date_range("3/4/25 - 5/4/25", order="dmy") == (
        PartialDate(2025, 4, 3),
        PartialDate(2025, 4, 5),
    )


@pytest.mark.parametrize(
    ("text", "expected"), [("2019-00-00", "2019"), ("2019-00", "2019"), ("2019-03-00", "2019-03")]
)
def test_zero_month_or_day_means_not_stated(text: str, expected: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None and parsed.isoformat() == expected
