"""CSL-JSON: the input format of citeproc (Zotero, Pandoc, citation.js), one JSON array.

Written item by item, so the array is never held in memory. `issued` keeps
the record's precision: [[2019]], [[2019, 6]] or [[2019, 6, 20]].
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from . import _fields as f
from ._fields import ExportRow

NAME = "csl-json"
MEDIA_TYPE = "application/vnd.citationstyles.csl+json"

TYPES = {
    "article": "article-journal",
    "book": "book",
    "chapter": "chapter",
    "conference-paper": "paper-conference",
    "thesis": "thesis",
    "dataset": "dataset",
    "report": "report",
    "preprint": "article",  # CSL 1.0.2 files preprints under "article"
    "software": "software",
}
"""Coarse type -> CSL type; anything else is "document"."""


def _name(p: Mapping[str, Any]) -> dict[str, str] | None:
    if p.get("family"):
        name = {"family": str(p["family"])}
        if p.get("given"):
            name["given"] = str(p["given"])
        return name
    return {"literal": str(p["name"])} if p.get("name") else None


def _names(record: Mapping[str, Any], role: str) -> list[dict[str, str]]:
    return [n for n in (_name(p) for p in f.people(record, role)) if n]


def item(row: ExportRow) -> dict[str, Any]:
    r = row.record
    kind = TYPES.get(r.get("type") or "", "document")
    data: dict[str, Any] = {"id": str(row.id), "type": kind}
    for role in ("author", "editor"):
        names = _names(r, role)
        if names:
            data[role] = names
    parts = f.issued(r)
    if parts:
        data["issued"] = {"date-parts": [parts]}
    pages = r.get("pages") or {}
    values = {
        "title": f.full_title(r),
        "container-title": r.get("journal") or r.get("host_publication"),
        "volume": r.get("volume"),
        "issue": r.get("issue"),
        "page": f.page_range(r, "-"),
        "number": r.get("article_number"),
        "number-of-pages": pages.get("count"),
        "DOI": r.get("doi"),
        "URL": r.get("url"),
        "publisher": r.get("publisher"),
        "ISSN": f.identifier(r, "issn", "eissn"),
        "ISBN": f.identifier(r, "isbn", "eisbn"),
        "language": r.get("language"),
        "abstract": r.get("abstract"),
        "keyword": ", ".join(f.keywords(r)) or None,
        "source": row.source,
    }
    data.update((k, v if isinstance(v, int) else str(v)) for k, v in values.items() if v)
    return data


def write(rows: Iterable[ExportRow], out: TextIO) -> int:
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(item(row), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
