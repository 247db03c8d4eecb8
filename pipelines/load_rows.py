"""Pure functions turning Records into table rows (tuples in fixed column order).

Kept apart from the SQL so the mapping (natural keys, positions, defaults)
can be read and tested without a database. Positions count from 1.

Rows are tuples, not dicts: the loader hands them straight to the driver's
executemany or COPY, and a dict per row was a measurable share of load time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from itertools import count, repeat
from typing import Any

import orjson

from harvester.types import PartialDate, Person, Record

from .load_json import dumps
from .load_json import json_and_hash as json_and_hash  # re-exported: callers import it here
from .load_json import record_json as record_json

ISSN_SCHEMES = ("issn", "eissn")
Row = tuple[Any, ...]

PUBLICATION_COLUMNS = (
    "id", "source_id", "source_key", "url", "platform", "type", "type_raw", "title", "subtitle",
    "abstract", "doi", "venue_id", "journal", "volume", "issue", "article_number", "page_first",
    "page_last", "page_count", "published", "published_precision", "online", "status",
    "status_date", "language", "publisher", "host_publication", "record_json",
    "provenance_json", "content_hash", "first_seen", "last_changed", "last_seen",
)  # fmt: skip
PERSON_COLUMNS = ("person_key", "name", "family", "given", "orcid")
VENUE_COLUMNS = ("venue_key", "title", "issn", "kind")
AUTHOR_COLUMNS = ("publication_id", "role", "position", "person_id", "name", "family", "given",
                  "orcid", "affiliations_json")  # fmt: skip
CHILD_COLUMNS: dict[str, tuple[str, ...]] = {
    "keywords": ("publication_id", "position", "keyword"),
    "subjects": ("publication_id", "position", "scheme", "term", "code", "weight"),
    "identifiers": ("publication_id", "scheme", "value"),
    "files": ("publication_id", "position", "url", "name", "mime", "access"),
    "citations": ("publication_id", "position", "format", "text"),
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _affiliations(person: Person) -> str:
    return dumps(list(person.affiliations)) if person.affiliations else "[]"


def person_key(person: Person) -> str:
    """orcid:..., else url:<profile url>, else name:<family>|<given> (casefolded)."""
    if person.orcid:
        return _bounded(f"orcid:{person.orcid}")
    if person.url:
        return _bounded(f"url:{person.url}")
    family = (person.family or person.name).casefold()
    return _bounded(f"name:{family}|{(person.given or '').casefold()}")


def venue_key(record: Record) -> str | None:
    """issn:..., else title:<casefolded journal title>, else None (no venue)."""
    issn = _issn(record)
    if issn:
        return _bounded(f"issn:{issn}")
    if record.journal:
        return _bounded(f"title:{record.journal.casefold()}")
    return None


# A PostgreSQL btree entry holds at most 2704 bytes: a 3 KB author "name" (a paragraph
# in the wrong field) failed the whole batch. Longer keys keep a prefix and a hash.
_MAX_KEY = 500


def _bounded(key: str) -> str:
    if len(key) <= _MAX_KEY:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{key[:200]}#{digest}"


def _issn(record: Record) -> str | None:
    for scheme in ISSN_SCHEMES:
        for ident in record.identifiers:
            if ident.scheme == scheme:
                return ident.value
    return None


def venue_rows(records: Sequence[Record], keys: Mapping[str, str | None]) -> dict[str, Row]:
    """VENUE_COLUMNS rows by venue key (`keys`: venue_key of each record by source key);
    the first record naming a venue describes it."""
    rows: dict[str, Row] = {}
    for r in records:
        key = keys[r.source_key]
        if key and key not in rows:
            rows[key] = (key, r.journal, _issn(r), "journal")
    return rows


def person_rows(authors: Sequence[Row]) -> dict[str, Row]:
    """PERSON_COLUMNS rows by person key, from author_rows' rows (person key in the
    person_id slot); the first mention of a person describes them."""
    rows: dict[str, Row] = {}
    for a in authors:
        if a[3] not in rows:
            rows[a[3]] = a[3:8]  # person_key, name, family, given, orcid
    return rows


def with_person_ids(authors: Sequence[Row], person_ids: Mapping[str, int]) -> list[Row]:
    """author_rows' rows with each person key replaced by the person's id."""
    return [(a[0], a[1], a[2], person_ids[a[3]], a[4], a[5], a[6], a[7], a[8]) for a in authors]


def _iso(value: PartialDate | None) -> str | None:
    return value.isoformat() if value else None


def publication_row(
    r: Record,
    pid: int | None,
    source_id: int,
    shape: tuple[str, str],
    venue_id: int | None,
    stamp: Any,
) -> Row:
    """PUBLICATION_COLUMNS values; `stamp` is `now` already in the driver's form."""
    canonical, content_hash = shape
    p = r.pages
    return (
        pid, source_id, r.source_key, r.url, r.platform, r.type, r.type_raw, r.title,
        r.subtitle, r.abstract, r.doi, venue_id, r.journal, r.volume, r.issue,
        r.article_number, p.first, p.last, p.count, _iso(r.published),
        r.published.precision if r.published else None, _iso(r.online), r.status,
        _iso(r.status_date), r.language, r.publisher, r.host_publication,
        record_json(r, canonical), _provenance_json(r.provenance), content_hash,
        stamp, stamp, stamp,
    )  # fmt: skip


def _provenance_json(provenance: Mapping[str, str]) -> str:
    if not provenance:
        return "{}"
    ordered = dict(sorted(provenance.items()))
    try:  # the same text as json.dumps for text keys and values, a third of the time
        return orjson.dumps(ordered).decode("utf-8")
    except TypeError:
        return dumps(ordered)


def author_rows(records: Sequence[Record], ids: Mapping[str, int]) -> list[Row]:
    """AUTHOR_COLUMNS rows with the person KEY in the person_id slot (see person_rows)."""
    return list(iter_author_rows(records, ids))


def iter_author_rows(records: Sequence[Record], ids: Mapping[str, int]) -> Iterator[Row]:
    """author_rows, made one at a time (PostgreSQL's COPY sends each as it comes)."""
    for r in records:
        pid = ids[r.source_key]
        by_role: dict[str, int] = {}
        for p in r.authors:
            by_role[p.role] = position = by_role.get(p.role, 0) + 1
            yield (pid, p.role, position, person_key(p), p.name, p.family, p.given, p.orcid,
                   _affiliations(p))  # fmt: skip


def child_rows(records: Sequence[Record], ids: Mapping[str, int]) -> dict[str, list[Row]]:
    """CHILD_COLUMNS rows (every replaced child table but authorships) by table name."""
    return {name: list(make(records, ids)) for name, make in _CHILD_ROWS.items()}


def child_row_streams(records: Sequence[Record], ids: Mapping[str, int]
                      ) -> dict[str, Iterator[Row]]:  # fmt: skip
    """child_rows made one at a time, for the tables some record has rows for."""
    wanted = {"keywords": any(r.keywords for r in records),
              "subjects": any(r.subjects for r in records),
              "identifiers": any(r.identifiers for r in records),
              "files": any(r.files for r in records),
              "citations": any(r.citations for r in records)}  # fmt: skip
    return {name: make(records, ids) for name, make in _CHILD_ROWS.items() if wanted[name]}


def _keyword_rows(records: Sequence[Record], ids: Mapping[str, int]) -> Iterator[Row]:
    for r in records:
        if r.keywords:  # zip makes the tuples in C: no generator frame a row
            yield from zip(repeat(ids[r.source_key]), count(1), r.keywords)


def _subject_rows(records: Sequence[Record], ids: Mapping[str, int]) -> Iterator[Row]:
    for r in records:
        if r.subjects:
            pid = ids[r.source_key]
            yield from ((pid, i, s.scheme, s.term, s.code, s.weight)
                        for i, s in enumerate(r.subjects, 1))  # fmt: skip


def _identifier_rows(records: Sequence[Record], ids: Mapping[str, int]) -> Iterator[Row]:
    for r in records:
        if r.identifiers:
            pid = ids[r.source_key]
            # the primary key is (publication, scheme, value): a repeated identifier is stored
            # once; an "identifier" longer than an index entry is not one: record_json only
            yield from dict.fromkeys([(pid, i.scheme, i.value) for i in r.identifiers
                                      if len(i.value) <= _MAX_KEY])  # fmt: skip


def _file_rows(records: Sequence[Record], ids: Mapping[str, int]) -> Iterator[Row]:
    for r in records:
        if r.files:
            pid = ids[r.source_key]
            yield from ((pid, i, f.url, f.name, f.mime, f.access)
                        for i, f in enumerate(r.files, 1))  # fmt: skip


def _citation_rows(records: Sequence[Record], ids: Mapping[str, int]) -> Iterator[Row]:
    for r in records:
        if r.citations:
            pid = ids[r.source_key]
            yield from ((pid, i, c.format, c.text) for i, c in enumerate(r.citations, 1))


_CHILD_ROWS = {"keywords": _keyword_rows, "subjects": _subject_rows,
               "identifiers": _identifier_rows, "files": _file_rows,
               "citations": _citation_rows}  # fmt: skip


def metric_rows(
    records: Sequence[Record], ids: Mapping[str, int], now: datetime
) -> list[dict[str, Any]]:
    """One row per (publication, name, source); a missing `seen` is today's date."""
    today = now.astimezone(UTC).date().isoformat()
    rows: dict[tuple[int, str, str], dict[str, Any]] = {}
    for r in records:
        pid = ids[r.source_key]
        for m in r.metrics:
            source = m.source or ""
            rows[(pid, m.name, source)] = {
                "publication_id": pid, "name": m.name, "source": source,
                "value": m.value, "seen": m.seen or today,
            }  # fmt: skip
    return list(rows.values())
