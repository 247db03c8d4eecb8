"""arXiv abstract page (corpus capture of arXiv:1902.02534v2) and invented variants."""

from __future__ import annotations

from pathlib import Path

from harvester.parsers import arxiv
from harvester.types import Identifier, Page, PageRange, PartialDate


def test_corpus_page(corpus: Path) -> None:
    page = Page(url="https://arxiv.org/abs/1902.02534",
                body=(corpus / "other" / "arxiv-abs-1902.02534.html").read_bytes())
    record = arxiv.parse(page)
    assert (record.type, record.doi, record.source_key) == (
        "preprint", "10.48550/arxiv.1902.02534", "arxiv:1902.02534")
    assert (record.published, record.online) == (PartialDate(2019, 2, 7), None)
    assert record.pages == PageRange(count=7)
    assert record.keywords == ("Digital Libraries (cs.DL)",)
    assert Identifier("arxiv", "1902.02534") in record.identifiers
    assert record.abstract is not None and "this http URL" in record.abstract


def test_comment_without_a_page_count_gives_none_and_subjects_split() -> None:
    html = ('<html><head><meta name="citation_title" content="T">'
            '<meta name="citation_arxiv_id" content="2101.00001"></head><body><table>'
            '<tr><td class="tablecell comments">Accepted at an invented workshop</td></tr>'
            '<tr><td class="tablecell subjects"><span>Methodology (stat.ME)</span>; '
            "Machine Learning (cs.LG)</td></tr></table></body></html>")
    record = arxiv.parse(Page(url="https://export.arxiv.example/abs/2101.00001",
                              body=html.encode()))
    assert record.pages == PageRange()
    assert record.keywords == ("Methodology (stat.ME)", "Machine Learning (cs.LG)")
    assert record.doi is None  # no DOI shown: none invented
