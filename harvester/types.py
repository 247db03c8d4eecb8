"""The data that flows from fetchers to parsers to the loader.

Every value object is a frozen dataclass: a parser builds a `Record` once and
nothing downstream may change it. The loader accepts `Record` and nothing else.
`Record.to_json()` is the one public record shape (GOLD.md keys plus extras),
used by `harvester parse`, by the loader's stored copy and later by exports.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MAX_SOURCE_KEY = 500
_ISO_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_HEADER_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9_.:-]+)", re.I)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date at the precision the source gives: year, year-month or full date."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year out of range: {self.year}")
        if self.month is None and self.day is not None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")
        if self.day is not None:
            # datetime validates the day against the month (and leap years)
            datetime(self.year, self.month or 1, self.day)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def isoformat(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @classmethod
    def fromisoformat(cls, text: str) -> PartialDate:
        m = _ISO_PARTIAL.match(text.strip())
        if not m:
            raise ValueError(f"not a YYYY[-MM[-DD]] date: {text!r}")
        y, mo, d = m.groups()
        return cls(int(y), int(mo) if mo else None, int(d) if d else None)

    def __str__(self) -> str:
        return self.isoformat()


@dataclass(frozen=True, slots=True)
class PageRange:
    """Pages as printed: first/last are strings ("e0123", "xii"); count only if stated."""

    first: str | None = None
    last: str | None = None
    count: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"first": self.first, "last": self.last, "count": self.count}


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    family: str | None = None
    given: str | None = None
    orcid: str | None = None
    role: str = "author"
    affiliations: tuple[str, ...] = ()
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "given": self.given,
            "name": self.name,
            "orcid": self.orcid,
            "role": self.role,
            "affiliations": list(self.affiliations),
            "url": self.url,
        }


@dataclass(frozen=True, slots=True)
class Subject:
    """A classification term: ASJC area, fingerprint concept (with weight), DDC, ..."""

    scheme: str
    term: str
    weight: float | None = None
    code: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"scheme": self.scheme, "term": self.term, "weight": self.weight, "code": self.code}


@dataclass(frozen=True, slots=True)
class Identifier:
    """Any identifier other than the DOI field: isbn, issn, eissn, handle, pure-uuid, ..."""

    scheme: str
    value: str

    def to_json(self) -> dict[str, Any]:
        return {"scheme": self.scheme, "value": self.value}


@dataclass(frozen=True, slots=True)
class FileLink:
    url: str
    name: str | None = None
    mime: str | None = None
    access: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "name": self.name, "mime": self.mime, "access": self.access}


@dataclass(frozen=True, slots=True)
class Metric:
    """A count shown on the page (citations, downloads) and the day it was seen."""

    name: str
    value: int
    source: str | None = None
    seen: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "source": self.source, "seen": self.seen}


@dataclass(frozen=True, slots=True)
class Citation:
    """A "Cite this" rendering as the page gives it (RIS, BibTeX, APA, ...)."""

    format: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"format": self.format, "text": self.text}


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
    pages: PageRange = PageRange()
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


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched response: what a parser reads. Headers have lower-case names."""

    url: str
    body: bytes
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    fetched_at: datetime | None = None
    requested_url: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def encoding(self) -> str:
        """Charset from the header, else from a <meta> in the first 2 KB, else UTF-8."""
        header = _HEADER_CHARSET.search(self.headers.get("content-type", ""))
        if header:
            return _valid_codec(header.group(1))
        meta = _CHARSET.search(self.body[:2048])
        if meta:
            return _valid_codec(meta.group(1).decode("ascii", "replace"))
        return "utf-8"

    def text(self) -> str:
        return self.body.decode(self.encoding(), errors="replace")


def _valid_codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"
