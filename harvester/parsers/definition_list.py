"""Item pages whose metadata is a label/value definition list (`<dl><dt>Title</dt><dd>...`).

Repository front ends without embedded metadata (Brown Digital Repository's
"Overview", Islandora's MODS/DC display, Hyrax's `dl.work-show`) show their
record as a `dl`. `read_dl` turns one into canonical rows (see _labelled) by
label; `parse` reads the page's richest `dl` as a record of platform "other".

Contributors carry roles: "Jiang, Zhijun (creator)" or "Author: Doe, Jane";
only creator/author roles are authors (not Director, Reader, sponsor, editor).
A note such as "Thesis (Ph.D. -- Brown University (2011)" states the type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from harvester.errors import NotARecord
from harvester.normalize.identifiers import normalize_url
from harvester.normalize.text import clean
from harvester.types import Page, Record

from ._detect import Signals
from ._html import MetaTags, absolute, children, is_blank, parse_html, text_of
from ._labelled import Rows, label_key, rows_layer
from ._meta import Layer, citation_fields, dc_fields, resolve
from .coarse_types import coarse_type

PLATFORM = "other"

LABELS: dict[str, str] = {
    "title": "title", "creator": "authors", "creators": "authors", "author": "authors",
    "authors": "authors", "author(s)": "authors", "contributors": "contributors",
    "contributor": "contributors", "name": "contributors", "names": "contributors",
    "date": "published", "date issued": "published", "issued": "published",
    "publication date": "published", "date published": "published", "year": "published",
    "copyright date": "published_low", "date copyrighted": "published_low",
    "abstract": "abstract", "description": "description", "summary": "abstract",
    "abstract/description": "abstract", "language": "language", "keywords": "keyword",
    "keyword": "keyword", "subject": "keyword", "subjects": "keyword", "topic": "keyword",
    "extent": "page_count", "pages": "pages", "number of pages": "page_count",
    "physical description": "page_count", "type": "type_raw", "resource type": "type_raw",
    "genre": "type_raw", "item type": "type_raw", "notes": "notes", "note": "notes",
    "doi": "doi", "identifier": "identifier", "publisher": "publisher", "journal": "journal",
    "journal title": "journal", "source": "journal", "is part of": "journal",
    "host title": "journal", "volume": "volume", "issue": "issue", "isbn": "isbn",
    "issn": "issn",
}
AUTHOR_ROLES = frozenset({"creator", "author", "aut", "cre", "relators:aut", "relators:cre"})
_ROLE_SUFFIX = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$")
_ROLE_PREFIX = re.compile(r"^([A-Za-z][\w: ]{1,30}):\s+(.+)$")
_THESIS_NOTE = re.compile(r"\b(?:thesis|dissertation)\b", re.I)
_TITLE_DT = re.compile(rb"<dt[^>]*>\s*title\s*:?\s*</dt>", re.I)


def in_body(signals: Signals) -> bool:
    """Evidence in the body's markup (asked only when no head says which platform)."""
    if signals.has_meta("citation_title"):
        return False
    return _TITLE_DT.search(signals.body) is not None


def looks_like(page: Page, signals: Signals) -> bool:
    return in_body(signals)


def split_role(value: str) -> tuple[str, str | None]:
    """("Jiang, Zhijun", "creator") from "Jiang, Zhijun (creator)" or "creator: Jiang, Zhijun"."""
    m = _ROLE_SUFFIX.match(value)
    if m:
        return m.group(1), m.group(2).strip().casefold()
    m = _ROLE_PREFIX.match(value)
    if m and "," not in m.group(1):
        return m.group(2), m.group(1).strip().casefold()
    return value, None


def dd_values(dd: LexborNode) -> list[str]:
    """One value per list item inside the dd (Hyrax `ul.tabular`), else the dd's text."""
    # walking children: a css() call compiles its selector, ~5 µs per dd
    lists = [c for c in children(dd) if c.tag in ("ul", "ol")]
    items = [text_of(li) for ul in lists for li in children(ul, "li")]
    return [v for v in items if v] or [text_of(dd)]


def read_dl(dl: LexborNode, labels: dict[str, str] = LABELS) -> Rows:
    # WHATWG allows <div> groups of dt/dd. Each group is read as a dl of its own (its dt
    # starts afresh) and its rows join its parent's when it ends. A stack, not recursion:
    # a page may nest thousands of <div>s in a dl (Python's recursion limit is 1,000).
    top = _Group(iter(children(dl)))
    stack = [top]
    while stack:
        group = stack[-1]
        node = next(group.nodes, None)
        if node is None:
            stack.pop()
            if stack:
                for k, vs in group.rows.values.items():
                    stack[-1].rows.add(k, vs, k)
        elif node.tag == "dt":
            group.key = labels.get(label_key(node.text()))
        elif node.tag == "dd" and group.key:
            add_values(group.rows, group.key, dd_values(node))
        elif node.tag == "div":
            stack.append(_Group(iter(children(node))))
    return top.rows


class _Group:
    """A dl or a div group inside one, being read: its rows, and the dt in force."""

    __slots__ = ("key", "nodes", "rows")

    def __init__(self, nodes: Iterator[LexborNode]) -> None:
        self.nodes = nodes
        self.rows = Rows()
        self.key: str | None = None


def add_values(rows: Rows, key: str, values: list[str]) -> None:
    """Add values under `key`, sorting contributors by their role into authors."""
    if key in ("authors", "contributors"):
        for value in values:
            name, role = split_role(value)
            if (role in AUTHOR_ROLES) or (key == "authors" and role is None):
                rows.add("authors", [name], key)
    else:
        rows.add(key, values, key)


def rows_record_fields(rows: Rows) -> dict[str, Any]:
    """rows_layer plus what only a dl says: a description as abstract, a thesis note."""
    if "abstract" not in rows:
        rows.add("abstract", rows.all("description"), "description")
    for value in rows.all("identifier"):
        rows.add("doi", [value], "identifier")
    f = rows_layer(rows)
    kind = coarse_type(f.get("type_raw"))
    note = next((n for n in rows.all("notes") if _THESIS_NOTE.search(n)), None)
    if kind is None and note is not None:
        f["type_raw"], kind = clean(note), "thesis"
    if kind:
        f["type"] = kind
    return f


def best_dl(tree: LexborHTMLParser, labels: dict[str, str] = LABELS) -> Rows:
    best = Rows()
    for dl in tree.tags("dl"):
        rows = read_dl(dl, labels)
        if len(rows.values) > len(best.values):
            best = rows
    return best


def parse(page: Page) -> Record:
    if is_blank(page.body):
        raise NotARecord("empty page", url=page.url)
    tree = parse_html(page)
    meta = MetaTags.from_tree(tree)
    rows = best_dl(tree)
    if "title" not in rows or len(rows.values) < 3:
        raise NotARecord("no metadata definition list with a title", url=page.url)
    layers: list[Layer] = [("dl", rows_record_fields(rows)), ("meta:citation",
                           citation_fields(meta)), ("meta:dc", dc_fields(meta))]
    picked = resolve(layers)
    values = {k: v for k, (v, _) in picked.items() if k != "url"}
    provenance = {k: name for k, (_, name) in picked.items() if k != "url"}
    canonical = absolute(page.url, meta.canonical)
    url = canonical or page.url
    return Record(url=url, platform=PLATFORM, source_key=normalize_url(url) if url else "",
                  provenance=provenance, **values)
