"""The per-value caches the oai_dc mapper reads languages and types through give what the
uncached code gives, for any string and in any order (a cached value is shared between
records, so a wrong one would spread)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.normalize.languages import _iso639_1, to_iso639_1
from harvester.normalize.text import clean
from harvester.oai.formats._common import _classify, _typed, coarse_type

_LANGUAGES = st.sampled_from(["en", "EN ", "en_US", "eng", "other", "English; German", "",
                              " ", "Nederlands", "pt-BR", "fr (France)", "xx", "zzz", "de\n"])
_TYPES = st.sampled_from(["info:eu-repo/semantics/article", "Working Paper", "Thesis", "",
                          "  ", "Other", "Preprint", "Technical Report", "&amp;", "Text",
                          "book_part", "Article\xa0 ", "dataset"])


def reference_coarse_type(raws: list[str | None]) -> tuple[str | None, str | None]:
    """coarse_type as it read before its cache: clean and classify every value."""
    first = None
    for raw in raws:
        text = clean(raw)
        if text is None:
            continue
        first = first or text
        kind = _classify(text.lower())
        if kind:
            return kind, text
    return None, first


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.none(), _TYPES, st.text(max_size=30)), max_size=4))
def test_coarse_type_through_its_cache_is_the_plain_reading(raws: list[str | None]) -> None:
    assert coarse_type(raws) == reference_coarse_type(raws)
    _typed.cache_clear()
    assert coarse_type(raws) == reference_coarse_type(raws)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.none(), _LANGUAGES, st.text(max_size=30)))
def test_language_through_its_cache_is_the_plain_lookup(text: str | None) -> None:
    plain = _iso639_1.__wrapped__(text) if text else None
    assert to_iso639_1(text) == plain
    _iso639_1.cache_clear()
    assert to_iso639_1(text) == plain
