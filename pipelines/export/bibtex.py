"""BibTeX: one entry per publication, LaTeX-escaped, with stable unique keys.

Keys are `<family><year><first title word>-<id>`, folded to ASCII: the
database id makes them unique without remembering earlier keys (flat memory
over a million records) and stable from one export to the next. Values are
UTF-8 with LaTeX's special characters escaped; `url` and `doi` are verbatim
fields in biblatex and are left unescaped (braces percent-encoded).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from . import _fields as f
from ._fields import ExportRow

NAME = "bibtex"
MEDIA_TYPE = "application/x-bibtex"

ENTRY_TYPES = {
    "article": "article",
    "book": "book",
    "chapter": "incollection",
    "conference-paper": "inproceedings",
    "report": "techreport",
}
"""Coarse type -> entry type; theses by level below, everything else @misc."""

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
# BibTeX counts braces even when escaped: a lone one is spelled out instead
_UNBALANCED = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIAL))
_AND = re.compile(r"\band\b", re.I)
_KEY_CHARS = re.compile(r"[^a-z0-9]")
_STOP_WORDS = frozenset({"a", "an", "the", "on", "of", "in", "and", "for", "to", "with"})


def escape(value: str | None) -> str:
    """Text with LaTeX special characters escaped and whitespace collapsed."""
    text = f.one_line(value) or ""
    table = _SPECIAL if _balanced(text) else _SPECIAL | _UNBALANCED
    return _SPECIAL_RE.sub(lambda m: table[m.group(0)], text)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


def _verbatim(value: str) -> str:
    return value.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _KEY_CHARS.sub("", folded.lower())


def citation_key(row: ExportRow) -> str:
    r = row.record
    authors = f.people(r) or f.people(r, "editor")
    first = authors[0] if authors else {}
    family = _ascii(str(first.get("family") or first.get("name") or ""))
    words = [_ascii(w) for w in (r.get("title") or "").split()]
    word = next((w for w in words if w and w not in _STOP_WORDS), "")
    return f"{family or 'anon'}{f.year(r) or ''}{word[:20]}-{row.id}"


def _name_part(text: str) -> str:
    # a comma or a lone "and" inside one name would split it: brace it
    escaped = escape(text)
    return f"{{{escaped}}}" if "," in text or _AND.search(text) else escaped


def _names(persons: list[Mapping[str, Any]]) -> str | None:
    names = []
    for p in persons:
        if p.get("family"):
            given = f", {_name_part(p['given'])}" if p.get("given") else ""
            names.append(f"{_name_part(p['family'])}{given}")
        elif p.get("name"):
            names.append(f"{{{escape(p['name'])}}}")  # an organisation: never split
    return " and ".join(names) or None


def entry_type(record: Mapping[str, Any]) -> str:
    kind = record.get("type")
    if kind == "thesis":
        raw = (record.get("type_raw") or "").lower()
        if "doctor" in raw or "phd" in raw:
            return "phdthesis"
        if "master" in raw:
            return "mastersthesis"
    return ENTRY_TYPES.get(kind or "", "misc")


def fields(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, already-escaped value) pairs in the order they are written."""
    kind = entry_type(record)
    in_book = kind in ("incollection", "inproceedings")
    host = record.get("host_publication") or (record.get("journal") if in_book else None)
    parts = f.issued(record)
    plain: list[tuple[str, str | None]] = [
        ("title", f.full_title(record)),
        ("journal", record.get("journal") if kind == "article" else None),
        ("booktitle", host if in_book else None),
        ("year", str(parts[0]) if parts else None),
        ("month", str(parts[1]) if len(parts) > 1 else None),
        ("date", record.get("published") or record.get("online")),
        ("volume", record.get("volume")),
        ("number", record.get("issue")),
        ("eid", record.get("article_number")),
        ("pages", f.page_range(record, "--")),
        ("publisher" if kind not in ("techreport", "phdthesis", "mastersthesis") else
         "institution" if kind == "techreport" else "school", record.get("publisher")),
        ("issn", f.identifier(record, "issn", "eissn")),
        ("isbn", f.identifier(record, "isbn", "eisbn")),
        ("language", record.get("language")),
        ("keywords", ", ".join(f.keywords(record)) or None),
        ("abstract", record.get("abstract")),
    ]  # fmt: skip
    out = [(k, escape(v)) for k, v in plain if f.one_line(v)]
    for role, key in (("author", "author"), ("editor", "editor")):
        names = _names(f.people(record, role))
        if names:
            out.insert(0 if role == "author" else 1, (key, names))
    out.extend((k, _verbatim(v)) for k, v in (("doi", record.get("doi")),
                                              ("url", record.get("url"))) if v)  # fmt: skip
    return out


def entry(row: ExportRow) -> str:
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields(row.record))
    return f"@{entry_type(row.record)}{{{citation_key(row)},\n{body}\n}}\n"


def write(rows: Iterable[ExportRow], out: TextIO) -> int:
    count = 0
    for row in rows:
        if count:
            out.write("\n")
        out.write(entry(row))
        count += 1
    return count
