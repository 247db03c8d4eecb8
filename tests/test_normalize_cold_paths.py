"""The shortcuts a first sight of a value takes (nothing cached yet) give what the long
way gives: whitespace collapsing, tabs in long text, Persons and PartialDates made
without __init__, one plain dc:subject."""

from __future__ import annotations

import random
import unicodedata

import pytest

from harvester.normalize import names
from harvester.normalize.dates import parse_date
from harvester.normalize.names import make_person, split_name
from harvester.normalize.text import _collapse, clean
from harvester.oai.formats._common import strip_markup
from harvester.oai.formats.oai_dc import _subject
from harvester.types import PartialDate, Person


@pytest.mark.parametrize("flat", [
    "", " ", "  ", "a", " a", "a ", "a  b", "a   b", "a    b", "a     b", "  a  b  ",
    "a b  c   d    e", "   lead", "trail   ", "é  ü   ’", "x" * 300 + "   " + "y",
])  # fmt: skip
def test_collapsing_spaces_joins_the_words_with_single_spaces(flat: str) -> None:
    assert _collapse(flat) == (" ".join(flat.split()) or None)


def test_collapsing_random_runs_of_spaces_matches_split_and_join() -> None:
    rnd = random.Random(7)
    for _ in range(5000):
        flat = "".join(rnd.choice(" ab’") for _ in range(rnd.randrange(16)))
        assert _collapse(flat) == (" ".join(flat.split()) or None), repr(flat)


@pytest.mark.parametrize("text", [
    "word\tword", "\tlead and trail\t", "a\t\tb \t c", "cr\r\nlf", "x\ry",
    ("Ein langer Absatz über Tabellen,\tmit Tabs\t und Leerzeichen. " * 12).strip(),
    "Cafe\u0301\tau lait", "nb\xa0sp\tand tab",
])  # fmt: skip
def test_tabs_and_carriage_returns_clean_like_other_whitespace(text: str) -> None:
    assert clean(text) == (" ".join(unicodedata.normalize("NFC", text).split()) or None)


def test_tab_in_text_with_invisible_characters_still_drops_them() -> None:
    assert clean("soft\xadhyphen\tand\u200bzero width") == "softhyphen andzero width"


@pytest.mark.parametrize("name", [
    "Jong, G. de", "Xuran CAI", "Jan van der Berg", "Smith, John, Jr.", "Erasmus University",
    "O&#39;Brien, Pat", "Dupont &amp;amp; Fils", ", Given only",
])  # fmt: skip
def test_a_new_name_gives_the_person_init_would_build(name: str) -> None:
    names._person_from_name.cache_clear()
    got = make_person(name)
    assert got is not None and type(got) is Person
    display = clean(name)
    assert display is not None
    family, given = split_name(display)
    if "," in display and family and not names._is_organisation(display):
        display = f"{given} {family}" if given else family
    assert got == Person(display, family, given, None, "author", (), None)
    assert hash(got) == hash(Person(display, family, given, None, "author", (), None))


def test_a_name_escaped_twice_is_split_after_cleaning_it_again() -> None:
    # clean() decodes one level of entities a call, as split_name always did
    person = make_person("Smith &amp;lt;Jr&amp;gt;, John")
    assert person is not None
    assert (person.family, person.given) == split_name("Smith &lt;Jr&gt;, John")


@pytest.mark.parametrize(("text", "parts"), [
    ("2003-04-15T10:18:51Z", (2003, 4, 15)), ("2019-09", (2019, 9, None)),
    ("Spring 2019", (2019, None, None)), ("1. Dezember 2019", (2019, 12, 1)),
    ("2020-02-30", None), ("3000", None),
])  # fmt: skip
def test_a_parsed_date_equals_and_hashes_as_the_constructed_one(
    text: str, parts: tuple[int, int | None, int | None] | None
) -> None:
    got = parse_date(text + " ")  # a string not seen yet: the cache misses
    if parts is None:
        assert got is None
        return
    want = PartialDate(*parts)
    assert type(got) is PartialDate
    assert got == want and hash(got) == hash(want) and got.isoformat() == want.isoformat()


@pytest.mark.parametrize("raw", [
    "neuroimaging", "  spatial  planning ", "Caf&eacute; culture", "", "   ",
    "a; b;; c", "<i>italic</i> keyword", "ddc: 330",
])  # fmt: skip
def test_one_plain_subject_reads_as_the_semicolon_split_reads_it(raw: str) -> None:
    _subject.cache_clear()
    got = _subject(raw)
    if raw.strip().startswith("ddc"):
        assert not isinstance(got, tuple)
        return
    parts = (clean(strip_markup(p) if "<" in p else p) for p in raw.split(";"))
    assert got == tuple((p, p.casefold()) for p in parts if p is not None)


@pytest.mark.parametrize("raw", [
    "a; b", " a ;b ", "x;  y  ;z", "Caf&eacute; ; th&eacute;", "a ;<b>bold</b> ", ";;", " ; ",
    "one;\u200b two", "tab\t; nbsp\xa0;", "dup; DUP; Dup",
])  # fmt: skip
def test_semicolon_parts_read_as_cleaning_each_part_whole_reads_them(raw: str) -> None:
    # the parts lose their outer spaces before cleaning: the same keywords as before
    _subject.cache_clear()
    parts = (clean(strip_markup(p) if "<" in p else p) for p in raw.split(";"))
    assert _subject(raw) == tuple((p, p.casefold()) for p in parts if p is not None)
