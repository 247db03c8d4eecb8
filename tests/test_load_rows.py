"""The pure Record -> row mapping used by the loader (no database)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from harvester.types import Identifier, Metric, Person, Record
from pipelines.load_rows import json_and_hash, metric_rows, person_key, record_json, venue_key

BASE = Record(url="https://r.test/p/1", platform="pure", source_key="k1", title="Ünï 'x'")


@pytest.mark.parametrize(
    "record",
    [
        BASE,
        Record(url="u", platform="p", source_key="k", metrics=(Metric("views", 3, "pure"),),
               warnings=("odd date",), provenance={"title": "ris", "doi": "meta"},
               authors=(Person("A B", "B", "A", affiliations=("Uni",)),)),
    ],
)  # fmt: skip
def test_loader_hash_and_json_agree_with_the_record(record: Record) -> None:
    canonical, digest = json_and_hash(record)
    assert digest == record.content_hash()
    assert json.loads(record_json(record, canonical)) == record.to_json()


@pytest.mark.parametrize(
    ("person", "key"),
    [
        (Person("Ann Lee", "Lee", "Ann", orcid="0000-0001-2345-6789", url="https://x/p"),
         "orcid:0000-0001-2345-6789"),
        (Person("Ann Lee", "Lee", "Ann", url="https://r.test/persons/ann"),
         "url:https://r.test/persons/ann"),
        (Person("Ann LEE", "LEE", "Ann"), "name:lee|ann"),
        (Person("Plato"), "name:plato|"),
    ],
)  # fmt: skip
def test_person_key_prefers_orcid_then_profile_url_then_name(person: Person, key: str) -> None:
    assert person_key(person) == key


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"journal": "Nature", "identifiers": (Identifier("eissn", "1476-4687"),)},
         "issn:1476-4687"),
        ({"journal": "Journal of TESTS"}, "title:journal of tests"),
        ({}, None),
    ],
)  # fmt: skip
def test_venue_key_prefers_issn_then_casefolded_title(changes: dict[str, object], key: str) -> None:
    assert venue_key(dataclasses.replace(BASE, **changes)) == key  # type: ignore[arg-type]


def test_metric_without_a_day_is_stamped_with_the_load_day_in_utc() -> None:
    late = datetime(2024, 5, 1, 23, 30, tzinfo=UTC)
    record = Record(
        url="u",
        platform="p",
        source_key="k",
        metrics=(Metric("views", 3), Metric("citations", 2, "crossref", "2024-01-02")),
    )
    rows = metric_rows([record], {"k": 7}, late)
    assert [(r["name"], r["source"], r["seen"]) for r in rows] == [
        ("views", "", "2024-05-01"),
        ("citations", "crossref", "2024-01-02"),
    ]
