"""A small invented library of records, loaded through the real loader.

Shared by the export, search and docs/sql.md tests, so each knows exactly what
the database holds: two sources, eight publications, every coarse type that
matters to the export mappings, and the awkward characters BibTeX and RIS
must survive.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from harvester.types import Identifier, PageRange, PartialDate, Person, Record, Subject
from pipelines.db import make_engine, upgrade
from pipelines.load import ensure_source, upsert_records
from pipelines.search_index import refresh_search

LOADED_AT = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
CHANGED_AT = datetime(2024, 6, 15, 9, 0, tzinfo=UTC)

LEE = Person("Ana Lee", family="Lee", given="Ana", orcid="0000-0002-1825-0097")
WU = Person("Bo Wu", family="Wu", given="Bo")
MULLER = Person("Jörg Müller", family="Müller", given="Jörg")
DOE = Person("Jane Doe", family="Doe", given="Jane")
CONSORTIUM = Person("Graphene Flagship Consortium")
EDITOR = Person("Eve Editor", family="Editor", given="Eve", role="editor")


def _record(key: str, **values: object) -> Record:
    return Record(url=f"https://repo.test/p/{key}", platform="pure", source_key=key,
                  **values)  # type: ignore[arg-type]  # fmt: skip


ALPHA = (
    _record("a1", type="article", title="Graphene transport in {bilayer} systems",
            subtitle="A 100% & $5 study of C_2 ~ #1 ^ \\cite", authors=(LEE, WU, MULLER),
            doi="10.1234/a1", journal="Journal of Carbon", volume="12", issue="3",
            pages=PageRange("101", "119"), published=PartialDate(2019, 6, 20), language="en",
            keywords=("graphene", "electron transport"),
            abstract="We measure electron transport in bilayer graphene.\nTwo lines.",
            identifiers=(Identifier("issn", "1234-5678"),),
            subjects=(Subject("asjc", "Physics", code="3100"),)),
    _record("a2", type="article", title="Phonons in layered crystals", authors=(WU, LEE),
            journal="Journal of Carbon", published=PartialDate(2019, 6),
            pages=PageRange("e0123", None), keywords=("phonons", "graphene"),
            abstract="Lattice vibrations of graphite studied by Raman spectroscopy."),
    _record("a3", type="article", title="Superconductivity and twisted bilayers",
            authors=(MULLER,), doi="10.1234/a3", journal="Physical Letters",
            published=PartialDate(2020), pages=PageRange("1", "10", 10),
            keywords=("superconductivity",), identifiers=(Identifier("issn", "9999-0001"),)),
    _record("a4", type="book", title="A history of carbon", authors=(CONSORTIUM,),
            publisher="Carbon Press", published=PartialDate(2018),
            identifiers=(Identifier("isbn", "9780000000002"),), pages=PageRange(count=320)),
)

BETA = (
    _record("b1", type="chapter", title="Transport measurements",
            authors=(DOE, LEE, EDITOR), host_publication="Handbook of Graphene",
            publisher="Carbon Press", published=PartialDate(2020, 2),
            pages=PageRange("55", "80"), keywords=("graphene", "methods"),
            subjects=(Subject("asjc", "Physics", code="3100"),
                      Subject("fingerprint", "Graphene", weight=0.8))),
    _record("b2", type="conference-paper", title="Raman maps of graphite",
            authors=(DOE,), doi="10.5555/b2", journal="Proceedings of Carbon Conference",
            published=PartialDate(2021, 9, 1), keywords=("raman",)),
    _record("b3", type="thesis", type_raw="Doctoral Thesis", title="Electron transport in",
            authors=(WU,), publisher="University of Tests", published=PartialDate(2021),
            abstract="A doctoral study of electrons."),
    _record("b4", type="preprint", title="Untitled notes on spin", authors=(LEE, DOE),
            published=PartialDate(2022, 1), keywords=("spin",)),
)


def load_library(engine: Engine) -> dict[str, int]:
    """Load ALPHA (source 'alpha') and BETA (source 'beta'); return ids by source_key.

    Record a3 is loaded first at LOADED_AT and changed at CHANGED_AT, so its
    last_changed is later than every other record's.
    """
    ids: dict[str, int] = {}
    with engine.begin() as conn:
        alpha = ensure_source(conn, "alpha", "pure", "https://alpha.test", now=LOADED_AT)
        beta = ensure_source(conn, "beta", "pure", "https://beta.test", now=LOADED_AT)
        ids.update(upsert_records(conn, alpha, ALPHA, now=LOADED_AT).ids)
        ids.update(upsert_records(conn, beta, BETA, now=LOADED_AT).ids)
    changed = dataclasses.replace(ALPHA[2], volume="7")
    with engine.begin() as conn:
        stats = upsert_records(conn, alpha, [changed], now=CHANGED_AT)
        assert stats.changed == 1
    with engine.begin() as conn:  # as a run does at its end
        refresh_search(conn)
    return ids



RUN_TIMES = (datetime(2024, 5, 31, 2, 0, tzinfo=UTC), datetime(2024, 6, 1, 12, 0, tzinfo=UTC))


def load_runs(engine: Engine) -> list[int]:
    """Two harvest runs for v_harvest_runs: both sources on 31 May, then alpha alone
    on 1 June with two failed pages (run 2 is 'partial')."""
    from pipelines.load import ensure_source as source_id_of
    from pipelines.state import finish_run, record_run_source, start_run

    first, second = RUN_TIMES
    with engine.begin() as conn:
        alpha = source_id_of(conn, "alpha", "pure", "https://alpha.test", now=LOADED_AT)
        beta = source_id_of(conn, "beta", "pure", "https://beta.test", now=LOADED_AT)
        run1 = start_run(conn, ["alpha", "beta"], first)
        record_run_source(conn, run1, alpha, {"fetched": 4, "new": 4, "seconds": 2.5})
        record_run_source(conn, run1, beta, {"fetched": 4, "new": 4, "seconds": 3.0})
        finish_run(conn, run1, "ok", {}, first + (second - first) / 48)
        run2 = start_run(conn, ["alpha"], second)
        record_run_source(conn, run2, alpha, {"fetched": 3, "not_modified": 1, "changed": 1,
                                              "unchanged": 2, "failed": 2, "seconds": 1.5})
        finish_run(conn, run2, "partial", {}, second + (second - first) / 96)
    return [run1, run2]


@contextmanager
def library_database(kind: str, tmp: Path, pg_admin_url: str | None) -> Iterator[Engine]:
    """A migrated database holding the library, for a whole test module (read-only tests).

    `kind` is "sqlite" or "postgres"; PostgreSQL gets a fresh database dropped afterwards.
    """
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp / 'library.db'}")
        drop = None
    else:
        assert pg_admin_url is not None
        name = f"harvester_library_{uuid.uuid4().hex[:12]}"
        admin = make_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine = make_engine(f"{pg_admin_url.rsplit('/', 1)[0]}/{name}")

        def drop() -> None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()

    try:
        upgrade(engine)
        load_library(engine)
        load_runs(engine)
        yield engine
    finally:
        engine.dispose()
        if drop is not None:
            drop()


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def library_fixture(request: pytest.FixtureRequest,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """Body of a module-scoped fixture parametrised with DATABASES."""
    admin = request.getfixturevalue("pg_server") if request.param == "postgres" else None
    with library_database(request.param, tmp_path_factory.mktemp("library"), admin) as engine:
        yield engine
