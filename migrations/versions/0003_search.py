"""Full-text search over title (with subtitle), abstract and keywords.

Keywords are read from `publications.record_json` (the loader writes the
keywords table from the same list), so the index depends on the publications
row alone: no trigger on `keywords`, and one index write per stored record.
A first version refreshed the index from triggers on `keywords` too; that cut
the SQLite bulk load from ~8,300 to ~2,400 records/s (bench/load.py, 30,000
records), because FTS5 rewrites a row for every keyword inserted.

SQLite: an FTS5 table `publication_fts` (rowid = publication id; porter
stemming, diacritics folded), kept in step by triggers on `publications`.
PostgreSQL: a GIN expression index `ix_publications_fts` over a weighted
tsvector (title A, keywords B, abstract C); `pipelines.search` repeats the
expression verbatim so the planner uses it (a test checks the plan).

Caution for later revisions: on SQLite a batch-mode ALTER of `publications`
recreates the table and silently drops its triggers; such a revision must
re-create them and refill the index, as the last statement of SQLITE_UP does.

Revision ID: 0003_search
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003_search"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TITLE = "trim(coalesce({r}.title, '') || ' ' || coalesce({r}.subtitle, ''))"
_KEYWORDS = "(SELECT group_concat(value, ' ') FROM json_each({r}.record_json, '$.keywords'))"


def _sqlite_insert(r: str) -> str:
    return (
        "INSERT INTO publication_fts (rowid, title, abstract, keywords) VALUES "
        f"({r}.id, {_TITLE.format(r=r)}, {r}.abstract, {_KEYWORDS.format(r=r)});"
    )


SQLITE_UP = [
    "CREATE VIRTUAL TABLE publication_fts USING fts5("
    "title, abstract, keywords, tokenize = 'porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER publication_fts_ai AFTER INSERT ON publications BEGIN "
    f"{_sqlite_insert('new')} END",
    f"CREATE TRIGGER publication_fts_au AFTER UPDATE OF title, subtitle, abstract, record_json "
    f"ON publications BEGIN DELETE FROM publication_fts WHERE rowid = old.id; "
    f"{_sqlite_insert('new')} END",
    "CREATE TRIGGER publication_fts_ad AFTER DELETE ON publications BEGIN "
    "DELETE FROM publication_fts WHERE rowid = old.id; END",
    "INSERT INTO publication_fts (rowid, title, abstract, keywords) "
    f"SELECT p.id, {_TITLE.format(r='p')}, p.abstract, {_KEYWORDS.format(r='p')} "
    "FROM publications p",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS publication_fts_ad",
    "DROP TRIGGER IF EXISTS publication_fts_au",
    "DROP TRIGGER IF EXISTS publication_fts_ai",
    "DROP TABLE IF EXISTS publication_fts",
]

# Copied into pipelines/search.py (PG_DOCUMENT); both must stay character-identical.
PG_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, "
    "coalesce(title, '') || ' ' || coalesce(subtitle, '')), 'A') || "
    "setweight(jsonb_to_tsvector('english'::regconfig, "
    "coalesce(record_json::jsonb -> 'keywords', '[]'::jsonb), '[\"string\"]'::jsonb), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(abstract, '')), 'C')"
)
PG_UP = [f"CREATE INDEX ix_publications_fts ON publications USING gin (({PG_DOCUMENT}))"]
PG_DOWN = ["DROP INDEX IF EXISTS ix_publications_fts"]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)  # "::" casts are not read as bind parameters


def upgrade() -> None:
    _run(SQLITE_UP if op.get_bind().dialect.name == "sqlite" else PG_UP)


def downgrade() -> None:
    _run(SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else PG_DOWN)
