"""PostgreSQL: an inserting statement marks its publications once, not row by row.

Revision 0009_search_queue marks every inserted publication for the search
index with a row trigger: a PL/pgSQL call and a one-row INSERT ... ON CONFLICT
for each row, ~13 µs of backend CPU a row of the loader's COPY (EXPLAIN ANALYZE
of 10,000 rows: 124-147 ms in the trigger). A statement trigger reads the
statement's inserted rows from its transition table and marks them all with one
INSERT ... SELECT: ~5.5 µs a row (49-68 ms). The marks are the same rows written
the same way (ON CONFLICT DO UPDATE, so each stays row-locked until the writer
commits, as 0009 explains), at the same moment (after the statement), by every
writer; the trigger is ENABLE ALWAYS like the others, since pipelines.load_fk
switches row triggers off around the loader's inserts.

The update and delete marks stay row triggers: an update's trigger compares
the old and new row (WHEN), which a statement trigger cannot, and neither is on
the fresh load's path. SQLite has no statement triggers: nothing to do there.

Revision ID: 0010_pg_insert_marks
Revises: 0009_search_queue
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010_pg_insert_marks"
down_revision: str | Sequence[str] | None = "0009_search_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE = "publication_fts_pending"

PG_UP = [
    "DROP TRIGGER IF EXISTS publication_fts_mark_ai ON publications",
    "CREATE FUNCTION publication_fts_mark_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN INSERT INTO {QUEUE} (publication_id) SELECT id FROM inserted "
    "ON CONFLICT (publication_id) DO UPDATE SET publication_id = excluded.publication_id; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER publication_fts_mark_ai AFTER INSERT ON publications "
    "REFERENCING NEW TABLE AS inserted "
    "FOR EACH STATEMENT EXECUTE FUNCTION publication_fts_mark_inserted()",
    "ALTER TABLE publications ENABLE ALWAYS TRIGGER publication_fts_mark_ai",
]
# Revision 0009_search_queue's insert trigger, verbatim (its function is still there).
PG_DOWN = [
    "DROP TRIGGER IF EXISTS publication_fts_mark_ai ON publications",
    "DROP FUNCTION IF EXISTS publication_fts_mark_inserted()",
    "CREATE TRIGGER publication_fts_mark_ai AFTER INSERT ON publications "
    "FOR EACH ROW EXECUTE FUNCTION publication_fts_mark()",
    "ALTER TABLE publications ENABLE ALWAYS TRIGGER publication_fts_mark_ai",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DOWN:
            op.execute(statement)
