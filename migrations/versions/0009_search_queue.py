"""Full-text search indexed in bulk from a queue, not by every publications write.

Revision 0003_search kept the index in step row by row: on SQLite an FTS5
trigger cost ~28 of a publication insert's 32 µs of CPU, on PostgreSQL the
GIN expression index ~36 of 51 µs (bench/README.md). Now a write to
`publications` only marks its id in `publication_fts_pending` (a trigger, so
every writer is covered, the loader and hand-written SQL alike), and
`pipelines.search_index.refresh_search` indexes the marked rows in set-based
statements; searches call it first, so they never read a stale index.

SQLite keeps the FTS5 table `publication_fts` exactly as it was (same columns,
tokenizer and rowid), so users' queries keep working. PostgreSQL gets a table
`publication_fts(publication_id, document)` holding the same weighted tsvector
(title A, keywords B, abstract C) under a GIN index, instead of an expression
index on `publications`. Every object is named `publication_fts*`, which
`pipelines.views` already leaves out of autogenerate.

PostgreSQL: the queue row is written with ON CONFLICT DO UPDATE, not DO
NOTHING, so it stays row-locked until the writer commits; a refresh picks with
SKIP LOCKED and so never deletes a mark whose publication it cannot see yet.
The triggers are ENABLE ALWAYS: pipelines.load_fk switches row triggers off
(session_replication_role = replica) around some inserts, and a mark must
never be skipped.

Revision ID: 0009_search_queue
Revises: 0008_frontier
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_search_queue"
down_revision: str | Sequence[str] | None = "0008_frontier"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE = "publication_fts_pending"
# A rewrite of the same text (most of the loader's updates rewrite every column)
# needs no indexing; the comparisons are far cheaper than an FTS write.
_CHANGED = " OR ".join(f"old.{c} IS DISTINCT FROM new.{c}"
                       for c in ("title", "subtitle", "abstract", "record_json"))  # fmt: skip
_SQLITE_CHANGED = _CHANGED.replace("IS DISTINCT FROM", "IS NOT")

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS publication_fts_ai",
    "DROP TRIGGER IF EXISTS publication_fts_au",
    "DROP TRIGGER IF EXISTS publication_fts_ad",
    f"CREATE TABLE {QUEUE} (publication_id INTEGER PRIMARY KEY) WITHOUT ROWID",
    f"CREATE TRIGGER publication_fts_mark_ai AFTER INSERT ON publications BEGIN "
    f"INSERT OR IGNORE INTO {QUEUE} (publication_id) VALUES (new.id); END",
    f"CREATE TRIGGER publication_fts_mark_au AFTER UPDATE OF title, subtitle, abstract, "
    f"record_json ON publications WHEN {_SQLITE_CHANGED} BEGIN "
    f"INSERT OR IGNORE INTO {QUEUE} (publication_id) VALUES (new.id); END",
    f"CREATE TRIGGER publication_fts_mark_ad AFTER DELETE ON publications BEGIN "
    f"INSERT OR IGNORE INTO {QUEUE} (publication_id) VALUES (old.id); END",
]

# Revision 0003_search's row expressions and triggers, verbatim.
_TITLE = "trim(coalesce({r}.title, '') || ' ' || coalesce({r}.subtitle, ''))"
_KEYWORDS = "(SELECT group_concat(value, ' ') FROM json_each({r}.record_json, '$.keywords'))"


def _sqlite_insert(r: str) -> str:
    return (
        "INSERT INTO publication_fts (rowid, title, abstract, keywords) VALUES "
        f"({r}.id, {_TITLE.format(r=r)}, {r}.abstract, {_KEYWORDS.format(r=r)});"
    )


SQLITE_DOWN = [
    # the marked rows are indexed before the queue goes (0003's triggers index new writes only)
    f"DELETE FROM publication_fts WHERE rowid IN (SELECT publication_id FROM {QUEUE})",
    "INSERT INTO publication_fts (rowid, title, abstract, keywords) "
    f"SELECT p.id, {_TITLE.format(r='p')}, p.abstract, {_KEYWORDS.format(r='p')} "
    f"FROM {QUEUE} q JOIN publications p ON p.id = q.publication_id",
    "DROP TRIGGER IF EXISTS publication_fts_mark_ad",
    "DROP TRIGGER IF EXISTS publication_fts_mark_au",
    "DROP TRIGGER IF EXISTS publication_fts_mark_ai",
    f"DROP TABLE IF EXISTS {QUEUE}",
    f"CREATE TRIGGER publication_fts_ai AFTER INSERT ON publications BEGIN "
    f"{_sqlite_insert('new')} END",
    f"CREATE TRIGGER publication_fts_au AFTER UPDATE OF title, subtitle, abstract, record_json "
    f"ON publications BEGIN DELETE FROM publication_fts WHERE rowid = old.id; "
    f"{_sqlite_insert('new')} END",
    "CREATE TRIGGER publication_fts_ad AFTER DELETE ON publications BEGIN "
    "DELETE FROM publication_fts WHERE rowid = old.id; END",
]

# Revision 0003_search's PG_DOCUMENT, verbatim (pipelines/search_index.py holds the same).
PG_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, "
    "coalesce(title, '') || ' ' || coalesce(subtitle, '')), 'A') || "
    "setweight(jsonb_to_tsvector('english'::regconfig, "
    "coalesce(record_json::jsonb -> 'keywords', '[]'::jsonb), '[\"string\"]'::jsonb), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(abstract, '')), 'C')"
)
_PG_MARK = (
    f"INSERT INTO {QUEUE} (publication_id) VALUES ($1) ON CONFLICT (publication_id) "
    "DO UPDATE SET publication_id = excluded.publication_id"
)
PG_UP = [
    "CREATE TABLE publication_fts (publication_id integer NOT NULL, document tsvector NOT NULL, "
    "CONSTRAINT pk_publication_fts PRIMARY KEY (publication_id))",
    f"INSERT INTO publication_fts (publication_id, document) SELECT id, {PG_DOCUMENT} "
    "FROM publications",
    "CREATE INDEX ix_publication_fts_document ON publication_fts USING gin (document)",
    "DROP INDEX IF EXISTS ix_publications_fts",
    f"CREATE TABLE {QUEUE} (publication_id integer NOT NULL, "
    f"CONSTRAINT pk_{QUEUE} PRIMARY KEY (publication_id))",
    "CREATE FUNCTION publication_fts_mark() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'DELETE' THEN {_PG_MARK.replace('$1', 'old.id')}; "
    f"ELSE {_PG_MARK.replace('$1', 'new.id')}; END IF; RETURN NULL; END $$",
    "CREATE TRIGGER publication_fts_mark_ai AFTER INSERT ON publications "
    "FOR EACH ROW EXECUTE FUNCTION publication_fts_mark()",
    "CREATE TRIGGER publication_fts_mark_ad AFTER DELETE ON publications "
    "FOR EACH ROW EXECUTE FUNCTION publication_fts_mark()",
    "CREATE TRIGGER publication_fts_mark_au AFTER UPDATE OF title, subtitle, abstract, "
    f"record_json ON publications FOR EACH ROW WHEN ({_CHANGED}) "
    "EXECUTE FUNCTION publication_fts_mark()",
    "ALTER TABLE publications ENABLE ALWAYS TRIGGER publication_fts_mark_ai",
    "ALTER TABLE publications ENABLE ALWAYS TRIGGER publication_fts_mark_au",
    "ALTER TABLE publications ENABLE ALWAYS TRIGGER publication_fts_mark_ad",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS publication_fts_mark_ad ON publications",
    "DROP TRIGGER IF EXISTS publication_fts_mark_au ON publications",
    "DROP TRIGGER IF EXISTS publication_fts_mark_ai ON publications",
    "DROP FUNCTION IF EXISTS publication_fts_mark()",
    f"DROP TABLE IF EXISTS {QUEUE}",
    "DROP TABLE IF EXISTS publication_fts",
    f"CREATE INDEX ix_publications_fts ON publications USING gin (({PG_DOCUMENT}))",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)  # "::" casts are not read as bind parameters


def upgrade() -> None:
    _run(SQLITE_UP if op.get_bind().dialect.name == "sqlite" else PG_UP)


def downgrade() -> None:
    _run(SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else PG_DOWN)
