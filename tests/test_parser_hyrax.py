"""Samvera Hyrax work pages.

No real Hyrax page is in the corpus: tests/fixtures/hyrax/work-show.html is written
by hand after the Hyrax 3 work show template (dl.work-show, ul.tabular,
li.attribute-<field>), with invented values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harvester.errors import NotARecord
from harvester.parsers import hyrax
from harvester.parsers._detect import Signals
from harvester.types import Page

PAGE = Page(url="https://scholar.example.edu/concern/articles/abc123",
            body=(Path(__file__).parent / "fixtures/hyrax/work-show.html").read_bytes())


@pytest.mark.parametrize(
    ("field", "want"),
    [("title", "Maps of an imaginary coastline"), ("type", "article"), ("language", "en"),
     ("doi", "10.9999/maps.1"), ("abstract", "Coastlines drawn from memory."),
     ("keywords", ["coastlines", "cartography, historical"]), ("published", "2017-08")],
)
def test_hyrax_attribute_fields(field: str, want: Any) -> None:
    assert hyrax.parse(PAGE).to_json()[field] == want


def test_hyrax_creators_in_order_and_date_created_provenance() -> None:
    record = hyrax.parse(PAGE)
    assert [p.family for p in record.authors] == ["Kowalski", "Ferreira"]
    assert record.provenance["published"] == "hyrax:date_created"
    assert hyrax.looks_like(PAGE, Signals.of(PAGE.url, PAGE.body))


@pytest.mark.parametrize("body", [b"", b"<ul class='tabular'><li class='attribute'></li></ul>"])
def test_hyrax_without_title_is_not_a_record(body: bytes) -> None:
    with pytest.raises(NotARecord):
        hyrax.parse(Page(url="https://h.example/concern/works/1", body=body))
