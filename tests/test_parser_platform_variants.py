"""Variations of Pure, HAL, OJS and metadata-only pages outside the gold corpus (acc11).

Each fixture is a minimal page written for the test after a platform's default template:
a Finnish Pure portal, a Pure dataset page, a HAL portal theme without the author line,
an OJS 2 head that dates the article by the issue's year, a page with only Open Graph.
"""

from __future__ import annotations

from harvester.normalize.dates import parse_date
from harvester.parsers import parse_page
from harvester.types import Page, PartialDate, Record


def _parse(html: str, url: str) -> tuple[Record, str]:
    return parse_page(Page(url=url, body=html.encode()))


def _pure(rendering: str, rows: str, type_line: str = "", lang: str = "en") -> Record:
    html = f"""<html lang="{lang}"><head><title>T</title></head><body>
<div class="rendering rendering_researchoutput rendering_{rendering}">
<h1><span>Metsien hiilinielut</span></h1>
<ul class="relations persons"><li>
<a rel="Person" class="link person"><span>Anna Virtanen</span></a></li></ul></div>
<div class="rendering rendering_researchoutput_publicationcontenttyperendererportalng">
<p class="type">{type_line}</p></div>
<div class="rendering rendering_researchoutput_detailsportal rendering_{rendering}_detailsportal">
<div class="article"><table class="properties"><tbody>{rows}</tbody></table></div></div>
<footer>Powered by Pure, Scopus &amp; Elsevier Fingerprint Engine™</footer></body></html>"""
    record, platform = _parse(
        html, "https://research.example.fi/fi/publications/metsien-hiilinielut"
    )
    assert platform == "pure"
    return record


def _row(label: str, value: str) -> str:
    return f'<tr><th scope="row">{label}</th><td>{value}</td></tr>'


def test_finnish_month_names_and_pure_short_forms_are_read() -> None:
    assert parse_date("1 jouluk. 2019") == PartialDate(2019, 12, 1)
    assert parse_date("15 maaliskuuta 2020") == PartialDate(2020, 3, 15)
    assert parse_date("marraskuu 2018") == PartialDate(2018, 11)


def test_finnish_months_leave_the_short_english_and_nordic_forms_alone() -> None:
    assert parse_date("Mar 2020") == PartialDate(2020, 3)
    assert parse_date("3 mrt. 2020") == PartialDate(2020, 3, 3)
    assert parse_date("1 dec 2019") == PartialDate(2019, 12, 1)


def test_finnish_pure_rows_give_journal_volume_issue_pages_and_dates() -> None:
    record = _pure(
        "contributiontojournal",
        _row("Sivut (alkusivu-loppusivu)", "101-118")
        + _row("Lehti", '<a rel="Journal"><span>Metsätieteen aikakauskirja</span></a>')
        + _row("Vuosikerta", "12")
        + _row("Numero", "3")
        + _row("DOI - pysyväislinkit", '<a href="https://doi.org/10.14214/ma.1">x</a>')
        + _row(
            "Varhainen verkossa julkaisun päivämäärä", '<span class="date">20 syysk. 2019</span>'
        )
        + _row(
            "Tila",
            '<span class="prefix">Julkaistu - </span><span class="date">1 jouluk. 2019</span>',
        ),
        lang="fi",
    )
    assert (record.journal, record.volume, record.issue) == (
        "Metsätieteen aikakauskirja",
        "12",
        "3",
    )
    assert (record.pages.first, record.pages.last) == ("101", "118")
    assert record.doi == "10.14214/ma.1"
    assert record.status == "published"
    assert record.published == PartialDate(2019, 12, 1)
    assert record.online == PartialDate(2019, 9, 20)


def test_finnish_pure_type_line_names_the_type_without_a_rendering_class() -> None:
    line = '<span class="type_family">Tutkimustuotos: </span><span>Väitöskirja</span>'
    assert _pure("researchoutput", "", type_line=line, lang="fi").type == "thesis"


def test_pure_dataset_is_dated_by_when_it_was_made_available() -> None:
    record = _pure("dataset", _row("Date made available", '<span class="date">14 Feb 2021</span>'))
    assert record.published == PartialDate(2021, 2, 14)
    assert record.type == "dataset"


def test_pure_status_row_still_dates_a_page_that_also_shows_when_data_was_made_available() -> None:
    record = _pure(
        "dataset",
        _row("Date made available", '<span class="date">14 Feb 2021</span>')
        + _row(
            "Publication status",
            '<span class="prefix">Published - </span><span class="date">2020</span>',
        ),
    )
    assert record.published == PartialDate(2020)


_HAL_HEAD = (
    '<meta name="citation_title" content="Energy-aware scheduling">'
    '<meta name="citation_author" content="Camille Durand">'
    '<meta name="citation_author" content="Paul Lefèvre">'
    '<meta name="citation_publication_date" content="2021-06-14">'
)


def test_hal_portal_without_an_author_line_takes_the_citation_authors() -> None:
    body = '<span class="typdoc label_COMM">Conference papers</span>'
    html = f"<html><head>{_HAL_HEAD}</head><body>{body}</body></html>"
    record, platform = _parse(html, "https://hal.univ-lorraine.fr/hal-03456789")
    assert platform == "hal"
    assert [(p.family, p.given) for p in record.authors] == [
        ("Durand", "Camille"),
        ("Lefèvre", "Paul"),
    ]
    assert record.type == "conference-paper"


def test_hal_author_line_that_disagrees_with_the_tags_is_kept() -> None:
    body = (
        '<span class="typdoc label_ART">Article</span>'
        '<div id="authors-simplified"><div class="authors">'
        "<a><span>Camille Durand</span></a><a><span>Paul Lefèvre</span></a>"
        "<a><span>Zoé Martin</span></a>"
        "</div></div>"
    )
    record, _ = _parse(
        f"<html><head>{_HAL_HEAD}</head><body>{body}</body></html>", "https://hal.science/hal-1"
    )
    assert [p.family for p in record.authors] == ["Durand", "Lefèvre", "Martin"]


def _ojs(citation_date: str, issued: str) -> Record:
    head = (
        '<meta name="generator" content="Open Journal Systems 2.4.8.0">'
        f'<meta name="DC.Date.issued" content="{issued}">'
        '<meta name="citation_journal_title" content="Revista de Historia">'
        '<meta name="citation_title" content="La inmigración italiana">'
        f'<meta name="citation_date" content="{citation_date}">'
    )
    record, platform = _parse(
        f"<html><head>{head}</head><body></body></html>",
        "https://revistas.example.edu/index.php/rh/article/view/88",
    )
    assert platform == "ojs"
    return record


def test_ojs_year_only_citation_date_takes_the_day_ojs_issued_the_article() -> None:
    assert _ojs("2015", "2015-03-01").published == PartialDate(2015, 3, 1)


def test_ojs_issued_date_of_another_year_does_not_replace_the_citation_date() -> None:
    assert _ojs("2016", "2015-03-01").published == PartialDate(2016)


def test_ojs_citation_day_is_kept_over_a_coarser_issued_date() -> None:
    assert _ojs("2015/03/01", "2015").published == PartialDate(2015, 3, 1)


_OG_HEAD = (
    '<meta property="og:type" content="article">'
    '<meta property="og:title" content="Coral bleaching in the northern reef">'
    '<meta property="article:published_time" content="2017-09-12T08:00:00+00:00">'
    '<meta property="article:author" content="https://www.facebook.com/someone">'
    '<meta property="article:author" content="Tom Reed">'
    '<meta property="article:tag" content="coral"><meta property="article:tag" content="bleaching">'
)


def test_open_graph_only_page_gives_date_author_names_and_tags() -> None:
    record, _ = _parse(f"<html><head>{_OG_HEAD}</head></html>", "https://blog.example.org/p/1")
    assert record.published == PartialDate(2017, 9, 12)
    assert [(p.family, p.given) for p in record.authors] == [("Reed", "Tom")]
    assert record.keywords == ("coral", "bleaching")


def test_open_graph_article_fields_come_after_every_other_layer() -> None:
    head = _OG_HEAD + (
        '<meta name="citation_title" content="Coral bleaching">'
        '<meta name="citation_author" content="Ng, Mei">'
        '<meta name="citation_publication_date" content="2018/01/05">'
        '<meta name="citation_keywords" content="reefs">'
    )
    record, _ = _parse(f"<html><head>{head}</head></html>", "https://blog.example.org/p/1")
    assert record.published == PartialDate(2018, 1, 5)
    assert [p.family for p in record.authors] == ["Ng"]
    assert record.keywords == ("reefs",)


def test_classic_pure_portal_reads_people_without_a_profile_between_the_links() -> None:
    html = (
        "<html><head><meta name='citation_title' content='Wind loads'></head><body>"
        "<div class='view_title'><h2 class='title'><span>Wind loads</span></h2></div>"
        "<div class='rendering rendering_contributiontojournal rendering_short'>"
        "<p class='relations persons'><a rel='Person' href='/portal/en/people/a(1).html' "
        "class='link person'><span>Alan Jones</span></a>, Sarah Price, "
        "<a rel='Person' href='/portal/en/people/b(2).html' class='link person'>"
        "<span>Ed Roe</span></a> &amp; Mia Lund</p></div>"
        "<div class='rendering rendering_contributiontojournal rendering_detailsportal'>"
        "<table class='properties'><tr><th>Publication date</th><td>2015</td></tr></table></div>"
        "</body></html>"
    )
    url = (
        "https://www.research.lancs.ac.uk/portal/en/publications/"
        "wind-loads(0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0).html"
    )
    record, platform = _parse(html, url)
    assert platform == "pure"
    assert [p.family for p in record.authors] == ["Jones", "Price", "Roe", "Lund"]
