"""PostgreSQL's foreign-key triggers are off only around the loader's own child rows."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError

from harvester.types import Identifier, Record
from pipelines.db import make_engine
from pipelines.load import ensure_source, upsert_records
from pipelines.load_fk import may_skip_fk_checks
from tests.test_load_upsert import T0, T1, make_record

CHILDREN = """
SELECT p.source_key, t.kind, t.row FROM publications p JOIN (
    SELECT publication_id, 'author' AS kind,
           concat_ws('|', role, position, person_id, name, family, given, orcid,
                     affiliations_json) AS row FROM authorships
    UNION ALL SELECT publication_id, 'keyword', concat_ws('|', position, keyword) FROM keywords
    UNION ALL SELECT publication_id, 'subject', concat_ws('|', position, scheme, term, code)
              FROM subjects
    UNION ALL SELECT publication_id, 'identifier', concat_ws('|', scheme, value) FROM identifiers
    UNION ALL SELECT publication_id, 'file', concat_ws('|', position, url, mime) FROM files
    UNION ALL SELECT publication_id, 'citation', concat_ws('|', position, format, text)
              FROM citations
    UNION ALL SELECT publication_id, 'version', concat_ws('|', version, change, changed_fields)
              FROM publication_versions
) t ON t.publication_id = p.id
WHERE p.source_id = :source
ORDER BY 1, 2, 3"""


@pytest.fixture
def db_url(pg_url: str) -> str:
    """Only PostgreSQL skips FK triggers: conftest's `engine` on it alone."""
    return pg_url


def _load(engine: Engine, source: str, records: list[Record], *, skip: bool | None,
          now: Any = T0) -> int:  # fmt: skip
    with engine.begin() as conn:
        if skip is not None:  # what the role may do, as if the server had answered so
            conn.info["harvester_fk_skip_allowed"] = skip
        source_id = ensure_source(conn, source, "pure", None, now=T0)
        upsert_records(conn, source_id, records, now=now)
        return source_id


def _children(conn: Connection, source_id: int) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(text(CHILDREN), {"source": source_id})]


def test_a_superuser_may_skip_the_checks_and_sqlite_never_does(
    engine: Engine, sqlite_url: str
) -> None:
    with engine.connect() as conn:
        superuser = conn.exec_driver_sql("SELECT current_setting('is_superuser')").scalar_one()
        assert may_skip_fk_checks(conn) is (superuser == "on")
    lite = make_engine(sqlite_url)
    with lite.connect() as conn:
        assert may_skip_fk_checks(conn) is False
    lite.dispose()


def test_foreign_keys_are_enforced_again_right_after_the_load(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.info["harvester_fk_skip_allowed"] = True
        source_id = ensure_source(conn, "repo", "pure", None, now=T0)
        upsert_records(conn, source_id, [make_record(1), make_record(2)], now=T0)
        assert conn.exec_driver_sql("SHOW session_replication_role").scalar_one() == "origin"
        with pytest.raises(IntegrityError, match="foreign key"), conn.begin_nested():
            conn.exec_driver_sql("INSERT INTO keywords VALUES (987654, 1, 'orphan')")


def test_a_batch_failing_inside_the_window_leaves_the_triggers_on(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Boom(Exception):
        pass

    def fail(conn: Connection, rows: Any) -> None:
        assert conn.exec_driver_sql("SHOW session_replication_role").scalar_one() == "replica"
        raise Boom

    monkeypatch.setattr("pipelines.load.write_versions", fail)
    with pytest.raises(Boom):
        _load(engine, "repo", [make_record(1)], skip=True)
    with engine.connect() as conn:  # the same pooled connection, after the rollback
        assert conn.exec_driver_sql("SHOW session_replication_role").scalar_one() == "origin"
        assert conn.exec_driver_sql("SELECT count(*) FROM publications").scalar_one() == 0


def test_rows_are_the_same_with_and_without_the_checks(engine: Engine) -> None:
    first = [make_record(n) for n in range(1, 6)]
    again = [dataclasses.replace(r, title=f"{r.title} (revised)", keywords=("beta",),
                                 identifiers=(Identifier("doi", f"10.9/{r.source_key}"),))
             for r in first[:3]]  # fmt: skip
    ids = {}
    for skip in (True, False):
        name = f"repo-{skip}"
        ids[skip] = _load(engine, name, first, skip=skip)
        _load(engine, name, again, skip=skip, now=T1)
    with engine.connect() as conn:
        checked, unchecked = _children(conn, ids[False]), _children(conn, ids[True])
    assert len(checked) == 2 * 10 + 3 * 9  # a changed one: a keyword, an identifier less
    assert unchecked == checked


def test_new_publications_are_marked_for_search_with_the_triggers_off(engine: Engine) -> None:
    source_id = _load(engine, "repo", [make_record(1), make_record(2)], skip=True)
    with engine.connect() as conn:
        ids = conn.exec_driver_sql(
            "SELECT id FROM publications WHERE source_id = %(s)s ORDER BY id", {"s": source_id}
        ).scalars().all()
        marked = conn.exec_driver_sql(
            "SELECT publication_id FROM publication_fts_pending ORDER BY 1").scalars().all()
    assert len(ids) == 2 and set(ids) <= set(marked)


def test_publications_and_work_members_are_written_without_the_checks(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipelines.load_bulk as bulk

    roles: dict[str, str] = {}
    real = bulk.insert_rows

    def spy(conn: Connection, table: Any, *args: Any, **kwargs: Any) -> None:
        name = table if isinstance(table, str) else table.name
        roles[name] = conn.exec_driver_sql("SHOW session_replication_role").scalar_one()
        real(conn, table, *args, **kwargs)

    for module in ("pipelines.load_publications", "pipelines.works_write"):
        monkeypatch.setattr(f"{module}.insert_rows", spy)
    _load(engine, "repo", [make_record(1)], skip=True)
    assert roles == {"publications": "replica", "work_members": "replica"}
