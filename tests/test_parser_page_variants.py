"""Variations of real repository pages outside the gold corpus (helper acc10's survey).

Each fixture is a minimal page written for the test: it reproduces one variation seen on
a real page (Deep Blue's DSpace head, a Pensoft head with eprints.* tags) or stated by a
platform's default template (DSpace 7's citation_keywords, EPrints' eprints.date).
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from harvester.parsers import parse_page
from harvester.parsers._html import MetaTags
from harvester.parsers._meta import dc_fields
from harvester.types import Page, PartialDate, Record


def _page(head: str, body: str = "", url: str = "https://repo.example.org/item/1") -> Record:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    record, _ = parse_page(Page(url=url, body=html.encode()))
    return record


def _meta(head: str) -> MetaTags:
    return MetaTags.from_tree(LexborHTMLParser(f"<html><head>{head}</head></html>"))


def test_dc_description_that_is_a_file_link_is_not_the_abstract() -> None:
    fields = dc_fields(
        _meta(
            '<meta name="DC.description" content="https://repo.example.org/bitstream/1/a b.pdf">'
            '<meta name="DC.description" content="Forty lakes were sampled.">'
        )
    )
    assert fields["abstract"] == "Forty lakes were sampled."


def test_dc_description_links_only_give_no_abstract() -> None:
    fields = dc_fields(_meta('<meta name="DC.description" content="https://x.org/1/a.pdf">'))
    assert "abstract" not in fields


def test_citation_keywords_lose_the_item_type_dspace_appends() -> None:
    record = _page(
        '<meta name="citation_title" content="Bones"><meta name="DC.type" content="Book">'
        '<meta name="citation_keywords" content="Book">'
        '<meta name="DC.subject" content="Geology"><meta name="DC.subject" content="Science">'
    )
    assert record.keywords == ("Geology", "Science")
    assert record.type == "book"


def test_citation_keywords_other_than_the_type_are_kept() -> None:
    record = _page(
        '<meta name="citation_title" content="Bones"><meta name="DC.type" content="Book">'
        '<meta name="citation_keywords" content="Fossils; Book">'
    )
    assert record.keywords == ("Fossils",)


def test_year_only_date_takes_the_day_another_layer_states_for_that_year() -> None:
    record = _page(
        '<meta name="eprints.title" content="Meiosis"><meta name="eprints.date" content="2011">'
        '<meta name="eprints.date_type" content="published">'
        '<meta name="citation_date" content="2011/05/05">'
    )
    assert record.published == PartialDate(2011, 5, 5)
    assert record.provenance["published"] == "meta:citation"


def test_a_date_of_another_year_does_not_refine_the_picked_one() -> None:
    record = _page(
        '<meta name="citation_title" content="T"><meta name="citation_publication_date" '
        'content="2011"><meta name="prism.publicationDate" content="2012-05-05">'
    )
    assert record.published == PartialDate(2011)


def test_a_bare_dc_date_does_not_refine_the_picked_year() -> None:
    # DC.date is often the deposit date: a day from it is no day of the publication
    record = _page(
        '<meta name="citation_title" content="T"><meta name="citation_publication_date" '
        'content="2011"><meta name="DC.date" content="2011-09-30">'
    )
    assert record.published == PartialDate(2011)


_DSPACE7 = (
    '<meta name="Generator" content="DSpace 7.6"><meta name="citation_title" content="Lakes">'
    '<meta name="citation_keywords" content="{}">'
)
_DSPACE7_BODY = "<ds-app><ds-item-page><ds-untyped-item></ds-untyped-item></ds-item-page></ds-app>"


def test_dspace7_last_citation_keyword_that_is_a_type_word_is_the_type() -> None:
    record = _page(_DSPACE7.format("Limnology; Plateaus; Article"), _DSPACE7_BODY)
    assert record.platform == "dspace"
    assert record.keywords == ("Limnology", "Plateaus")
    assert (record.type, record.type_raw) == ("article", "Article")


def test_dspace7_last_keyword_that_is_no_type_word_stays_a_keyword() -> None:
    record = _page(_DSPACE7.format("Limnology; Plateaus"), _DSPACE7_BODY)
    assert record.keywords == ("Limnology", "Plateaus")
    assert record.type is None


def test_dspace_type_shown_on_the_page_beats_the_keyword_tail() -> None:
    body = (
        "<ds-app><ds-item-page><div class='simple-view-element'><h2>Type</h2>"
        "<div class='simple-view-element-body'>Thesis</div></div></ds-item-page></ds-app>"
    )
    record = _page(_DSPACE7.format("Limnology; Article"), body)
    assert (record.type, record.type_raw) == ("thesis", "Thesis")
    assert record.keywords == ("Limnology", "Article")


def _dspace7_field(component: str, heading: str, value: str) -> str:
    return (
        f"<{component}><ds-metadata-field-wrapper><div class='simple-view-element'>"
        f"<h2 class='simple-view-element-header'>{heading}</h2>"
        f"<div class='simple-view-element-body'><span>{value}</span></div></div>"
        f"</ds-metadata-field-wrapper></{component}>"
    )


def test_dspace7_dedicated_fields_are_read_whatever_the_heading_language() -> None:
    body = (
        "<ds-app><ds-item-page>"
        + _dspace7_field("ds-item-page-abstract-field", "Tiivistelmä", "Järvet ovat hiljaisia.")
        + _dspace7_field("ds-item-page-date-field", "Päivämäärä", "2021-05")
        + "</ds-item-page></ds-app>"
    )
    record = _page(_DSPACE7.format("Limnology"), body)
    assert record.abstract == "Järvet ovat hiljaisia."
    assert record.published == PartialDate(2021, 5)
    assert record.provenance["abstract"] == "dspace:simple"


def test_dspace_simple_view_reads_spanish_and_portuguese_headings() -> None:
    body = (
        "<ds-app><ds-item-page>"
        + _dspace7_field("ds-generic-item-page-field", "Palabras clave", "<a>Lagos</a>")
        + _dspace7_field("ds-generic-item-page-field", "Editora", "Editora Exemplo")
        + "</ds-item-page></ds-app>"
    )
    record = _page(_DSPACE7.format("Limnology"), body)
    assert record.keywords == ("Lagos",)
    assert record.publisher == "Editora Exemplo"


_SUFIA = """
<div itemscope itemtype="http://schema.org/CreativeWork">
<h1 class="visibility">Seeds of access <span class="label label-success">Open Access</span></h1>
<p class="genericfile_description">A poster on repository outreach.</p>
<dl class="dl-horizontal file-show-term file-show-descriptions">
<dt>Author</dt><dd><span itemprop="creator"><a href="/c?a">Gooch, Amanda</a></span><br/>
<span itemprop="creator"><a href="/c?b">Banks, Dorinne</a></span><br/></dd>
<dt>Date Created</dt><dd></dd>
<dt>Type of Work</dt><dd><a href="/c?t">Poster</a></dd>
<dt>Keyword</dt><dd><a href="/c?k1">Open access</a><br/><a href="/c?k2">Outreach</a></dd>
<dt>Language</dt><dd><a href="/c?l">English</a></dd>
</dl></div>
"""


def test_sufia_file_page_is_read_as_a_hyrax_record() -> None:
    record = _page("<title>Seeds of access</title>", _SUFIA, "https://scholar.example.edu/files/s1")
    assert record.platform == "hyrax"
    assert record.title == "Seeds of access"
    assert [p.family for p in record.authors] == ["Gooch", "Banks"]
    assert record.abstract == "A poster on repository outreach."
    assert record.keywords == ("Open access", "Outreach")
    assert (record.language, record.type_raw) == ("en", "Poster")
    assert record.published is None  # an empty "Date Created" states no date


def _opus(rows: list[tuple[str, str]], head: str = "") -> Record:
    body = (
        "<h2 class='titlemain'>Seen lakes</h2><table class='result-data frontdoordata'>"
        + "".join(f"<tr><th class='name'>{k}:</th><td>{v}</td></tr>" for k, v in rows)
        + "</table>"
    )
    return _page(head, body, "https://opus.example.de/frontdoor/index/index/docId/7")


def test_opus_thesis_with_only_a_year_of_completion_is_dated_by_it() -> None:
    record = _opus([("Document Type", "Doctoral Thesis"), ("Year of Completion", "2018")])
    assert record.platform == "opus"
    assert record.published == PartialDate(2018)
    assert _opus([("Jahr der Fertigstellung", "2018")]).published == PartialDate(2018)


def test_opus_year_of_completion_yields_to_any_stated_publication_date() -> None:
    record = _opus(
        [("Year of Completion", "2018")], '<meta name="citation_date" content="2019-02-01">'
    )
    assert record.published == PartialDate(2019, 2, 1)


def test_eprints_published_online_date_is_a_publication_date() -> None:
    record = _page(
        '<meta name="eprints.title" content="T"><meta name="eprints.date" content="2020-07-14">'
        '<meta name="eprints.date_type" content="published_online">'
    )
    assert record.platform == "eprints"
    assert record.published == PartialDate(2020, 7, 14)
    assert not record.warnings


def test_one_author_tag_naming_several_people_gives_each_of_them() -> None:
    record = _page(
        '<meta name="citation_title" content="T">'
        '<meta name="citation_author" content="Smith, J.; M&#252;ller, H.">'
        '<meta name="citation_author" content="Caf&eacute;, Ana">'
    )
    assert [(p.family, p.given) for p in record.authors] == [
        ("Smith", "J."),
        ("Müller", "H."),
        ("Café", "Ana"),
    ]


_DIGITAL_COMMONS = (
    '<meta name="bepress_citation_title" content="Wages">'
    '<meta name="bepress_citation_firstpage" content="1">'
    '<meta name="description" content="Wages rose &amp; fell.">'
    '<meta name="keywords" content="Labor; Wages">'
)


def test_digital_commons_plain_keywords_and_description_meta_are_the_items() -> None:
    record = _page(_DIGITAL_COMMONS)
    assert record.platform == "bepress"
    assert record.keywords == ("Labor", "Wages")
    assert record.abstract == "Wages rose & fell."


def test_digital_commons_numeric_dates_are_month_first() -> None:
    body = '<div id="publication_date"><h4>Publication Date</h4><p>5-3-2019</p></div>'
    assert _page(_DIGITAL_COMMONS, body).published == PartialDate(2019, 5, 3)


def test_digital_commons_shown_last_page_joins_the_meta_first_page() -> None:
    body = '<div id="lpage"><h4>Last Page</h4><p>8</p></div>'
    pages = _page(_DIGITAL_COMMONS, body).pages
    assert (pages.first, pages.last) == ("1", "8")


def test_eprints_publication_that_names_the_publisher_yields_to_a_journal() -> None:
    record = _page(
        '<meta name="eprints.title" content="Meiosis">'
        '<meta name="eprints.publication" content="Pensoft Publishers">'
        '<meta name="citation_publisher" content="Pensoft Publishers">'
        '<meta name="citation_journal_title" content="Comparative Cytogenetics">'
    )
    assert record.journal == "Comparative Cytogenetics"
    assert record.provenance["journal"] == "meta:citation"


def test_eprints_publication_is_kept_when_no_layer_names_another_journal() -> None:
    record = _page(
        '<meta name="eprints.title" content="Meiosis">'
        '<meta name="eprints.publication" content="Pensoft Publishers">'
        '<meta name="citation_publisher" content="Pensoft Publishers">'
    )
    assert record.journal == "Pensoft Publishers"


def test_portuguese_and_spanish_type_labels_name_their_kind() -> None:
    from harvester.parsers.coarse_types import coarse_type

    kinds = {
        raw: coarse_type(raw)
        for raw in (
            "Artigo",
            "Tese",
            "Dissertação",
            "Livro",
            "Trabalho de conclusão de curso",
            "Ponencia",
        )
    }
    assert kinds == {
        "Artigo": "article",
        "Tese": "thesis",
        "Dissertação": "thesis",
        "Livro": "book",
        "Trabalho de conclusão de curso": "thesis",
        "Ponencia": "conference-paper",
    }


def test_dspace7_portuguese_type_at_the_keyword_tail_is_the_type() -> None:
    record = _page(_DSPACE7.format("Limnologia; Artigo"), _DSPACE7_BODY)
    assert record.keywords == ("Limnologia",)
    assert (record.type, record.type_raw) == ("article", "Artigo")
