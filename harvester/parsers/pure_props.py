"""The Pure properties table (`table.properties`, th label + td value) as a field layer.

Rows are matched by label (pure_labels), then by row class, never by position.
The "Publication series" table is read separately: its Name/Volume are the
journal/volume of a conference paper (reconstructed README decisions).
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from harvester.normalize.dates import parse_date
from harvester.normalize.identifiers import normalize_doi
from harvester.normalize.languages import to_iso639_1
from harvester.normalize.pages import parse_page_count, parse_pages
from harvester.types import PageRange, PartialDate

from ._html import children, classes, text_of
from ._meta import FieldMap, identifiers, put
from .pure_labels import LABELS, ROW_CLASSES, SERIES_LABELS, STATUS, label_key

_ID_SPLIT = re.compile(r"[\n,;]+")
_STATUS_TEXT = re.compile(r"^(.*?)\s+[-–]\s+(.+)$")


def _select(node: LexborNode, tag: str, cls: str | None = None) -> list[LexborNode]:
    """`node.css(tag)` or `node.css(f"{tag}.{cls}")` by walking the cell.

    A cell's first css() call sets up lexbor's selector engine for the whole tree
    (~45 µs a page, more than the rest of this table). Walks the node and its
    descendants in document order, as css() does. Class names are compared as
    written; where a quirks-mode document could match another case, or the class
    attribute holds whitespace other than spaces, css() itself decides.
    """
    out: list[LexborNode] = []
    for child in node.traverse(include_text=False):
        if child.tag != tag:
            continue
        if cls is None:
            out.append(child)
            continue
        value = child.attributes.get("class")
        if not value:
            continue
        if not value.isprintable():
            return node.css(f"{tag}.{cls}")
        if cls in value.split():
            out.append(child)
        elif cls in value.lower().split():
            return node.css(f"{tag}.{cls}")
    return out


def _in_series(table: LexborNode) -> bool:
    node = table.parent
    for _ in range(2):  # table < div.publication-series (C), one wrapper allowed
        if node is None:
            return False
        if "publication-series" in classes(node):
            return True
        node = node.parent
    return False


def read_rows(
    tables: list[LexborNode],
) -> tuple[dict[str, LexborNode], dict[str, str], list[str]]:
    """(field -> td of the main tables, series field -> text, labels not understood)."""
    main: dict[str, LexborNode] = {}
    series: dict[str, str] = {}
    unknown: list[str] = []
    for table in tables:
        in_series = _in_series(table)
        rows = (tr for body in children(table, "tbody") for tr in children(body, "tr"))
        for tr in rows:
            _row(tr, in_series, main, series, unknown)
    return main, series, unknown


def _row(
    tr: LexborNode,
    in_series: bool,
    main: dict[str, LexborNode],
    series: dict[str, str],
    unknown: list[str],
) -> None:
    th = td = None
    for cell in tr.iter(include_text=False):  # the last th and the last td, as a dict kept
        tag = cell.tag
        if tag == "td":
            td = cell
        elif tag == "th":
            th = cell
    if th is not None and td is not None:
        key = label_key(th.text())
        if in_series:
            field = SERIES_LABELS.get(key)
            if field and field not in series:
                series[field] = text_of(td)
            return
        field = LABELS.get(key) or next(
            (ROW_CLASSES[c] for c in classes(tr) if c in ROW_CLASSES), None
        )
        if field is None:
            unknown.append(th.text().strip())
        elif field not in main:
            main[field] = td


def _statuses(td: LexborNode, order: str) -> list[tuple[str | None, PartialDate | None, str]]:
    """(status, date, raw prefix) per "Prefix - date" pair shown in the status cell."""
    out: list[tuple[str | None, PartialDate | None, str]] = []
    prefixes = _select(td, "span", "prefix")
    dates = _select(td, "span", "date")
    if prefixes:
        dated = [text_of(d) for d in dates]
        pairs = [(text_of(p), dated[i] if i < len(dated) else "") for i, p in enumerate(prefixes)]
    else:
        m = _STATUS_TEXT.match(text_of(td))
        pairs = [(m.group(1), m.group(2))] if m else [(text_of(td), "")]
    for raw, when in pairs:
        raw = raw.strip().rstrip("-–").strip()
        when_date = parse_date(when, order=order) if when else None
        out.append((STATUS.get(label_key(raw)), when_date, raw))
    return out


def properties_fields(main: dict[str, LexborNode], order: str, warnings: list[str]) -> FieldMap:
    f: FieldMap = {}

    def date_of(td: LexborNode) -> PartialDate | None:
        found = _select(td, "span", "date")
        raw = text_of(found[0] if found else td)
        value = parse_date(raw, order=order) if raw else None
        if raw and value is None:
            warnings.append(f"date not understood: {raw!r}")
        return value

    def txt(field: str) -> str | None:
        td = main.get(field)
        return (text_of(td) or None) if td is not None else None

    put(f, "language", to_iso639_1(txt("language") or ""))
    put(f, "journal", txt("journal"))
    put(f, "volume", txt("volume"))
    put(f, "issue", txt("issue"))
    put(f, "article_number", txt("article_number"))
    put(f, "publisher", txt("publisher"))
    put(f, "host_publication", txt("host_publication"))
    rng = parse_pages(txt("pages") or "") if "pages" in main else None
    count = parse_page_count(txt("page_count") or "") if "page_count" in main else None
    if rng or count:
        first, last = (rng.first, rng.last) if rng else (None, None)
        f["pages"] = PageRange(first, last, count)
    if "doi" in main:
        links = [a.attributes.get("href") or "" for a in _select(main["doi"], "a")]
        dois = (normalize_doi(v) for v in [*links, text_of(main["doi"])] if v)
        put(f, "doi", next((d for d in dois if d), None))
    ids = {
        k: _ID_SPLIT.split(td.text(separator="\n"))
        for k, td in main.items()
        if k in ("isbn_print", "isbn_electronic", "issn", "eissn")
    }
    isbns = ids.get("isbn_print", []) + ids.get("isbn_electronic", [])
    put(f, "identifiers", identifiers(isbns, ids.get("issn", []), ids.get("eissn", [])))
    if "online" in main:
        put(f, "online", date_of(main["online"]))
    if "status" in main:
        pairs = _statuses(main["status"], order)
        known = [p for p in pairs if p[0]]
        if not known:
            warnings.append(f"publication status not understood: {pairs[0][2]!r}")
        chosen = next((p for p in known if p[0] == "published"), known[0] if known else None)
        if chosen:
            f["status"], f["status_date"] = chosen[0], chosen[1]
            if chosen[0] == "published":
                put(f, "published", chosen[1])
        epub = next((p for p in known if p[0] == "epub-ahead-of-print"), None)
        if epub and "online" not in f:
            put(f, "online", epub[1])
    elif "publication_date" in main:  # classic portals show a bare "Publication date" row
        put(f, "published", date_of(main["publication_date"]))
    return f


def series_fields(main: dict[str, LexborNode], series: dict[str, str]) -> FieldMap:
    """A series Name/Volume stands in for journal/volume only where no Journal row is shown."""
    f: FieldMap = {}
    if "journal" not in main and series.get("name"):
        put(f, "journal", series["name"])
        put(f, "volume", series.get("volume") or None)
    return f
