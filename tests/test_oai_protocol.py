"""Every OAI-PMH response in ../shared/corpus read to what its .expected.json states,
plus the protocol rules on small invented responses."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harvester.errors import DiscoveryError, UnsafeXML
from harvester.oai.protocol import (
    BadResumptionToken,
    NoRecordsMatch,
    OAIError,
    OAIRecord,
    parse_get_record,
    parse_identify,
    parse_list_identifiers,
    parse_list_metadata_formats,
    parse_list_records,
    parse_list_sets,
)

# the same location rule as conftest's `corpus` fixture, needed at collection time
_SHARED = Path(os.environ.get("HARVESTER_SHARED", Path(__file__).resolve().parents[2] / "shared"))
CORPUS_FILES = sorted(p.name for p in (_SHARED / "corpus" / "oai-pmh").glob("*.xml"))
# a fixed list would go stale; an empty one means the corpus is absent and tests skip
FILES = CORPUS_FILES or ["(corpus absent)"]


def _expected(corpus: Path, name: str) -> tuple[bytes, dict[str, Any]]:
    path = corpus / "oai-pmh" / name
    if not path.exists():
        pytest.skip("corpus file absent")
    return path.read_bytes(), json.loads(path.with_name(name + ".expected.json").read_text())


@pytest.mark.corpus
@pytest.mark.parametrize("name", FILES)
def test_corpus_response_reads_as_expected(corpus: Path, name: str) -> None:
    body, exp = _expected(corpus, name)
    verb = exp["verb"]
    if exp["error_code"]:
        parse: dict[str, Callable[[bytes, str], object]] = {
            "ListRecords": parse_list_records,
            "GetRecord": parse_get_record,
            "ListIdentifiers": parse_list_identifiers,
        }
        with pytest.raises(OAIError) as info:
            parse[verb](body, name)
        assert info.value.code == exp["error_code"]
        assert info.value.url == name
        return
    if verb in ("ListRecords", "GetRecord"):
        recover = not exp["well_formed"]
        if verb == "GetRecord":
            records: tuple[OAIRecord, ...] = (parse_get_record(body, name),)
            token = size = None
        else:
            page = parse_list_records(body, name, recover=recover)
            records, token, size = page.records, page.resumption_token, page.complete_list_size
            assert page.request.get("metadataPrefix") == exp["metadata_prefix"]
            assert bool(page.warnings) == recover
        assert len(records) == exp["records"]
        assert sum(r.deleted for r in records) == exp["deleted"]
        assert records[0].identifier == exp["first_identifier"]
        assert records[-1].identifier == exp["last_identifier"]
        assert all(r.metadata is None for r in records if r.deleted)
        assert all(r.metadata is not None for r in records if not r.deleted)
        assert records[0].metadata_prefix == exp["metadata_prefix"]
        assert (token, size) == (exp["resumption_token"], exp["complete_list_size"])
    elif verb == "ListIdentifiers":
        page = parse_list_identifiers(body, name)
        assert page.headers[0].identifier == exp["first_identifier"]
        assert page.headers[-1].identifier == exp["last_identifier"]
        assert sum(h.deleted for h in page.headers) == exp["deleted"]
        assert page.resumption_token == exp["resumption_token"]
        assert page.complete_list_size == exp["complete_list_size"]
        assert page.records == ()
    elif verb == "ListSets":
        sets = parse_list_sets(body, name)
        assert sets.sets and all(s.spec for s in sets.sets)
        assert sets.resumption_token == exp["resumption_token"]
        assert sets.complete_list_size == exp["complete_list_size"]
    elif verb == "Identify":
        ident = parse_identify(body, name)
        assert ident.protocol_version == "2.0"
        assert ident.base_url.startswith("http")
        assert ident.granularity in ("YYYY-MM-DD", "YYYY-MM-DDThh:mm:ssZ")
        assert ident.deleted_record in ("no", "transient", "persistent")
    elif verb == "ListMetadataFormats":
        formats = parse_list_metadata_formats(body, name)
        assert "oai_dc" in {f.prefix for f in formats}
    else:  # pragma: no cover - a new verb in the corpus needs a branch here
        pytest.fail(f"unhandled verb {verb}")


@pytest.mark.corpus
def test_chalmers_strict_parse_fails_and_recovery_reports_the_entity(corpus: Path) -> None:
    body = (corpus / "oai-pmh" / "chalmers-cpl-listrecords-mods.xml").read_bytes()
    with pytest.raises(DiscoveryError):
        parse_list_records(body, "chalmers")
    page = parse_list_records(body, "chalmers", recover=True)
    assert [r.identifier for r in page.records] == [
        "oai:research.chalmers.se:206076",
        "oai:publications.lib.chalmers.se:92",
    ]
    assert any("ouml" in w for w in page.warnings)


@pytest.mark.corpus
def test_corpus_sets_formats_and_identify_values(corpus: Path) -> None:
    d = corpus / "oai-pmh"
    eur = parse_list_sets((d / "dspace-eur-2003-listsets.xml").read_bytes())
    assert len(eur.sets) == 10 and eur.sets[1].spec == "3:5"
    formats = parse_list_metadata_formats((d / "zenodo-listmetadataformats.xml").read_bytes())
    assert len(formats) == 8
    assert formats[4].namespace == "http://datacite.org/schema/kernel-4"
    ident = parse_identify((d / "zenodo-identify.xml").read_bytes())
    assert (ident.repository_name, ident.admin_emails) == ("Zenodo", ("info@zenodo.org",))
    assert ident.earliest_datestamp == "2014-02-03T14:41:33Z"


# --- invented responses -------------------------------------------------------------


def oai(inner: str, ns: str = 'xmlns="http://www.openarchives.org/OAI/2.0/"') -> bytes:
    return (
        f"<OAI-PMH {ns}><responseDate>2024-01-01T00:00:00Z</responseDate>"
        f'<request verb="ListRecords" metadataPrefix="oai_dc">http://oai.test/</request>'
        f"{inner}</OAI-PMH>"
    ).encode()


def test_an_empty_resumption_token_means_the_list_is_complete() -> None:
    page = parse_list_records(
        oai('<ListRecords><resumptionToken completeListSize="3" cursor="2"/></ListRecords>')
    )
    assert page.resumption_token is None
    assert (page.complete_list_size, page.cursor) == (3, 2)


def test_whitespace_only_token_is_empty_too() -> None:
    body = oai("<ListRecords><resumptionToken>  \n </resumptionToken></ListRecords>")
    page = parse_list_records(body)
    assert page.resumption_token is None


def test_errors_raise_their_subclass_regardless_of_content() -> None:
    with pytest.raises(BadResumptionToken):
        parse_list_records(oai('<error code="badResumptionToken">expired</error>'))
    with pytest.raises(NoRecordsMatch):
        parse_list_identifiers(oai('<error code="noRecordsMatch"/>'))
    with pytest.raises(OAIError) as info:
        parse_identify(oai('<error code="badVerb">no</error><error code="badArgument">x</error>'))
    assert info.value.code == "badVerb"
    assert "no" in str(info.value) and "x" in str(info.value)


def test_an_html_page_is_not_an_oai_response() -> None:
    with pytest.raises(DiscoveryError, match="not an OAI-PMH response"):
        parse_list_records(b"<html><body>Maintenance</body></html>", "http://oai.test/")


def test_envelope_without_namespace_is_still_read() -> None:
    body = oai(
        "<ListRecords><record><header><identifier>x</identifier><datestamp>2024</datestamp>"
        "</header></record></ListRecords>",
        ns="",
    )
    assert [r.identifier for r in parse_list_records(body).records] == ["x"]


def test_deleted_record_keeps_header_and_drops_metadata() -> None:
    body = oai(
        '<ListRecords><record><header status="deleted"><identifier>gone</identifier>'
        "<datestamp>2024-01-02</datestamp><setSpec>a</setSpec><setSpec>b</setSpec></header>"
        "</record></ListRecords>"
    )
    rec = parse_list_records(body).records[0]
    assert (rec.identifier, rec.deleted, rec.set_specs, rec.metadata) == (
        "gone",
        True,
        ("a", "b"),
        None,
    )
    assert rec.header.deleted


def test_unsafe_xml_is_not_hidden_as_a_discovery_error() -> None:
    body = b'<!DOCTYPE x [<!ENTITY a "b">]>' + oai("<ListRecords/>")
    with pytest.raises(UnsafeXML):
        parse_list_records(body, recover=True)


def test_metadata_prefix_argument_names_pages_fetched_by_token() -> None:
    body = (
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>d</responseDate>'
        b'<request verb="ListRecords" resumptionToken="t">u</request><ListRecords><record>'
        b"<header><identifier>x</identifier><datestamp>d</datestamp></header>"
        b"<metadata><dc/></metadata></record></ListRecords></OAI-PMH>"
    )
    assert parse_list_records(body).records[0].metadata_prefix is None
    rec = parse_list_records(body, metadata_prefix="oai_dc").records[0]
    assert rec.metadata_prefix == "oai_dc" and rec.metadata is not None


def test_comments_and_pis_before_the_payload_are_not_the_payload() -> None:
    body = (b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-01-01'
            b"</responseDate><ListRecords><record><header><identifier>oai:x:1</identifier>"
            b"<datestamp>2024-01-01</datestamp></header><metadata><!-- harvested --><?pi x?>"
            b'<dc xmlns="urn:dc"><title>T</title></dc></metadata></record></ListRecords>'
            b"</OAI-PMH>")
    rec = parse_list_records(body, "u").records[0]
    assert rec.metadata is not None and rec.metadata.tag == "{urn:dc}dc"
