"""Work rows as read back: work_members and work_overrides rows, and the match keys of
publications, from the Records in hand or from the stored values."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any, NamedTuple

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.types import NullType

from harvester.types import Record

from .load_bulk import array_literal, is_postgres, one_of
from .models import authorships, publications, work_members, work_overrides
from .works_keys import Keys, normalise_name, title_key, year_of
from .works_match import title_link

_IN_CHUNK = 5000
MEMBER_COLUMNS = ("publication_id", "work_id", "reason", "score", "matched_with",
                  "matched_json", "match_doi", "match_title", "match_year", "match_author",
                  "match_type")  # fmt: skip


class Member(NamedTuple):
    """A work_members row without its decided_at, comparable with a new decision."""

    publication_id: int
    work_id: int
    reason: str
    score: float
    matched_with: int | None
    matched_json: str
    match_doi: str | None
    match_title: str | None
    match_year: str | None
    match_author: str | None
    match_type: str | None

    def keys(self) -> Keys:
        return Keys(self[0], *self[6:])  # publication_id and the match_* fields, in order

    def judged_by(self, keys: Keys) -> bool:
        """Whether these (this publication's) keys are the ones its decision was made on:
        `keys() == keys` without making a Keys (a batch of changed records asks each)."""
        return self[6:] == keys[1:]


class Override(NamedTuple):
    id: int
    publication_id: int
    action: str
    other_publication_id: int | None


def _doi(value: str | None) -> str | None:
    return value.strip().casefold() or None if value else None


def record_keys(record: Record, publication_id: int) -> Keys:
    """The keys `stored_keys` computes from the stored row, taken from the Record (one per
    record of every written batch: plain loops, no generator or isoformat)."""
    author = None
    for person in record.authors:
        if person.role == "author":
            author = normalise_name(person.family or person.name)
            break
    published = record.published  # its isoformat starts with the 4-digit year
    doi = record.doi
    return Keys(publication_id, doi.strip().casefold() or None if doi else None,
                title_key(record.title, record.subtitle),
                year_of(f"{published.year:04d}") if published else None, author, record.type)


def stored_keys(conn: Connection, where: ColumnElement[bool] | None) -> dict[int, Keys]:
    """Match keys computed from the stored publications (all of them when `where` is None)."""
    p, a = publications.c, authorships.c
    first = and_(a.publication_id == p.id, a.role == "author", a.position == 1)
    query = (select(p.id, p.doi, p.title, p.subtitle, p.published, p.type, a.family, a.name)
             .select_from(publications.outerjoin(authorships, first)))  # fmt: skip
    if where is not None:
        query = query.where(where)
    return {
        pid: Keys(pid, _doi(doi), title_key(title, subtitle), year_of(published),
                  normalise_name(family or name), kind)
        for pid, doi, title, subtitle, published, kind, family, name in conn.execute(query)
    }  # fmt: skip


def read_members(conn: Connection, column: Any, values: Collection[Any]) -> dict[int, Member]:
    found: dict[int, Member] = {}
    columns = [work_members.c[c] for c in MEMBER_COLUMNS]
    for chunk in chunks(list(values)):
        for row in conn.execute(select(*columns).where(one_of(conn, column, chunk))):
            found[row[0]] = Member(*row)
    return found


def read_linked(conn: Connection, fresh: Iterable[Keys]) -> dict[int, Member]:
    """Stored members (not among `fresh`) whose titles link to a fresh record in its
    (year, first author) block. The rest of a block keeps its decision, so only
    fresh x block pairs are compared, and only linked rows are kept."""
    blocks: dict[tuple[str, str], list[Keys]] = defaultdict(list)
    ids: set[int] = set()
    some_without: set[tuple[str, str]] = set()  # blocks with a fresh record without a DOI
    for k in fresh:
        ids.add(k.publication_id)
        if k.title and k.year and k.author:
            block = (k.author, k.year)
            blocks[block].append(k)
            if not k.doi:
                some_without.add(block)
    # Titles never link across two DOIs (and one DOI is read by DOI): a block whose fresh
    # records all have one needs only its rows without. (Unsorted: the rows found are the
    # same in any order, and sorting a batch's 5,000 pairs cost ~0.5 µs a record.)
    with_doi = list(blocks.keys() - some_without)
    any_doi = list(some_without)
    wm = work_members.c
    columns = [wm[c] for c in MEMBER_COLUMNS]
    found: dict[int, Member] = {}
    for pairs, doi_free in [(c, True) for c in chunks(with_doi)] + \
                           [(c, False) for c in chunks(any_doi)]:  # fmt: skip
        where = and_(_block_in(conn, pairs), wm.match_title.is_not(None))
        if doi_free:  # not `IS NULL`: SQLite would read every row without a DOI by index
            where = and_(where, func.coalesce(wm.match_doi, "") == "")
        for row in conn.execute(select(*columns).where(where)):
            pid, doi, title, year, author, kind = row[0], *row[6:]
            if pid in ids:
                continue
            keys = Keys(pid, doi, title, year, author, kind)
            if any(title_link(keys, k) is not None for k in blocks[(author, year)]):
                found[pid] = Member(*row)
    return found


def _block_in(conn: Connection, pairs: list[tuple[str, str]]) -> ColumnElement[bool]:
    """(match_author, match_year) among the pairs, in one parameter (or two arrays) that
    the (author, year) index is searched with; an expanded `IN (VALUES ...)` costs Python
    time per pair to render and, with a second condition, made SQLite scan the table."""
    wm = work_members.c
    if is_postgres(conn):
        from sqlalchemy.dialects.postgresql import ARRAY  # not on SQLite's start-up path

        # array text, not lists psycopg would quote in Python item by item (load_bulk.one_of)
        authors = cast(bindparam(None, array_literal([a for a, _ in pairs]), NullType()),
                       ARRAY(Text))  # fmt: skip
        years = cast(bindparam(None, array_literal([y for _, y in pairs]), NullType()),
                     ARRAY(String))  # fmt: skip
        listed = select(func.unnest(authors), func.unnest(years))
    else:
        each = func.json_each(bindparam(None, _json_text(pairs), type_=Text))
        value: ColumnElement[Any] = literal_column("value")
        listed = select(func.json_extract(value, "$[0]"),
                        func.json_extract(value, "$[1]")).select_from(each)  # fmt: skip
    return tuple_(wm.match_author, wm.match_year).in_(listed)


def _json_text(pairs: list[tuple[str, str]]) -> str:
    """JSON text of the pairs for json_each: orjson (~10x faster than json.dumps on a
    batch's 5,000 pairs); json.dumps for text orjson refuses (a lone surrogate)."""
    try:
        return orjson.dumps(pairs).decode()
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(pairs)


def read_overrides(conn: Connection, ids: list[int]) -> list[Override]:
    o = work_overrides.c
    found: list[Override] = []
    for chunk in chunks(ids):
        query = select(o.id, o.publication_id, o.action, o.other_publication_id).where(
            or_(one_of(conn, o.publication_id, chunk), one_of(conn, o.other_publication_id,
                                                                chunk)))  # fmt: skip
        found.extend(Override(*row) for row in conn.execute(query))
    return found


def chunks(items: Sequence[Any], size: int = _IN_CHUNK) -> Iterable[list[Any]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]
