"""The loader's canonical JSON (orjson fast path) is byte-identical to Record.content_hash's."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from harvester.types import PageRange, PartialDate, Person, Record, Subject
from pipelines.load import ensure_source, upsert_records
from pipelines.load_json import canonical_json, json_and_hash
from tests.test_load_upsert import T0, T1, make_record


def reference(record: Record) -> str:
    """The definition: to_json minus metrics and warnings through json.dumps."""
    shape = {k: v for k, v in record.to_json().items() if k not in ("metrics", "warnings")}
    return json.dumps(shape, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# every code point but lone surrogates (which neither encoder can write as UTF-8)
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
OPTIONAL = st.none() | TEXT
WEIGHTS = st.none() | st.floats(allow_nan=True, allow_infinity=True) | st.integers()
PERSONS = st.builds(Person, TEXT, OPTIONAL, OPTIONAL, OPTIONAL, st.sampled_from(["author",
                    "editor"]), st.lists(TEXT, max_size=2).map(tuple), OPTIONAL)  # fmt: skip
RECORDS = st.builds(
    Record, url=TEXT, platform=TEXT, source_key=TEXT, title=OPTIONAL, abstract=OPTIONAL,
    authors=st.lists(PERSONS, max_size=3).map(tuple),
    keywords=st.lists(TEXT, max_size=3).map(tuple),
    subjects=st.lists(st.builds(Subject, TEXT, TEXT, WEIGHTS, OPTIONAL), max_size=3).map(tuple),
    pages=st.builds(PageRange, OPTIONAL, OPTIONAL, st.none() | st.integers()),
    published=st.none() | st.builds(PartialDate, st.integers(1000, 2100), st.none()),
    provenance=st.dictionaries(TEXT, TEXT, max_size=3),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(RECORDS)
def test_any_record_hashes_exactly_as_content_hash(record: Record) -> None:
    text, digest = json_and_hash(record)
    assert text == reference(record)
    assert digest == record.content_hash()


@pytest.mark.parametrize("weight", [1e-07, 1e16, -0.0, 5e-05, float("nan"), float("-inf"),
                                    0.125, 2**70, True])  # fmt: skip
def test_weights_orjson_writes_differently_take_the_exact_path(weight: Any) -> None:
    record = Record(url="u", platform="p", source_key="k", subjects=(Subject("s", "t", weight),))
    text, digest = json_and_hash(record)
    assert text == reference(record) == canonical_json(record)
    assert digest == hashlib.sha256(text.encode()).hexdigest() == record.content_hash()


def test_a_provenance_key_that_is_not_text_takes_the_exact_path() -> None:
    record = Record(url="u", platform="p", source_key="k", provenance={1: "x"})  # type: ignore[dict-item]
    assert json_and_hash(record) == (reference(record), record.content_hash())


def test_records_stored_with_the_json_dumps_hash_reload_as_unchanged(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashes stored before the fast path (json.dumps) still say 'unchanged'."""
    records = [make_record(n, title=f"Ünïcode \u2028 \x1f {n}") for n in range(4)]
    records.append(dataclasses.replace(records[0], source_key="weights", subjects=(
        Subject("fingerprint", "Graphene", 1e-07), Subject("fingerprint", "Bilayer", 0.75))))
    with monkeypatch.context() as patch:
        patch.setattr("pipelines.load.R.json_and_hash",
                      lambda r: (reference(r), r.content_hash()))  # fmt: skip
        with engine.begin() as conn:
            source_id = ensure_source(conn, "repo", "pure", None, now=T0)
            first = upsert_records(conn, source_id, records, now=T0)
    with engine.begin() as conn:
        again = upsert_records(conn, source_id, records, now=T1)
    assert (first.new, again.new, again.changed, again.unchanged) == (5, 0, 0, 5)
