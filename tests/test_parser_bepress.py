"""bepress Digital Commons item pages.

No real Digital Commons page is in the corpus: tests/fixtures/bepress holds pages
written by hand after the Digital Commons article/ETD templates (div.element
blocks, bepress_citation_* meta), with invented values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harvester.errors import NotARecord
from harvester.parsers import bepress
from harvester.parsers._detect import Signals
from harvester.types import Page

FIXTURES = Path(__file__).parent / "fixtures" / "bepress"


def _parse(name: str) -> dict[str, Any]:
    page = Page(url="https://digitalcommons.example.edu/x/1", body=(FIXTURES / name).read_bytes())
    return bepress.parse(page).to_json()


@pytest.mark.parametrize(
    ("name", "field", "want"),
    [
        ("article.html", "type", "article"),
        ("article.html", "published", "2019"),  # "Spring 2019": year precision
        ("article.html", "doi", "10.9999/ior.5.2.3"),
        ("article.html", "volume", "5"),
        ("article.html", "issue", "2"),
        ("article.html", "journal", "Invented Ornithology Review"),
        ("article.html", "keywords", ["finches", "foraging", "seasons"]),
        ("article.html", "url", "https://digitalcommons.example.edu/ior/vol5/iss2/3"),
        ("etd-no-meta.html", "type", "thesis"),
        ("etd-no-meta.html", "published", "2016-05"),
        ("etd-no-meta.html", "abstract", "Who owns the water."),
        ("etd-no-meta.html", "volume", None),
    ],
)
def test_bepress_fields(name: str, field: str, want: Any) -> None:
    assert _parse(name)[field] == want


def test_bepress_page_blocks_beat_meta_and_keep_provenance() -> None:
    record = _parse("article.html")
    assert [a["family"] for a in record["authors"]] == ["Achebe", "Lund"]
    assert record["provenance"]["published"] == "bepress:page"
    assert record["provenance"]["pages"] == "meta:bepress"


@pytest.mark.parametrize("body", [b"", b"<div id='title' class='element'><h1></h1></div>"])
def test_bepress_without_title_is_not_a_record(body: bytes) -> None:
    with pytest.raises(NotARecord):
        bepress.parse(Page(url="https://dc.example/1", body=body))


def test_bepress_detected_by_meta_or_markup() -> None:
    for name in ("article.html",):
        page = Page(url="https://dc.example/1", body=(FIXTURES / name).read_bytes())
        assert bepress.looks_like(page, Signals.of(page.url, page.body))
    plain = Page(url="https://dc.example/1", body=b"<html><body>x</body></html>")
    assert not bepress.looks_like(plain, Signals.of(plain.url, plain.body))
