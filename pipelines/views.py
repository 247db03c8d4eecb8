"""The SQL views users query, as plain SQL (the same text on SQLite and PostgreSQL).

Alembic autogenerate does not know views, so a revision creates them with
`op.execute(create_view_sql(...))` and `migrations/env.py` hides them from
`alembic check`. A revision copies the SELECT it needs instead of importing
this module, so later edits here cannot rewrite history; the tests check that
the migrated database and these definitions agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

V_PUBLICATIONS = """
SELECT p.id, s.name AS source, p.url, p.platform, p.type, p.title, p.abstract, p.doi,
       p.journal, p.volume, p.issue, p.page_first, p.page_last, p.page_count,
       p.published, p.online, p.language, p.status, p.first_seen, p.last_changed,
       p.deleted_at
FROM publications p JOIN sources s ON s.id = p.source_id
"""

V_PUBLICATION_AUTHORS = """
SELECT a.publication_id, a.position, a.family, a.given, a.name, a.orcid
FROM authorships a
WHERE a.role = 'author'
"""

V_PUBLICATION_KEYWORDS = """
SELECT k.publication_id, k.keyword
FROM keywords k
"""

V_PUBLICATION_IDENTIFIERS = """
SELECT p.id AS publication_id, 'doi' AS scheme, p.doi AS value
FROM publications p
WHERE p.doi IS NOT NULL
UNION ALL
SELECT i.publication_id, i.scheme, i.value
FROM identifiers i
"""

V_PUBLICATION_SUBJECTS = """
SELECT s.publication_id, s.position, s.scheme, s.term, s.code, s.weight
FROM subjects s
"""

V_HARVEST_RUNS = """
SELECT r.id AS run_id, s.name AS source, r.started_at, r.finished_at, r.status,
       rs.fetched, rs.not_modified, rs.new, rs.changed, rs.unchanged, rs.failed,
       rs.seconds
FROM harvest_runs r
JOIN harvest_run_sources rs ON rs.run_id = r.id
JOIN sources s ON s.id = rs.source_id
"""

_FILLED = " + ".join(
    f"CASE WHEN p.{c} IS NULL THEN 0 ELSE 1 END"
    for c in ("title", "abstract", "doi", "journal", "volume", "issue", "page_first",
              "page_last", "published", "type", "language", "publisher")
)  # fmt: skip

# Best values: the member with the most filled fields, ties to the earliest seen.
V_WORKS = f"""
SELECT b.work_id, b.title, b.doi, b.published, b.type, b.journal,
       c.n_sources, c.n_publications
FROM (SELECT m.work_id, p.title, p.doi, p.published, p.type, p.journal,
             row_number() OVER (PARTITION BY m.work_id
                                ORDER BY {_FILLED} DESC, p.first_seen, p.id) AS pick
      FROM work_members m JOIN publications p ON p.id = m.publication_id) b
JOIN (SELECT m.work_id, count(DISTINCT p.source_id) AS n_sources, count(*) AS n_publications
      FROM work_members m JOIN publications p ON p.id = m.publication_id
      GROUP BY m.work_id) c ON c.work_id = b.work_id
WHERE b.pick = 1
"""

V_WORK_SOURCES = """
SELECT m.work_id, m.publication_id, s.name AS source, p.url, m.reason
FROM work_members m
JOIN publications p ON p.id = m.publication_id
JOIN sources s ON s.id = p.source_id
"""

V_PUBLICATION_VERSIONS = """
SELECT v.publication_id, v.version, v.changed_at, v.change, v.changed_fields,
       v.diff_json AS diff, v.fetch_url, v.fetch_sha256
FROM publication_versions v
"""

VIEWS: dict[str, str] = {
    "v_publications": V_PUBLICATIONS,
    "v_publication_authors": V_PUBLICATION_AUTHORS,
    "v_publication_keywords": V_PUBLICATION_KEYWORDS,
    "v_publication_identifiers": V_PUBLICATION_IDENTIFIERS,
    "v_publication_subjects": V_PUBLICATION_SUBJECTS,
    "v_works": V_WORKS,
    "v_work_sources": V_WORK_SOURCES,
    "v_publication_versions": V_PUBLICATION_VERSIONS,
}
"""View name -> SELECT body."""

RUN_VIEWS: dict[str, str] = {
    "v_harvest_runs": V_HARVEST_RUNS,
}
"""Views over harvest runs (revision 0006_run_report), kept apart from VIEWS because
they stay empty until a harvest has run."""

VIEW_COLUMNS: dict[str, tuple[str, ...]] = {
    "v_publications": (
        "id", "source", "url", "platform", "type", "title", "abstract", "doi", "journal",
        "volume", "issue", "page_first", "page_last", "page_count", "published", "online",
        "language", "status", "first_seen", "last_changed", "deleted_at",
    ),
    "v_publication_authors": ("publication_id", "position", "family", "given", "name", "orcid"),
    "v_publication_keywords": ("publication_id", "keyword"),
    "v_publication_identifiers": ("publication_id", "scheme", "value"),
    "v_publication_subjects": ("publication_id", "position", "scheme", "term", "code", "weight"),
    "v_works": ("work_id", "title", "doi", "published", "type", "journal", "n_sources",
                "n_publications"),
    "v_work_sources": ("work_id", "publication_id", "source", "url", "reason"),
    "v_publication_versions": ("publication_id", "version", "changed_at", "change",
                               "changed_fields", "diff", "fetch_url", "fetch_sha256"),
    "v_harvest_runs": (
        "run_id", "source", "started_at", "finished_at", "status", "fetched", "not_modified",
        "new", "changed", "unchanged", "failed", "seconds",
    ),
}  # fmt: skip
"""The documented columns of each view, in order."""


def create_view_sql(name: str, select: str) -> str:
    return f"CREATE VIEW {name} AS {select.strip()}"


def drop_view_sql(name: str) -> str:
    return f"DROP VIEW IF EXISTS {name}"


SEARCH_TABLE = "publication_fts"
SEARCH_INDEX = "ix_publications_fts"
"""Full-text search (revision 0003_search): an FTS5 table on SQLite (with its shadow
tables publication_fts_data, _idx, ...), a GIN expression index on PostgreSQL.
Both are hand-written SQL the models do not describe, so autogenerate skips them."""


def is_view_name(name: str | None) -> bool:
    """True for names that belong to views, which autogenerate must ignore."""
    return name is not None and (name in VIEWS or name.startswith("v_"))


def _unmanaged(name: str | None, type_: str) -> bool:
    if name is None:
        return False
    if type_ == "table":
        return is_view_name(name) or name.startswith(SEARCH_TABLE)
    return type_ == "index" and name == SEARCH_INDEX


def include_name(name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
    """Alembic `include_name` hook: leave views and the search index out of autogenerate."""
    return not _unmanaged(name, type_)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic `include_object` hook, the same rule for objects already reflected."""
    return not _unmanaged(name, type_)
