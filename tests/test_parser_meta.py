"""The shared embedded-metadata reader: MetaTags and the citation/DC/og field layers."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from harvester.errors import NotARecord
from harvester.parsers import generic
from harvester.parsers._meta import (
    MetaTags,
    citation_fields,
    dc_fields,
    meta_layers,
    og_fields,
    resolve,
)
from harvester.types import Identifier, Page, PageRange, PartialDate


def meta(head: str) -> MetaTags:
    return MetaTags.from_tree(LexborHTMLParser(f"<html><head>{head}</head><body></body></html>"))


def test_keys_are_lower_cased_and_repeats_keep_their_order() -> None:
    tags = meta(
        '<meta name="DC.Creator" content="B"><meta name="dc.creator" content="A">'
        '<meta property="dc:title" content="T"><meta name="empty" content="">'
    )
    assert tags.all("dc.creator") == ["B", "A"]
    assert tags.first("dc.title") == "T"
    assert "empty" not in tags
    assert tags.first("missing", "dc.creator") == "B"


def test_canonical_link_is_read() -> None:
    tags = meta('<link rel="Canonical" href="https://example.org/a">')
    assert tags.canonical == "https://example.org/a"


def test_institution_and_orcid_attach_to_the_author_before_them() -> None:
    tags = meta(
        '<meta name="citation_author" content="Quill, Ada">'
        '<meta name="citation_author_institution" content="Owl College">'
        '<meta name="citation_author_orcid" content="0000-0002-1825-0097">'
        '<meta name="citation_author" content="Bran Berg">'
        '<meta name="citation_author_institution" content="Moon Lab">'
        '<meta name="citation_author_institution" content="Night Institute">'
    )
    ada, bran = citation_fields(tags)["authors"]
    assert (ada.family, ada.given, ada.orcid, ada.affiliations) == (
        "Quill", "Ada", "0000-0002-1825-0097", ("Owl College",)
    )
    assert (bran.family, bran.affiliations) == ("Berg", ("Moon Lab", "Night Institute"))


def test_dspace_single_authors_tag_is_split_on_semicolons() -> None:
    tags = meta('<meta name="citation_authors" content="Quill, Ada; Berg, Bran; ">')
    assert [a.family for a in citation_fields(tags)["authors"]] == ["Quill", "Berg"]


@pytest.mark.parametrize(
    ("first", "last", "pages"),
    [
        ("444-445", None, PageRange("444", "445")),
        ("444", "445", PageRange("444", "445")),
        ("e1234", None, PageRange("e1234", None)),
    ],
)
def test_firstpage_may_hold_the_whole_range(first: str, last: str | None, pages: PageRange) -> None:
    head = f'<meta name="citation_firstpage" content="{first}">'
    if last:
        head += f'<meta name="citation_lastpage" content="{last}">'
    assert citation_fields(meta(head))["pages"] == pages


def test_citation_fields_are_normalised() -> None:
    tags = meta(
        '<meta name="citation_title" content="  Owls\n at   night ">'
        '<meta name="citation_publication_date" content="2016/06">'
        '<meta name="citation_doi" content="https://doi.org/10.5555/ABC">'
        '<meta name="citation_language" content="English (US)">'
        '<meta name="citation_keywords" content="owls; night; owls">'
        '<meta name="citation_isbn" content="978-3-16-148410-0">'
        '<meta name="citation_pdf_url" content="https://example.org/a.pdf">'
    )
    f = citation_fields(tags)
    assert f["title"] == "Owls at night"
    assert f["published"] == PartialDate(2016, 6)
    assert f["doi"] == "10.5555/abc"
    assert f["language"] == "en"
    assert f["keywords"] == ("owls", "night")
    assert f["identifiers"] == (Identifier("isbn", "9783161484100"),)
    assert f["files"][0].url == "https://example.org/a.pdf"


def test_dublin_core_and_og_layers() -> None:
    tags = meta(
        '<meta name="DC.title" content="DC title"><meta name="DCTERMS.issued" content="2001">'
        '<meta name="DC.identifier" content="urn:x">'
        '<meta name="DC.identifier" content="doi:10.1/x">'
        '<meta property="og:title" content="OG title"><meta property="og:url" content="https://e/o">'
    )
    assert dc_fields(tags)["doi"] == "10.1/x"
    assert dc_fields(tags)["published"] == PartialDate(2001)
    assert og_fields(tags) == {"title": "OG title", "url": "https://e/o"}


def test_resolve_takes_the_first_layer_with_a_value_and_names_it() -> None:
    tags = meta(
        '<meta name="DC.title" content="DC title"><meta property="og:title" content="OG">'
        '<meta name="citation_volume" content="7"><meta name="prism.volume" content="8">'
    )
    picked = resolve(meta_layers(tags))
    assert picked["title"] == ("DC title", "meta:dc")
    assert picked["volume"] == ("7", "meta:citation")


def test_resolve_honours_a_per_field_layer_order() -> None:
    layers = [("a", {"title": "A", "volume": "1"}), ("b", {"title": "B", "volume": "2"})]
    picked = resolve(layers, {"title": ("b", "a")})
    assert picked == {"title": ("B", "b"), "volume": ("1", "a")}


def test_generic_parser_uses_only_embedded_metadata() -> None:
    body = (
        b'<html><head><meta name="citation_title" content="Owls">'
        b'<meta name="citation_journal_title" content="Bird Notes">'
        b'<link rel="canonical" href="/item/7"></head><body><h1>Ignored</h1></body></html>'
    )
    record = generic.parse(Page(url="https://example.org/x?y=1", body=body))
    assert (record.title, record.journal, record.platform) == ("Owls", "Bird Notes", "other")
    assert record.url == "https://example.org/item/7"
    assert record.provenance == {"title": "meta:citation", "journal": "meta:citation"}


def test_generic_parser_without_title_metadata_is_not_a_record() -> None:
    with pytest.raises(NotARecord, match="title"):
        generic.parse(Page(url="https://e/x", body=b"<html><body><p>hi</p></body></html>"))
