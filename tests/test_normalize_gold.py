"""Normalisers against the hand-made gold records in ../shared/corpus.

Gold values are already normal, so every normaliser must leave them unchanged;
gold authors written "Given Family" must mostly split back into the same parts
(double-barrelled surnames without a comma, "Paloma Schäfer Aguilar", cannot).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harvester.normalize import normalize_doi, parse_date, split_name, to_iso639_1

pytestmark = pytest.mark.corpus


def _gold(corpus: Path) -> list[dict[str, Any]]:
    records = [json.loads(p.read_text("utf-8")) for p in sorted(corpus.rglob("*.expected.json"))]
    if not records:
        pytest.skip("no gold records in the corpus")
    return records


def test_gold_dates_dois_and_languages_are_fixed_points(corpus: Path) -> None:
    for record in _gold(corpus):
        for key in ("published", "online"):
            if record.get(key):
                assert str(parse_date(record[key])) == record[key]
        if record.get("doi"):
            assert normalize_doi(record["doi"]) == record["doi"]
        if record.get("language"):
            assert to_iso639_1(record["language"]) == record["language"]


def test_gold_inverted_names_split_back_exactly(corpus: Path) -> None:
    for record in _gold(corpus):
        for author in record.get("authors", []):
            family, given = author.get("family"), author.get("given")
            if family and given:
                assert split_name(f"{family}, {given}") == (family, given)


def test_gold_display_names_mostly_split_back(corpus: Path) -> None:
    total = right = 0
    for record in _gold(corpus):
        for author in record.get("authors", []):
            family, given = author.get("family"), author.get("given")
            if family and given:
                total += 1
                right += split_name(f"{given} {family}") == (family, given)
    assert total > 0
    assert right / total >= 0.97


def test_gold_organisation_authors_stay_whole(corpus: Path) -> None:
    for record in _gold(corpus):
        for author in record.get("authors", []):
            if author.get("family") and author.get("given") is None:
                assert split_name(author["family"]) == (author["family"], None)
