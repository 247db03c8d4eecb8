"""`build` (the mappers' Record assembly) gives what Record(**fields) gives: it fills the
fields positionally for speed, so every difference would be a bug."""

from __future__ import annotations

from typing import Any

import pytest

from harvester.oai.formats._common import build
from harvester.oai.protocol import OAIRecord
from harvester.types import MAX_SOURCE_KEY, PageRange, PartialDate, Person, Record, Subject


def reference(rec: OAIRecord, layer: str, fields: dict[str, Any]) -> Record:
    """The keyword construction `build` replaced, kept here as the specification."""
    kept = {k: v for k, v in fields.items()
            if not (v is None or v == "" or v == () or v == PageRange())}
    provenance = dict.fromkeys(kept, layer)
    if "url" in provenance:
        del provenance["url"]
    else:
        kept["url"] = ""
    return Record(platform="oai", source_key=rec.identifier, provenance=provenance, **kept)


FIELDS: list[dict[str, Any]] = [
    {},
    {"title": "T", "abstract": None, "keywords": (), "url": "https://x.org/1"},
    {"url": "", "doi": "10.1/x", "pages": PageRange(), "journal": ""},
    {"pages": PageRange(first="3", last="9"), "published": PartialDate(2001, 4),
     "authors": (Person(name="A Berg", family="Berg", given="A"),),
     "type": "article", "type_raw": "Article",
     "subjects": (Subject("ddc", "620", code="620"),), "language": "sv"},
    {"warnings": ("w",), "metrics": (), "publisher": "P", "url": None},
]


@pytest.mark.parametrize("fields", FIELDS)
@pytest.mark.parametrize("identifier", ["oai:x:1", "", "oai:x:" + "9" * (MAX_SOURCE_KEY + 5)])
def test_build_gives_the_record_keyword_construction_gives(
    fields: dict[str, Any], identifier: str
) -> None:
    rec = OAIRecord(identifier, "2024-01-01")
    got = build(rec, "oai:oai_dc", dict(fields))
    want = reference(rec, "oai:oai_dc", dict(fields))
    assert got == want
    assert list(got.provenance.items()) == list(want.provenance.items())  # order too


def test_build_shortens_an_overlong_source_key_as_record_does() -> None:
    got = build(OAIRecord("k" * (MAX_SOURCE_KEY + 1), ""), "oai:mods", {"title": "T"})
    assert len(got.source_key) < MAX_SOURCE_KEY and "#" in got.source_key


@pytest.mark.parametrize("name", ["platform", "source_key", "provenance", "no_such_field"])
def test_build_refuses_a_field_the_record_cannot_take(name: str) -> None:
    with pytest.raises(TypeError):
        build(OAIRecord("oai:x:1", ""), "oai:oai_dc", {name: "v"})
