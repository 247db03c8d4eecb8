"""PartialDate.isoformat's table path writes what the zero-padding format specs write."""

from __future__ import annotations

from itertools import product

from harvester.types import PartialDate


def _spelled(year: int, month: int | None, day: int | None) -> str:
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def _unchecked(year: int, month: int | None, day: int | None) -> PartialDate:
    """A date built without __post_init__'s checks, as unpickling may build one."""
    date = object.__new__(PartialDate)
    for name, value in (("year", year), ("month", month), ("day", day)):
        object.__setattr__(date, name, value)
    return date


def test_isoformat_matches_the_format_specs_inside_and_outside_the_valid_range() -> None:
    years = (-5, 0, 1, 9, 99, 999, 1000, 1999, 2024, 9999, 10000, 123456, True)
    months = (None, -1, 0, 1, 9, 10, 12, 13, 31, 32, 99, 100)
    days = (None, -1, 0, 1, 9, 10, 28, 31, 32, 99, 100)
    for year, month, day in product(years, months, days):
        if month is None and day is not None:
            continue
        assert _unchecked(year, month, day).isoformat() == _spelled(year, month, day), (
            year, month, day)


def test_isoformat_of_every_valid_day_of_a_leap_year_and_the_year_alone() -> None:
    for month, day in product(range(1, 13), range(1, 32)):
        try:
            date = PartialDate(2024, month, day)
        except ValueError:
            continue
        assert date.isoformat() == f"2024-{month:02d}-{day:02d}"
        assert PartialDate.fromisoformat(date.isoformat()) == date
    assert PartialDate(987).isoformat() == "0987"
    assert PartialDate(2024, 7).isoformat() == "2024-07"
