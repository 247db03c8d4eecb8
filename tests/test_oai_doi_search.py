"""normalize_doi searches from the first "10." (the OAI mappers call it for every DOI
link); a differential test against the search from the start it replaced."""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.normalize.identifiers import (
    _CLOSERS,
    _DOI,
    _DOI_TRAILING,
    _MAX_DOI,
    _PERCENT,
    normalize_doi,
)


def reference(text: str | None) -> str | None:
    if not text:
        return None
    if "%" in text and _PERCENT.search(text):
        text = unquote(text)
    m = _DOI.search(text)
    if m is None:
        return None
    doi = m.group(0)
    if len(doi) > _MAX_DOI:
        return None
    while doi:
        last = doi[-1]
        if last in _DOI_TRAILING or (last in _CLOSERS and doi.count(last) > doi.count(
                _CLOSERS[last])):
            doi = doi[:-1]
        else:
            break
    if doi.endswith("/") or "/" not in doi:
        return None
    return doi.lower()


_PIECES = st.sampled_from(["10.", "110.", ".10.", "1", "0", ".", "/", "x", "ABC", " ", "(", ")",
                           "%2F", "%31%30.", "doi:", "https://doi.org/", "'", '"', "é", "10"])


@settings(max_examples=800, deadline=None)
@given(st.one_of(st.lists(_PIECES, max_size=14).map("".join), st.text(max_size=40)))
def test_doi_from_the_first_10_is_the_doi_from_the_start(text: str) -> None:
    assert normalize_doi(text) == reference(text)


def test_a_10_inside_a_number_is_not_where_the_doi_starts() -> None:
    assert normalize_doi("1110.5/x 10.6/y") == "10.6/y"
    assert normalize_doi("https://doi.org/10.5281/ZENODO.7.") == "10.5281/zenodo.7"
