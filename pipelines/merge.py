"""Merging an OAI-PMH record with the record parsed from its landing page.

Field by field: the landing page fills what the OAI record lacks, and wins
where a page states a value more explicitly than OAI formats can (oai_dc has
no pages, journal, volume or issue; its DOI and abstract are guesses among
dc:identifier and dc:description values). The OAI record keeps its identity
(source_key, url, platform). Provenance names the layer of every field:
"oai:oai_dc" or "page:pure:properties"; fields both gave are joined with "+".

`record_from_json` rebuilds a Record from its stored `to_json()` shape, so a
pending enrichment can resume from the database after a crash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from typing import Any, TypeVar

from harvester.types import (
    Citation,
    FileLink,
    Identifier,
    Metric,
    PageRange,
    PartialDate,
    Person,
    Record,
    Subject,
)

#: the landing page wins for these when it has a value
PAGE_WINS = ("pages", "journal", "volume", "issue", "doi", "abstract")
#: the OAI record's identity, never taken from the page
KEEP = ("url", "platform", "source_key", "provenance", "warnings")
#: lists combined from both sides (OAI first, page additions after)
UNION = ("identifiers", "files", "subjects")
_NO_PAGES = PageRange()
T = TypeVar("T")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == () or value == _NO_PAGES


def _union(first: Iterable[T], second: Iterable[T], key: Any) -> tuple[T, ...]:
    seen: set[Any] = set()
    out: list[T] = []
    for item in (*first, *second):
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return tuple(out)


_KEYS: Mapping[str, Any] = {
    "identifiers": lambda i: (i.scheme, i.value),
    "files": lambda f: f.url,
    "subjects": lambda s: (s.scheme, s.code or s.term),
}


def merge_page(oai: Record, page: Record, parser: str) -> Record:
    """`oai` enriched with `page` (parsed by `parser`), provenance kept per field."""
    values: dict[str, Any] = {}
    provenance = dict(oai.provenance)

    def page_layer(name: str) -> str:
        return f"page:{page.provenance.get(name) or parser}"

    for f in fields(Record):
        name = f.name
        if name in KEEP:
            continue
        mine, theirs = getattr(oai, name), getattr(page, name)
        if _empty(theirs):
            continue
        if name in UNION and not _empty(mine):
            merged = _union(mine, theirs, _KEYS[name])
            if merged != mine:
                values[name] = merged
                provenance[name] = f"{provenance.get(name, 'oai')}+{page_layer(name)}"
        elif _empty(mine) or (name in PAGE_WINS and theirs != mine):
            values[name] = theirs
            provenance[name] = page_layer(name)
    warnings = _union(oai.warnings, page.warnings, lambda w: w)
    return replace(oai, **values, provenance=provenance, warnings=warnings)


def _date(value: str | None) -> PartialDate | None:
    return PartialDate.fromisoformat(value) if value else None


def _person(d: Mapping[str, Any]) -> Person:
    return Person(name=d["name"], family=d.get("family"), given=d.get("given"),
                  orcid=d.get("orcid"), role=d.get("role") or "author",
                  affiliations=tuple(d.get("affiliations") or ()), url=d.get("url"))


def record_from_json(data: Mapping[str, Any]) -> Record:
    """The Record whose `to_json()` gave `data` (the inverse, field for field)."""
    pages = data.get("pages") or {}
    return Record(
        url=data["url"],
        platform=data["platform"],
        source_key=data["source_key"],
        **{k: data.get(k) for k in ("type", "type_raw", "title", "subtitle", "abstract", "doi",
                                    "journal", "volume", "issue", "article_number", "status",
                                    "language", "publisher", "host_publication")},
        authors=tuple(_person(p) for p in data.get("authors") or ()),
        pages=PageRange(pages.get("first"), pages.get("last"), pages.get("count")),
        published=_date(data.get("published")),
        online=_date(data.get("online")),
        status_date=_date(data.get("status_date")),
        keywords=tuple(data.get("keywords") or ()),
        subjects=tuple(Subject(**s) for s in data.get("subjects") or ()),
        identifiers=tuple(Identifier(**i) for i in data.get("identifiers") or ()),
        files=tuple(FileLink(**f) for f in data.get("files") or ()),
        metrics=tuple(Metric(**m) for m in data.get("metrics") or ()),
        citations=tuple(Citation(**c) for c in data.get("citations") or ()),
        provenance=dict(data.get("provenance") or {}),
        warnings=tuple(data.get("warnings") or ()),
    )
