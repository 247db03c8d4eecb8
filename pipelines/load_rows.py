"""Pure functions turning Records into table rows (dicts) for `pipelines.load`.

Kept apart from the SQL so the mapping (natural keys, positions, defaults)
can be read and tested without a database. Positions count from 1.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table

from harvester.types import PartialDate, Person, Record

from .models import authorships, citations, files, identifiers, keywords, subjects

ISSN_SCHEMES = ("issn", "eissn")
_UNHASHED = ("metrics", "warnings")  # as in Record.content_hash


def utcnow() -> datetime:
    return datetime.now(UTC)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_and_hash(record: Record) -> tuple[str, str]:
    """The canonical JSON the content hash is taken of, and `record.content_hash()`.

    Same algorithm as Record.content_hash (a test holds them equal), done here
    because the loader also stores the JSON and `to_json` is the costly part.
    """
    data = record.to_json()
    shape = {k: v for k, v in data.items() if k not in _UNHASHED}
    blob = json.dumps(shape, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return blob, hashlib.sha256(blob.encode("utf-8")).hexdigest()


def record_json(record: Record, canonical: str) -> str:
    """JSON text of `record.to_json()`: the hashed JSON plus the fields left out of the hash.

    Splicing saves encoding the whole record a second time.
    """
    extra = _dumps({"metrics": [m.to_json() for m in record.metrics],
                    "warnings": list(record.warnings)})  # fmt: skip
    return f"{canonical[:-1]},{extra[1:]}"


def _affiliations(person: Person) -> str:
    return _dumps(list(person.affiliations)) if person.affiliations else "[]"


def person_key(person: Person) -> str:
    """orcid:..., else url:<profile url>, else name:<family>|<given> (casefolded)."""
    if person.orcid:
        return f"orcid:{person.orcid}"
    if person.url:
        return f"url:{person.url}"
    family = (person.family or person.name).casefold()
    return f"name:{family}|{(person.given or '').casefold()}"


def venue_key(record: Record) -> str | None:
    """issn:..., else title:<casefolded journal title>, else None (no venue)."""
    issn = _issn(record)
    if issn:
        return f"issn:{issn}"
    if record.journal:
        return f"title:{record.journal.casefold()}"
    return None


def _issn(record: Record) -> str | None:
    for scheme in ISSN_SCHEMES:
        for ident in record.identifiers:
            if ident.scheme == scheme:
                return ident.value
    return None


def venue_rows(records: Sequence[Record]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for r in records:
        key = venue_key(r)
        if key and key not in rows:
            rows[key] = {"venue_key": key, "title": r.journal, "issn": _issn(r), "kind": "journal"}
    return rows


def person_rows(records: Sequence[Record]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for r in records:
        for p in r.authors:
            key = person_key(p)
            if key not in rows:
                rows[key] = {
                    "person_key": key,
                    "name": p.name,
                    "family": p.family,
                    "given": p.given,
                    "orcid": p.orcid,
                }
    return rows


def _iso(value: PartialDate | None) -> str | None:
    return value.isoformat() if value else None


def publication_row(
    r: Record,
    source_id: int,
    canonical_json: str,
    content_hash: str,
    venue_ids: Mapping[str, int],
    now: datetime,
) -> dict[str, Any]:
    key = venue_key(r)
    return {
        "source_id": source_id,
        "source_key": r.source_key,
        "url": r.url,
        "platform": r.platform,
        "type": r.type,
        "type_raw": r.type_raw,
        "title": r.title,
        "subtitle": r.subtitle,
        "abstract": r.abstract,
        "doi": r.doi,
        "venue_id": venue_ids[key] if key else None,
        "journal": r.journal,
        "volume": r.volume,
        "issue": r.issue,
        "article_number": r.article_number,
        "page_first": r.pages.first,
        "page_last": r.pages.last,
        "page_count": r.pages.count,
        "published": _iso(r.published),
        "published_precision": r.published.precision if r.published else None,
        "online": _iso(r.online),
        "status": r.status,
        "status_date": _iso(r.status_date),
        "language": r.language,
        "publisher": r.publisher,
        "host_publication": r.host_publication,
        "record_json": record_json(r, canonical_json),
        "provenance_json": _dumps(dict(sorted(r.provenance.items()))),
        "content_hash": content_hash,
        "first_seen": now,
        "last_changed": now,
        "last_seen": now,
    }


def child_rows(
    records: Sequence[Record], ids: Mapping[str, int], person_ids: Mapping[str, int]
) -> dict[Table, list[dict[str, Any]]]:
    """Rows of every replaced child table for these records."""
    out: dict[Table, list[dict[str, Any]]] = {
        t: [] for t in (authorships, keywords, subjects, identifiers, files, citations)
    }
    for r in records:
        pid = ids[r.source_key]
        by_role: dict[str, int] = {}
        for p in r.authors:
            by_role[p.role] = position = by_role.get(p.role, 0) + 1
            out[authorships].append({
                "publication_id": pid, "role": p.role, "position": position,
                "person_id": person_ids[person_key(p)], "name": p.name, "family": p.family,
                "given": p.given, "orcid": p.orcid,
                "affiliations_json": _affiliations(p),
            })  # fmt: skip
        out[keywords].extend(
            {"publication_id": pid, "position": i, "keyword": k}
            for i, k in enumerate(r.keywords, 1)
        )
        out[subjects].extend(
            {"publication_id": pid, "position": i, "scheme": s.scheme, "term": s.term,
             "code": s.code, "weight": s.weight}
            for i, s in enumerate(r.subjects, 1)
        )  # fmt: skip
        # the primary key is (publication, scheme, value): a repeated identifier is stored once
        seen = dict.fromkeys((i.scheme, i.value) for i in r.identifiers)
        out[identifiers].extend(
            {"publication_id": pid, "scheme": s, "value": v} for s, v in seen
        )
        out[files].extend(
            {"publication_id": pid, "position": i, "url": f.url, "name": f.name,
             "mime": f.mime, "access": f.access}
            for i, f in enumerate(r.files, 1)
        )  # fmt: skip
        out[citations].extend(
            {"publication_id": pid, "position": i, "format": c.format, "text": c.text}
            for i, c in enumerate(r.citations, 1)
        )
    return out


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
