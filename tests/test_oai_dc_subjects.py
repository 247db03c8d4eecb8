"""dc:subject values into keywords and classification codes (oai_dc's `_subjects`)."""

from __future__ import annotations

import pytest

from harvester.oai.formats.oai_dc import _subjects
from harvester.types import Subject


@pytest.mark.parametrize(
    ("raws", "keywords", "subjects"),
    [
        (["Tides; Harbours", "tides", "HARBOURS; energy"], ("Tides", "Harbours", "energy"), ()),
        (["ddc:620", "Energy", "DDC = 551.46"], ("Energy",),
         (Subject("ddc", "620", code="620"), Subject("ddc", "551.46", code="551.46"))),
        (["  ; <i>Fjords</i> ;", "fjords"], ("Fjords",), ()),
        (["Straße", "STRASSE"], ("Straße",), ()),  # casefold, not lower: the same keyword
        ([], (), ()),
    ],
)
def test_subjects_split_keywords_drop_case_insensitive_repeats_and_read_codes(
    raws: list[str], keywords: tuple[str, ...], subjects: tuple[Subject, ...]
) -> None:
    assert _subjects(raws) == (keywords, subjects)
    assert _subjects(raws) == (keywords, subjects)  # a second time, from the cache
