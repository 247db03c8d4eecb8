"""The fast paths of the normalisers give what the general paths give."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest
from lxml import etree

from harvester.normalize import clean, make_person
from harvester.normalize.text import unescape
from harvester.parsers.pure_cite import _bib_field


@pytest.mark.parametrize(
    "text",
    [
        "no references at all",
        "&amp;lt;p&amp;gt;culin&amp;aacute;ria&amp;lt;/p&amp;gt;",  # double-escaped (Zenodo)
        "R&amp D, &ampx, &notit; &notin; &lt &LT;",  # legacy names without ";"
        "&#0; &#128; &#x110000; &#xD800; &#65 &#x41;",  # invalid and unterminated numbers
        "&&&;;&#;&#x; & trailing &",
        "&" + "a" * 40 + ";",  # longer than any entity name
        "caf&eacute; caf&eacute; caf&eacute;",  # repeats come from the cache
        # more than four "&": &lt; and &gt; are decoded by str.replace before the rest
        "&lt;p&gt;&lt;&lt;&gt;&gt; &copy&gt; &amp&lt; &#&lt; &#1&gt; &LT;&GT;",
        "&" + "a" * 20 + "&gt;" + "b" * 20 + ";&lt;&lt;&lt;",  # a name runs on into ">"
        "&notit&gt;x; &ampx&gt;; &lt&gt;&lt;&gt;",
    ],
)
def test_unescape_decodes_as_html_unescape(text: str) -> None:
    assert unescape(text) == html.unescape(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("already tidy", "already tidy"),
        ("wrapped\nat one\nnewline", "wrapped at one newline"),
        ("wrapped \nwith a space", "wrapped with a space"),
        ("two\n\nnewlines", "two newlines"),
        ("Cafe\u0301\nau lait", "Café au lait"),
        ("soft\u00adhyphen\nand more", "softhyphen and more"),
        (" edge ", "edge"),
        ("", None),
    ],
)
def test_clean_of_printable_and_wrapped_text(text: str, expected: str | None) -> None:
    assert clean(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "word " * 60 + " two  spaces  here ",  # a few runs in a long text: the regex
        "w  " * 80,  # runs everywhere: split/join
        "  leading and trailing  ",
        "nbsp\u00a0between\u00a0\u00a0words and\n\u00a0a wrap",
        "caf\u00e9\u00a0" * 30 + "Cafe\u0301  au lait",
    ],
)
def test_clean_collapses_spaces_as_split_and_join(text: str) -> None:
    assert clean(text) == " ".join(unicodedata.normalize("NFC", text).split())


def test_clean_returns_a_plain_str_for_lxml_smart_strings() -> None:
    # a smart string holds its parent element, and with it the whole document
    found = etree.fromstring("<a><b>tidy text</b></a>").xpath("//b/text()")
    assert isinstance(found, list)
    smart = found[0]
    assert isinstance(smart, str) and type(smart) is not str
    cleaned = clean(smart)
    assert cleaned == "tidy text" and type(cleaned) is str


def test_make_person_shares_one_value_per_bare_name_but_not_across_options() -> None:
    first, again = make_person("Berg, Anna"), make_person("Berg, Anna")
    assert first is not None and first == again
    assert (first.family, first.given, first.name) == ("Berg", "Anna", "Anna Berg")
    editor = make_person("Berg, Anna", role="editor")
    assert editor is not None and editor.role == "editor"
    with_orcid = make_person("Berg, Anna", orcid="0000-0002-1825-0097")
    assert with_orcid is not None and with_orcid.orcid == "0000-0002-1825-0097"
    listed = make_person("Berg, Anna", affiliations=["Example University"])
    assert listed is not None and listed.affiliations == ("Example University",)


_BIB_FIELD = re.compile(r"^\s*([A-Za-z][\w-]*)\s*=\s*(.*?)\s*,?\s*$")


@pytest.mark.parametrize(
    "line",
    ["title = {Foo},", "  author={A and B}", "x=", "x = ,", "x = ,,", "x = a,\n",
     "x = a\nb,", "x =\n a", "1x = a", "x == a", "abstract = {" + "word " * 300 + "},",
     "note = {a} ,  ", "key = value\u00a0,\u2003"],
)
def test_bibtex_field_line_reads_as_the_former_regex(line: str) -> None:
    m = _BIB_FIELD.match(line)
    assert _bib_field(line) == ((m.group(1), m.group(2)) if m else None)
