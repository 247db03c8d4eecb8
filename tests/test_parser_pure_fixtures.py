"""The Pure parser on small invented pages: translated labels, disagreeing layers, statuses,
encodings and broken input."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.errors import NotARecord
from harvester.parsers import PARSERS, detect_platform, parse_page, pure
from harvester.parsers.pure_labels import LABELS, STATUS, label_key
from harvester.parsers.pure_types import type_from_line, type_from_rendering
from harvester.types import Page, PageRange, PartialDate

FIXTURES = Path(__file__).parent / "fixtures" / "pure"
URL = "https://pure.example.org/en/publications/x/"
CHAPTER = "Chapter in Book/Report/Conference proceeding"
CUHK = "Chapters and Conference Papers with Proceedings"


def page(name: str, url: str = URL) -> Page:
    return Page(url=url, body=(FIXTURES / name).read_bytes())


def test_danish_labels_fill_the_same_fields_as_english() -> None:
    record = pure.parse(page("danish-article.html"))
    assert record.language == "da"
    assert record.journal == "Nordisk Lydtidsskrift"
    assert (record.volume, record.issue) == ("41", "4")
    assert record.pages == PageRange("77", "91", 15)
    assert record.published == PartialDate(2019, 12, 1)
    assert record.online == PartialDate(2019, 10, 3)
    assert record.status == "published"
    assert record.type == "article"
    assert record.keywords == ("fjord", "vinter")
    assert record.abstract == "Vi lyttede til fjorden. Den var stille."


def test_orcid_from_meta_is_attached_to_the_matching_person() -> None:
    record = pure.parse(page("danish-article.html"))
    first, second = record.authors
    assert (first.family, first.orcid) == ("Østergård", "0000-0002-1825-0097")
    assert first.url == "https://pure.eksempel.dk/da/persons/karen-oestergaard"
    assert second.orcid is None


def test_properties_table_beats_ris_and_provenance_says_so() -> None:
    record = pure.parse(page("disagree.html"))
    assert record.volume == "12"  # table 12, RIS 13, meta 14
    assert record.pages == PageRange("100", "110", None)  # RIS says 200-210
    assert record.provenance["volume"] == "pure:properties"
    assert record.provenance["pages"] == "pure:properties"


def test_ris_fills_what_the_table_does_not_show_before_meta() -> None:
    record = pure.parse(page("disagree.html"))
    assert record.journal == "Journal of Nocturnal Counting"  # RIS JO, not BibTeX/meta
    assert record.provenance["journal"] == "ris"
    assert record.doi == "10.5555/ris.doi"  # RIS DO beats citation_doi
    assert record.provenance["doi"] == "ris"


def test_heading_wins_over_the_shorter_ris_title_and_subtitle_is_split_off() -> None:
    record = pure.parse(page("disagree.html"))
    assert (record.title, record.subtitle) == ("Counting Owls by Moonlight", "A field guide")
    assert record.provenance["title"] == "pure:heading"


def test_ris_family_names_split_particles_correctly() -> None:
    record = pure.parse(page("disagree.html"))
    assert [(a.family, a.given) for a in record.authors] == [
        ("Quill", "Ada"),
        ("van der Berg", "Bran"),
    ]


def test_bibtex_key_gives_the_pure_uuid_and_scopus_id_is_kept() -> None:
    record = pure.parse(page("disagree.html"))
    assert record.source_key == "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    schemes = {i.scheme: i.value for i in record.identifiers}
    assert schemes["scopus"] == "85000000001"
    assert schemes["issn"] == "1234-5679"


def test_metrics_parse_thousands_separators() -> None:
    record = pure.parse(page("disagree.html"))
    assert [(m.name, m.value, m.source, m.seen) for m in record.metrics] == [
        ("citations", 1204, "scopus", None),
        ("downloads", 37, "pure", None),
    ]


def test_month_only_status_date_keeps_month_precision() -> None:
    record = pure.parse(page("disagree.html"))
    assert record.published == PartialDate(2021, 3)


def test_epub_ahead_of_print_is_an_online_date_not_a_publication_date() -> None:
    record = pure.parse(page("epub-ahead-of-print.html"))
    assert record.status == "epub-ahead-of-print"
    assert record.status_date == PartialDate(2024, 2, 14)  # "Feb 14 2024", en_US portal
    assert record.online == PartialDate(2024, 2, 14)
    assert record.published is None
    assert record.article_number == "e0412"
    assert record.source_key == "5b1c3a8e-2f4d-4e6a-9b7c-0d1e2f3a4b5c"  # from window.appData


def test_type_falls_back_to_the_rendering_class_without_a_type_line() -> None:
    record = pure.parse(page("epub-ahead-of-print.html"))
    assert (record.type, record.type_raw) == ("article", None)
    assert record.provenance["type"] == "pure:rendering"


def test_page_without_pure_markers_is_not_a_record_for_the_pure_parser() -> None:
    with pytest.raises(NotARecord) as err:
        pure.parse(page("not-pure.html"))
    assert err.value.url == URL
    assert "Pure" in err.value.message


def test_auto_platform_falls_back_to_generic_for_other_pages() -> None:
    p = page("not-pure.html")
    assert detect_platform(p) == "generic"
    record, parser = parse_page(p)
    assert parser == "generic"
    assert (record.platform, record.title) == ("other", "A blog post about owls")


@pytest.mark.parametrize("body", [b"", b"   \n", b"\xef\xbb\xbf"])
def test_empty_body_is_not_a_record(body: bytes) -> None:
    for parser in PARSERS.values():
        with pytest.raises(NotARecord):
            parser(Page(url=URL, body=body))


def test_pure_markers_without_a_title_are_not_a_record() -> None:
    body = b'<html><body><div class="rendering rendering_researchoutput"></div></body></html>'
    with pytest.raises(NotARecord, match="no title"):
        pure.parse(Page(url=URL, body=body))


def test_truncated_page_gives_what_it_has_and_a_warning() -> None:
    body = (FIXTURES / "danish-article.html").read_bytes()
    cut = body[: body.index(b"<th scope") + 6]  # mid-tag, inside the properties table
    record = pure.parse(Page(url=URL, body=cut))
    assert record.title == "Fjordens lyd om vinteren"
    assert record.journal is None
    assert any("truncated" in w for w in record.warnings)


@pytest.mark.parametrize("size", [10, 200, 700, 1500, 2500])
def test_any_prefix_of_a_page_gives_a_record_or_not_a_record(size: int) -> None:
    body = (FIXTURES / "disagree.html").read_bytes()[:size]
    try:
        record = pure.parse(Page(url=URL, body=body))
    except NotARecord:
        return
    assert record.platform == "pure"


def test_windows_1252_page_with_charset_only_in_meta_decodes() -> None:
    record = pure.parse(page("windows-1252.html"))
    assert record.title == "Søren’s naïve café – notes"
    assert record.authors[0].family == "Æblegård"
    assert record.published == PartialDate(2018, 5, 5)


def test_unknown_platform_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="pure") as err:
        parse_page(page("danish-article.html"), "dspace-9")
    assert "generic" in str(err.value)


def test_forced_platform_runs_that_parser() -> None:
    record, parser = parse_page(page("danish-article.html"), "generic")
    assert (parser, record.platform) == ("generic", "other")


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Original language", "language"),
        ("Originalsprog", "language"),
        ("Oorspronkelijke taal", "language"),
        ("Originalsprache", "language"),
        ("Originalspråk", "language"),
        ("Pages (from-to)", "pages"),
        ("Sider (fra-til)", "pages"),
        ("Pagina's (van-tot)", "pages"),
        ("Seiten (von - bis)", "pages"),
        ("Sidor (från-till)", "pages"),
        ("Number of pages", "page_count"),
        ("Seitenumfang", "page_count"),
        ("Aantal pagina's", "page_count"),
        ("Tijdschrift", "journal"),
        ("Fachzeitschrift", "journal"),
        ("Jaargang", "volume"),
        ("Ausgabenummer", "issue"),
        ("Artikelnummer", "article_number"),
        ("State", "status"),
        ("Publicatiestatus", "status"),
        ("DOIs", "doi"),
        ("ISBN (Electronic)", "isbn_electronic"),
        ("Title of host publication", "host_publication"),
    ],
)
def test_row_labels_in_every_portal_language(label: str, field: str) -> None:
    assert LABELS[label_key(label)] == field


@pytest.mark.parametrize(
    ("prefix", "status"),
    [
        ("Published", "published"),
        ("Accepted/In press", "accepted"),
        ("E-pub ahead of print", "epub-ahead-of-print"),
        ("Udgivet", "published"),
        ("Veröffentlicht", "published"),
        ("Submitted", "submitted"),
    ],
)
def test_status_prefixes_map_to_the_status_vocabulary(prefix: str, status: str) -> None:
    assert STATUS[label_key(prefix)] == status


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Contribution to journal › Article › peer-review", "article"),
        ("Contribution to journal › Review article", "article"),
        (f"{CHAPTER} › Conference contribution", "conference-paper"),
        (f"{CHAPTER} › Chapter", "chapter"),
        (f"{CUHK} › Conference paper published in conference proceedings", "conference-paper"),
        ("Book/Report › Commissioned report", "report"),
        ("Book/Report › Book", "book"),
        ("Thesis › Doctoral Thesis", "thesis"),
        ("Working paper › Preprint", "preprint"),
        ("Non-textual form › Software", "software"),
        ("Beitrag in Fachzeitschrift › Artikel", "article"),
        ("Something nobody mapped", None),
    ],
)
def test_type_lines_map_to_coarse_types(line: str, kind: str | None) -> None:
    assert type_from_line(line) == kind


def test_rendering_class_gives_a_type_in_any_language() -> None:
    names = ["rendering", "rendering_researchoutput", "rendering_contributiontobookanthology"]
    assert type_from_rendering(names) == "chapter"
