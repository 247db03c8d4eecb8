"""Figshare item pages.

No real Figshare page is in the corpus: the fixtures in tests/fixtures/figshare/
were written by hand after the markup Figshare serves in the head of an item
page (citation_* tags, Open Graph, a schema.org JSON-LD block, the canonical
/articles/<type>/<slug>/<id> address), with invented content.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.parsers import figshare
from harvester.types import Page, PartialDate, Record

FIXTURES = Path(__file__).parent / "fixtures" / "figshare"


def _parse(name: str, url: str) -> Record:
    return figshare.parse(Page(url=url, body=(FIXTURES / name).read_bytes()))


def test_dataset_item() -> None:
    record = _parse("dataset.html", "https://figshare.com/articles/dataset/x/1234567")
    assert (record.platform, record.type, record.source_key) == (
        "figshare", "dataset", "figshare:1234567")
    assert record.doi == "10.99998/m9.figshare.1234567.v2"
    assert record.published == PartialDate(2020, 6, 30)
    assert record.authors[0].orcid == "0000-0002-1825-0097"  # from JSON-LD, names line up
    assert record.abstract == "Daily water temperature of an invented river, 1990–2020."


@pytest.mark.parametrize(
    ("segment", "expected"),
    [("journal_contribution", "article"), ("figure", "other"), ("software", "software"),
     ("thesis", "thesis"), ("preprint", "preprint"), ("conference_contribution",
                                                     "conference-paper")],
)
def test_item_type_comes_from_the_address(segment: str, expected: str) -> None:
    body = (FIXTURES / "journal-contribution.html").read_bytes().replace(
        b"/journal_contribution/", f"/{segment}/".encode())
    record = figshare.parse(Page(url="https://example.figshare.com/x", body=body))
    assert (record.type, record.type_raw) == (expected, segment.replace("_", " "))


def test_month_precision_date_is_kept() -> None:
    record = _parse("journal-contribution.html", "https://example.figshare.com/x")
    assert record.published == PartialDate(2017, 2)
