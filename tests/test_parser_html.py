"""harvester/parsers/_html.py: the walks that stand in for css() queries, is_blank, and
absolute's shortcut past urljoin."""

from __future__ import annotations

import itertools
import random
from urllib.parse import urljoin

import pytest
from selectolax.lexbor import LexborHTMLParser

from harvester.errors import NotARecord
from harvester.parsers._html import absolute, inside, is_blank, parse_html, with_class
from harvester.types import Page

_DOCS = [
    b'<!DOCTYPE html><html><body><div class="ABSTRACT">a</div>'
    b'<div class=" abstract\tmore">b</div><p class="abstract">c</p></body></html>',
    b'<!DOCTYPE html><!-- note --><html><body><div class="ABSTRACT">a</div></body></html>',
    b'<!-- note --><html><body><div class="ABSTRACT">a</div><div class="abstract">b</div>'
    b"</body></html>",
    b'<html><body><div class="abstracts">a</div><div>b</div></body></html>',
    b"",
]


@pytest.mark.parametrize("doc", _DOCS)
@pytest.mark.parametrize("cls", ["abstract", "Abstract"])
def test_with_class_finds_what_the_css_query_finds(doc: bytes, cls: str) -> None:
    tree = LexborHTMLParser(doc)
    want = [node.mem_id for node in tree.css(f"div.{cls}")]
    assert [node.mem_id for node in with_class(tree, "div", cls)] == want


def test_class_case_matters_only_with_a_doctype() -> None:
    quirks = LexborHTMLParser(b'<html><body><div class="ABSTRACT">a</div></body></html>')
    standard = LexborHTMLParser(b'<!DOCTYPE html><body><div class="ABSTRACT">a</div></body>')
    assert [n.text() for n in with_class(quirks, "div", "abstract")] == ["a"]
    assert list(with_class(standard, "div", "abstract")) == []


@pytest.mark.parametrize(
    ("body", "blank"),
    [(b"", True), (b" \n\t\r\x0b\x0c", True), (b"\n<html></html>\n", False), (b"\xa0", False)],
)
def test_is_blank_agrees_with_strip(body: bytes, blank: bool) -> None:
    assert is_blank(body) is blank
    assert (not body.strip()) is blank


def test_nested_divs_just_under_the_old_count_are_refused_before_lexbor() -> None:
    """27,000 nested <div>s (~0.7 s in lexbor) pass no longer as a small page."""
    with pytest.raises(NotARecord, match="nest too deep"):
        parse_html(Page(url="https://a.example/", body=b"<div>" * 27_000))
    assert parse_html(Page(url="https://a.example/", body=b"<p>x</p>" * 27_000)) is not None


@pytest.mark.parametrize(
    ("html", "outer", "inner"),
    [
        ("<div class=ids><ul><li>1</li><li>2</li></ul></div><ul><li>out</li></ul>"
         "<div class=ids><li>3</li></div>", "div.ids", "li"),
        # a container nested in another: each node once, in document order
        ("<div class=k><a>1</a><div class=k><a>2</a></div><a>3</a></div>", "div.k", "a"),
        ("<p>no container</p><li>x</li>", "div.ids", "li"),
    ],
)
def test_inside_finds_what_the_descendant_query_finds(html: str, outer: str,
                                                      inner: str) -> None:
    tree = LexborHTMLParser(html)
    assert [n.text() for n in inside(tree, outer, inner)] == [
        n.text() for n in tree.css(f"{outer} {inner}")]


def _joined(base: str, href: str) -> str | None:
    """absolute() as it was: urljoin for every link."""
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    try:
        return urljoin(base, href)
    except ValueError:
        return None


_BASES = ["http://r.test/en/publications/a/", "https://r.test/p?q=1#f", "", "ftp://r.test/x",
          "http://[::1/x", "http://[::1]:8080/x", "http://r\u00e9.test/", "HTTP://R.test/a",
          "//r.test/a", "http://r.test", "http:///x", "\thttp://r.test/a b"]
# every character urlsplit and urlunsplit treat specially, and some they do not
_PIECES = ["http:", "https:", "HTTP:", "//", "/", "r.test", "a", ":8080", "@", "?", "#", ";",
           "[", "]", "::1", " ", "\t", "\n", "\x00", "\x7f", "\u00e9", "\uff0f", "%2F", "..",
           ".", "=", "&", "\\", "~", "javascript:", "mailto:"]


def test_a_link_gets_what_urljoin_makes_of_it() -> None:
    rng = random.Random(5)
    hrefs = ["".join(p) for p in itertools.product(["http://", "https://"], _PIECES, _PIECES)]
    hrefs += ["".join(rng.choices(_PIECES, k=rng.randint(1, 7))) for _ in range(5000)]
    hrefs += ["http://r.test/en/publications/a-b-c(d)/", "https://doi.org/10.1000/x.y-z_1",
              "http://r.test:8080/files/1/a%20b.pdf", "https://u:p@r.test/a/b/c.html"]
    for base in _BASES:
        for href in hrefs:
            assert absolute(base, href) == _joined(base, href), (base, href)


def test_an_absolute_link_is_taken_as_it_stands() -> None:
    link = "https://r.test/en/publications/a/files/1.pdf"
    assert absolute("http://r.test/en/", link) is link
    assert absolute("https://r.test/en/", "https://r.test/a?") == "https://r.test/a"
