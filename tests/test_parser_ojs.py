"""Open Journal Systems pages.

No real OJS page is in the corpus: the fixtures in tests/fixtures/ojs/ were
written by hand from PKP's published OJS 3.3 templates (the default theme's
`article_details.tpl` and the Dublin Core / Google Scholar plugins' meta tags),
with invented content.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.parsers import ojs
from harvester.types import Page, PageRange, PartialDate, Record

FIXTURES = Path(__file__).parent / "fixtures" / "ojs"


ARTICLE_URL = "https://journals.example.org/index.php/zez/article/view/4711"


def _parse(name: str, url: str = ARTICLE_URL) -> Record:
    return ojs.parse(Page(url=url, body=(FIXTURES / name).read_bytes()))


def test_journal_article_fields() -> None:
    record = _parse("article-ojs3.html")
    assert record.platform == "ojs"
    assert (record.type, record.type_raw) == ("article", "Originalbeiträge")
    assert (record.journal, record.volume, record.issue) == (
        "Zeitschrift für erfundene Zoologie", "12", "2")
    assert record.pages == PageRange("117", "129")
    assert record.published == PartialDate(2019, 4, 1)
    assert record.doi == "10.99999/zez.v12i2.4711"
    assert [(a.family, a.given) for a in record.authors] == [
        ("Beispiel", "Anna"), ("van der Muster", "Jörg")]
    assert record.authors[0].affiliations == ("Universität Nirgendwo",)
    assert record.language == "de"
    assert record.keywords == ("Murmeltiere", "Alpen")


def test_abstract_is_the_visible_section_with_paragraphs_joined() -> None:
    record = _parse("article-ojs3.html")
    assert record.abstract == "Wir zählen Murmeltiere auf drei Almen. Die Zahl schwankt stark."


def test_open_preprint_systems_page_is_a_preprint() -> None:
    record = _parse("preprint-ops.html", "https://preprints.example.org/index.php/x/preprint/view/4")
    assert (record.type, record.doi, record.journal) == ("preprint", "10.99999/preprints.42", None)


@pytest.mark.parametrize(
    ("generator", "expected"),
    [("Open Journal Systems 2.4.8.5", True), ("Open Preprint Systems 3.4", True),
     ("WordPress 6.1", False)],
)
def test_detection_by_generator(generator: str, expected: bool) -> None:
    from harvester.parsers import detect_platform

    html = f'<html><head><meta name="generator" content="{generator}"></head></html>'
    got = detect_platform(Page(url="https://x.example/p", body=html.encode())) == "ojs"
    assert got is expected
