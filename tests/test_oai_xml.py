"""Hardened XML parsing: entity attacks refused, broken documents recovered on request."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.errors import ParseError, ResponseTooLarge, UnsafeXML
from harvester.safexml import gunzip_if_needed, parse_xml, parse_xml_recovering, sanitize

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>&lol9;</responseDate></OAI-PMH>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>&xxe;</responseDate></OAI-PMH>
"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % ext SYSTEM "http://127.0.0.1:9/evil.dtd"> %ext;]>
<r/>
"""


@pytest.mark.parametrize(
    ("name", "doc"),
    [
        ("billion-laughs", BILLION_LAUGHS),
        ("external", EXTERNAL_ENTITY),
        ("param", PARAMETER_ENTITY),
    ],
)
@pytest.mark.parametrize("recover", [False, True])
def test_entity_declarations_are_refused_with_the_url(name: str, doc: bytes, recover: bool) -> None:
    with pytest.raises(UnsafeXML) as info:
        parse_xml(doc, url=f"http://oai.test/{name}", recover=recover)
    assert info.value.url == f"http://oai.test/{name}"


@pytest.mark.parametrize("recover", [False, True])
def test_external_dtd_subset_is_refused_not_read(recover: bool) -> None:
    # libxml2 reads a SYSTEM subset even with load_dtd=False unless a resolver refuses it
    doc = b'<!DOCTYPE r SYSTEM "file:///etc/passwd"><r>ok</r>'
    with pytest.raises(UnsafeXML, match="external resource"):
        parse_xml(doc, url="http://oai.test/dtd", recover=recover)


@pytest.mark.parametrize(
    "prolog", [b"<!-- a <b> in a comment -->\n", b"<?pi <b> ?>\n<!-- x -->\n", b"\n  \n"]
)
def test_entity_declarations_after_prolog_comments_and_pis_are_refused(prolog: bytes) -> None:
    decl = b'<?xml version="1.0"?>\n'
    doc = BILLION_LAUGHS.replace(decl, decl + prolog)
    assert doc != BILLION_LAUGHS
    with pytest.raises(UnsafeXML):
        parse_xml(doc)


def test_doctype_quoted_in_the_document_body_is_not_a_doctype() -> None:
    # only the prolog can hold a DOCTYPE: a page quoting one in CDATA is read
    doc = b'<r>Wow!<![CDATA[<!DOCTYPE x [<!ENTITY a "b">]>]]></r>'
    assert parse_xml(doc).text == 'Wow!<!DOCTYPE x [<!ENTITY a "b">]>'


def test_bare_doctype_without_declarations_parses() -> None:
    assert parse_xml(b"<!DOCTYPE r><r>ok</r>").text == "ok"


def test_control_characters_are_stripped_before_parsing() -> None:
    doc = b"<r>a\x01b\x0bc&#x1B;d&#27;e&#xE9;\tf</r>"
    assert parse_xml(doc).text == "abcde\u00e9\tf"


def test_sanitize_keeps_tab_newline_and_utf8() -> None:
    text = "t\u00e9st\t\n\r ok".encode()
    assert sanitize(text) == text


def test_undeclared_gzip_body_is_decompressed() -> None:
    assert parse_xml(gzip.compress(b"<r>zipped</r>")).text == "zipped"


def test_gzip_bomb_is_capped() -> None:
    bomb = gzip.compress(b"<r>" + b" " * 2_000_000 + b"</r>")
    with pytest.raises(ResponseTooLarge):
        gunzip_if_needed(bomb, url="http://oai.test/", limit=1_000_000)


def test_malformed_xml_raises_parse_error_unless_recovering() -> None:
    doc = b"<r><t>caf&eacute;</t><u>kept</u></r>"
    with pytest.raises(ParseError):
        parse_xml(doc, url="http://oai.test/x")
    root, errors = parse_xml_recovering(doc)
    assert root.findtext("u") == "kept"
    assert any("eacute" in e for e in errors)


def test_empty_body_is_a_parse_error_even_when_recovering() -> None:
    with pytest.raises(ParseError):
        parse_xml_recovering(b"", url="http://oai.test/empty")


@pytest.mark.corpus
def test_chalmers_file_recovers_both_records_and_reports_the_entity(corpus: Path) -> None:
    body = (corpus / "oai-pmh" / "chalmers-cpl-listrecords-mods.xml").read_bytes()
    with pytest.raises(ParseError):
        parse_xml(body)
    root, errors = parse_xml_recovering(body)
    assert len(root.findall(".//{http://www.openarchives.org/OAI/2.0/}record")) == 2
    assert any("ouml" in e for e in errors)


@settings(max_examples=500, deadline=None)
@given(body=st.binary(max_size=64))
def test_sanitize_drops_exactly_the_forbidden_control_bytes(body: bytes) -> None:
    body = body.replace(b"&", b"")  # character references: their own test
    forbidden = set(range(0x20)) - {0x09, 0x0A, 0x0D}
    assert sanitize(body) == bytes(b for b in body if b not in forbidden)
