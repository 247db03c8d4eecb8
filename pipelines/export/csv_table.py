"""CSV: one row per publication, the flat columns of v_publications plus joined lists.

Lists (authors, keywords, ISSNs) are joined with "; ", a separator that
names and keywords rarely contain; the full structure is in the JSON formats.

Harvested text is untrusted: a title such as `=HYPERLINK(...)` would run as a
formula when the file is opened in a spreadsheet. By default a text cell that
starts with = + - @ TAB or CR gets a leading single quote (OWASP's CSV injection
advice), plain numbers such as -5 excepted; `raw=True` writes cells verbatim for
programs that read the CSV. The database keeps the values as harvested.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from ._fields import ExportRow, full_title, identifier, keywords, one_line, people

NAME = "csv"
MEDIA_TYPE = "text/csv"
LIST_SEPARATOR = "; "
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

COLUMNS = (
    "id", "source", "url", "platform", "type", "title", "authors", "doi",
    "journal", "volume", "issue", "article_number", "page_first", "page_last", "page_count",
    "published", "online", "status", "language", "publisher", "host_publication", "issn",
    "isbn", "keywords", "abstract",
)  # fmt: skip


def _name(person: Mapping[str, Any]) -> str:
    if person.get("family"):
        return ", ".join(x for x in (person["family"], person.get("given")) if x)
    return str(person.get("name") or "")


def to_row(row: ExportRow) -> dict[str, Any]:
    r = row.record
    pages = r.get("pages") or {}
    return {
        "id": row.id,
        "source": row.source,
        "url": r.get("url"),
        "platform": r.get("platform"),
        "type": r.get("type"),
        "title": full_title(r),
        "authors": LIST_SEPARATOR.join(_name(p) for p in people(r)),
        "doi": r.get("doi"),
        "journal": r.get("journal"),
        "volume": r.get("volume"),
        "issue": r.get("issue"),
        "article_number": r.get("article_number"),
        "page_first": pages.get("first"),
        "page_last": pages.get("last"),
        "page_count": pages.get("count"),
        "published": r.get("published"),
        "online": r.get("online"),
        "status": r.get("status"),
        "language": r.get("language"),
        "publisher": r.get("publisher"),
        "host_publication": r.get("host_publication"),
        "issn": identifier(r, "issn", "eissn"),
        "isbn": identifier(r, "isbn", "eisbn"),
        "keywords": LIST_SEPARATOR.join(keywords(r)),
        "abstract": one_line(r.get("abstract")),
    }


def neutralise(value: Any) -> Any:
    """The cell as a spreadsheet should show it: text it would read as a formula is
    prefixed with a single quote; numbers, None and plain numeric text pass unchanged."""
    if (isinstance(value, str) and value.startswith(FORMULA_START)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


def write(rows: Iterable[ExportRow], out: TextIO, *, raw: bool = False) -> int:
    """Write the header and one line per row; `raw` skips the formula neutralising."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    count = 0
    for row in rows:
        cells = to_row(row)
        writer.writerow(cells if raw else {k: neutralise(v) for k, v in cells.items()})
        count += 1
    return count
