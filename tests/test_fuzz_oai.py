"""Fuzzing the XML readers: OAI-PMH responses, the metadata-format mappers, sitemaps,
and the Pure listing pages, with mutated fixture and corpus documents.

Each reader raises only its documented harvester errors (DiscoveryError and
its OAIError subclasses, ParseError and UnsafeXML), never an lxml or Python
exception, and answers within WALL seconds. Records the mappers build must hash.
"""

from __future__ import annotations

import gzip
import time  # limits count CPU seconds (process_time): a shared box skews wall time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fuzzing import mutated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harvester.discovery.listing import parse_listing
from harvester.discovery.sitemap import parse_sitemap
from harvester.errors import DiscoveryError, ParseError
from harvester.oai.formats import FORMATS
from harvester.oai.protocol import (
    ListPage,
    parse_get_record,
    parse_identify,
    parse_list_identifiers,
    parse_list_metadata_formats,
    parse_list_records,
    parse_list_sets,
)
from harvester.types import Page

FIXTURES = Path(__file__).parent / "fixtures"
OAI_SEEDS = [p.read_bytes() for p in sorted((FIXTURES / "oai").glob("*.xml"))]
SITEMAP_SEEDS = [p.read_bytes() for p in sorted((FIXTURES / "discovery").glob("sitemap-*.xml"))]
LISTING_SEEDS = [p.read_bytes() for p in sorted((FIXTURES / "discovery").glob("listing-*.html"))]
URL = "https://oai.example.org/oai"
WALL = 2.0
ALLOWED = (DiscoveryError, ParseError)  # OAIError, UnsafeXML and NotARecord among them

_XML_FRAGMENTS = [
    b"<", b">", b"</", b"&", b"&#0;", b"&#x1F;", b"&#xD800;", b"&#1114112;", b"&amp", b"&lol;",
    b"\x00", b"\x01", b"\x1b", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf",
    b"<!--", b"-->", b"<![CDATA[", b"]]>", b"<?xml version='1.0' encoding='utf-16'?>",
    b"<?xml version='1.0' encoding='x-unknown'?>", b"<?xml version='1.1'?>",
    b"<!DOCTYPE r>", b"<!DOCTYPE r SYSTEM 'file:///etc/passwd'>",
    b"<!DOCTYPE r [<!ENTITY lol 'lol'>]>", b"<!ENTITY % p SYSTEM 'http://127.0.0.1:9/x'>",
    b"<record>", b"</record>", b"<header status='deleted'>", b"<metadata>", b"<about>",
    b"<error code='badResumptionToken'>", b"<error code='noRecordsMatch'/>", b"<error>",
    b"<resumptionToken completeListSize='x' cursor='-1'>", b"<resumptionToken>",
    b"xmlns='urn:x'", b"xmlns:oai_dc='", b"xmlns:dc=''", b"<dc:date>99999-99</dc:date>",
    b"<dc:creator>,</dc:creator>", b"<identifier>", b"<setSpec>",
    b"<datacite:creator><datacite:creatorName>", b"<mods:name><mods:namePart>",
    b"<identifier identifierType='DOI'>10.1/", b"<date>", b"<title>",
]  # fmt: skip
_HTML_FRAGMENTS = [
    b"<a href='", b"<a rel=ContributionToJournal href=/en/publications/x>",
    b"<a href='/en/publications/?page=99999999999999999999'>", b"<a class=nextLink href='",
    b"<a href='javascript:x'>", b"<a href='http://[::1'>", b"<a href='http://x:99999/'>",
    b"<li class=list-result-item><div class=result-container><h3 class=title><a href=/p/1>",
    b"<nav class=pages>", b"<base href='::'>", b"\x00", b"\xff",
]  # fmt: skip
_SETTINGS: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}

Reader = Callable[[bytes], object]
READERS: dict[str, Reader] = {
    "ListRecords": lambda b: parse_list_records(b, URL),
    "ListRecords-recover": lambda b: parse_list_records(b, URL, recover=True),
    "ListIdentifiers": lambda b: parse_list_identifiers(b, URL),
    "ListIdentifiers-recover": lambda b: parse_list_identifiers(b, URL, recover=True),
    "GetRecord": lambda b: parse_get_record(b, URL),
    "Identify": lambda b: parse_identify(b, URL),
    "ListMetadataFormats": lambda b: parse_list_metadata_formats(b, URL),
    "ListSets": lambda b: parse_list_sets(b, URL),
}


def timed(call: Callable[[], object], what: str) -> object:
    start = time.process_time()
    try:
        return call()
    except ALLOWED:
        return None
    finally:
        elapsed = time.process_time() - start
        assert elapsed < WALL, f"{what} took {elapsed:.2f} s"


def read_oai(body: bytes) -> None:
    for name, reader in READERS.items():
        page = timed(lambda r=reader: r(body), name)  # type: ignore[misc]
        if isinstance(page, ListPage):
            map_records(page)


def map_records(page: ListPage) -> None:
    for rec in page.records:
        mappers = [FORMATS[rec.metadata_prefix]] if rec.metadata_prefix in FORMATS else []
        for mapper in mappers or list(dict.fromkeys(FORMATS.values())):
            record = timed(lambda m=mapper, r=rec: m(r, source_url=URL), "mapper")  # type: ignore[misc]
            if record is not None:
                record.content_hash()  # type: ignore[attr-defined]


def _gzipped(body: bytes) -> bytes:
    return gzip.compress(body, mtime=0)


@settings(max_examples=150, **_SETTINGS)
@given(mutated(OAI_SEEDS, _XML_FRAGMENTS))
def test_mutated_oai_responses_raise_only_harvester_errors(body: bytes) -> None:
    read_oai(body)


@settings(max_examples=40, **_SETTINGS)
@given(mutated(OAI_SEEDS, _XML_FRAGMENTS).map(_gzipped), st.integers(0, 400), st.binary(max_size=8))
def test_mutated_gzip_oai_responses_raise_only_harvester_errors(
    body: bytes, at: int, noise: bytes
) -> None:
    read_oai(body)
    read_oai(body[:at] + noise + body[at + len(noise):])  # corrupt the deflate stream


def _corpus_oai(corpus: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted((corpus / "oai-pmh").glob("*.xml"))]


@pytest.mark.corpus
def test_mutated_corpus_oai_responses_raise_only_harvester_errors(corpus: Path) -> None:
    @settings(max_examples=60, **_SETTINGS)
    @given(mutated(_corpus_oai(corpus), _XML_FRAGMENTS))
    def run(body: bytes) -> None:
        read_oai(body)

    run()


@pytest.mark.slow
@pytest.mark.corpus
def test_many_mutated_corpus_oai_responses(corpus: Path) -> None:
    @settings(max_examples=800, **_SETTINGS)
    @given(mutated(_corpus_oai(corpus) + OAI_SEEDS, _XML_FRAGMENTS))
    def run(body: bytes) -> None:
        read_oai(body)

    run()


@settings(max_examples=150, **_SETTINGS)
@given(mutated(SITEMAP_SEEDS, _XML_FRAGMENTS), st.booleans(), st.booleans())
def test_mutated_sitemaps_raise_only_discovery_errors_or_unsafe_xml(
    body: bytes, recover: bool, zipped: bool
) -> None:
    data = _gzipped(body) if zipped else body
    result = timed(lambda: parse_sitemap(data, "https://repo.example.org/sitemap.xml",
                                         recover=recover), "parse_sitemap")  # fmt: skip
    if result is not None:
        assert all(e.loc for e in result.entries)  # type: ignore[attr-defined]


@settings(max_examples=100, **_SETTINGS)
@given(mutated(LISTING_SEEDS, _HTML_FRAGMENTS),
       st.sampled_from(["https://portal.example.org/en/publications/?page=3", "", "::x::"]))
def test_mutated_listing_pages_raise_only_discovery_errors(body: bytes, url: str) -> None:
    listing = timed(lambda: parse_listing(Page(url=url, body=body)), "parse_listing")
    if listing is not None:
        assert all(isinstance(u, str) for u in listing.items)  # type: ignore[attr-defined]


@pytest.mark.corpus
def test_mutated_corpus_listing_page(corpus: Path) -> None:
    seeds = [p.read_bytes() for p in sorted(corpus.glob("*/*list*.html"))]
    if not seeds:
        pytest.skip("no listing pages in the corpus")

    @settings(max_examples=30, **_SETTINGS)
    @given(mutated(seeds, _HTML_FRAGMENTS))
    def run(body: bytes) -> None:
        timed(lambda: parse_listing(Page(url="https://portal.example.org/en/publications/",
                                         body=body)), "parse_listing")  # fmt: skip

    run()


@pytest.mark.parametrize("bad", ["http://[::1", "//[x", "http://x]/y"])
def test_sitemap_and_listing_skip_links_urllib_cannot_split(bad: str) -> None:
    # urljoin raised ValueError("Invalid IPv6 URL") out of both readers
    sitemap = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>'
               + bad.encode() + b"</loc></url><url><loc>/ok</loc></url></urlset>")
    parsed = parse_sitemap(sitemap, "https://repo.example.org/sitemap.xml")
    assert [e.loc for e in parsed.entries] == ["https://repo.example.org/ok"]
    html = (f'<a rel="ContributionToJournal" href="{bad}">x</a>'
            f'<a rel="ContributionToJournal" href="/en/publications/ok">y</a>'
            f'<a class="nextLink" href="{bad}">next</a>').encode()
    listing = parse_listing(Page(url="https://portal.example.org/en/publications/", body=html))
    assert listing.items == ("https://portal.example.org/en/publications/ok",)
    assert listing.next_url is None
    parse_listing(Page(url="http://[::1/en/publications/?page=1", body=html))
    assert parse_listing(Page(url="", body=html)).items == ()  # relative links need a base


@pytest.mark.parametrize("prefix", ["oai_datacite", "mods", "oai_dc", "base_dc"])
def test_a_namespace_holding_a_brace_is_not_a_record_rather_than_a_key_error(
    prefix: str,
) -> None:
    # found by atheris: the DataCite and MODS mappers put the namespace into an
    # ElementPath, whose tokenizer raised KeyError('=') on "{urn:a}b type=}"
    body = (b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record>'
            b"<header><identifier>oai:x:1</identifier><datestamp>2020-01-01</datestamp></header>"
            b'<metadata><resource xmlns="urn:a}b type="><creators><creator><creatorName>Quill'
            b"</creatorName></creator></creators><titles><title>Owls</title></titles>"
            b"</resource></metadata></record></ListRecords></OAI-PMH>")  # fmt: skip
    page = parse_list_records(body, URL, metadata_prefix=prefix, recover=True)
    assert page.records
    for rec in page.records:
        timed(lambda r=rec: FORMATS[prefix](r, source_url=URL), prefix)  # type: ignore[misc]


def test_sitemap_with_a_tag_recover_mode_invents_is_a_discovery_error() -> None:
    # found by fuzzing: libxml2's recover mode makes an element named ":tle", and
    # etree.QName raised ValueError("Invalid tag name") out of parse_sitemap
    with pytest.raises(DiscoveryError, match="not a sitemap"):
        parse_sitemap(b"<:tle><x/>", "https://repo.example.org/sitemap.xml", recover=True)


@pytest.mark.parametrize(
    "body",
    [b'<O xmlns="&#xD800;"', b'<OAI-PMH xmlns="&#57343;"/>', b'<r xmlns="&#x0dBFF;"><a/></r>'],
    ids=["hex", "decimal", "padded"],
)
def test_a_surrogate_reference_in_a_namespace_is_not_a_decode_error(body: bytes) -> None:
    # found by fuzzing: recover mode kept the reference, as invalid UTF-8, in the
    # namespace URI, and reading `.tag` raised UnicodeDecodeError
    for reader in READERS.values():
        timed(lambda r=reader: r(body), "reader")  # type: ignore[misc]
    timed(lambda: parse_sitemap(body, "https://x.test/s.xml", recover=True), "sitemap")
