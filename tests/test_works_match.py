"""The de-duplication rule as pure functions: normalising, pair tests, clusters."""

from __future__ import annotations

import pytest

from pipelines.works_keys import Keys, normalise, title_key
from pipelines.works_match import cluster, title_match

TITLE = "graphene transport in bilayer systems"


@pytest.mark.parametrize(("raw", "expected"), [
    ("Graphene Transport in Bilayer Systems.", TITLE),
    ("  Graphene  transport\nin bilayer-systems ", "graphene transport in bilayer systems"),
    ("Über Ångström-Größen", "uber angstrom grossen"),
    ("C_2 ~ {bilayer} & 100%", "c 2 bilayer 100"),
    ("Müller", "muller"),
    ("...", None),
    ("", None),
    (None, None),
])  # fmt: skip
def test_normalise_casefolds_drops_accents_and_punctuation(raw: str | None,
                                                           expected: str | None) -> None:
    assert normalise(raw) == expected


def test_title_key_includes_the_subtitle() -> None:
    assert title_key("Graphene", "A study") == title_key("Graphene: a study", None)


def keys(pid: int, title: str, **values: str | None) -> Keys:
    base: dict[str, str | None] = {"year": "2019", "author": "lee", "type": "article"}
    base.update(values)
    return Keys(pid, title=normalise(title), **base)


@pytest.mark.parametrize(("a", "b"), [
    ("Graphene transport in bilayer systems", "Graphene Transport in Bilayer Systems."),
    ("Graphene transport in bilayer systems", "Graphene transport in bilayer system"),
    ("Graphene transport in bilayer systems", "Bilayer systems: graphene transport in"),
    ("Electron–phonon coupling in twisted bilayer graphene",
     "Electron-phonon coupling in twisted bi-layer graphene"),
    ("The behaviour of electrons in layered crystals",
     "The behavior of electrons in layered crystals"),
])  # fmt: skip
def test_the_same_title_written_differently_matches(a: str, b: str) -> None:
    score = title_match(keys(1, a), keys(2, b))
    assert score is not None and score >= 0.93


@pytest.mark.parametrize(("a", "b", "why"), [
    ("Graphene transport in bilayer systems, Part I",
     "Graphene transport in bilayer systems, Part II", "part numbers"),
    ("Annual report on carbon research 2019", "Annual report on carbon research 2020",
     "numbers"),
    ("Graphene transport in bilayer systems", "Graphene transport in trilayer systems",
     "a word that is not a spelling variant"),
    ("Ferromagnetic ordering in thin cobalt films",
     "Antiferromagnetic ordering in thin cobalt films", "a word that is not a variant"),
    ("Graphene transport in bilayer systems", "Phonon transport in bilayer systems",
     "below the threshold"),
    ("Graphene", "Graphene", "too short to tell"),
    ("Graphene transport in bilayer systems", "Graphene transport", "a shorter title"),
])  # fmt: skip
def test_different_works_with_similar_titles_do_not_match(a: str, b: str, why: str) -> None:
    assert title_match(keys(1, a), keys(2, b)) is None, why


@pytest.mark.parametrize(("a", "b"), [
    ({"doi": "10.1/a"}, {"doi": "10.1/b"}),
    ({"type": "dataset"}, {"type": "article"}),
    ({"type": "software"}, {"type": "dataset"}),
])  # fmt: skip
def test_guards_keep_same_titled_records_apart(a: dict[str, str], b: dict[str, str]) -> None:
    assert title_match(keys(1, TITLE, **a), keys(2, TITLE, **b)) is None


def test_clusters_link_by_doi_and_by_title_only_within_a_block() -> None:
    works = cluster([
        Keys(1, doi="10.1/x", title=TITLE, year="2019", author="lee"),
        Keys(2, doi="10.1/x"),
        Keys(3, title=TITLE, year="2019", author="lee"),
        Keys(4, title=TITLE, year="2020", author="lee"),  # another year
        Keys(5, title=TITLE, year="2019", author="wu"),  # another first author
    ])  # fmt: skip
    assert [[d.publication_id for d in w] for w in works] == [[1, 2, 3], [4], [5]]
    first, by_doi, by_title = works[0]
    assert (first.reason, by_doi.reason, by_doi.matched_with) == ("first", "doi", 1)
    assert by_doi.matched == {"doi": "10.1/x"}
    assert (by_title.reason, by_title.score, by_title.matched_with) == (
        "title-year-author", 1.0, 1)


def test_split_publications_match_nothing_and_merges_link_anything() -> None:
    ks = [Keys(1, doi="10.1/x"), Keys(2, doi="10.1/x"), Keys(3, doi="10.1/y")]
    works = cluster(ks, merges=[(3, 1)], split={2})
    assert [[(d.publication_id, d.reason) for d in w] for w in works] == [
        [(1, "first"), (3, "manual")], [(2, "manual")]]
    assert works[1][0].matched == {"override": "split"}


def test_the_strongest_link_explains_a_member() -> None:
    works = cluster([Keys(1, doi="10.1/x", title=TITLE, year="2019", author="lee"),
                     Keys(2, doi="10.1/x", title=TITLE, year="2019", author="lee")])
    assert works[0][1].reason == "doi"  # DOI outranks an equally good title match


def test_normalise_folds_every_ascii_character_to_a_lowercase_alphanumeric_or_a_space() -> None:
    for code in range(128):
        char = chr(code)
        expected = f"ab{char.lower()}z" if char.isalnum() else "ab z"
        assert normalise(f"Ab{char}Z") == expected, code
