"""Elsevier Pure portal research-output pages -> Record.

Layers, most explicit first: the properties table (by row label), the
"Publication series" table, the sidebar DOI, the RIS and BibTeX "Cite this"
tabs, citation_* meta, Open Graph, then blocks found by class name. Title,
abstract and keywords are the exception: the visible heading/abstract/keyword
list win, because the RIS title drops the part after a colon (PSU raw page:
T1 "Pirate" under the heading "Pirate: No Compromise ...").
"""

from __future__ import annotations

import re
from typing import Any

from harvester.errors import NotARecord
from harvester.normalize.identifiers import normalize_orcid, normalize_url
from harvester.normalize.names import make_person
from harvester.normalize.text import clean
from harvester.types import FileLink, Identifier, Page, Person, Record

from . import pure_files
from . import pure_markup as mk
from ._detect import Signals
from ._html import MetaTags, absolute, is_blank, parse_html
from ._meta import FieldMap, Layer, citation_author_rows, citation_fields, og_fields, put, resolve
from .pure_cite import (
    CiteBlocks,
    bibtex_authors,
    bibtex_fields,
    read_cite_blocks,
    ris_authors,
    ris_fields,
    ris_names,
)
from .pure_dom import find_blocks
from .pure_props import properties_fields, read_rows, series_fields
from .pure_types import type_from_line, type_from_rendering

PLATFORM = "pure"

MARKERS = re.compile(
    rb"rendering_researchoutput|rendering_contributionto|\"cmsName\"\s*:\s*\"Pure Portal\""
    rb"|Powered by\s*(?:<a[^>]*>\s*)?Pure\b"
)

_DEFAULT = ("pure:properties", "pure:series", "pure:access", "ris", "bibtex", "meta:citation",
            "meta:og")
_PREFER: dict[str, tuple[str, ...]] = {
    "title": ("pure:heading", "meta:citation", "ris", "bibtex", "meta:og"),
    "subtitle": ("pure:heading",),
    "abstract": ("pure:abstract", "ris", "bibtex", "meta:citation"),
    "keywords": ("pure:keywords", "ris", "bibtex", "meta:citation"),
    "type": ("pure:type", "ris", "bibtex", "pure:rendering"),
    "type_raw": ("pure:type",),
    # SNU gold: citation_online_date alone is not an early-online date.
    "online": ("pure:properties",),
}
_SIMPLE = ("title", "subtitle", "abstract", "doi", "journal", "volume", "issue", "article_number",
           "pages", "published", "online", "status", "status_date", "language", "publisher",
           "host_publication", "type", "type_raw")


_PORTAL_URL = re.compile(r"/(?:portal/)?[a-z]{2}/publications/")


_POWERED_BY = re.compile(rb"Powered by\s*(?:<a[^>]*>\s*)?Pure\b")


def looks_like_pure(body: bytes, url: str = "") -> bool:
    # substring tests first: a regex alternation over the whole body cost ~50 µs a page
    if b"rendering_researchoutput" in body or b"rendering_contributionto" in body:
        return True
    # What MARKERS can still match: its first two markers are tested above, and its
    # "cmsName" one holds b"Pure Portal"; that one and "Powered by ... Pure" both need a
    # "Pure", which other platforms' pages seldom hold: one scan rules both out.
    first = body.find(b"Pure")
    if first >= 0:
        if body.find(b"Pure Portal", first) >= 0:
            return True
        # tried only where "Powered by" stands (many footers say it), not at every byte
        at = body.find(b"Powered by")
        while at >= 0:
            if _POWERED_BY.match(body, at) is not None:
                return True
            at = body.find(b"Powered by", at + 1)
    return bool(_PORTAL_URL.search(url)) and b"portal_link" in body


# Where the first marker stands on the corpus pages: 5-12 KB in.
_TOP = 16384


def in_head(signals: Signals) -> bool:
    """A Pure marker near the top of the page counts with the heads: asked first of all
    (Pure leads the order), bounded so other pages pay ~6 µs, not `looks_like_pure`'s
    full scans."""
    return signals.body.find(b"rendering_researchoutput", 0, _TOP) >= 0


def in_body(signals: Signals) -> bool:
    """Evidence in the body's markup (asked only when no head says which platform)."""
    return looks_like_pure(signals.body, signals.url)


def looks_like(page: Page, signals: object = None) -> bool:
    """The registry's detector (harvester/parsers/__init__.py); Pure needs no signals."""
    return looks_like_pure(page.body, page.url)


def _date_order(meta: MetaTags) -> str:
    """en_US portals print "Mar 30 2025" and "3/30/25" (C: PSU raw page)."""
    locale = (meta.first("og:locale") or "").replace("-", "_").lower()
    return "mdy" if locale == "en_us" else "auto"


def _authors(
    people: list[tuple[str, str | None, str]], cite: CiteBlocks, meta: MetaTags
) -> tuple[tuple[Person, ...], str | None]:
    """(authors, layer): the visible persons list, with family/given from RIS and ORCID and
    affiliations from citation_* where the lists line up one to one; else RIS, BibTeX, meta."""
    shown = [(name, url) for name, url, role in people if role == "author"]
    if not shown:
        for layer, found in (
            ("ris", lambda: ris_authors(cite.ris)),
            ("bibtex", lambda: bibtex_authors(cite.bibtex)),
            ("meta:citation", lambda: citation_fields(meta).get("authors", ())),
        ):
            found_people: tuple[Person, ...] = found()
            if found_people:
                return found_people, layer
        return (), None
    names = ris_names(cite.ris)
    names = names if len(names) == len(shown) else []
    rows = citation_author_rows(meta)
    rows = rows if len(rows) == len(shown) else []
    out: list[Person] = []
    for i, (name, url) in enumerate(shown):
        orcid, affiliations = (rows[i][2], tuple(rows[i][1])) if rows else (None, ())
        family, given = names[i] if names else ("", "")
        if family and family.casefold() in name.casefold():
            # RIS says which part is the family name; no guessing from the display form
            out.append(Person(name=clean(name) or name, family=family, given=given or None,
                              orcid=normalize_orcid(orcid), affiliations=affiliations, url=url))
            continue
        person = make_person(name, orcid=orcid, affiliations=affiliations, url=url)
        if person is not None:
            out.append(person)
    return tuple(out), "pure:persons"


def parse(page: Page) -> Record:
    if is_blank(page.body):
        raise NotARecord("empty page", url=page.url)
    if not looks_like_pure(page.body, page.url):
        raise NotARecord("no Pure markers: not a Pure research-output page", url=page.url)
    return parse_detected(page)


def parse_detected(page: Page) -> Record:
    """`parse` for a page detection placed here: `in_head` and `in_body` both imply
    `looks_like_pure`, so its scan is not run a second time."""
    if is_blank(page.body):
        raise NotARecord("empty page", url=page.url)
    tree = parse_html(page)
    meta = MetaTags.from_tree(tree)
    order = _date_order(meta)
    warnings: list[str] = []

    blocks = find_blocks(tree)
    main, series, _unknown = read_rows(blocks.tables)
    cite = read_cite_blocks(blocks.ris, blocks.bibtex)
    ris = ris_fields(cite.ris)
    bib = bibtex_fields(cite.bibtex_kind, cite.bibtex_key, cite.bibtex)
    title, subtitle = mk.heading(blocks.heading)
    type_raw = mk.type_line(blocks.type_line)
    keywords, subjects = mk.keyword_groups(blocks.keyword_groups)
    people = mk.person_rows(blocks.persons)
    named: dict[str, FieldMap] = {
        "pure:properties": properties_fields(main, order, warnings),
        "pure:series": series_fields(main, series),
        "pure:access": {},
        "ris": ris,
        "bibtex": bib,
        "meta:citation": citation_fields(meta, order, authors=False),
        "meta:og": og_fields(meta),
        "pure:heading": {},
        "pure:abstract": {},
        "pure:keywords": {},
        "pure:type": {},
        "pure:rendering": {},
    }
    put(named["pure:heading"], "title", title)
    put(named["pure:heading"], "subtitle", subtitle)
    put(named["pure:abstract"], "abstract", mk.abstract(blocks.abstract))
    put(named["pure:keywords"], "keywords", tuple(dict.fromkeys(keywords)))
    put(named["pure:type"], "type_raw", type_raw)
    put(named["pure:type"], "type", type_from_line(type_raw or ""))
    put(named["pure:rendering"], "type", type_from_rendering(blocks.rendering))
    put(named["pure:access"], "doi", next(iter(mk.access_dois(blocks.dois)), None))

    props = named["pure:properties"]
    prefer = dict(_PREFER)
    if props.get("status") not in (None, "published"):
        prefer["published"] = ("pure:properties",)  # an accepted paper has no publication date
    layers: list[Layer] = [(n, named[n]) for n in _DEFAULT] + [
        (n, f) for n, f in named.items() if n not in _DEFAULT
    ]
    picked = resolve(layers, prefer)
    if "title" not in picked:
        raise NotARecord("no title: not a research-output page", url=page.url)

    canonical = absolute(page.url, meta.canonical or meta.first("og:url"))
    url = canonical or page.url
    uuid = mk.record_uuid(page.body, page.url, canonical) or bib.get("uuid")
    values: dict[str, Any] = {k: picked[k][0] for k in _SIMPLE if k in picked}
    provenance = {k: picked[k][1] for k in (*_SIMPLE, "keywords") if k in picked}
    authors, authors_from = _authors(people, cite, meta)
    if authors_from:
        provenance["authors"] = authors_from

    ids: list[Identifier] = [Identifier("pure-uuid", uuid)] if uuid else []
    for name in ("pure:properties", "ris", "bibtex", "meta:citation"):
        for ident in named[name].get("identifiers", ()):
            if ident not in ids:
                ids.append(ident)
                provenance.setdefault("identifiers", name)
    if "scopus" in ris:
        ids.append(ris["scopus"])
    files: dict[str, FileLink] = {f.url: f for f in pure_files.files(tree, page.url)}
    for f in named["meta:citation"].get("files", ()):
        files.setdefault(f.url, f)
    if b"</html>" not in page.body[-512:].lower():
        warnings.append("document looks truncated (no closing </html>)")

    return Record(
        url=url,
        platform=PLATFORM,
        source_key=uuid or (normalize_url(canonical) if canonical else None) or page.url,
        authors=authors,
        keywords=picked["keywords"][0] if "keywords" in picked else (),
        subjects=tuple(subjects + mk.fingerprint(blocks.concepts)),
        identifiers=tuple(ids),
        files=tuple(files.values()),
        metrics=tuple(mk.metrics(blocks.metrics)),
        citations=tuple(cite.citations),
        provenance=provenance,
        warnings=tuple(warnings),
        **values,
    )
