"""The pure Record -> row mapping used by the loader (no database)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from harvester.types import (
    Citation,
    FileLink,
    Identifier,
    Metric,
    PageRange,
    PartialDate,
    Person,
    Record,
    Subject,
)
from pipelines.load_rows import (
    author_rows,
    child_row_streams,
    child_rows,
    json_and_hash,
    metric_rows,
    person_key,
    person_rows,
    record_json,
    venue_key,
    with_person_ids,
)

BASE = Record(url="https://r.test/p/1", platform="pure", source_key="k1", title="Ünï 'x'")


@pytest.mark.parametrize(
    "record",
    [
        BASE,
        Record(url="u", platform="p", source_key="k", metrics=(Metric("views", 3, "pure"),),
               warnings=("odd date",), provenance={"title": "ris", "doi": "meta"},
               authors=(Person("A B", "B", "A", affiliations=("Uni",)),)),
        # every nested kind, floats, counts, dates of each precision, escapes and non-ASCII
        Record(url="https://r.test/\u2028\"q\"", platform="pure", source_key="k\\2",
               title="Tab\there\nnewline \U0001f600", pages=PageRange("e1", "e9", 9),
               published=PartialDate(2016), online=PartialDate(2016, 6),
               status_date=PartialDate(2016, 6, 30), keywords=("α", "β"),
               subjects=(Subject("asjc", "Physics", 0.125, "3100"), Subject("ddc", "x", 1e-07)),
               files=(FileLink("https://r.test/f.pdf", None, "application/pdf", "open"),),
               citations=(Citation("ris", "TY  - JOUR\r\n"),),
               identifiers=(Identifier("issn", "1234-5678"),),
               authors=(Person("Ø", orcid="0000-0001-2345-6789", role="editor",
                               url="https://r.test/p/ø"),),
               provenance={"title": "ris", "abstract": "meta:dc", "doi": "pure"}),
    ],
)  # fmt: skip
def test_loader_hash_and_json_agree_with_the_record(record: Record) -> None:
    canonical, digest = json_and_hash(record)
    assert digest == record.content_hash()
    shape = {k: v for k, v in record.to_json().items() if k not in ("metrics", "warnings")}
    assert canonical == json.dumps(shape, sort_keys=True, ensure_ascii=False,
                                   separators=(",", ":"))
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


def test_a_person_named_twice_is_described_by_the_first_mention_and_ids_fill_every_row() -> None:
    first = Person("A. Lee", "Lee", "A", orcid="0000-0001-2345-6789", affiliations=("Uni",))
    again = Person("Ann Lee", "Lee", "Ann", orcid="0000-0001-2345-6789", role="editor")
    records = [dataclasses.replace(BASE, authors=(first, Person("Bo"))),
               dataclasses.replace(BASE, source_key="k2", authors=(again,))]  # fmt: skip
    authors = author_rows(records, {"k1": 1, "k2": 2})
    orcid = "orcid:0000-0001-2345-6789"
    assert person_rows(authors) == {orcid: (orcid, "A. Lee", "Lee", "A", "0000-0001-2345-6789"),
                                    "name:bo|": ("name:bo|", "Bo", None, None, None)}  # fmt: skip
    assert with_person_ids(authors, {orcid: 10, "name:bo|": 11}) == [
        (1, "author", 1, 10, "A. Lee", "Lee", "A", "0000-0001-2345-6789", '["Uni"]'),
        (1, "author", 2, 11, "Bo", None, None, None, "[]"),
        (2, "editor", 1, 10, "Ann Lee", "Lee", "Ann", "0000-0001-2345-6789", "[]"),
    ]


def test_child_rows_number_keywords_and_store_a_repeated_identifier_once() -> None:
    idents = (Identifier("doi", "10.1/x"), Identifier("isbn", "1"), Identifier("doi", "10.1/x"),
              Identifier("url", "h" * 501), Identifier("isbn", "2"))  # fmt: skip
    records = [dataclasses.replace(BASE, keywords=("a", "b", "a"), identifiers=idents),
               dataclasses.replace(BASE, source_key="k2")]  # fmt: skip
    rows = child_rows(records, {"k1": 7, "k2": 8})
    assert rows["keywords"] == [(7, 1, "a"), (7, 2, "b"), (7, 3, "a")]
    # an "identifier" longer than an index entry is left to record_json
    assert rows["identifiers"] == [(7, "doi", "10.1/x"), (7, "isbn", "1"), (7, "isbn", "2")]
    assert rows["subjects"] == rows["files"] == rows["citations"] == []
    streams = child_row_streams(records, {"k1": 7, "k2": 8})
    assert {name: list(made) for name, made in streams.items()} == {
        "keywords": rows["keywords"],
        "identifiers": rows["identifiers"],
    }
