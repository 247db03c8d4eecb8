"""Ranked full-text search over title, abstract and keywords (revisions 0003, 0009).

One query syntax on both databases, PostgreSQL's `websearch_to_tsquery`:
words are all required, `"a phrase"` must appear as written, `or` between two
terms accepts either, `-word` excludes. SQLite gets the same query translated
to FTS5 syntax, every term quoted so that no user input is read as an FTS5
operator or column filter. Both stem English words (porter / 'english').
Ranks: SQLite bm25 weighting title 10, keywords 5, abstract 1; PostgreSQL
ts_rank over the weighted tsvector (title A, keywords B, abstract C).
The index (`publication_fts` on both) is refreshed in bulk from a queue of
marked publications (pipelines.search_index); a search refreshes it first, so
it never answers from a stale index.
Withdrawn records (deleted_at set) are not returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, text

from harvester.errors import DatabaseError

from .search_index import PG_DOCUMENT, refresh_search

__all__ = ["PG_DOCUMENT", "Hit", "SearchQueryError", "fts5_query", "search"]

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


class SearchQueryError(DatabaseError):
    """A search query with nothing to look for (exit 2)."""


@dataclass(frozen=True, slots=True)
class Hit:
    id: int
    source: str
    published: str | None
    title: str | None
    score: float

    @property
    def year(self) -> str:
        return self.published[:4] if self.published else ""


def fts5_query(query: str) -> str:
    """The websearch-style query as an FTS5 expression; raises on an empty one.

    `graphene "bilayer systems" -twisted` -> `"graphene" "bilayer systems" NOT "twisted"`.
    """
    parts: list[str] = []
    waiting: list[str] = []
    positive = 0
    pending_or = False
    for m in _TOKEN.finditer(query):
        negated, phrase, word = m.group(1), m.group(2), m.group(3)
        if word is not None and word.lower() == "or":
            pending_or = bool(parts)
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            negated, word = "-", word[1:]
        term = (phrase if phrase is not None else word or "").strip()
        if not re.search(r"\w", term):
            continue
        quoted = '"' + term.replace('"', '""') + '"'
        if negated and positive:
            parts.append(f"NOT {quoted}")
        elif negated:  # FTS5 has no unary NOT: hold it until there is a term to subtract from
            waiting.append(f"NOT {quoted}")
        else:
            parts.append(f"OR {quoted}" if pending_or else quoted)
            parts.extend(waiting)
            waiting.clear()
            positive += 1
        pending_or = False
    if not positive:
        raise SearchQueryError(f"nothing to search for in {query!r}", field="query")
    return " ".join(parts)


_SQLITE = """
SELECT v.id, v.source, v.published, v.title,
       bm25(publication_fts, 10.0, 1.0, 5.0) AS score
FROM publication_fts JOIN v_publications v ON v.id = publication_fts.rowid
WHERE publication_fts MATCH :query AND v.deleted_at IS NULL
ORDER BY score, v.id
LIMIT :limit
"""

_TSQUERY = "websearch_to_tsquery('english'::regconfig, :query)"
_POSTGRES = (
    "SELECT p.id, s.name AS source, p.published, p.title, "
    f"ts_rank(f.document, {_TSQUERY}) AS score "
    "FROM publication_fts f JOIN publications p ON p.id = f.publication_id "
    "JOIN sources s ON s.id = p.source_id "
    f"WHERE f.document @@ {_TSQUERY} AND p.deleted_at IS NULL "
    "ORDER BY score DESC, p.id LIMIT :limit"
)  # "::" casts are safe in text(): a bind parameter is one colon before a name


def search(conn: Connection, query: str, *, limit: int = 20) -> list[Hit]:
    """The best `limit` matches, best first, after bringing the index up to date.

    Outside a transaction the refresh commits on its own; inside the caller's
    transaction it is left to the caller's commit (its answers are right either way).
    """
    translated = fts5_query(query)  # validates on both backends alike
    if conn.in_transaction():  # the caller's transaction: its commit keeps the refresh
        refresh_search(conn)
    else:
        with conn.begin():
            refresh_search(conn)
    if conn.dialect.name == "sqlite":
        sql, params = _SQLITE, {"query": translated, "limit": limit}
    else:
        sql, params = _POSTGRES, {"query": query, "limit": limit}
    rows = conn.execute(text(sql), params)
    return [Hit(int(r.id), r.source, r.published, r.title, float(r.score)) for r in rows]
