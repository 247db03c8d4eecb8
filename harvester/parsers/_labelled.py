"""Label/value metadata displays (tables, definition lists, field blocks) as a field layer.

Repository item pages show their metadata as rows: a label ("Author(s):",
"Dokumentart", "dc.date.issued") and one or more values. Each platform module
maps its own labels to the canonical keys below, collects the raw values with
`Rows.add`, and turns them into a layer with `rows_layer`, so that every
platform normalises the same way.

Canonical keys: title, authors, abstract, published, published_low (a date used
only when no better one is shown, e.g. "Copyright Date"), language, keywords,
doi, journal, volume, issue, pages, page_first, page_last, page_count,
publisher, type_raw, isbn, issn, url, notes. "keywords" values are lists to split
("a; b; c"); "keyword" values are single terms (one link or row each), kept whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from selectolax.lexbor import LexborNode

from harvester.normalize.dates import parse_date
from harvester.normalize.identifiers import normalize_doi
from harvester.normalize.languages import to_iso639_1
from harvester.normalize.pages import parse_page_count, parse_pages
from harvester.normalize.text import clean
from harvester.types import PageRange, PartialDate, Person

from ._meta import FieldMap, identifiers, keywords, people, put

_LABEL_TRIM = re.compile(r"[\s:：]+$")
_LINE_SPLIT = re.compile(r"\s*\n\s*")


# labels recur on every page of a repository; the key of one is computed once
@lru_cache(maxsize=2048)
def label_key(text: str | None) -> str:
    """"Author(s):&nbsp;" -> "author(s)": case-folded, spaces collapsed, no trailing colon."""
    cleaned = clean(text) or ""
    return _LABEL_TRIM.sub("", cleaned).casefold()


def cell_lines(node: LexborNode) -> list[str]:
    """The values of one cell: its lines (split at <br> and block children), cleaned."""
    raw = node.text(separator="\n")
    out = (clean(part) for part in _LINE_SPLIT.split(raw))
    return [v for v in out if v]


def cell_links(node: LexborNode) -> list[str]:
    """The texts of a cell's links, or its lines when it has no link with text."""
    links = [t for t in (clean(a.text()) for a in node.css("a")) if t]
    return links or cell_lines(node)


class Rows:
    """Raw values per canonical key, in page order; the first label seen for a key wins
    on single-valued keys, and repeated labels (one `dc.contributor.author` row per author)
    add values."""

    __slots__ = ("labels", "values")

    def __init__(self) -> None:
        self.values: dict[str, list[str]] = {}
        self.labels: dict[str, str] = {}

    def add(self, key: str, values: Iterable[str], label: str = "") -> None:
        kept = [v for v in (clean(x) for x in values) if v]
        if not kept:
            return
        self.values.setdefault(key, []).extend(kept)
        self.labels.setdefault(key, label or key)

    def first(self, key: str) -> str | None:
        values = self.values.get(key)
        return values[0] if values else None

    def all(self, key: str) -> list[str]:
        return list(self.values.get(key, ()))

    def __contains__(self, key: object) -> bool:
        return key in self.values

    def __bool__(self) -> bool:
        return bool(self.values)


def first_date(values: Iterable[str], order: str, warnings: list[str] | None) -> PartialDate | None:
    """The first value that reads as a date; a warning names the one that did not."""
    bad = None
    for value in values:
        found = parse_date(value, order=order)
        if found is not None:
            return found
        bad = bad or value
    if bad is not None and warnings is not None:
        warnings.append(f"date not understood: {bad!r}")
    return None


def page_range(rows: Rows) -> PageRange | None:
    rng = parse_pages(rows.first("pages") or "") if "pages" in rows else PageRange()
    if rng == PageRange() and "pages" in rows:
        # "Pages: 24" on its own states a count, not a first page
        count = parse_page_count(rows.first("pages"))
        rng = PageRange(count=count) if count else rng
    if rng.first is None and "page_first" in rows:
        rng = parse_pages(f"{rows.first('page_first')}-{rows.first('page_last') or ''}".rstrip("-"))
    count = rng.count
    for raw in rows.all("page_count"):
        count = count or parse_page_count(raw)
    out = PageRange(rng.first, rng.last, count)
    return None if out == PageRange() else out


def rows_layer(rows: Rows, order: str = "auto", warnings: list[str] | None = None) -> FieldMap:
    """Normalised Record fields from canonical rows; empty values are left out."""
    f: FieldMap = {}
    for key in ("title", "journal", "volume", "issue", "publisher", "type_raw", "url"):
        put(f, key, rows.first(key))
    if "abstract" in rows:
        put(f, "abstract", clean(" ".join(rows.all("abstract"))))
    put(f, "authors", people(rows.all("authors")))
    whole = tuple(dict.fromkeys(rows.all("keyword")))
    put(f, "keywords", tuple(dict.fromkeys(whole + keywords(rows.all("keywords")))))
    if "published" in rows:
        put(f, "published", first_date(rows.all("published"), order, warnings))
    if "published" not in f and "published_low" in rows:
        put(f, "published", first_date(rows.all("published_low"), order, warnings))
    put(f, "language", next((c for c in map(to_iso639_1, rows.all("language")) if c), None))
    put(f, "doi", next((d for d in map(normalize_doi, rows.all("doi")) if d), None))
    put(f, "pages", page_range(rows))
    put(f, "identifiers", identifiers(rows.all("isbn"), rows.all("issn")))
    return f


def align_people(shown: tuple[Person, ...], listed: tuple[Person, ...]) -> tuple[Person, ...]:
    """The names shown on the page, split as the meta tags split them ("Family, Given")
    when both lists name the same people in the same order; else the shown ones.

    Pages print "Paloma Schäfer Aguilar"; only "Schäfer Aguilar, Paloma" tells
    which words are the family name.
    """
    if not listed or len(shown) != len(listed):
        return shown or listed
    for a, b in zip(shown, listed, strict=True):
        if not b.family or b.family.casefold() not in a.name.casefold():
            return shown
    return listed
