"""nl_didl (MPEG-21 DIDL wrapping MODS, Pure's /ws/oai) on an invented fixture.

tests/fixtures/oai/nl_didl.xml is invented: its structure follows SURF's DIDL
Application Profile 3.0 and Pure's documentation of the format; no real record was
available to copy, so the values are ours.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.errors import NotARecord
from harvester.oai.formats import FORMATS, choose_prefix, mapper_for
from harvester.oai.protocol import OAIRecord, parse_list_records
from harvester.types import FileLink, Identifier, PageRange, PartialDate

FIXTURE = Path(__file__).parent / "fixtures" / "oai" / "nl_didl.xml"
SOURCE = "https://research.example.nl/ws/oai"


def records() -> tuple[OAIRecord, ...]:
    return parse_list_records(FIXTURE.read_bytes(), SOURCE).records


def test_didl_record_reads_the_wrapped_mods() -> None:
    rec = FORMATS["nl_didl"](records()[0], source_url=SOURCE)
    assert rec.title == "Peat subsidence under polder drainage"
    assert [(a.family, a.given) for a in rec.authors] == [("de Vries", "Anouk")]
    assert rec.type == "article"
    assert rec.published == PartialDate(2024, 11)
    assert rec.doi == "10.5555/peat.2024.11"
    assert rec.journal == "Journal of Lowland Soils"
    assert (rec.volume, rec.pages) == ("12", PageRange("101", "118"))
    assert rec.language == "en"
    assert rec.abstract == "Drained peat loses height every year."


def test_didl_object_file_start_page_and_urn_nbn_come_from_the_didl_items() -> None:
    rec = FORMATS["nl_didl"](records()[0], source_url=SOURCE)
    assert rec.files == (
        FileLink("https://research.example.nl/files/991/peat.pdf", mime="application/pdf"),
    )
    assert rec.url == "https://research.example.nl/en/publications/peat-subsidence"
    assert Identifier("urn", "urn:nbn:nl:ui:99-7f3c2a10") in rec.identifiers
    assert rec.provenance["title"] == "oai:nl_didl"
    assert rec.provenance["files"] == "oai:nl_didl"
    assert "url" not in rec.provenance


def test_didl_typed_the_2x_way_with_dublin_core_inside_still_maps() -> None:
    rec = FORMATS["nl_didl"](records()[1], source_url=SOURCE)
    assert rec.title == "Dike inspections with drones"
    assert [a.family for a in rec.authors] == ["Bakker"]
    assert rec.published == PartialDate(2023)
    assert rec.files == () and rec.url == ""


def test_didl_mapper_refuses_a_payload_that_is_not_didl() -> None:
    dc = records()[1].metadata
    assert dc is not None
    inner = next(dc.iter("{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"))
    rec = OAIRecord("oai:x:1", "2025-01-01", metadata=inner, metadata_prefix="nl_didl")
    with pytest.raises(NotARecord):
        FORMATS["nl_didl"](rec, source_url=SOURCE)


def test_didl_without_descriptive_metadata_is_not_a_record() -> None:
    body = FIXTURE.read_bytes()
    cut = body.replace(b"<mods:mods", b"<mods:nothing").replace(b"</mods:mods>", b"</mods:nothing>")
    cut = cut.replace(b"<oai_dc:dc", b"<oai_dc:other").replace(b"</oai_dc:dc>", b"</oai_dc:other>")
    for rec in parse_list_records(cut, SOURCE).records:
        with pytest.raises(NotARecord):
            FORMATS["nl_didl"](rec, source_url=SOURCE)


def test_nl_didl_is_chosen_over_oai_dc_but_not_over_mods() -> None:
    assert choose_prefix(["oai_dc", "nl_didl"]) == "nl_didl"
    assert choose_prefix(["oai_dc", "nl_didl", "mods"]) == "mods"
    assert mapper_for("nl_didl") is FORMATS["nl_didl"]
