"""Cutting <nav> elements out of a page before parsing (harvester/parsers/_trim.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from harvester.parsers import parse_page
from harvester.parsers._trim import nav_spans, without_navs
from harvester.types import Page

FIXTURES = Path(__file__).parent / "fixtures" / "pure"

MENU = (b'<nav class="menu"><ul><li><a href="/a/">Unit A</a></li>'
        b'<li><a href="/b/">Unit B</a></li></ul></nav>')


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (b"<p>x</p>" + MENU + b"<p>y</p>", b"<p>x</p><p>y</p>"),
        # nested navs are rare: kept rather than scanned twice
        (b"<nav><nav><a>in</a></nav><a>also</a></nav><p>y</p>",
         b"<nav><nav><a>in</a></nav><a>also</a></nav><p>y</p>"),
        (b"<nav><nav>in</nav></nav>" + MENU + b"<p>y</p>", b"<nav><nav>in</nav></nav><p>y</p>"),
        (b"<nav\n id=n>a</nav >b", b"b"),
        (b"<navbar>a</navbar>", b"<navbar>a</navbar>"),
        (b"<nav>a</navigation></nav>b", b"b"),
        (b"<nav>never closed<p>y</p>", b"<nav>never closed<p>y</p>"),
        (b"<nav>x</nav><nav>y</nav><p>z</p>", b"<p>z</p>"),
    ],
)
def test_whole_nav_elements_are_cut_and_others_kept(html: bytes, expected: bytes) -> None:
    assert without_navs(html) == expected


@pytest.mark.parametrize(
    "html",
    [
        # a nav opened inside a comment and closed outside: cutting would eat the "-->"
        b"<!-- <nav> --><p>kept</p></nav><p>after</p>",
        # one opened outside and closed inside a script
        b"<nav><a>x</a><script>var s = '</nav>';</script><p>after</p>",
        b"<nav><style>a{}</style></nav>",
        b"<nav><!-- note --></nav>",
        b'<div title="<nav>">text</nav>',
        b"<nav><SCRIPT>x</SCRIPT></nav>",
    ],
)
def test_spans_holding_comment_or_raw_text_boundaries_are_kept(html: bytes) -> None:
    assert nav_spans(html) == []
    assert without_navs(html) is html


def test_page_without_navs_is_returned_as_is() -> None:
    body = b"<html><body><p>no navigation</p></body></html>"
    assert without_navs(body) is body


def test_tree_outside_the_navs_is_unchanged() -> None:
    body = (b"<!DOCTYPE html><html><head><title>t</title></head><body><header>"
            + MENU + b"</header><main><h1>Title</h1><p class=a>one <b>two</b></p></main>"
            + b"<footer>" + MENU + b"<p>foot</p></footer></body></html>")
    full, cut = LexborHTMLParser(body), LexborHTMLParser(without_navs(body))
    for tree in (full, cut):
        for nav in tree.css("nav"):
            nav.decompose()
    assert cut.html == full.html


@pytest.mark.parametrize("name", ["danish-article.html", "epub-ahead-of-print.html"])
def test_pure_record_is_the_same_with_a_mega_menu_added(name: str) -> None:
    body = (FIXTURES / name).read_bytes()
    menu = b'<nav class="mega-menu">' + b"".join(
        b'<a class="portal_link" href="/en/organisations/%d/"><span>Unit %d</span></a>' % (i, i)
        for i in range(200)) + b"</nav>"
    assert b"<body" in body
    head, _, rest = body.partition(b"<body")
    tag_end = rest.index(b">") + 1
    padded = head + b"<body" + rest[:tag_end] + menu + rest[tag_end:]
    url = "https://portal.example.org/en/publications/a-record"
    plain = parse_page(Page(url, body), "pure")[0]
    assert parse_page(Page(url, padded), "pure")[0] == plain
