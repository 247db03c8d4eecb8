"""Definition-list item pages: the Brown Digital Repository corpus page against its
gold record, and the role and label rules on small inline lists (invented values)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gold import load_gold, mismatches

from harvester.errors import NotARecord
from harvester.parsers import definition_list
from harvester.parsers._detect import Signals
from harvester.types import Page

STEM = "other/brown-digital-repository-bdr-11303"


def test_bdr_page_matches_gold_on_every_field(corpus: Path) -> None:
    gold = load_gold(corpus / f"{STEM}.expected.json")
    page = Page(url=gold["url"], body=(corpus / f"{STEM}.html").read_bytes())
    assert mismatches(definition_list.parse(page), gold) == {}
    assert definition_list.looks_like(page, Signals.of(page.url, page.body))


@pytest.mark.parametrize(
    ("value", "want"),
    [("Jiang, Zhijun (creator)", ("Jiang, Zhijun", "creator")),
     ("Stein, Derek (Director)", ("Stein, Derek", "director")),
     ("Author: Doe, Jane", ("Doe, Jane", "author")),
     ("Brown University. Physics (sponsor)", ("Brown University. Physics", "sponsor")),
     ("Plain, Name", ("Plain, Name", None))],
)
def test_split_role(value: str, want: tuple[str, str | None]) -> None:
    assert definition_list.split_role(value) == want


def test_copyright_date_only_when_no_issue_date() -> None:
    body = (b"<dl><dt>Title</dt><dd>T</dd><dt>Copyright Date</dt><dd>2001</dd>"
            b"<dt>Date Issued</dt><dd>2003-04</dd><dt>Creator</dt><dd>Roe, Ann</dd></dl>")
    record = definition_list.parse(Page(url="https://x.example/1", body=body))
    assert str(record.published) == "2003-04"
    assert [p.family for p in record.authors] == ["Roe"]


@pytest.mark.parametrize("body", [b"", b"<dl><dt>Title</dt><dd>Only a title</dd></dl>",
                                  b"<dl><dt>Colour</dt><dd>red</dd></dl>"])
def test_thin_or_foreign_lists_are_not_records(body: bytes) -> None:
    with pytest.raises(NotARecord):
        definition_list.parse(Page(url="https://x.example/1", body=body))
