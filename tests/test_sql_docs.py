"""Every query in docs/sql.md runs on SQLite and PostgreSQL and returns the expected rows.

The expected rows follow from tests/sql_records.py (the fixture library),
worked out by hand; a query added to the docs without an entry here fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from pipelines.views import VIEW_COLUMNS
from tests.sql_records import DATABASES, library_fixture

DOC = Path(__file__).resolve().parent.parent / "docs" / "sql.md"
LEE_ORCID = "0000-0002-1825-0097"
CARBON = "Journal of Carbon"

EXPECTED: dict[str, list[tuple[Any, ...]]] = {
    "1": [("alpha", "2018", 1), ("alpha", "2019", 2), ("alpha", "2020", 1),
          ("beta", "2020", 1), ("beta", "2021", 2), ("beta", "2022", 1)],
    "2": [("alpha", "Phonons in layered crystals", CARBON)],
    "3": [("graphene", 3), ("electron transport", 1), ("methods", 1), ("phonons", 1),
          ("raman", 1), ("spin", 1), ("superconductivity", 1)],
    "4": [("Ana Lee", "Bo Wu", 2), ("Ana Lee", "Jane Doe", 2), ("Ana Lee", "Jörg Müller", 1),
          ("Bo Wu", "Jörg Müller", 1)],
    "5": [("alpha", "Superconductivity and twisted bilayers", "7")],
    "6": [(CARBON, 2), ("Physical Letters", 1)],
    "7": [("Lee", "Ana", 4), ("Doe", "Jane", 3), ("Wu", "Bo", 3), ("Müller", "Jörg", 2)],
    "8": [("A history of carbon", "book", None, None, 320),
          ("Superconductivity and twisted bilayers", "article", "1", "10", 10)],
    "9": [(LEE_ORCID, "Ana Lee", 4, 2)],
    "10": [("beta", "Raman maps of graphite"), ("alpha", "Phonons in layered crystals")],
    "11": [("alpha", 4, 2, 2, 3), ("beta", 4, 1, 1, 3)],
    "12": [("Electron transport in", "Wu", "Bo", "Bo Wu"),
           ("Raman maps of graphite", "Doe", "Jane", "Jane Doe"),
           ("Transport measurements", "Doe", "Jane", "Jane Doe"),
           ("Untitled notes on spin", "Lee", "Ana", "Ana Lee")],
    "13": [("doi", 3, 3), ("isbn", 1, 1), ("issn", 2, 2)],
    "14": [("alpha", "Graphene transport in {bilayer} systems")],
    "15": [("asjc", "Physics", "3100", 2), ("fingerprint", "Graphene", None, 1)],
    "16": [(2, "alpha", "partial", 3, 0, 1, 2)],
    "17": [("alpha", 2, "partial", 1, 2), ("beta", 1, "ok", 4, 0)],
    # the library holds no work twice: tests/test_works.py runs 18 and 19 on one that does
    "18": [],
    "19": [("alpha", "https://repo.test/p/a1", "first")],
    "20": [("alpha", "Superconductivity and twisted bilayers", 2, "changed", '["volume"]')],
}  # fmt: skip

_HEADING = re.compile(r"^### (\d+)\. ", re.M)
_BLOCK = re.compile(r"```sql\n(.*?)```", re.S)
_DIALECT = re.compile(r"^-- dialect: (\w+)\s*$", re.M)


def documented_queries() -> dict[str, list[tuple[str | None, str]]]:
    """Query number -> [(dialect or None for both, SQL)] from docs/sql.md."""
    doc = DOC.read_text(encoding="utf-8")
    found: dict[str, list[tuple[str | None, str]]] = {}
    marks = list(_HEADING.finditer(doc))
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(doc)
        for block in _BLOCK.findall(doc[mark.end() : end]):
            dialect = _DIALECT.search(block)
            found.setdefault(mark.group(1), []).append(
                (dialect.group(1) if dialect else None, block.strip().rstrip(";"))
            )
    return found


QUERIES = documented_queries()


@pytest.fixture(scope="module", params=DATABASES)
def library(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:  # fmt: skip
    yield from library_fixture(request, tmp_path_factory)


def test_every_documented_query_has_expected_rows_and_at_least_ten_exist() -> None:
    assert set(QUERIES) == set(EXPECTED)
    assert len(QUERIES) >= 10


@pytest.mark.parametrize("number", sorted(QUERIES, key=int))
def test_documented_query_returns_the_expected_rows(library: Engine, number: str) -> None:
    dialect = library.dialect.name
    runnable = [sql for d, sql in QUERIES[number] if d in (None, dialect)]
    assert runnable, f"query {number} has no variant for {dialect}"
    with library.connect() as conn:
        for sql in runnable:
            rows = [tuple(row) for row in conn.execute(text(sql))]
            assert rows == EXPECTED[number], sql


def test_dialect_variants_name_a_known_database() -> None:
    dialects = {d for variants in QUERIES.values() for d, _ in variants if d}
    assert dialects <= {"sqlite", "postgresql"}


def test_every_view_column_is_documented(library: Engine) -> None:
    doc = DOC.read_text(encoding="utf-8")
    for view, columns in VIEW_COLUMNS.items():
        assert f"### {view}" in doc
        section = doc.split(f"### {view}", 1)[1].split("\n### ", 1)[0]
        table_cells = " ".join(line.split("|")[1] for line in section.splitlines()
                               if line.startswith("| ") and "---" not in line)  # fmt: skip
        for column in columns:
            assert re.search(rf"\b{column}\b", table_cells), f"{view}.{column} undocumented"
        assert set(inspect(library).get_view_names()) >= {view}
