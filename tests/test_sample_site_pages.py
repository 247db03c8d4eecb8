"""The sample records: pages render, and each page shows what its gold values claim."""

from __future__ import annotations

import re
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from pipelines.sample_site import (
    SAMPLE_RECORDS,
    expected_for,
    render_page,
    slugify,
    synthetic_records,
)

BASE = "http://127.0.0.1:9"
GOLD_KEYS = {"platform", "type", "title", "abstract", "authors", "doi", "journal", "volume",
             "issue", "pages", "published", "online", "language", "keywords"}
SLUGS = list(SAMPLE_RECORDS)


def tree(record: dict[str, Any]) -> LexborHTMLParser:
    return LexborHTMLParser(render_page(record, BASE))


def rows(doc: LexborHTMLParser) -> dict[str, str]:
    """First properties table as {label: text}."""
    table = doc.css_first("div.rendering_researchoutput_detailsportal table.properties")
    assert table is not None
    return {collapse(tr.css_first("th").text()): collapse(tr.css_first("td").text())
            for tr in table.css("tr")}


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_sample_has_about_a_dozen_records_with_unique_slugs_from_the_title_rule() -> None:
    assert 12 <= len(SAMPLE_RECORDS) <= 16
    for slug, rec in SAMPLE_RECORDS.items():
        assert slug == rec["slug"] == slugify(rec["title"])


@pytest.mark.parametrize("slug", SLUGS)
def test_gold_values_have_exactly_the_gold_keys(slug: str) -> None:
    want = expected_for(slug)
    assert set(want) == GOLD_KEYS
    assert want["platform"] == "pure"
    assert set(want["pages"]) == {"first", "last", "count"}
    assert all(set(a) == {"family", "given"} for a in want["authors"])


@pytest.mark.parametrize("slug", SLUGS)
def test_page_shows_the_gold_title_authors_abstract_and_keywords(slug: str) -> None:
    rec, want = SAMPLE_RECORDS[slug], expected_for(slug)
    doc = tree(rec)
    assert collapse(doc.css_first("div.introduction h1").text()) == want["title"]
    people = doc.css_first(".rendering_researchoutput_associatespersonsclassifiedportal")
    names = [collapse(x) for x in re.split(r",|&", people.text()) if x.strip()]
    assert names == [f"{a['given']} {a['family']}" for a in want["authors"]]
    paras = doc.css("div.rendering_researchoutput_abstractportal div.textblock p")
    assert (" ".join(p.text() for p in paras) or None) == want["abstract"]
    shown = [li.text(strip=True) for li in doc.css("li.userdefined-keyword")]
    assert shown == want["keywords"]


@pytest.mark.parametrize("slug", SLUGS)
def test_page_shows_doi_and_journal_only_when_the_gold_has_them(slug: str) -> None:
    rec, want = SAMPLE_RECORDS[slug], expected_for(slug)
    doc = tree(rec)
    dois = [a.text(strip=True) for a in doc.css("ul.relations.digital_object_identifiers a")]
    assert dois == ([f"https://doi.org/{want['doi']}"] if want["doi"] else [])
    journal = doc.css_first("a[rel=Journal]")
    series = doc.css_first("div.publication-series td")
    shown = journal.text(strip=True) if journal else series.text(strip=True) if series else None
    assert shown == want["journal"]


def test_page_is_small_and_declares_utf8() -> None:
    for rec in SAMPLE_RECORDS.values():
        html = render_page(rec, BASE)
        assert len(html.encode()) < 16_000
        assert '<meta charset="utf-8"/>' in html
        assert f'content="{BASE}/en/publications/{rec["slug"]}/"' in html


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("Publication status", "Published - Jun 2016"),
        ("Publication status", "Accepted/In press - 7 Apr 2025"),
        ("Publication status", "E-pub ahead of print - 14 Feb 2024"),
        ("State", "Published - Mar 30 2025"),
        ("Publikationsstatus", "Veröffentlicht - 1 Dez. 2019"),
        ("Seiten (von - bis)", "112-130"),
        ("Originalsprache", "Deutsch"),
        ("Article number", "041203"),
        ("Title of host publication",
         "Proceedings of the 12th International Workshop on Sustainable Data Systems (SDS 2023)"),
        ("ISBN (Print)", "9781399904124"),
        ("Publication status", "Published - 2021"),
        ("Award date", "12 Jul 2022"),
        ("Editors", "Marco Bellini (Editor), Yuki Tanaka (Editor)"),
    ],
)
def test_sample_covers_the_variation(label: str, value: str) -> None:
    found = [slug for slug, rec in SAMPLE_RECORDS.items() if rows(tree(rec)).get(label) == value]
    assert found, f"no sample page has {label}: {value}"


def test_sample_covers_designs_types_and_upper_case_names() -> None:
    docs = {slug: tree(rec) for slug, rec in SAMPLE_RECORDS.items()}
    assert any(d.css_first("p.relations.persons") for d in docs.values())
    assert any(d.css_first("ul.relations.persons") for d in docs.values())
    types = {expected_for(s)["type"] for s in SLUGS}
    assert {"article", "conference-paper", "book", "chapter", "thesis"} <= types
    assert any(a["family"].isupper() and len(a["family"]) > 1
               for s in SLUGS for a in expected_for(s)["authors"])
    full = docs[SLUGS[0]]
    assert full.css_first("div.metric.scopus-citations span.count")
    assert full.css_first("div.metric.metrics-downloads span.count")
    assert full.css_first("ul.publication-top-concepts span.concept")
    assert "TY  - JOUR" in full.css_first("#cite-RIS").text()
    assert "@article{" in full.css_first("#cite-BIBTEX").text()


def test_expected_for_returns_a_copy_and_can_carry_the_url() -> None:
    slug = SLUGS[0]
    expected_for(slug)["authors"].clear()
    assert expected_for(slug)["authors"]
    assert expected_for(slug, BASE + "/")["url"] == f"{BASE}/en/publications/{slug}/"


def test_synthetic_records_are_deterministic_unique_and_consistent_with_their_pages() -> None:
    first = list(synthetic_records(200, seed=7))
    assert first == list(synthetic_records(200, seed=7))
    assert first != list(synthetic_records(200, seed=8))
    slugs = [r["slug"] for r in first]
    assert len(set(slugs)) == 200 and not set(slugs) & set(SAMPLE_RECORDS)
    for rec in first[:20]:
        want = rec["expected"]
        assert set(want) == GOLD_KEYS
        doc = tree(rec)
        assert doc.css_first("h1").text(strip=True) == want["title"]
        table = rows(doc)
        assert table["Pages (from-to)"] == f"{want['pages']['first']}-{want['pages']['last']}"
        assert table["DOIs"] == f"https://doi.org/{want['doi']}"
