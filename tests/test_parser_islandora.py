"""Islandora 7 and Islandora 2 object pages.

No real Islandora page is in the corpus: tests/fixtures/islandora holds pages
written by hand after the Islandora 7 metadata display (dl.islandora-inline-metadata)
and an Islandora 2 Drupal node (field__label/field__item), with invented values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harvester.errors import NotARecord
from harvester.parsers import islandora
from harvester.parsers._detect import Signals
from harvester.types import Page

FIXTURES = Path(__file__).parent / "fixtures" / "islandora"


def _page(name: str) -> Page:
    return Page(url="https://dc.example.edu/islandora/object/x:1",
                body=(FIXTURES / name).read_bytes())


@pytest.mark.parametrize(
    ("name", "field", "want"),
    [("islandora7-dl.html", "type", "thesis"), ("islandora7-dl.html", "language", "es"),
     ("islandora7-dl.html", "published", "1998"),
     ("islandora7-dl.html", "keywords", ["Harbours", "Letters"]),
     ("islandora7-dl.html", "pages", {"first": None, "last": None, "count": 88}),
     ("islandora2-drupal.html", "type", "dataset"),
     ("islandora2-drupal.html", "published", "2022-10-03"),
     ("islandora2-drupal.html", "abstract", "Strain readings.")],
)
def test_islandora_fields(name: str, field: str, want: Any) -> None:
    assert islandora.parse(_page(name)).to_json()[field] == want


@pytest.mark.parametrize(("name", "families"), [("islandora7-dl.html", ["Quispe"]),
                                                ("islandora2-drupal.html", ["Dube"])])
def test_islandora_only_author_roles_are_authors(name: str, families: list[str]) -> None:
    page = _page(name)
    assert [p.family for p in islandora.parse(page).authors] == families
    assert islandora.looks_like(page, Signals.of(page.url, page.body))


@pytest.mark.parametrize("body", [b"", b"<html><body><h1></h1></body></html>"])
def test_islandora_without_metadata_is_not_a_record(body: bytes) -> None:
    with pytest.raises(NotARecord):
        islandora.parse(Page(url="https://dc.example.edu/islandora/object/x:2", body=body))
