"""schema.org JSON-LD as a metadata layer: node choice, value shapes, broken blocks.

All JSON-LD here is invented, written per case in the shapes real sites use
(@graph from Yoast-style sites, bare arrays, nested Person/Organization objects).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from harvester.parsers import generic
from harvester.parsers._jsonld import jsonld_blocks, jsonld_fields
from harvester.types import Page, PageRange, PartialDate


def script(data: Any) -> str:
    text = data if isinstance(data, str) else json.dumps(data)
    return f'<script type="application/ld+json">{text}</script>'


def fields(*blocks: Any) -> tuple[dict[str, Any], list[str]]:
    html = "<html><head>" + "".join(script(b) for b in blocks) + "</head><body></body></html>"
    warnings: list[str] = []
    return jsonld_fields(jsonld_blocks(LexborHTMLParser(html), warnings)), warnings


ARTICLE = {
    "@context": "https://schema.org",
    "@type": "ScholarlyArticle",
    "name": "Owls at night",
    "author": [
        {"@type": "Person", "givenName": "Ada", "familyName": "Quill",
         "@id": "https://orcid.org/0000-0002-1825-0097"},
        {"@type": "Organization", "name": "Owl Research Consortium"},
        "Berg, Bran",
    ],
    "datePublished": "2021-03",
    "inLanguage": {"@type": "Language", "name": "English", "alternateName": "en"},
    "keywords": "owls, night, birds",
    "identifier": {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.1234/OWL.9"},
    "isPartOf": {"@type": "PublicationIssue", "issueNumber": "2",
                 "isPartOf": {"@type": "PublicationVolume", "volumeNumber": "14",
                              "isPartOf": {"@type": "Periodical", "name": "Bird Notes"}}},
    "pageStart": "101", "pageEnd": "117",
    "description": "<p>Owls.</p><p>At night.</p>",
}


def test_scholarly_article_fields() -> None:
    f, warnings = fields(ARTICLE)
    assert warnings == []
    assert f["title"] == "Owls at night"
    assert [(a.family, a.given, a.orcid) for a in f["authors"]] == [
        ("Quill", "Ada", "0000-0002-1825-0097"),
        ("Owl Research Consortium", None, None),
        ("Berg", "Bran", None),
    ]
    assert f["published"] == PartialDate(2021, 3)
    assert f["language"] == "en"
    assert f["keywords"] == ("owls", "night", "birds")
    assert f["doi"] == "10.1234/owl.9"
    assert (f["journal"], f["volume"], f["issue"]) == ("Bird Notes", "14", "2")
    assert f["pages"] == PageRange("101", "117")
    assert f["abstract"] == "Owls. At night."
    assert (f["type"], f["type_raw"]) == ("article", "ScholarlyArticle")


def test_graph_with_webpage_and_article_picks_the_article() -> None:
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Owl Blog"},
        {"@type": "WebPage", "name": "Owls at night - Owl Blog"},
        {"@type": ["Thesis", "CreativeWork"], "name": "Owls: a thesis",
         "creator": {"@type": "Person", "name": "Quill, Ada"}},
    ]}
    f, _ = fields(graph)
    assert (f["title"], f["type"]) == ("Owls: a thesis", "thesis")
    assert [a.family for a in f["authors"]] == ["Quill"]


def test_top_level_array_and_main_entity_are_followed() -> None:
    f, _ = fields([{"@type": "BreadcrumbList"},
                   {"@type": "WebPage", "mainEntity": {"@type": "Dataset", "name": "Counts"}}])
    assert (f["title"], f["type"]) == ("Counts", "dataset")


def test_keyword_list_items_stay_whole() -> None:
    f, _ = fields({"@type": "Dataset", "name": "D",
                   "keywords": ["Labor Supply, Indonesia, Statistics", " Social Sciences"]})
    assert f["keywords"] == ("Labor Supply, Indonesia, Statistics", "Social Sciences")


@pytest.mark.parametrize(
    "value",
    ["https://doi.org/10.5281/zenodo.1", {"@id": "https://doi.org/10.5281/ZENODO.1"},
     ["https://example.org/x", "doi:10.5281/zenodo.1"]],
)
def test_doi_from_identifier_in_any_shape(value: Any) -> None:
    f, _ = fields({"@type": "Dataset", "name": "D", "identifier": value})
    assert f["doi"] == "10.5281/zenodo.1"


def test_a_doi_only_in_citations_is_not_the_works_doi() -> None:
    f, _ = fields({"@type": "Dataset", "name": "D",
                   "citation": [{"@type": "CreativeWork", "@id": "https://doi.org/10.1/other"}]})
    assert "doi" not in f


def test_chapter_in_book_gives_host_publication() -> None:
    f, _ = fields({"@type": "Chapter", "name": "C", "isPartOf": {"@type": "Book", "name": "B"},
                   "pagination": "5-9"})
    assert (f["type"], f["host_publication"], f["pages"]) == ("chapter", "B", PageRange("5", "9"))


@pytest.mark.parametrize(
    "broken",
    ['{"@type": "Dataset", "name": "D",}', "{not json", '{"@type": "Dataset"', "[[[[[" * 400],
)
def test_block_that_does_not_parse_gives_a_warning(broken: str) -> None:
    f, warnings = fields(broken)
    assert f == {}
    assert len(warnings) == 1 and "JSON-LD" in warnings[0]


def test_broken_block_does_not_hide_a_good_one() -> None:
    f, warnings = fields("{oops", {"@type": "Book", "name": "Good"})
    assert f["title"] == "Good" and len(warnings) == 1


@pytest.mark.parametrize(
    "odd",
    [None, 3, "text", [], {"@type": 7}, {"@type": "Dataset", "name": {"x": 1}},
     {"@type": "Dataset", "name": "N", "author": 12, "keywords": {"a": 1},
      "datePublished": ["nope"], "inLanguage": 5, "isPartOf": "P"}],
)
def test_odd_shapes_never_raise(odd: Any) -> None:
    f, _ = fields(odd)
    assert isinstance(f, dict)


def test_page_warning_reaches_the_record() -> None:
    html = ('<html><head><meta name="citation_title" content="T">'
            + script("{broken") + "</head></html>")
    record = generic.parse(Page(url="https://x.example/1", body=html.encode()))
    assert record.title == "T"
    assert any("JSON-LD" in w for w in record.warnings)


def test_jsonld_is_read_when_it_is_the_only_metadata() -> None:
    html = "<html><head>" + script(ARTICLE) + "</head></html>"
    record = generic.parse(Page(url="https://x.example/1", body=html.encode()))
    assert (record.title, record.doi, record.provenance["title"]) == (
        "Owls at night", "10.1234/owl.9", "jsonld")
