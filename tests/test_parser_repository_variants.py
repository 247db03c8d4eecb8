"""Variations of repository pages outside the gold corpus (acc12): InvenioRDM in another
UI language, Invenio 1 (CERN Document Server), Islandora 2 and 7 in other languages,
DSpace-CRIS / DSpace 8 type keywords, EPrints' publication status and book title.

Each fixture is a minimal page written for the test after a platform's default template.
"""

from __future__ import annotations

from harvester.parsers import parse_page
from harvester.parsers.coarse_types import coarse_type
from harvester.types import Page, PartialDate, Record


def _parse(html: str, url: str) -> tuple[Record, str]:
    return parse_page(Page(url=url, body=html.encode()))


def test_inveniordm_labels_in_french_still_give_date_type_and_language() -> None:
    html = """<html lang="fr"><head><meta name="generator" content="InvenioRDM 12.0"/>
<meta name="citation_title" content="Cartographier les dépôts"/></head><body>
<span class="ui" title="Date de publication">12 juin 2023</span>
<span class="ui label" aria-label="Type de ressource">Poster</span>
<dl><dt>Langues</dt><dd>Français</dd></dl></body></html>"""
    record, platform = _parse(html, "https://rdm.example.fr/records/abc12-3de45")
    assert platform == "invenio"
    assert record.published == PartialDate(2023, 6, 12)
    assert (record.type_raw, record.type) == ("Poster", "other")
    assert record.language == "fr"


def test_inveniordm_english_labels_unchanged() -> None:
    html = """<html><head><meta name="generator" content="InvenioRDM 13.0"/>
<meta name="citation_title" content="acme-tools: v2.1.0"/></head><body>
<span class="ui" title="Publication date">Jan 5, 2024</span>
<span class="ui label" aria-label="Resource type">Software</span></body></html>"""
    record, _ = _parse(html, "https://zenodo.org/records/10452311")
    assert record.published == PartialDate(2024, 1, 5)
    assert record.type == "software"


def test_invenio_1_record_page_is_detected_by_its_powered_by_footer() -> None:
    html = """<html><head><meta name="citation_title" content="Search for dark photons"/>
<meta name="citation_author" content="Rossi, Marco"/></head><body>
<div class="pagefooter">Powered by <a href="http://invenio-software.org/">Invenio</a> v1.1.7
</div></body></html>"""
    record, platform = _parse(html, "https://cds.cern.ch/record/2712345")
    assert platform == "invenio"
    assert record.source_key == "cds.cern.ch:2712345"


def test_islandora_2_fields_are_read_by_machine_name_when_the_label_is_translated() -> None:
    html = """<html lang="de"><head><meta name="citation_title" content="Stadtplanung"/></head>
<body><article>
<div class="field field--name-field-edtf-date-issued"><div class="field__label">
Erscheinungsdatum</div><div class="field__item">2018-10-01</div></div>
<div class="field field--name-field-description"><div class="field__label">Inhalt</div>
<div class="field__item">Die Arbeit untersucht Planungsleitbilder.</div></div>
<div class="field field--name-field-language"><div class="field__label">Sprache der Arbeit</div>
<div class="field__item">Deutsch</div></div>
<div class="field field--name-field-linked-agent"><div class="field__items">
<div class="field__item">Becker, Jonas (aut)</div></div></div>
</article></body></html>"""
    record, platform = _parse(html, "https://digital.example.de/node/4711")
    assert platform == "islandora"
    assert record.abstract == "Die Arbeit untersucht Planungsleitbilder."
    assert record.language == "de"
    assert record.published == PartialDate(2018, 10, 1)
    assert [a.family for a in record.authors] == ["Becker"]


def test_islandora_7_spanish_mods_labels_are_read() -> None:
    html = """<html lang="es"><head><meta name="citation_title" content="Aguas subterráneas"/>
<meta name="citation_publication_date" content="2012"/></head><body>
<fieldset class="islandora islandora-metadata"><dl class="islandora-inline-metadata">
<dt>Título</dt><dd>Aguas subterráneas</dd><dt>Autor</dt><dd>Soto, Camila</dd>
<dt>Fecha de publicación</dt><dd>2012-09</dd><dt>Resumen</dt><dd>Estudiamos acuíferos.</dd>
<dt>Tipo</dt><dd>Artículo</dd><dt>Idioma</dt><dd>spa</dd></dl></fieldset></body></html>"""
    record, platform = _parse(html, "https://repositorio.example.cl/islandora/object/r%3A1")
    assert platform == "islandora"
    assert record.published == PartialDate(2012, 9)
    assert (record.abstract, record.language, record.type) == (
        "Estudiamos acuíferos.",
        "es",
        "article",
    )


def _dspace7(keywords: list[str]) -> Record:
    tags = "".join(f'<meta name="citation_keywords" content="{k}"/>' for k in keywords)
    html = f"""<html><head><meta name="generator" content="DSpace 8.0"/>
<meta name="citation_title" content="Wärmepumpen im Bestand"/>{tags}</head>
<body><ds-app><ds-item-page></ds-item-page></ds-app></body></html>"""
    record, platform = _parse(html, "https://repo.example.de/items/0b7b2a9e")
    assert platform == "dspace"
    return record


def test_dspace_italian_and_german_type_keyword_is_the_type_not_a_keyword() -> None:
    iris = _dspace7(["rischio sismico", "Articolo su rivista"])
    assert (iris.keywords, iris.type) == (("rischio sismico",), "article")
    dini = _dspace7(["Energie", "Konferenzbeitrag"])
    assert (dini.keywords, dini.type) == (("Energie",), "conference-paper")


def test_dspace_german_subject_that_names_no_type_stays_a_keyword() -> None:
    record = _dspace7(["Energie", "Wärmepumpe"])
    assert record.keywords == ("Energie", "Wärmepumpe")
    assert record.type is None


def _eprints(ispublished: str, extra: str = "") -> Record:
    html = f"""<html><head><meta name="Generator" content="EPrints 3.3.15"/>
<meta name="eprints.eprintid" content="567"/><meta name="eprints.type" content="book_section"/>
<meta name="eprints.title" content="Les bibliothèques numériques"/>
<meta name="eprints.ispublished" content="{ispublished}"/>{extra}</head>
<body><div class="ep_summary_content"></div></body></html>"""
    record, platform = _parse(html, "https://eprints.example.fr/567/")
    assert platform == "eprints"
    return record


def test_eprints_ispublished_gives_the_publication_status() -> None:
    assert _eprints("inpress").status == "accepted"
    assert _eprints("pub").status == "published"
    assert _eprints("unpub").status == "unpublished"
    assert _eprints("").status is None


def test_eprints_book_title_is_the_host_publication() -> None:
    book = '<meta name="eprints.book_title" content="Manuel des humanités numériques"/>'
    assert _eprints("pub", book).host_publication == "Manuel des humanités numériques"


def test_iris_publication_types_are_coarse_types() -> None:
    assert coarse_type("Contributo in volume") == "chapter"
    assert coarse_type("Contributo in Atti di convegno") == "conference-paper"
