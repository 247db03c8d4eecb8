"""Each export format round-trips through a third-party parser of that format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from sqlalchemy import Engine

from pipelines.export import FORMATS, Selection, export
from pipelines.export.bibtex import escape
from tests.sql_records import ALPHA, BETA, DATABASES, library_fixture

SCHEMA = json.loads((Path(__file__).parent / "fixtures/export/csl-data.json").read_text())
TRICKY_TITLE = f"{ALPHA[0].title}: {ALPHA[0].subtitle}"


@pytest.fixture(scope="module", params=DATABASES)
def engine(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:  # fmt: skip
    yield from library_fixture(request, tmp_path_factory)


def run(engine: Engine, fmt: str, selection: Selection | None = None) -> str:
    out = io.StringIO()
    with engine.connect() as conn:
        count = export(conn, selection or Selection(), fmt, out)
    assert count == out.getvalue().count("\n") or fmt != "jsonl"
    return out.getvalue()


def test_bibtex_parses_and_decodes_back_to_the_stored_values(engine: Engine) -> None:
    library = bibtexparser.parse_string(
        run(engine, "bibtex"), append_middleware=[LatexDecodingMiddleware()]
    )
    assert library.failed_blocks == []
    entries = {e["doi"] if "doi" in e else e["title"]: e for e in library.entries}
    article = entries["10.1234/a1"]
    assert article.entry_type == "article"
    # pylatexenc renders \textasciicircum as the modifier letter U+02C6
    assert article["title"].replace("\u02c6", "^") == TRICKY_TITLE
    assert article["author"] == "Lee, Ana and Wu, Bo and Müller, Jörg"
    assert article["pages"] in ("101--119", "101–119")  # the decoder may typeset the dash
    assert (article["year"], article["month"], article["date"]) == ("2019", "6", "2019-06-20")
    assert article["abstract"] == "We measure electron transport in bilayer graphene. Two lines."
    book = entries["A history of carbon"]
    assert (book.entry_type, book["author"]) == ("book", "Graphene Flagship Consortium")
    types = sorted(e.entry_type for e in library.entries)
    assert types == ["article", "article", "article", "book", "incollection",
                     "inproceedings", "misc", "phdthesis"]  # fmt: skip


def test_bibtex_keys_are_unique_ascii_and_stable_across_exports(engine: Engine) -> None:
    first = bibtexparser.parse_string(run(engine, "bibtex"))
    keys = [e.key for e in first.entries]
    assert len(set(keys)) == len(keys) == len(ALPHA) + len(BETA)
    assert all(k.isascii() and " " not in k for k in keys)
    assert any(k.startswith("muller2020superconductivity-") for k in keys)
    only_beta = bibtexparser.parse_string(run(engine, "bibtex", Selection(source="beta")))
    assert {e.key for e in only_beta.entries} <= set(keys)


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("50% & more", r"50\% \& more"),
        ("a_b #1 $x", r"a\_b \#1 \$x"),
        ("{x}", r"\{x\}"),
        ("a } b {", r"a \textbraceright{} b \textbraceleft{}"),
        ("~^\\", r"\textasciitilde{}\textasciicircum{}\textbackslash{}"),
        ("plain\n text", "plain text"),
    ],
)
def test_bibtex_escapes_latex_special_characters(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


def test_ris_parses_with_rispy_and_maps_types(engine: Engine) -> None:
    entries = rispy.loads(run(engine, "ris"))
    assert len(entries) == len(ALPHA) + len(BETA)
    by_title = {e["title"]: e for e in entries}
    article = by_title[TRICKY_TITLE]
    assert article["type_of_reference"] == "JOUR"
    assert article["authors"] == ["Lee, Ana", "Wu, Bo", "Müller, Jörg"]
    assert (article["start_page"], article["end_page"]) == ("101", "119")
    assert (article["year"], article["date"]) == ("2019", "2019/06/20/")
    assert article["keywords"] == ["graphene", "electron transport"]
    assert article["doi"] == "10.1234/a1"
    assert by_title["Phonons in layered crystals"]["date"] == "2019/06/"
    chapter = by_title["Transport measurements"]
    assert chapter["secondary_title"] == "Handbook of Graphene"
    assert chapter["secondary_authors"] == ["Editor, Eve"]
    types = sorted(e["type_of_reference"] for e in entries)
    assert types == ["BOOK", "CHAP", "CPAPER", "JOUR", "JOUR", "JOUR", "THES", "UNPB"]


def test_csl_json_is_valid_against_the_csl_schema_with_dates_at_their_precision(
    engine: Engine,
) -> None:
    items = json.loads(run(engine, "csl-json"))
    jsonschema.validate(items, SCHEMA)
    issued = {i["title"]: i["issued"]["date-parts"] for i in items}
    assert issued[TRICKY_TITLE] == [[2019, 6, 20]]
    assert issued["Phonons in layered crystals"] == [[2019, 6]]
    assert issued["A history of carbon"] == [[2018]]
    by_title = {i["title"]: i for i in items}
    book = by_title["A history of carbon"]
    assert book["author"] == [{"literal": "Graphene Flagship Consortium"}]
    assert by_title["A history of carbon"]["number-of-pages"] == 320
    assert by_title["Untitled notes on spin"]["type"] == "article"
    assert by_title[TRICKY_TITLE]["type"] == "article-journal"


def test_csl_json_of_an_empty_selection_is_an_empty_array(engine: Engine) -> None:
    assert json.loads(run(engine, "csl-json", Selection(source="nobody"))) == []


def test_csv_reads_back_with_the_csv_module(engine: Engine) -> None:
    rows = list(csv.DictReader(io.StringIO(run(engine, "csv"))))
    assert len(rows) == len(ALPHA) + len(BETA)
    article = next(r for r in rows if r["doi"] == "10.1234/a1")
    # pylatexenc renders \textasciicircum as the modifier letter U+02C6
    assert article["title"].replace("\u02c6", "^") == TRICKY_TITLE
    assert article["authors"] == "Lee, Ana; Wu, Bo; Müller, Jörg"
    assert (article["page_first"], article["page_last"], article["issn"]) == (
        "101", "119", "1234-5678")  # fmt: skip
    assert article["source"] == "alpha"
    assert "\n" not in article["abstract"]


def test_jsonl_lines_are_the_stored_record_json_with_id_and_source(engine: Engine) -> None:
    lines = run(engine, "jsonl").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["source_key"] for r in records] == [r.source_key for r in (*ALPHA, *BETA)]
    first = records[0]
    assert (first["source"], first["id"] > 0) == ("alpha", True)
    expected = ALPHA[0].to_json()
    assert {k: first[k] for k in expected} == expected


def test_every_format_module_has_the_same_shape() -> None:
    for name, module in FORMATS.items():
        assert name == module.NAME
        assert callable(module.write) and module.MEDIA_TYPE
