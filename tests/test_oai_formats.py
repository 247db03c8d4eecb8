"""Metadata-format mappers on invented fixtures (tests/fixtures/oai/) and on the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harvester.errors import DiscoveryError, NotARecord
from harvester.oai.formats import FORMATS, choose_prefix, mapper_for
from harvester.oai.formats._common import coarse_type, strip_markup
from harvester.oai.protocol import MetadataFormat, OAIRecord, parse_get_record, parse_list_records
from harvester.types import FileLink, Identifier, PageRange, PartialDate, Subject

FIXTURES = Path(__file__).parent / "fixtures" / "oai"


def first(name: str) -> OAIRecord:
    body = (FIXTURES / name).read_bytes()
    if b"<GetRecord>" in body:
        return parse_get_record(body, name)
    return parse_list_records(body, name).records[0]


def test_oai_dc_fields() -> None:
    rec = FORMATS["oai_dc"](first("oai_dc.xml"), source_url="https://repo.example.org/oai")
    assert rec.platform == "oai"
    assert rec.source_key == "oai:repo.example.org:123/45"
    assert rec.url == "http://hdl.handle.net/123/45"
    assert rec.title == "Tidal energy in small harbours"
    assert [(a.family, a.given) for a in rec.authors] == [
        ("Lindqvist", "Maja"),
        ("Pétursson", "Ólafur"),
    ]  # dc:contributor is not an author
    assert rec.abstract == "We measure tidal flows & loads."
    assert rec.published == PartialDate(2023, 6)  # month precision kept
    assert (rec.type, rec.type_raw) == ("article", "info:eu-repo/semantics/article")
    assert rec.doi == "10.1234/tide.2023.7"
    assert rec.language == "en"
    assert rec.publisher == "Example University Press"
    assert rec.keywords == ("tidal power", "harbours", "Marine engineering")
    assert rec.subjects == (Subject("ddc", "620", code="620"),)
    assert Identifier("handle", "123/45") in rec.identifiers
    assert Identifier("issn", "0378-5955") in rec.identifiers
    assert rec.files == (
        FileLink("https://repo.example.org/files/45/tide.pdf", mime="application/pdf"),
    )
    assert rec.journal is None and rec.pages == PageRange()  # oai_dc never says
    assert rec.provenance["title"] == "oai:oai_dc"
    assert "journal" not in rec.provenance


def test_mods_fields() -> None:
    rec = FORMATS["swepub_mods"](first("mods.xml"), source_url="https://pub.example.se/oai")
    assert rec.url == "https://pub.example.se/record/998"
    assert (rec.title, rec.subtitle) == ("The geology of fjords", "a field guide")
    assert (rec.type, rec.type_raw) == ("chapter", "kap")
    assert [(p.family, p.given, p.role, p.orcid) for p in rec.authors] == [
        ("Berg", "Anna K.", "author", "0000-0002-1825-0097"),
        ("Holm", "Per", "editor", "0000-0001-5109-3700"),
    ]  # the publisher (pbl) and the corporate name are left out
    assert rec.authors[0].affiliations == ("Example University",)
    assert rec.published == PartialDate(2021, 3)
    assert rec.publisher == "Fjord Books"
    assert rec.language == "sv"
    assert rec.abstract == "Fjords are glacial valleys."
    assert rec.keywords == ("fjords", "glaciology")
    assert rec.subjects == (Subject("uka.se", "Geology", code="10502"),)
    assert rec.doi == "10.5555/fjord-7"
    assert Identifier("isbn", "9783161484100") in rec.identifiers
    assert Identifier("scopus", "85000000001") in rec.identifiers
    # a chapter's host is a book: host_publication, not journal
    assert (rec.host_publication, rec.journal) == ("Handbook of Nordic Landscapes", None)
    assert rec.volume == "2"
    assert rec.pages == PageRange("101", "124", 24)
    assert rec.files == (FileLink("https://pub.example.se/998/fulltext.pdf", access="free"),)
    assert rec.provenance["pages"] == "oai:swepub_mods"


def test_datacite_fields_inside_oai_datacite_payload() -> None:
    rec = FORMATS["oai_datacite"](first("datacite.xml"), source_url="https://data.example.org/oai")
    assert rec.url == "https://data.example.org/records/77"
    assert rec.doi == "10.8888/data.77"
    assert (rec.title, rec.subtitle) == ("Beetle counts in alpine meadows", "2019-2022")
    assert [(p.family, p.given, p.role, p.orcid) for p in rec.authors] == [
        ("Novak", "Jana", "author", "0000-0002-1825-0097"),
        ("Kowalski", "Tomas", "supervisor", None),
    ]  # organisational creator and contact person left out
    assert rec.authors[0].affiliations == ("Example Institute of Ecology",)
    assert rec.published == PartialDate(2023, 2, 14)  # Issued beats publicationYear
    assert (rec.type, rec.type_raw) == ("dataset", "Dataset/Field observations")
    assert rec.keywords == ("beetles", "alpine ecology")
    assert rec.subjects == (Subject("FOS", "Biological sciences", code="1.6"),)
    assert rec.abstract == "Counts of Carabidae in four meadows."
    assert rec.language == "de"
    assert rec.publisher == "Example Data Repository"
    assert (rec.journal, rec.volume, rec.issue) == ("Alpine Ecology Data", "12", "3")
    assert rec.pages == PageRange("e45", None)
    assert rec.provenance["doi"] == "oai:oai_datacite"


def test_base_dc_fills_gaps_from_base_fields() -> None:
    rec = FORMATS["base_dc"](first("base_dc.xml"), source_url="https://base.example.net/oai")
    assert rec.url == "https://repo.example.edu/handle/555"  # base_dc:link wins
    assert (rec.type, rec.type_raw) == ("thesis", "183")  # dc:type "Text" says nothing
    assert rec.language == "fr"
    assert rec.published == PartialDate(2019)
    assert rec.doi == "10.7777/orch.555"
    assert rec.subjects == (Subject("ddc", "631", code="631"),)
    assert [a.family for a in rec.authors] == ["Moreau"]


@pytest.mark.parametrize("prefix", sorted(FORMATS))
def test_every_mapper_refuses_a_deleted_record(prefix: str) -> None:
    tomb = OAIRecord("oai:x:1", "2024-01-01", deleted=True, metadata_prefix=prefix)
    with pytest.raises(NotARecord):
        FORMATS[prefix](tomb, source_url="https://x.test/oai")


@pytest.mark.parametrize(
    ("raws", "expected"),
    [
        (["art"], ("article", "art")),
        (["kon"], ("conference-paper", "kon")),
        (["dok"], ("thesis", "dok")),
        (["lic"], ("thesis", "lic")),
        (["bok"], ("book", "bok")),
        (["rap"], ("report", "rap")),
        (["Peer reviewed", "Book chapter"], ("chapter", "Book chapter")),
        (["info:eu-repo/semantics/conferenceObject"], ("conference-paper", None)),
        (["comprehensiveDoctoralThesis"], ("thesis", None)),
        (["Working Paper"], ("report", None)),
        (["Preprint"], ("preprint", None)),
        (["publication/other"], ("other", None)),
        (["publication/journal-article"], ("article", None)),
        (["info:eu-repo/semantics/submittedVersion", "Dataset"], ("dataset", "Dataset")),
        (["Text"], (None, "Text")),
        ([None, ""], (None, None)),
    ],
)
def test_coarse_type_vocabulary(raws: list[str | None], expected: tuple[str | None, ...]) -> None:
    kind, raw = coarse_type(raws)
    assert kind == expected[0]
    # the raw string is the one that gave the type (or the first when none did)
    assert raw == (expected[1] or next((r for r in raws if r), None))


def test_strip_markup_handles_double_escaped_html() -> None:
    assert strip_markup("&lt;p&gt;A &amp;amp; B&lt;/p&gt;") == "A & B"
    assert strip_markup("x < y and y > z") == "x < y and y > z"


def test_choose_prefix_prefers_the_richest_format() -> None:
    assert choose_prefix(["oai_dc", "marc21", "mods"]) == "mods"
    assert choose_prefix(["oai_dc", "datacite", "mods"]) == "datacite"
    assert choose_prefix(["oai_dc"]) == "oai_dc"
    # an unfamiliar prefix is recognised by its namespace
    offered = [
        MetadataFormat("oai_dc", None, "http://www.openarchives.org/OAI/2.0/oai_dc/"),
        MetadataFormat("xmods", None, "http://www.loc.gov/mods/v3"),
    ]
    assert choose_prefix(offered) == "xmods"
    assert mapper_for("xmods", "http://www.loc.gov/mods/v3") is FORMATS["mods"]
    with pytest.raises(DiscoveryError):
        choose_prefix(["marc21", "ese"])


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name",
    [
        "base-search-listrecords-base_dc-anu-1885-10005.xml",
        "chalmers-cpl-listrecords-mods.xml",
        "diva-lnu-listrecords-swepub_mods.xml",
        "dspace-eur-2003-getrecord-oai_dc-hdl-1765-315.xml",
        "dspace-eur-2003-listrecords-oai_dc.xml",
        "dspace-eur-2004-listrecords-oai_dc-large.xml",
        "dspace-muep-mau-listrecords-swepub-mods.xml",
        "lup-lund-listrecords-swepub_mods.xml",
        "zenodo-getrecord-datacite-10357859.xml",
        "zenodo-getrecord-oai_dc-10357859.xml",
        "zenodo-listrecords-datacite.xml",
        "zenodo-listrecords-oai_dc-2026-04-01.xml",
    ],
)
def test_corpus_records_map_with_the_expected_first_title(corpus: Path, name: str) -> None:
    path = corpus / "oai-pmh" / name
    exp = json.loads(path.with_name(name + ".expected.json").read_text())
    body = path.read_bytes()
    if exp["verb"] == "GetRecord":
        records: tuple[OAIRecord, ...] = (parse_get_record(body, name),)
    else:
        records = parse_list_records(body, name, recover=not exp["well_formed"]).records
    meta = records[0].metadata
    assert meta is not None
    mapper = mapper_for(exp["metadata_prefix"], meta.tag[1:].split("}")[0])
    mapped = [mapper(r, source_url=name) for r in records if not r.deleted]
    assert mapped[0].title == exp["first_title"]
    assert all(m.title and m.source_key for m in mapped)
    assert len(mapped) == exp["records"] - exp["deleted"]
