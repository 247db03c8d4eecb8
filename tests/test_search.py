"""Full-text search: the index follows every write, ranks titles first, same answers on both DBs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import Engine, delete, text

from pipelines.cli_export import search_command
from pipelines.db import make_engine, upgrade
from pipelines.load import ensure_source, upsert_records
from pipelines.models import publications
from pipelines.search import _POSTGRES, SearchQueryError, fts5_query, search
from tests.sql_records import ALPHA, CHANGED_AT, DATABASES, library_fixture, load_library


@pytest.fixture(scope="module", params=DATABASES)
def library(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:  # fmt: skip
    yield from library_fixture(request, tmp_path_factory)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    upgrade(eng)
    load_library(eng)
    yield eng
    eng.dispose()


def found(engine: Engine, query: str, limit: int = 20) -> list[str]:
    """Titles of the hits, best first."""
    with engine.connect() as conn:
        return [hit.title or "" for hit in search(conn, query, limit=limit)]


def keys_of(engine: Engine, query: str) -> set[str]:
    with engine.connect() as conn:
        ids = [hit.id for hit in search(conn, query)]
        rows = conn.execute(text("SELECT id, url FROM v_publications")).all()
    by_id = {pid: url.rsplit("/", 1)[1] for pid, url in rows}
    return {by_id[i] for i in ids}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("phonons", {"a2"}),                         # title
        ("raman", {"a2", "b2"}),                     # abstract of a2, title and keyword of b2
        ("methods", {"b1"}),                         # keyword only
        ("transports", {"a1", "b1", "b3"}),          # stemmed: transport(s)
        ("graphene transport", {"a1", "b1"}),        # every word required, across fields
        ('"bilayer systems"', {"a1"}),               # a phrase
        ("phonons or superconductivity", {"a2", "a3"}),
        ("graphene -raman", {"a1", "b1"}),           # exclusion
        ("-raman graphene", {"a1", "b1"}),           # exclusion written first
        ("nothingmatcheshere", set()),
        ('title:carbon OR "zzz', set()),             # FTS5 syntax is never interpreted
    ],
)  # fmt: skip
def test_query_finds_exactly_the_matching_records(
    library: Engine, query: str, expected: set[str]
) -> None:
    assert keys_of(library, query) == expected


def test_a_title_match_ranks_above_an_abstract_match(library: Engine) -> None:
    assert found(library, "graphite") == ["Raman maps of graphite", "Phonons in layered crystals"]


def test_limit_cuts_the_ranked_list(library: Engine) -> None:
    assert found(library, "graphene", limit=2) == found(library, "graphene")[:2]
    assert len(found(library, "graphene")) == 3


@pytest.mark.parametrize("query", ["", "   ", "-raman", "or", '""'])
def test_a_query_with_nothing_to_look_for_is_refused(library: Engine, query: str) -> None:
    with pytest.raises(SearchQueryError):
        found(library, query)


@pytest.mark.parametrize(
    ("query", "fts5"),
    [
        ("graphene", '"graphene"'),
        ('a "b c" -d', '"a" "b c" NOT "d"'),
        ("a OR b", '"a" OR "b"'),
        ('-x say "hi', '"say" NOT "x" "hi"'),
        ('col:umn NEAR(a b) a*"', '"col:umn" "NEAR(a" "b)" "a*"""'),
        ('quote"inside', '"quote""inside"'),
    ],
)
def test_websearch_syntax_becomes_quoted_fts5_terms(query: str, fts5: str) -> None:
    assert fts5_query(query) == fts5


def test_index_follows_inserts_updates_keyword_changes_and_deletes(engine: Engine) -> None:
    with engine.begin() as conn:
        alpha = ensure_source(conn, "alpha", "pure", "https://alpha.test")
        renamed = dataclasses.replace(ALPHA[1], title="Magnons in layered crystals",
                                      keywords=("spintronics",))  # fmt: skip
        upsert_records(conn, alpha, [renamed], now=CHANGED_AT)
    assert keys_of(engine, "phonons") == set()
    assert keys_of(engine, "magnons") == {"a2"}
    assert keys_of(engine, "spintronics") == {"a2"}
    assert keys_of(engine, "graphene") == {"a1", "b1"}  # a2's old keyword is gone

    with engine.begin() as conn:  # writes that do not go through the loader
        conn.execute(publications.update().where(publications.c.source_key == "b2")
                     .values(abstract="Mapped with a confocal microscope."))  # fmt: skip
        conn.execute(delete(publications).where(publications.c.source_key == "a1"))
    assert keys_of(engine, "confocal") == {"b2"}
    assert keys_of(engine, "bilayer") == {"a3"}  # a1 is gone; "bilayers" stems alike
    if engine.dialect.name == "sqlite":  # the FTS5 table holds one row per publication
        with engine.connect() as conn:
            indexed = conn.execute(text("SELECT count(*) FROM publication_fts")).scalar_one()
        assert indexed == 7


def test_withdrawn_records_are_not_found(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(publications.update().where(publications.c.source_key == "a2")
                     .values(deleted_at=CHANGED_AT))  # fmt: skip
    assert keys_of(engine, "phonons") == set()


def test_cli_prints_id_source_year_title(library: Engine, tmp_path: Path) -> None:
    cfg = tmp_path / "config.yaml"
    url = library.url.render_as_string(hide_password=False)
    cfg.write_text(yaml.safe_dump({"database": url, "sources": []}))
    result = CliRunner().invoke(search_command, ["--config", str(cfg), "graphite"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0].split("\t")
    assert first[1:] == ["beta", "2021", "Raman maps of graphite"]
    assert first[0].isdigit()
    bad = CliRunner().invoke(search_command, ["--config", str(cfg), "-- -x"])
    assert bad.exit_code == 2


@pytest.mark.postgres
def test_postgres_search_uses_the_gin_index(pg_url: str) -> None:
    eng = make_engine(pg_url)
    upgrade(eng)
    sql = text(_POSTGRES.replace(":query", "'graphene'").replace(":limit", "5"))
    with eng.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(conn.execute(text(f"EXPLAIN {sql.text}")).scalars())
    eng.dispose()
    assert "ix_publication_fts_document" in plan
