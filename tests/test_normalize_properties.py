"""Property tests: normalisers never raise on arbitrary text and keep their promises."""

from __future__ import annotations

import datetime as dt

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from harvester.normalize import (
    clean,
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_orcid,
    normalize_url,
    parse_date,
    parse_date_range,
    parse_page_count,
    parse_pages,
    split_name,
    to_iso639_1,
)
from harvester.normalize.dates import MAX_YEAR, MIN_YEAR

# Text biased towards the characters these functions care about.
_ALPHABET = st.sampled_from(
    [*"0123456789-–—/.,;: ()abcdefmnoprstxyzDJMOSTXIV&%\u00a0\u200b", "é", "ä", "→"]
)
_TEXT = st.one_of(st.text(), st.text(alphabet=_ALPHABET, max_size=40))
_ORDER = st.sampled_from(["auto", "dmy", "mdy", "ymd"])


@settings(max_examples=400)
@given(_TEXT, _ORDER)
def test_parse_date_never_raises_and_stays_in_range(text: str, order: str) -> None:
    date = parse_date(text, order=order)
    if date is not None:
        assert MIN_YEAR <= date.year <= MAX_YEAR
    start, end = parse_date_range(text, order=order)
    for value in (start, end):
        assert value is None or MIN_YEAR <= value.year <= MAX_YEAR


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_iso_dates_round_trip(day: dt.date) -> None:
    text = day.isoformat()
    date = parse_date(text)
    if int(text[:4]) <= MAX_YEAR:
        assert date is not None and date.isoformat() == text
    else:
        assert date is None


@settings(max_examples=400)
@given(_TEXT)
def test_parse_pages_never_raises_or_counts(text: str) -> None:
    pages = parse_pages(text)
    assert pages.count is None
    if pages.last is not None:
        assert pages.first is not None
    count = parse_page_count(text)
    assert count is None or count > 0


@settings(max_examples=400)
@given(_TEXT)
def test_split_name_never_raises_and_never_gives_a_given_name_alone(text: str) -> None:
    family, given_ = split_name(text)
    assert family is not None or given_ is None
    if clean(text) is None:
        assert (family, given_) == (None, None)


@settings(max_examples=400)
@given(_TEXT)
def test_identifier_normalisers_never_raise_and_are_idempotent(text: str) -> None:
    doi = normalize_doi(text)
    if doi is not None:
        assert doi == doi.lower() and doi.startswith("10.")
        assert normalize_doi(doi) == doi
    for fn in (normalize_isbn, normalize_issn, normalize_orcid):
        value = fn(text)
        if value is not None:
            assert fn(value) == value
    normalize_url(text)
    to_iso639_1(text)


@given(st.text())
def test_clean_is_idempotent_on_text_without_entities(text: str) -> None:
    once = clean(text)
    assume(once is None or "&" not in once)
    assert clean(once) == once
