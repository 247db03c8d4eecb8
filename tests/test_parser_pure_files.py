"""pure_files.files: which anchors count as attached files, read one attribute at a time,
and pages whose bytes cannot name one, which are not walked."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from harvester.parsers import pure_files
from harvester.parsers._html import parse_html
from harvester.parsers.pure_files import files
from harvester.types import Page

P = "https://portal.example.org"
BASE = P + "/en/publications/x/"
PDF = "application/pdf"


@pytest.mark.parametrize(
    ("anchor", "want"),
    [
        ('<a href="/files/1/paper.pdf">Paper</a>', [(P + "/files/1/paper.pdf", "Paper", PDF)]),
        (
            '<a href="/portalfiles/portal/2/data.zip">Data</a>',
            [(P + "/portalfiles/portal/2/data.zip", "Data", None)],
        ),
        (
            '<a class="link document-link" href="/dl?id=3">Full text</a>',
            [(P + "/dl?id=3", "Full text", None)],
        ),
        (
            '<a class="document-links" href="/dl/4.PDF?x=1">Doc</a>',
            [(P + "/dl/4.PDF?x=1", "Doc", PDF)],
        ),
        ('<a href="&#47;files&#x2F;5.pdf">Spelt</a>', [(P + "/files/5.pdf", "Spelt", PDF)]),
        ('<a class="document-link">No href</a>', []),
        ('<a href="/en/persons/someone/">Menu entry</a>', []),
        ("<a href>Empty</a><a>None</a>", []),
        ('<a href="/Files/6.pdf">Case differs</a>', []),
    ],
)
def test_anchor_counts_as_file_by_href_or_document_link_class(
    anchor: str, want: list[tuple[str, str, str | None]]
) -> None:
    tree = LexborHTMLParser(f"<html><body><nav>{anchor}</nav></body></html>".encode())
    got = [(f.url, f.name, f.mime) for f in files(tree, BASE)]
    assert got == want


def test_same_file_linked_twice_is_listed_once_with_first_name() -> None:
    html = b'<a href="/files/7.pdf">First</a><p><a class="document-link" href="/files/7.pdf">2</a>'
    got = files(LexborHTMLParser(html), BASE)
    assert [(f.url, f.name) for f in got] == [(P + "/files/7.pdf", "First")]


@pytest.mark.parametrize(
    "anchor",
    [
        '<a href="/&#102;iles/1.pdf">x</a>',
        '<a href="/fil&#x65;s/1.pdf">x</a>',
        '<a href="/files&#X2F;1.pdf">x</a>',
        '<a href="/&#0000102;iles/1.pdf">x</a>',
        '<a href="/&#x000066iles/1.pdf">x</a>',  # no semicolon: still a reference
        '<a href="&sol;portal&#102;iles&sol;1.pdf">x</a>',
        '<a class="document&#45;link" href="/dl/1.pdf">x</a>',
        '<a class="&#x64;ocument-link" href="/dl/1.pdf">x</a>',
    ],
)
def test_file_spelt_with_character_references_is_found(anchor: str) -> None:
    # the page's bytes hold neither "files/" nor "document-link": only the references do
    tree = LexborHTMLParser(f"<p>a &amp; b</p>{anchor}".encode())
    assert [f.mime for f in files(tree, BASE)] == [PDF]


def test_page_whose_bytes_cannot_name_a_file_is_not_walked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def walk(tree: LexborHTMLParser, base: str) -> list[object]:
        raise AssertionError("walked")

    monkeypatch.setattr(pure_files, "_walk_files", walk)
    html = ('<a href="/en/persons/o&#x27;neill/">O&#39;Neill</a> &amp; &lt;'
            '<a class="nav-link" href="/file/1.pdf">&#128196; &#xFFFFFFFFFF; &#99999999999;</a>')
    assert files(LexborHTMLParser(html.encode()), BASE) == []


@pytest.mark.parametrize("spelt", ["&#47;", "&#x2f;", "&sol;", "&fjlig;", "&#107;"])
def test_reference_to_a_needle_character_makes_the_page_walked(spelt: str) -> None:
    assert pure_files._may_name_files(f'<a href="/x{spelt}y">z</a>'.encode())


_PIECES = st.sampled_from([
    "/", "f", "i", "l", "e", "s", "portal", "files", "document", "-", "link", "x", ".pdf",
    "&#47;", "&#x2F;", "&#102;", "&#x66;", "&#X6c;", "&#045;", "&#x2d;", "&sol;", "&amp;",
    "&#39;", "&fjlig;", "&#", "&#x", "&", " ",
])  # fmt: skip
_VALUES = st.lists(_PIECES, max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_VALUES, _VALUES), min_size=1, max_size=4))
def test_skipping_the_walk_never_loses_a_file(anchors: list[tuple[str, str]]) -> None:
    html = "".join(f'<a class="{cls}" href="{href}">t</a>' for href, cls in anchors)
    tree = LexborHTMLParser(html.encode())
    assert files(tree, BASE) == pure_files._walk_files(tree, BASE)


def test_page_in_another_charset_is_tested_on_the_bytes_lexbor_parsed() -> None:
    # UTF-16 bytes hold no b"files/"; the tree is parsed from their UTF-8 form
    html = '<html><body><a href="/files/8.pdf">Ü</a></body></html>'
    page = Page(url=BASE, body=html.encode("utf-16"),
                headers={"content-type": "text/html; charset=utf-16"})
    assert b"files/" not in page.body
    got = files(parse_html(page), BASE)
    assert [(f.url, f.name) for f in got] == [(P + "/files/8.pdf", "Ü")]


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 70_000), st.sampled_from(["files/", "document-link", "file/", "files"]))
def test_a_needle_anywhere_in_a_long_page_is_seen(at: int, needle: str) -> None:
    # past 30,000 bytes CPython's `in` and the search pure_files uses take other paths
    filler = b"<p>portal profile-list /file s</p>" * 2100
    data = filler[:at] + needle.encode() + filler[at:]
    # no "&" in the filler: the answer is whether the bytes hold a needle (`in` says)
    assert pure_files._may_name_files(data) == (b"files/" in data or b"document-link" in data)
