"""Record: one research output, normalised; its JSON shape and its content hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .types_parts import (
    Citation,
    FileLink,
    Identifier,
    Metric,
    PageRange,
    PartialDate,
    Person,
    Subject,
    positional_pickle,
)

MAX_SOURCE_KEY = 500


@positional_pickle
@dataclass(frozen=True, slots=True)
class Record:
    """One research output read from one page or OAI record, already normalised.

    `source_key` identifies the record within its source (Pure UUID, handle,
    OAI identifier, else the canonical URL); the loader upserts on
    (source, source_key). `provenance` maps a field name to the layer that gave
    it ("pure:properties", "meta:citation", "ris", ...).
    """

    url: str
    platform: str
    source_key: str
    type: str | None = None
    type_raw: str | None = None
    title: str | None = None
    subtitle: str | None = None
    abstract: str | None = None
    authors: tuple[Person, ...] = ()
    doi: str | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    article_number: str | None = None
    pages: PageRange = PageRange()  # noqa: RUF009 (frozen: one shared default is safe)
    published: PartialDate | None = None
    online: PartialDate | None = None
    status: str | None = None
    status_date: PartialDate | None = None
    language: str | None = None
    publisher: str | None = None
    host_publication: str | None = None
    keywords: tuple[str, ...] = ()
    subjects: tuple[Subject, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    files: tuple[FileLink, ...] = ()
    metrics: tuple[Metric, ...] = ()
    citations: tuple[Citation, ...] = ()
    provenance: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # The key is indexed (a PostgreSQL btree entry holds 2704 bytes): a key longer than
        # MAX_SOURCE_KEY keeps a prefix and its SHA-256, the same for the same input.
        if len(self.source_key) > MAX_SOURCE_KEY:
            digest = hashlib.sha256(self.source_key.encode("utf-8", "surrogatepass")).hexdigest()
            object.__setattr__(self, "source_key", f"{self.source_key[:200]}#{digest}")

    def to_json(self) -> dict[str, Any]:
        def d(v: PartialDate | None) -> str | None:
            return v.isoformat() if v else None

        return {
            "url": self.url,
            "platform": self.platform,
            "source_key": self.source_key,
            "type": self.type,
            "type_raw": self.type_raw,
            "title": self.title,
            "subtitle": self.subtitle,
            "abstract": self.abstract,
            "authors": [p.to_json() for p in self.authors],
            "doi": self.doi,
            "journal": self.journal,
            "volume": self.volume,
            "issue": self.issue,
            "article_number": self.article_number,
            "pages": self.pages.to_json(),
            "published": d(self.published),
            "online": d(self.online),
            "status": self.status,
            "status_date": d(self.status_date),
            "language": self.language,
            "publisher": self.publisher,
            "host_publication": self.host_publication,
            "keywords": list(self.keywords),
            "subjects": [s.to_json() for s in self.subjects],
            "identifiers": [i.to_json() for i in self.identifiers],
            "files": [f.to_json() for f in self.files],
            "metrics": [m.to_json() for m in self.metrics],
            "citations": [c.to_json() for c in self.citations],
            "provenance": dict(sorted(self.provenance.items())),
            "warnings": list(self.warnings),
        }

    def content_hash(self) -> str:
        """Hash of the values a user would call "the record", for change detection.

        Metrics are left out: a citation count that ticks up nightly is not a
        change of the record (they are still stored).
        """
        data = self.to_json()
        data.pop("metrics")
        data.pop("warnings")
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()
