"""clean / clean_many / split_keywords: entities, Unicode and whitespace."""

from __future__ import annotations

import unicodedata

import pytest

from harvester.normalize import clean, clean_many, split_keywords, strip_markup


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  plain  text ", "plain text"),
        ("line\nbreak\ttab\r\n", "line break tab"),
        ("AT&amp;T &lt;b&gt;", "AT&T <b>"),
        ("caf&eacute; &#8211; &#x2014;", "café – —"),
        ("non\u00a0breaking\u202fspace", "non breaking space"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("soft\u00adhyphen", "softhyphen"),
        ("U.S.\u2010Iran", "U.S.\u2010Iran"),  # a real hyphen stays
        ("Cafe\u0301", "Café"),  # NFC composes
        ("bell\x07char", "bell char"),
        ("re\u00ad\r\nlied \x85next\x9fline\x1cend", "re lied next line end"),
        ("\u0646\u200c\u0645", "\u0646\u200c\u0645"),  # ZWNJ matters in Persian
        ("Tom &amp; Jerry", "Tom & Jerry"),
    ],
)
def test_clean_tidies_text(text: str, expected: str) -> None:
    assert clean(text) == expected


@pytest.mark.parametrize("text", [None, "", "   ", "\u00a0\u200b", "&nbsp;", "\n\t"])
def test_clean_turns_empty_text_into_none(text: str | None) -> None:
    assert clean(text) is None


def test_clean_output_is_nfc() -> None:
    out = clean("A\u030angstro\u0308m")
    assert out is not None
    assert unicodedata.is_normalized("NFC", out)
    assert out == "Ångström"


def test_clean_many_drops_empties_and_case_insensitive_repeats() -> None:
    values = ["Empathy", " empathy ", None, "", "Security  dilemma", "EMPATHY", "de-escalation"]
    assert clean_many(values) == ("Empathy", "Security dilemma", "de-escalation")


def test_clean_many_never_splits() -> None:
    assert clean_many(["Labor Supply, Indonesia, Statistics"]) == (
        "Labor Supply, Indonesia, Statistics",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "empathy; security dilemma; de-escalation",
            ("empathy", "security dilemma", "de-escalation"),
        ),
        ("a, b, c", ("a", "b", "c")),
        (
            "Medicine, Health and Life Sciences; Genomics",
            ("Medicine, Health and Life Sciences", "Genomics"),
        ),
        ("single keyword", ("single keyword",)),
        ("a;;b; ;A", ("a", "b")),
        ("R&amp;D; innovation", ("R&D", "innovation")),
        ("", ()),
        (None, ()),
    ],
)
def test_split_keywords(text: str | None, expected: tuple[str, ...]) -> None:
    assert split_keywords(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<p>First para.</p><p>Second para.</p>", "First para. Second para."),
        ("&lt;p&gt;Escaped &amp;amp; tags&lt;/p&gt;", "Escaped &amp; tags"),
        ("H<sub>2</sub>O and <i>in vivo</i>", "H2O and in vivo"),
        ("line<br/>break", "line break"),
        ("p < 0.05 and q > 1", "p < 0.05 and q > 1"),
        ("<!-- note -->kept", "kept"),
        ("<p> </p>", None),
    ],
)
def test_strip_markup_drops_tags_and_keeps_words_apart(text: str, expected: str | None) -> None:
    assert strip_markup(text) == expected
