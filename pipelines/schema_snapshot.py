"""A new SQLite database gets the newest schema from a snapshot, not from every migration.

Running the Alembic chain on an empty SQLite file (ten revisions: tables, indexes,
views, triggers, the full-text table) cost ~0.45 s of CPU and ~1 s of wall time here
(each step's DDL through Alembic's operations, then fsyncs), all of it before a first
harvest fetches its first page. `migrations/sqlite_head.sql` holds what that chain
leaves in `sqlite_master`, in creation order, with the revision it stands for; a
database file with no tables yet is made from it in one transaction.

The snapshot is only used when its revision is the migrations' one head; anything
else (a migration added since, an unreadable file) runs the chain as before. Write it
anew after adding a migration:

    python -m pipelines.schema_snapshot

tests/test_schema_snapshot.py holds a snapshot-made database to a migrated one
(`iterdump()` alike: tables, indexes, views, triggers and rows).
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import migrations
from harvester.errors import DatabaseError

if TYPE_CHECKING:
    from sqlalchemy import Engine

SNAPSHOT = Path(migrations.__file__).resolve().parent / "sqlite_head.sql"
_REVISION_LINE = "-- revision: "


def statements(conn: sqlite3.Connection) -> list[str]:
    """The DDL that remakes `conn`'s schema, in the order SQLite recorded it: the tables
    a virtual table makes for itself (publication_fts_data, ...: "shadow" tables to
    PRAGMA table_list, SQLite 3.37 and later) are left to it."""
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                        "ORDER BY rowid").fetchall()
    shadow = {row[1] for row in conn.execute("PRAGMA table_list") if row[2] == "shadow"}
    return [sql for name, sql in rows if name not in shadow and not name.startswith("sqlite_")]


def render(conn: sqlite3.Connection, revision: str) -> str:
    body = ";\n".join(statements(conn))
    return (f"{_REVISION_LINE}{revision}\n-- written by `python -m pipelines.schema_snapshot` "
            f"from a database migrated to that revision; do not edit\n{body};\n")


def read(path: Path = SNAPSHOT) -> tuple[str, str] | None:
    """(revision, script) of the snapshot, or None when there is none to trust."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    first, _, _ = text.partition("\n")
    if not first.startswith(_REVISION_LINE):
        return None
    return first[len(_REVISION_LINE):].strip(), text


def create(conn: sqlite3.Connection, revision: str, script: str) -> bool:
    """Make the schema in `conn`'s empty database; False (nothing done) when another
    connection made one first. The whole script is one transaction."""
    conn.execute("BEGIN IMMEDIATE")  # no other writer between the look and the schema
    try:
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            conn.execute("ROLLBACK")
            return False
        for statement in _split(script):
            conn.execute(statement)
        conn.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (revision,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True


def create_on(engine: Engine, heads: frozenset[str] | None) -> bool:
    """Whether an empty SQLite database got its schema from the snapshot (which must
    stand for the migrations' one head, `heads`); False leaves the work to them."""
    if engine.dialect.name != "sqlite":
        return False
    snapshot = read()
    if snapshot is None or heads != frozenset({snapshot[0]}):
        return False
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        if not isinstance(driver, sqlite3.Connection):
            return False
        level = driver.isolation_level
        driver.isolation_level = None  # the snapshot's own BEGIN and COMMIT
        try:
            return create(driver, *snapshot)
        except sqlite3.Error as exc:
            raise DatabaseError(f"creating the schema failed on database "
                                f"{engine.url.render_as_string(hide_password=True)}: {exc}"
                                ) from exc
        finally:
            driver.isolation_level = level
    finally:
        raw.close()


def _split(script: str) -> list[str]:
    """The script's statements: sqlite3.complete_statement decides where one ends, so a
    trigger's body (statements inside BEGIN ... END) stays whole."""
    out: list[str] = []
    current: list[str] = []
    for line in script.splitlines():
        if not current and line.startswith("--"):
            continue
        current.append(line)
        text = "\n".join(current)
        if sqlite3.complete_statement(text):
            out.append(text.strip().rstrip(";"))
            current = []
    return out


def write(path: Path = SNAPSHOT) -> str:
    """Migrate a scratch database to head and write its snapshot; the revision."""
    import tempfile

    from .db import make_engine, script_heads, upgrade

    heads = script_heads()
    if heads is None or len(heads) != 1:
        raise SystemExit(f"the migrations have no single head: {heads}")
    (revision,) = heads
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "head.db"
        engine = make_engine(f"sqlite:///{database}")
        upgrade(engine)
        engine.dispose()
        with sqlite3.connect(database) as conn:
            path.write_text(render(conn, revision), encoding="utf-8")
    return revision


if __name__ == "__main__":
    print(f"wrote {SNAPSHOT} at revision {write()}", file=sys.stderr)
