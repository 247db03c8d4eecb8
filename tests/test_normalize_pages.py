"""parse_pages / parse_page_count: pages as printed, counts only when stated."""

from __future__ import annotations

import pytest

from harvester.normalize import parse_page_count, parse_pages
from harvester.types import PageRange


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("1251-1266", "1251", "1266"),
        ("1251–1266", "1251", "1266"),
        ("1251—1266", "1251", "1266"),
        ("1251‐1266", "1251", "1266"),
        ("1251 - 1266", "1251", "1266"),
        ("1251--1266", "1251", "1266"),
        ("pp. 12-15", "12", "15"),
        ("pp 12-15", "12", "15"),
        ("Pages 12-15", "12", "15"),
        ("S. 12–19", "12", "19"),
        ("p. 7", "7", None),
        ("p.7", "7", None),
        ("e0123", "e0123", None),
        ("S12–S19", "S12", "S19"),
        ("A1-A10", "A1", "A10"),
        ("xii-xx", "xii", "xx"),
        ("XII–XX", "XII", "XX"),
        ("444-445", "444", "445"),
        ("123", "123", None),
        ("1251-66", "1251", "66"),
        ("12 to 15", "12", "15"),
        ("12-15, 20-25", "12", "25"),
        ("12-15; 20", "12", "20"),
        ("S. 12 ff.", "12", None),
        ("123-", "123", None),
        ("pp. 1251-1266 (16 pages)", "1251", "1266"),
        ("  882 -\u00a0896 ", "882", "896"),
        ("12a-12c", "12a", "12c"),
    ],
)
def test_page_ranges_are_kept_as_printed(text: str, first: str, last: str | None) -> None:
    assert parse_pages(text) == PageRange(first=first, last=last)


@pytest.mark.parametrize(
    "text", [None, "", "  ", "n/a", "unknown", "Article 5", "mix", "dim", "-", "pp.", "12-15 abc"]
)
def test_text_that_is_no_page_range_gives_an_empty_range(text: str | None) -> None:
    assert parse_pages(text) == PageRange()


def test_page_range_never_carries_a_count() -> None:
    assert parse_pages("1251-1266").count is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16", 16),
        (" 16 ", 16),
        ("15 p.", 15),
        ("15p", 15),
        ("16 pages", 16),
        ("1 page", 1),
        ("12 pp", 12),
        ("xii, 240 p.", 240),
        ("xii, 240 p., 12 p. of plates", 240),
        ("240 S.", 240),
        ("133 Seiten", 133),
        ("124 sider", 124),
        ("88 sidor", 88),
        ("45 blz.", 45),
        ("129 leaves", 129),
        ("1 online resource (124 pages)", 124),
        ("Number of pages: 16", 16),
        ("Pages: 16", 16),
    ],
)
def test_stated_page_counts_are_read(text: str, expected: int) -> None:
    assert parse_page_count(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "0",
        "abc",
        "1251-1266",
        "pp. 12-15",
        "1251-1266 pp.",
        "1251 - 1266 pp",
        "e0123",
        "Pages: 12-15",
        "3 figures",
    ],
)
def test_page_count_is_never_computed_or_guessed(text: str | None) -> None:
    assert parse_page_count(text) is None
