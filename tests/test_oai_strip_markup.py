"""The OAI mappers' strip_markup against the plain composition it was sped up from:
html.unescape, every tag a space, clean. Double-escaped HTML (Zenodo's abstracts) takes
a shortcut that must give the same text for any input; so does clean's inlined fast
path for short tidy text, against its general path (_tidy)."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.normalize.text import _tidy, clean, decode_references, unescape
from harvester.oai.formats._common import strip_markup

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


def reference(text: str | None) -> str | None:
    if text is None:
        return None
    if "<" not in text and "&lt;" not in text:
        return clean(text)
    text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    return clean(text)


_PIECES = st.sampled_from(
    ["&lt;", "&gt;", "&lt;p&gt;", "&lt;/p&gt;", "&lt;br/&gt;", "&amp;", "&amp;lt;", "&amp;nbsp;",
     "&eacute;", "&nbsp;", "&lt", "&gt", "&#60;", "&#x3C;", "&LT;", "&", ";", "<", ">", "<p>",
     "</em>", '<a href="x">', " ", "  ", "\n", "\xa0", "\u00ad", "é", "e\u0301", "word", "p < 0.05",
     "\x0b", "’"])  # fmt: skip
_MARKUP = st.lists(_PIECES, max_size=40).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.one_of(_MARKUP, st.text(max_size=80)))
def test_strip_markup_gives_what_unescape_strip_tags_clean_gives(text: str) -> None:
    assert strip_markup(text) == reference(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("&lt;p&gt;A &amp;amp; B&lt;/p&gt;", "A & B"),
        ("&lt;p&gt;caf&eacute;&nbsp;&lt;em&gt;au&lt;/em&gt; lait&lt;/p&gt;", "café au lait"),
        ("&lt;p&gt;no other reference&lt;/p&gt;", "no other reference"),
        ("p &lt; 0.05", "p < 0.05"),
        (None, None),
    ],
)
def test_strip_markup_reads_double_escaped_html(text: str | None, expected: str | None) -> None:
    assert strip_markup(text) == expected


@settings(max_examples=300, deadline=None)
@given(_MARKUP)
def test_decode_references_is_html_unescape(text: str) -> None:
    assert decode_references(text) == html.unescape(text) == unescape(text)


_SHORT = st.lists(st.sampled_from(["a", "Z", " ", "  ", "é", "e\u0301", "\u0301", "\n", "\xa0",
                                   "\u00ad", "\u2028", "\x00", "\x7f", "\u3000", "&amp;",
                                   "&nbsp;", "’", "\ud800"]), max_size=12).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.one_of(_SHORT, st.text(st.characters(codec=None), max_size=40),
                 st.text(st.characters(codec=None), min_size=250, max_size=270)))
def test_clean_fast_path_gives_what_the_general_path_gives(text: str) -> None:
    assert clean(text) == _tidy(unescape(text))
