"""Every corpus HTML page with a gold record, parsed with `platform: auto`, field by field.

A field the parsers still get wrong is listed in KNOWN_MISSES with the reason,
so it stays visible; a known miss that starts to pass fails its own test, so
fixed entries get removed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS
from gold import GOLD_FIELDS, field_matches, gold_html_pages, load_gold

from harvester.parsers import parse_page
from harvester.types import Page

# (page path relative to the corpus, field) -> why the parsers miss it. Empty today:
# every field of every gold page is right (bench/accuracy.py prints 1.000).
KNOWN_MISSES: dict[tuple[str, str], str] = {}


def _cases() -> list[tuple[str, str]]:
    pages = gold_html_pages(CORPUS) if CORPUS.is_dir() else []
    cases = []
    for html, gold_path in pages:
        name = str(html.relative_to(CORPUS))
        for field in GOLD_FIELDS:
            if field in load_gold(gold_path):
                cases.append((name, field))
    return cases or [("absent", "title")]


_RECORDS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}


def _parsed(corpus: Path, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(record JSON, gold) per page, parsed once for all its fields."""
    if name not in _RECORDS:
        html = corpus / name
        gold = load_gold(html.with_name(html.name.removesuffix(".html") + ".expected.json"))
        record, _ = parse_page(Page(url=str(gold["url"]), body=html.read_bytes()))
        _RECORDS[name] = (record.to_json(), gold)
    return _RECORDS[name]


@pytest.mark.parametrize(("name", "field"), [c for c in _cases() if c not in KNOWN_MISSES])
def test_corpus_field_matches_gold(corpus: Path, name: str, field: str) -> None:
    got, gold = _parsed(corpus, name)
    assert field_matches(field, got.get(field), gold[field]), (got.get(field), gold[field])


@pytest.mark.parametrize(("name", "field"), sorted(KNOWN_MISSES) or [("none", "none")])
def test_known_misses_still_miss(corpus: Path, name: str, field: str) -> None:
    if name == "none":
        pytest.skip("no known misses")
    got, gold = _parsed(corpus, name)
    assert not field_matches(field, got.get(field), gold[field]), (
        f"{name} {field} now passes: remove it from KNOWN_MISSES")


def test_known_misses_name_real_pages_and_fields(corpus: Path) -> None:
    for name, field in KNOWN_MISSES:
        assert (corpus / name).exists(), name
        assert field in GOLD_FIELDS, field
