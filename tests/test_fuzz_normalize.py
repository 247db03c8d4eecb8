"""Normalisers on hostile text: any str in, the promised type out, in bounded time.

tests/test_normalize_properties.py checks their promises on short text; this
file adds every code point (controls, surrogates, NUL) and long repetitive
input, where a regex or a trimming loop can go quadratic.
"""

from __future__ import annotations

import time  # limits count CPU seconds (process_time): a shared box skews wall time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.normalize import (
    clean,
    clean_many,
    make_person,
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_orcid,
    normalize_url,
    parse_date,
    parse_date_range,
    parse_page_count,
    parse_pages,
    split_keywords,
    split_name,
    strip_markup,
    to_iso639_1,
)
from harvester.types import PageRange, PartialDate, Person

_ANY = st.text(st.characters(codec=None), max_size=200)  # surrogates and controls included
_PIECES = st.sampled_from(
    ["1", "-", "–", ".", ",", ";", " ", "(", ")", "10.1/", "a", "&amp;", "&#", "<b>", "</b>",
     "and ", "von ", "O'", "/", "19", "Jan ", "pp. ", "é", "\u00a0", ":", "[", "]", "<", ">",
     "\\", "doi:", "http://", "%2F", "\x00", "\x1b", "\ud800"])  # fmt: skip
_LONG = st.builds(lambda parts, n: "".join(parts) * n, st.lists(_PIECES, min_size=1, max_size=3),
                  st.integers(1, 4000))


def _check_all(text: str) -> None:
    assert clean(text) is None or isinstance(clean(text), str)
    assert all(isinstance(k, str) and k for k in clean_many([text, text]))
    assert all(isinstance(k, str) and k for k in split_keywords(text))
    assert strip_markup(text) is None or isinstance(strip_markup(text), str)
    for fn in (normalize_doi, normalize_isbn, normalize_issn, normalize_orcid):
        value = fn(text)
        assert value is None or (isinstance(value, str) and value), fn.__name__
    assert isinstance(normalize_url(text), str)
    lang = to_iso639_1(text)
    assert lang is None or (len(lang) == 2 and lang.isascii() and lang.islower())
    assert parse_date(text) is None or isinstance(parse_date(text), PartialDate)
    assert all(d is None or isinstance(d, PartialDate) for d in parse_date_range(text))
    assert isinstance(parse_pages(text), PageRange)
    count = parse_page_count(text)
    assert count is None or (isinstance(count, int) and count > 0)
    family, given_ = split_name(text)
    assert all(v is None or isinstance(v, str) for v in (family, given_))
    person = make_person(text)
    assert person is None or isinstance(person, Person)


@settings(max_examples=300, deadline=None)
@given(_ANY)
def test_every_normaliser_takes_any_text(text: str) -> None:
    _check_all(text)


@settings(max_examples=60, deadline=None)
@given(_LONG)
def test_long_repetitive_text_is_normalised_in_bounded_time(text: str) -> None:
    start = time.process_time()
    _check_all(text)
    assert time.process_time() - start < 2.0, f"{len(text)} characters"


@pytest.mark.parametrize(
    "text", ["10.1234/a" + ".)" * 50_000, "10.1234/a" + ")" * 100_000, "10.1/" + "x" * 5_000]
)
def test_over_long_doi_is_refused_fast(text: str) -> None:
    # trimming trailing punctuation one character at a time took 13 s at 200 KB
    start = time.process_time()
    assert normalize_doi(text) is None
    assert time.process_time() - start < 0.5
