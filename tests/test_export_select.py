"""Choosing what to export: --source, --since, --where (read-only), and the CLI around it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from pipelines.cli_export import export_command
from pipelines.db import make_engine, upgrade
from pipelines.export import FilterError, Selection, read_rows
from pipelines.export.reader import read_only
from pipelines.models import publications
from tests.sql_records import CHANGED_AT, DATABASES, library_fixture, load_library


@pytest.fixture(scope="module", params=DATABASES)
def library(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:  # fmt: skip
    """Shared by the read-only tests of this module."""
    yield from library_fixture(request, tmp_path_factory)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A database of its own, for the test that writes."""
    eng = make_engine(db_url)
    upgrade(eng)
    load_library(eng)
    yield eng
    eng.dispose()


def keys(engine: Engine, selection: Selection, batch: int = 1000) -> list[str]:
    with engine.connect() as conn:
        return [row.record["source_key"] for row in read_rows(conn, selection, batch=batch)]


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (Selection(), ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"]),
        (Selection(source="beta"), ["b1", "b2", "b3", "b4"]),
        (Selection(since=CHANGED_AT), ["a3"]),
        (Selection(where="type = 'article' AND doi IS NULL"), ["a2"]),
        (Selection(where="published >= '2021'", source="beta"), ["b2", "b3", "b4"]),
        (Selection(where="id IN (SELECT publication_id FROM v_publication_keywords "
                         "WHERE keyword = 'graphene')"), ["a1", "a2", "b1"]),
        (Selection(where="title LIKE '%graphite%'", source="alpha"), []),
    ],
)  # fmt: skip
def test_selection_picks_exactly_the_matching_records(
    library: Engine, selection: Selection, expected: list[str]
) -> None:
    assert keys(library, selection) == expected


def test_small_batches_return_the_same_rows_in_id_order(library: Engine) -> None:
    assert keys(library, Selection(), batch=3) == keys(library, Selection())


@pytest.mark.parametrize("where", ["1=1; DELETE FROM publications", "  ", "title = ';'"])
def test_filters_with_a_semicolon_or_nothing_are_refused(library: Engine, where: str) -> None:
    with pytest.raises(FilterError):
        keys(library, Selection(where=where))


def test_a_filter_the_database_rejects_is_one_filter_error(library: Engine) -> None:
    with pytest.raises(FilterError, match="export query failed"):
        keys(library, Selection(where="no_such_column = 1"))


def test_the_filter_transaction_cannot_write_and_the_connection_recovers(
    engine: Engine,
) -> None:
    with engine.connect() as conn:
        with pytest.raises((OperationalError, SQLAlchemyError)), read_only(conn):
            conn.execute(text("DELETE FROM keywords"))
        if conn.in_transaction():
            conn.rollback()
    with engine.begin() as conn:  # the pooled connection is writable again
        conn.execute(text("DELETE FROM keywords WHERE keyword = 'spin'"))
        assert conn.execute(text("SELECT count(*) FROM keywords")).scalar_one() == 8


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_withdrawn_records_are_left_out_unless_asked_for(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(publications.update().where(publications.c.source_key == "b2")
                     .values(deleted_at=CHANGED_AT))  # fmt: skip
    assert "b2" not in keys(engine, Selection(source="beta"))
    assert "b2" in keys(engine, Selection(source="beta", include_deleted=True))


def config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"database": url, "sources": []}))
    return path


def test_cli_writes_the_file_and_reports_the_count(library: Engine, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "out.jsonl"
    result = CliRunner().invoke(export_command, [
        "--config", str(config(tmp_path, url_of(library))), "--format", "jsonl",
        "--source", "alpha", "--since", "2024-06-01", "--output", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["source_key"] for line in out.read_text().splitlines()] == ["a3"]
    assert "exported 1 record as jsonl" in result.output


def test_cli_bad_filter_exits_2_and_leaves_no_file(library: Engine, tmp_path: Path) -> None:
    out = tmp_path / "out.bib"
    result = CliRunner().invoke(export_command, [
        "--config", str(config(tmp_path, url_of(library))), "--format", "bibtex",
        "--where", "nonsense ==", "--output", str(out)])  # fmt: skip
    assert result.exit_code == 2
    assert "export query failed" in result.output
    assert list(tmp_path.glob("*out.bib*")) == []


@pytest.mark.parametrize("args", [["--since", "last tuesday"], ["--where", "1=1;"],
                                  ["--format", "docx"]])  # fmt: skip
def test_cli_usage_errors_exit_2(sqlite_url: str, tmp_path: Path, args: list[str]) -> None:
    base = ["--config", str(config(tmp_path, sqlite_url))]
    fmt = [] if "--format" in args else ["--format", "csv"]
    result = CliRunner().invoke(export_command, [*base, *fmt, *args])
    assert result.exit_code == 2, result.output
