"""The generic embedded-metadata parser: real-world quirks, per-field precedence, provenance.

Every page here is invented markup, written inline per case.
"""

from __future__ import annotations

from typing import Any

import pytest

from harvester.parsers import generic, parse_page
from harvester.types import Page, PageRange, PartialDate, Record

URL = "https://repo.example.org/item/1"


def page(head: str, body: str = "", url: str = URL) -> Page:
    html = f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"
    return Page(url=url, body=html.encode("utf-8"))


def parse(head: str, body: str = "") -> Record:
    return generic.parse(page('<meta name="citation_title" content="T">' + head, body))


def m(name: str, content: str) -> str:
    return f'<meta name="{name}" content="{content}">'


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (m("citation_firstpage", "444-445"), PageRange("444", "445")),
        (m("citation_firstpage", "444") + m("citation_lastpage", "445"), PageRange("444", "445")),
        (m("citation_firstpage", "e0123"), PageRange("e0123")),
        (m("citation_firstpage", "12") + m("citation_lastpage", "12"), PageRange("12")),
        (m("prism.startingPage", "7") + m("prism.endingPage", "19"), PageRange("7", "19")),
        (m("eprints.pagerange", "101-120") + m("eprints.pages", "20"),
         PageRange("101", "120", 20)),
        (m("DC.format.extent", "124 pages"), PageRange(count=124)),
        (m("citation_firstpage", "abc"), PageRange()),
    ],
)
def test_page_quirks_are_read_as_printed(head: str, expected: PageRange) -> None:
    assert parse(head).pages == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019/05/20", PartialDate(2019, 5, 20)),
        ("2019-05", PartialDate(2019, 5)),
        ("2019", PartialDate(2019)),
        ("Spring 2019", PartialDate(2019)),
        ("1. Dezember 2019", PartialDate(2019, 12, 1)),
        ("3 mars 2020", PartialDate(2020, 3, 3)),
        ("5 maj 2018", PartialDate(2018, 5, 5)),
        ("den 5 juni 2018", PartialDate(2018, 6, 5)),
        ("2019-05-20T10:00:00Z", PartialDate(2019, 5, 20)),
        ("03/04/2019", None),  # day or month first: not guessed
        ("Winter 2019/2020", None),
    ],
)
def test_date_quirks_keep_their_precision(value: str, expected: PartialDate | None) -> None:
    assert parse(m("citation_publication_date", value)).published == expected


@pytest.mark.parametrize(
    ("head", "families"),
    [
        (m("citation_authors", "Quill, Ada; Berg, Bran;"), ["Quill", "Berg"]),
        (m("citation_author", "Ada Quill") + m("citation_author", "Jan van der Berg"),
         ["Quill", "van der Berg"]),
        (m("DC.creator", "Quill, Ada") + m("DC.creator", "Berg, Bran"), ["Quill", "Berg"]),
        (m("DC.Creator.PersonalName", "Ada Quill"), ["Quill"]),
        (m("dcterms.creator", "Owl Research Consortium"), ["Owl Research Consortium"]),
        (m("eprints.creators_name", "Quill, Ada"), ["Quill"]),
        (m("bepress_citation_author", "Quill, Ada"), ["Quill"]),
    ],
)
def test_author_lists_in_every_form(head: str, families: list[str]) -> None:
    assert [a.family for a in parse(head).authors] == families


@pytest.mark.parametrize(
    "value",
    ["10.1234/ABC.5", "doi:10.1234/abc.5", "https://doi.org/10.1234/abc.5",
     "http://dx.doi.org/10.1234/ABC.5", "info:doi/10.1234/abc.5", "DOI: 10.1234/abc.5."],
)
def test_doi_in_any_spelling_becomes_bare_lower_case(value: str) -> None:
    assert parse(m("citation_doi", value)).doi == "10.1234/abc.5"


def test_doi_from_dc_identifier_skips_non_doi_identifiers() -> None:
    record = parse(m("DC.identifier", "https://repo.example.org/item/1")
                   + m("DC.identifier", "doi:10.5555/x.1"))
    assert record.doi == "10.5555/x.1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("&lt;p&gt;One.&lt;/p&gt;&lt;p&gt;Two &lt;i&gt;in vivo&lt;/i&gt;.&lt;/p&gt;",
         "One. Two in vivo."),
        ("Plain   text\n with breaks", "Plain text with breaks"),
        ("&lt;jats:p&gt;JATS abstract&lt;/jats:p&gt;", "JATS abstract"),
    ],
)
def test_abstract_with_html_inside_is_plain_text(value: str, expected: str) -> None:
    assert parse(m("citation_abstract", value)).abstract == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("English", "en"), ("Deutsch", "de"), ("eng", "en"), ("ger", "de"), ("fre", "fr"),
     ("swe", "sv"), ("en_US", "en"), ("Français", "fr"), ("Klingon-ish", None)],
)
def test_language_as_name_or_code(value: str, expected: str | None) -> None:
    assert parse(m("citation_language", value)).language == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (m("citation_keywords", "alloys;nuclear magnetic resonance"),
         ("alloys", "nuclear magnetic resonance")),
        (m("citation_keywords", "a, b, c"), ("a", "b", "c")),
        # one tag per keyword: a comma inside a keyword is kept
        (m("DC.subject", "Medicine, Health and Life Sciences") + m("DC.subject", "Genomics"),
         ("Medicine, Health and Life Sciences", "Genomics")),
        (m("citation_keywords", "Graphs") + m("citation_keywords", "graphs"), ("Graphs",)),
    ],
)
def test_keyword_lists(head: str, expected: tuple[str, ...]) -> None:
    assert parse(head).keywords == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (m("DC.type", "Thesis (PhD)"), "thesis"),
        (m("DC.type", "info:eu-repo/semantics/article"), "article"),
        (m("DC.type", "Text"), None),
        (m("eprints.type", "book_section"), "chapter"),
        (m("citation_dissertation_institution", "Owl College"), "thesis"),
        (m("citation_conference_title", "Owl Conf 2020"), "conference-paper"),
        (m("citation_conference_title", "C") + m("DC.type", "Poster"), "other"),
    ],
)
def test_type_is_mapped_and_an_explicit_type_word_wins(head: str, expected: str | None) -> None:
    assert parse(head).type == expected


def test_type_raw_keeps_the_platform_string() -> None:
    record = parse(m("DC.type", "Doktorarbeit"))
    assert (record.type, record.type_raw) == ("thesis", "Doktorarbeit")


def test_each_field_remembers_its_layer() -> None:
    record = generic.parse(page(
        m("DC.title", "DC title") + m("citation_title", "Citation title")
        + m("DC.creator", "Quill, Ada") + m("og:description", "og text")
        + '<meta property="og:title" content="og title">'
    ))
    assert record.title == "Citation title"
    assert record.provenance["title"] == "meta:citation"
    assert record.provenance["authors"] == "meta:dc"
    assert record.provenance["abstract"] == "meta:og"


def test_online_date_is_not_taken_from_citation_online_date() -> None:
    # repositories put deposit or revision dates there (corpus: arXiv, HAL)
    record = parse(m("citation_online_date", "2019/06/21") + m("citation_date", "2019/02/07"))
    assert (record.published, record.online) == (PartialDate(2019, 2, 7), None)


def test_contradicting_layers_keep_the_first_and_warn() -> None:
    record = parse(m("citation_doi", "10.1/aaa") + m("DC.identifier", "doi:10.1/bbb")
                   + m("citation_date", "2019") + m("DC.date", "2017-01-02"))
    assert (record.doi, record.published) == ("10.1/aaa", PartialDate(2019))
    assert any("doi" in w and "10.1/bbb" in w for w in record.warnings)
    assert any("published" in w for w in record.warnings)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<link rel="canonical" href="/item/1?x=1">' + m("og:url", "https://o.example/1"),
         "https://repo.example.org/item/1?x=1"),
        ('<meta property="og:url" content="https://o.example/1">', "https://o.example/1"),
        (m("citation_abstract_html_url", "https://c.example/1"), "https://c.example/1"),
        ("", URL),
    ],
)
def test_record_url_prefers_the_canonical_link(head: str, expected: str) -> None:
    assert parse(head).url == expected


def test_coins_span_alone_gives_a_record() -> None:
    kev = ("ctx_ver=Z39.88-2004&amp;rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Ajournal"
           "&amp;rft.genre=article&amp;rft.atitle=Owls+at+night&amp;rft.jtitle=Bird+Notes"
           "&amp;rft.volume=3&amp;rft.issue=2&amp;rft.spage=10&amp;rft.epage=19"
           "&amp;rft.date=2001-05&amp;rft.au=Quill%2C+Ada&amp;rft.au=Berg%2C+Bran"
           "&amp;rft_id=info%3Adoi%2F10.1234%2Fowl.7")
    record = generic.parse(page("", f'<span class="Z3988" title="{kev}"></span>'))
    got: dict[str, Any] = {
        "title": record.title, "journal": record.journal, "volume": record.volume,
        "issue": record.issue, "pages": record.pages, "published": record.published,
        "doi": record.doi, "type": record.type, "families": [a.family for a in record.authors],
    }
    assert got == {
        "title": "Owls at night", "journal": "Bird Notes", "volume": "3", "issue": "2",
        "pages": PageRange("10", "19"), "published": PartialDate(2001, 5),
        "doi": "10.1234/owl.7", "type": "article", "families": ["Quill", "Berg"],
    }
    assert record.provenance["title"] == "coins"


def test_unknown_page_falls_back_to_generic_with_platform_other() -> None:
    record, name = parse_page(page(m("citation_title", "Anything")))
    assert (name, record.platform) == ("generic", "other")
