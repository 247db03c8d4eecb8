"""RIS: tagged records (`TY  - JOUR` ... `ER  - `) as EndNote, Zotero and Mendeley read them.

One value per line: whitespace and newlines inside a value are collapsed,
because a line break would end the value. Dates go to PY (year) and DA in
RIS's `YYYY/MM/DD/` form at the record's precision.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO

from . import _fields as f
from ._fields import ExportRow

NAME = "ris"
MEDIA_TYPE = "application/x-research-info-systems"

TYPES = {
    "article": "JOUR",
    "book": "BOOK",
    "chapter": "CHAP",
    "conference-paper": "CPAPER",
    "thesis": "THES",
    "dataset": "DATA",
    "report": "RPRT",
    "preprint": "UNPB",
    "software": "COMP",
    "other": "GEN",
}
"""Coarse type -> RIS TY; anything unknown is GEN."""


def _person(p: Mapping[str, Any]) -> str | None:
    if p.get("family"):
        return ", ".join(x for x in (f.one_line(p["family"]), f.one_line(p.get("given"))) if x)
    return f.one_line(p.get("name"))


def _da(parts: list[int]) -> str | None:
    if not parts:
        return None
    padded = [f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:])]
    return "/".join(padded) + "/"


def tags(row: ExportRow) -> Iterator[tuple[str, str]]:
    """(tag, value) pairs of one record, TY first and ER last."""
    r = row.record
    yield "TY", TYPES.get(r.get("type") or "", "GEN")
    yield "ID", str(row.id)
    for role, tag in (("author", "AU"), ("editor", "A2")):
        for p in f.people(r, role):
            name = _person(p)
            if name:
                yield tag, name
    parts = f.issued(r)
    container = r.get("journal") or r.get("host_publication")
    values: list[tuple[str, Any]] = [
        ("TI", f.full_title(r)),
        ("T2", container),
        ("JO", r.get("journal")),
        ("PY", parts[0] if parts else None),
        ("DA", _da(parts)),
        ("VL", r.get("volume")),
        ("IS", r.get("issue")),
        ("SP", (r.get("pages") or {}).get("first") or r.get("article_number")),
        ("EP", (r.get("pages") or {}).get("last")),
        ("DO", r.get("doi")),
        ("UR", r.get("url")),
        ("PB", r.get("publisher")),
        ("SN", f.identifier(r, "issn", "eissn", "isbn", "eisbn")),
        ("LA", r.get("language")),
        ("AB", r.get("abstract")),
    ]
    for tag, value in values:
        text = f.one_line(value)
        if text:
            yield tag, text
    for keyword in f.keywords(r):
        yield "KW", keyword
    yield "ER", ""


def entry(row: ExportRow) -> str:
    return "".join(f"{tag}  - {value}\n" for tag, value in tags(row))


def write(rows: Iterable[ExportRow], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(entry(row))
        out.write("\n")
        count += 1
    return count
