"""EPrints 3 abstract pages.

No real EPrints page is in the corpus: the fixtures in tests/fixtures/eprints are
written by hand after the EPrints 3.3/3.4 default summary page template and meta
export (`eprints.*`, citation_*, DC), with invented values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harvester.errors import NotARecord
from harvester.parsers import eprints
from harvester.parsers._detect import Signals
from harvester.types import Page

FIXTURES = Path(__file__).parent / "fixtures" / "eprints"


def _parse(name: str) -> dict[str, Any]:
    body = (FIXTURES / name).read_bytes()
    page = Page(url="https://eprints.example.ac.uk/id/eprint/1/", body=body)
    return eprints.parse(page).to_json()


@pytest.mark.parametrize(
    ("name", "field", "want"),
    [
        ("article-with-meta.html", "type", "article"),
        ("article-with-meta.html", "doi", "10.9999/jih.2014.0042"),
        ("article-with-meta.html", "published", "2014-03"),
        ("article-with-meta.html", "pages", {"first": "101", "last": "118", "count": None}),
        ("article-with-meta.html", "keywords", ["estuaries", "tidal mixing", "salinity"]),
        ("article-with-meta.html", "source_key", "4711"),
        ("article-with-meta.html", "journal", "Journal of Imaginary Hydrology"),
        ("conference-item-no-meta.html", "type", "conference-paper"),
        ("conference-item-no-meta.html", "published", "2019-06"),
        ("conference-item-no-meta.html", "doi", "10.9999/isc.2019.7"),
        ("conference-item-no-meta.html", "keywords", ["sorting", "algorithms"]),
        ("conference-item-no-meta.html", "abstract", "Sorting invented data quickly."),
        ("thesis-submitted-date.html", "type", "thesis"),
        ("thesis-submitted-date.html", "published", None),
        ("thesis-submitted-date.html", "pages", {"first": None, "last": None, "count": 212}),
    ],
)
def test_eprints_fields_from_summary_and_meta(name: str, field: str, want: Any) -> None:
    assert _parse(name)[field] == want


def test_eprints_authors_from_summary_citation_in_page_order() -> None:
    families = [a["family"] for a in _parse("article-with-meta.html")["authors"]]
    assert families == ["Lindqvist", "Okafor"]


def test_eprints_summary_table_wins_over_meta_with_provenance() -> None:
    prov = _parse("article-with-meta.html")["provenance"]
    assert prov["keywords"] == "eprints:summary"
    assert prov["published"] == "meta:eprints"
    assert prov["type"] == "meta:eprints"


def test_eprints_submitted_date_is_not_a_publication_date_and_warns() -> None:
    record = _parse("thesis-submitted-date.html")
    assert any("submitted" in w for w in record["warnings"])


def test_eprints_official_url_kept_as_identifier() -> None:
    ids = _parse("article-with-meta.html")["identifiers"]
    assert {"scheme": "url", "value": "https://journal.example.org/jih/42"} in ids


@pytest.mark.parametrize(
    "body",
    [b"", b"<html><body><p>nothing</p></body></html>",
     b"<html><div class='ep_summary_content'><table><tr><th>Item Type:</th><td></td></tr>"],
)
def test_eprints_page_without_title_is_not_a_record(body: bytes) -> None:
    with pytest.raises(NotARecord):
        eprints.parse(Page(url="https://e.example/1/", body=body))


def test_eprints_detected_by_meta_or_summary_markup() -> None:
    for name in ("article-with-meta.html", "conference-item-no-meta.html"):
        page = Page(url="https://e.example/1/", body=(FIXTURES / name).read_bytes())
        assert eprints.looks_like(page, Signals.of(page.url, page.body))
    page = Page(url="https://e.example/1/", body=b"<html><head></head><body>x</body></html>")
    assert not eprints.looks_like(page, Signals.of(page.url, page.body))
