"""The Pure parser against the real and reconstructed corpus pages and their gold records."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS
from gold import GOLD_FIELDS, load_gold, mismatches

from harvester.parsers import detect_platform, parse_page, pure
from harvester.types import Page

CORPUS_DIRS = ("pure", "pure-reconstructed")


def _gold_names() -> list[str]:
    """Page ids for parametrisation (empty when ../shared is absent: the tests then skip)."""
    names = []
    for sub in CORPUS_DIRS:
        for path in sorted((CORPUS / sub).glob("*.expected.json")):
            names.append(f"{sub}/{path.name.removesuffix('.expected.json')}")
    return names or ["pure/absent"]


def _page(corpus: Path, name: str) -> tuple[Page, dict[str, object]]:
    html = corpus / f"{name}.html"
    gold_path = corpus / f"{name}.expected.json"
    if not gold_path.exists():
        pytest.skip(f"no gold record {gold_path}")
    gold = load_gold(gold_path)
    return Page(url=str(gold["url"]), body=html.read_bytes()), gold


@pytest.mark.corpus
@pytest.mark.parametrize("name", _gold_names())
def test_corpus_page_matches_its_gold_on_every_field(corpus: Path, name: str) -> None:
    page, gold = _page(corpus, name)
    record = pure.parse(page)
    assert mismatches(record, gold) == {}
    assert set(GOLD_FIELDS) <= set(gold)  # the gold really covers every compared field


@pytest.mark.corpus
@pytest.mark.parametrize("name", _gold_names())
def test_corpus_page_is_detected_as_pure(corpus: Path, name: str) -> None:
    page, _gold = _page(corpus, name)
    assert detect_platform(page) == "pure"
    _record, parser = parse_page(page)
    assert parser == "pure"


@pytest.mark.corpus
@pytest.mark.parametrize("name", _gold_names())
def test_corpus_page_records_the_layer_of_each_gold_value(corpus: Path, name: str) -> None:
    page, _gold = _page(corpus, name)
    record = pure.parse(page)
    filled = {k for k, v in record.to_json().items() if k in GOLD_FIELDS and v not in (None, [])}
    filled -= {"platform", "pages"}
    assert filled <= set(record.provenance)
    assert record.provenance["title"] == "pure:heading"


@pytest.mark.corpus
def test_raw_pages_carry_pure_uuid_as_source_key(corpus: Path) -> None:
    page, _gold = _page(corpus, "pure/raw-pure.psu.edu-pirate-low-bandwidth-vr-streaming")
    record = pure.parse(page)
    assert record.source_key == "93c0d236-c78e-453e-9443-df958fe966dd"
    assert ("pure-uuid", record.source_key) in [(i.scheme, i.value) for i in record.identifiers]
    # the RIS tab splits the title at the colon; the heading wins
    assert record.title and record.title.startswith("Pirate: No Compromise")
    assert {c.format for c in record.citations} == {"ris", "bibtex"}


@pytest.mark.corpus
def test_metrics_and_subjects_come_from_the_seed_page(corpus: Path) -> None:
    name = (
        "pure-reconstructed/"
        "researchportal.bath.ac.uk-the-empathic-foundations-of-security-dilemma-deescalation"
    )
    page, _gold = _page(corpus, name)
    record = pure.parse(page)
    assert [(m.name, m.value, m.source) for m in record.metrics] == [
        ("citations", 3, "scopus"),
        ("downloads", 154, "pure"),
    ]
    asjc = [s.term for s in record.subjects if s.scheme == "asjc"]
    assert asjc[0] == "Social Psychology" and len(asjc) == 6
    assert record.type_raw == "Contribution to journal › Article › peer-review"


@pytest.mark.corpus
def test_fingerprint_concepts_keep_their_weight(corpus: Path) -> None:
    page, _gold = _page(corpus, "pure/raw-snu.elsevierpure.com-affinity-tfhe-processing-in-dram")
    record = pure.parse(page)
    concepts = [(s.term, s.weight) for s in record.subjects if s.scheme == "fingerprint"]
    assert concepts[0] == ("In-Memory Processing", 1.0)
    assert ("Data Access", 0.5) in concepts
    # citation_author_institution is attached to the author before it
    assert record.authors[2].affiliations == ("Gachon University",)
