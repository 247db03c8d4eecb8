"""OPUS front doors -> Record: OPUS 4 (`table.frontdoordata`, `th.name` rows) and
OPUS 3 (`/opus/volltexte/` pages: `<td><b>Label:</b></td>` rows, DROPS included).

Layers: the metadata table (English or German labels), the title/author/abstract
blocks, then citation_* and DC meta. Authors are shown given-first; the meta
tags' "Family, Given" split is used when both name the same people.

Dates: OPUS shows "Date of Publication (online)" and "Year of first
Publication". For an online-first document (theses, preprints) the online date
is the publication (gold, Frankfurt and KOBV pages); when the first publication
year differs, the document appeared elsewhere first and that year is the
publication date. `online` stays empty: the repository date is no
early-online version ahead of a version of record.
"""

from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser

from harvester.errors import NotARecord
from harvester.normalize.dates import parse_date
from harvester.normalize.identifiers import normalize_url
from harvester.normalize.pages import parse_pages
from harvester.types import Page, PartialDate, Record

from ._detect import Signals
from ._html import MetaTags, absolute, children, inside, is_blank, parse_html, text_of
from ._labelled import Rows, align_people, cell_lines, cell_links, label_key, rows_layer
from ._meta import Layer, citation_fields, dc_fields, people, put, resolve
from .coarse_types import coarse_type

PLATFORM = "opus"

LABELS: dict[str, str] = {
    "author": "authors", "autor": "authors", "autorin": "authors", "autor*in": "authors",
    "document type": "type_raw", "dokumentart": "type_raw", "language": "language",
    "sprache": "language", "date of publication (online)": "online_date",
    "veröffentlichungsdatum (online)": "online_date", "publikationsdatum": "online_date",
    "datum der veröffentlichung (online)": "online_date", "date of publication": "first_year",
    "year of first publication": "first_year", "jahr der erstveröffentlichung": "first_year",
    "date of first publication": "first_year", "datum der erstveröffentlichung": "first_year",
    "erstellungsjahr": "first_year", "issue date": "first_year", "erscheinungsjahr": "first_year",
    "year of publication": "first_year", "year of completion": "completed_year",
    "jahr der fertigstellung": "completed_year",
    "tag": "keywords", "freies schlagwort": "keywords", "freie schlagwörter": "keywords",
    "freies schlagwort / tag": "keywords",
    "freie schlagwörter (deutsch)": "keywords", "freie schlagwörter (englisch)": "keywords",
    "keywords": "keywords", "schlagwörter": "keywords", "gnd keyword": "keywords",
    "gnd-schlagwort": "keywords", "swd-schlagwörter": "keywords",
    "pagenumber": "page_count", "page number": "page_count", "seitenzahl": "page_count",
    "number of pages": "page_count", "first page": "page_first", "erste seite": "page_first",
    "last page": "page_last", "letzte seite": "page_last",
    "parent title (english)": "journal", "parent title (german)": "journal",
    "titel des übergeordneten werkes (englisch)": "journal",
    "titel des übergeordneten werkes (deutsch)": "journal", "source": "journal",
    "volume": "volume", "jahrgang": "volume", "band": "volume", "issue": "issue",
    "heft": "issue", "ausgabe / heft": "issue", "doi": "doi", "issn": "issn", "isbn": "isbn",
    "publisher": "publisher", "verlag": "publisher",
    "abstract": "abstract", "kurzfassung auf englisch": "abstract",
    "kurzfassung auf deutsch": "abstract",
}
# OPUS labels the generic table (coarse_types) reads differently.
TYPES: dict[str, str] = {
    "part of a book": "chapter", "teil eines buches (kapitel)": "chapter",
    "conference proceeding": "conference-paper", "konferenzveröffentlichung": "conference-paper",
    "inproceedings": "conference-paper",
}
_SIMPLE = ("title", "abstract", "doi", "journal", "volume", "issue", "pages", "published",
           "language", "publisher", "type_raw", "authors", "keywords", "identifiers")
_PREFER = {"online": ()}


def in_head(signals: Signals) -> bool:
    """Evidence in the address or the document head (asked of every platform first)."""
    return signals.has_meta("opus-version") or "/opus/volltexte/" in signals.path


def in_body(signals: Signals) -> bool:
    """Evidence in the body's markup (asked only when no head says which platform)."""
    return b"frontdoordata" in signals.body or (
        b"/frontdoor/index/index/" in signals.body and b"titlemain" in signals.body
    )


def looks_like(page: Page, signals: Signals) -> bool:
    return in_head(signals) or in_body(signals)


def _table_rows(tree: LexborHTMLParser) -> Rows:
    rows = Rows()
    for th in tree.css("th.name"):
        td = th.next
        while td is not None and td.tag != "td":
            td = td.next
        key = LABELS.get(label_key(th.text()))
        if key and td is not None:
            _add(rows, key, td)
    for tr in tree.css("tr"):  # OPUS 3: <td><b>Label:</b></td> ... <td>value</td>
        tds = [c for c in children(tr) if c.tag == "td"]
        if len(tds) < 2 or tds[0].css_first("b") is None:
            continue
        key = LABELS.get(label_key(tds[0].text()))
        if key:
            _add(rows, key, tds[-1])
    return rows


def _add(rows: Rows, key: str, td: Any) -> None:
    if key == "authors":
        rows.add(key, cell_links(td))
    elif key == "keywords":
        rows.add(key, cell_lines(td))
    else:
        rows.add(key, [td.text()])


def _published(rows: Rows) -> tuple[PartialDate | None, str]:
    online = next((d for d in map(parse_date, rows.all("online_date")) if d), None)
    first = next((d for d in map(parse_date, rows.all("first_year")) if d), None)
    if online and (first is None or first.year == online.year):
        return online, "online_date"
    return first, "first_year"


def _blocks(tree: LexborHTMLParser) -> Rows:
    rows = Rows()
    title = tree.css_first("h2.titlemain") or tree.css_first("h3[itemprop='name']")
    rows.add("title", [text_of(title)], "title")
    rows.add("authors", [text_of(a) for a in tree.css("#author a, a[itemprop='author']")])
    # "#abstract li" as a query walks every <li>'s ancestors: slow on deeply nested lists
    abstract = (tree.css_first("#abstract .abstractFull")
                or next(iter(inside(tree, "#abstract", "li")), None)
                or tree.css_first("#abstract .abstract") or tree.css_first("div[itemprop='about']"))
    if abstract is not None:
        heading = abstract.css_first("h3")
        text = text_of(abstract)
        if heading is not None:
            text = text.removeprefix(text_of(heading)).strip()
        rows.add("abstract", [text], "abstract")
    return rows


def parse(page: Page) -> Record:
    if is_blank(page.body):
        raise NotARecord("empty page", url=page.url)
    tree = parse_html(page)
    meta = MetaTags.from_tree(tree)
    warnings: list[str] = []
    table = _table_rows(tree)
    table_fields = rows_layer(table, warnings=warnings)
    published, date_from = _published(table)
    put(table_fields, "published", published)
    blocks = rows_layer(_blocks(tree))
    citation = citation_fields(meta)
    put(citation, "pages", citation.get("pages") or parse_pages(
        "-".join(filter(None, (meta.first("citation_startpage"), meta.first("citation_lastpage"))))
    ))
    dc = dc_fields(meta)
    put(dc, "authors", people(meta.all("dc.creator.personalname")))
    listed = citation.get("authors") or dc.get("authors") or ()
    for fields in (table_fields, blocks):
        if "authors" in fields:
            fields["authors"] = align_people(fields["authors"], listed)
    # a thesis page may state only the year it was completed: last, after every meta date
    completed = next((d for d in map(parse_date, table.all("completed_year")) if d), None)
    layers: list[Layer] = [("opus:table", table_fields), ("opus:blocks", blocks),
                           ("meta:citation", citation), ("meta:dc", dc),
                           ("opus:table:completed_year", {"published": completed})]
    picked = resolve(layers, _PREFER)
    if "title" not in picked:
        raise NotARecord("no title: not an OPUS front door", url=page.url)
    values: dict[str, Any] = {k: picked[k][0] for k in _SIMPLE if k in picked}
    provenance = {k: picked[k][1] for k in _SIMPLE if k in picked}
    if provenance.get("published") == "opus:table":
        provenance["published"] = f"opus:table:{date_from}"
    raw = values.get("type_raw")
    kind = TYPES.get((raw or "").casefold()) or coarse_type(raw)
    if kind:
        provenance["type"] = provenance.get("type_raw", "")
    canonical = absolute(page.url, meta.canonical or meta.first("citation_abstract_html_url"))
    url = canonical or page.url
    return Record(url=url, platform=PLATFORM, source_key=normalize_url(url) if url else page.url,
                  type=kind, provenance=provenance, warnings=tuple(warnings), **values)
