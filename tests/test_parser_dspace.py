"""DSpace item pages: real corpus pages against their gold records, and own fixtures.

The corpus holds DSpace 4 JSPUI (ANU), legacy Dryad on XMLUI and an MIT XMLUI
full-record fragment. DSpace 7 Angular, XMLUI Mirage2 simple view and JSPUI full
view have no real page: the fixtures in tests/fixtures/dspace are written by hand
after those templates, with invented values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gold import load_gold, mismatches

from harvester.errors import NotARecord
from harvester.parsers import dspace
from harvester.parsers._detect import Signals
from harvester.types import Page

FIXTURES = Path(__file__).parent / "fixtures" / "dspace"
GOLD_PAGES = [
    "dspace/anu-dspace4-jspui-thesis-1885-10005",
    "dspace/dryad-legacy-dspace-xmlui-dryad.8515-2017",
    "dspace/mit-dspace-xmlui-fullrecord-fragment-1721.1-99287",
]


@pytest.mark.parametrize("stem", GOLD_PAGES)
def test_dspace_corpus_page_matches_gold_on_every_field(corpus: Path, stem: str) -> None:
    gold = load_gold(corpus / f"{stem}.expected.json")
    page = Page(url=gold["url"], body=(corpus / f"{stem}.html").read_bytes())
    assert mismatches(dspace.parse(page), gold) == {}


def test_dspace_browse_list_is_not_a_record(corpus: Path) -> None:
    body = (corpus / "dspace/mit-dspace-xmlui-browse-list-fragment.html").read_bytes()
    with pytest.raises(NotARecord):
        dspace.parse(Page(url="https://dspace.mit.edu/browse", body=body))


def test_dspace_full_rows_beat_meta_and_keep_provenance(corpus: Path) -> None:
    body = (corpus / "dspace/mit-dspace-xmlui-fullrecord-fragment-1721.1-99287.html").read_bytes()
    record = dspace.parse(Page(url="https://dspace.mit.edu/handle/1721.1/99287", body=body))
    assert record.provenance["published"] == "dspace:full"
    assert record.source_key == "1721.1/99287"
    assert [p.family for p in record.authors] == ["Tomasik"]  # advisor left out


def _fixture(name: str) -> dict[str, Any]:
    page = Page(url="https://repo.example.edu/items/1", body=(FIXTURES / name).read_bytes())
    return dspace.parse(page).to_json()


@pytest.mark.parametrize(
    ("name", "field", "want"),
    [
        ("dspace7-angular-ssr.html", "title", "Quiet lakes of an invented plateau"),
        ("dspace7-angular-ssr.html", "published", "2021-05-17"),
        ("dspace7-angular-ssr.html", "abstract", "Lakes on the plateau are quiet."),
        ("dspace7-angular-ssr.html", "type", "article"),
        ("dspace7-angular-ssr.html", "keywords", ["limnology", "plateaus"]),
        ("dspace7-angular-ssr.html", "source_key", "123456789/42"),
        ("xmlui-mirage2-simple.html", "published", "2018-11"),
        ("xmlui-mirage2-simple.html", "type", "dataset"),
        ("xmlui-mirage2-simple.html", "abstract", "Samples of soil."),
        ("jspui-full-contradicting.html", "title", "A newer title from the table"),
        ("jspui-full-contradicting.html", "published", "2016-12"),
        ("jspui-full-contradicting.html", "doi", "10.9999/abc.9"),
        ("jspui-full-contradicting.html", "journal", "Invented Letters"),
        ("jspui-full-contradicting.html", "pages", {"first": "e12", "last": None, "count": None}),
        ("jspui-full-contradicting.html", "keywords", ["Rivers, deltas"]),
    ],
)
def test_dspace_fixture_fields(name: str, field: str, want: Any) -> None:
    assert _fixture(name)[field] == want


@pytest.mark.parametrize(
    ("name", "families"),
    [("dspace7-angular-ssr.html", ["Moreau", "Tanaka"]),
     ("xmlui-mirage2-simple.html", ["Osei", "Berg"]),
     ("jspui-full-contradicting.html", ["Ruiz"])],
)
def test_dspace_authors_from_item_view_in_order(name: str, families: list[str]) -> None:
    assert [a["family"] for a in _fixture(name)["authors"]] == families


@pytest.mark.parametrize(
    "body",
    [b"", b"<table class='ds-includeSet-table'><tr><td class='label-cell'>dc.title</td><td></td>",
     b"<html><body><table class=itemDisplayTable></table>", b"\xff\xfe<<<>>>"],
)
def test_dspace_broken_pages_are_not_records(body: bytes) -> None:
    with pytest.raises(NotARecord):
        dspace.parse(Page(url="https://repo.example.edu/x", body=body))


@pytest.mark.parametrize(
    ("body", "want"),
    [(b'<head><meta name="Generator" content="DSpace 6.3"></head>', True),
     (b"<body><ds-app></ds-app></body>", True),
     (b"<body><p>plain page</p></body>", False)],
)
def test_dspace_detection(body: bytes, want: bool) -> None:
    page = Page(url="https://x.example/1", body=body)
    assert dspace.looks_like(page, Signals.of(page.url, body)) is want
