"""Definition-list item pages: the Brown Digital Repository corpus page against its
gold record, and the role and label rules on small inline lists (invented values)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gold import load_gold, mismatches
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser, LexborNode

from harvester.errors import NotARecord
from harvester.parsers import definition_list
from harvester.parsers._detect import Signals
from harvester.parsers._html import children
from harvester.parsers._labelled import Rows, label_key
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


def _recursive_read_dl(dl: LexborNode) -> Rows:
    """read_dl as it was written before its stack: a div group read by recursion."""
    rows = Rows()
    key: str | None = None
    for node in children(dl):
        if node.tag == "dt":
            key = definition_list.LABELS.get(label_key(node.text()))
        elif node.tag == "dd" and key:
            definition_list.add_values(rows, key, definition_list.dd_values(node))
        elif node.tag == "div":
            for k, vs in _recursive_read_dl(node).values.items():
                rows.add(k, vs, k)
    return rows


_DL_PART = st.recursive(
    st.sampled_from(["<dt>Title</dt>", "<dt>Author</dt>", "<dt>Subject</dt>", "<dt>Shelf</dt>",
                     "<dd>Owls</dd>", "<dd>Doe, Jane (editor)</dd>", "<dd>Moths</dd>",
                     "<dd><ul><li>a</li><li>b</li></ul></dd>", "<p>x</p>"]),
    lambda inner: st.lists(inner, max_size=4).map(lambda ps: "<div>" + "".join(ps) + "</div>"),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_DL_PART, max_size=8))
def test_div_groups_read_as_the_recursive_reading_did(parts: list[str]) -> None:
    dl = LexborHTMLParser("<dl>" + "".join(parts) + "</dl>").css_first("dl")
    assert dl is not None
    rows, want = definition_list.read_dl(dl), _recursive_read_dl(dl)
    assert (rows.values, rows.labels) == (want.values, want.labels)


def test_a_dl_nesting_thousands_of_div_groups_is_read_without_recursion() -> None:
    # found by test_fuzz_parsers: each group was a Python call, RecursionError past ~1,000
    depth = 3_000
    body = "<dl>" + "<div>" * depth + "<dt>Title</dt><dd>Deep owls</dd>" + "</div>" * depth
    dl = LexborHTMLParser(body + "<dt>Year</dt><dd>2001</dd></dl>").css_first("dl")
    assert dl is not None
    rows = definition_list.read_dl(dl)
    assert rows.values == {"title": ["Deep owls"], "published": ["2001"]}
