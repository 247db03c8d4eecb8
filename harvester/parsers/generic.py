"""Embedded metadata of any page -> Record, and the record builder every platform module uses.

Layers (names as they appear in `Record.provenance`): `meta:citation` (Highwire
citation_*), `meta:bepress`, `meta:eprints`, `meta:prism`, `meta:dc` (DC and
DCTERMS, name= and property=), `jsonld` (schema.org), `coins` (span.Z3988),
`meta:og` (Open Graph). A platform module puts its own layers in `front`; they
come first for every field unless it passes its own `prefer` order.

Precedence per field (first layer with a value wins; a later layer that
disagrees on doi or the publication year adds a warning):

| field                     | order                                                        |
|---------------------------|--------------------------------------------------------------|
| title, journal, volume,   | citation, bepress, eprints, prism, dc, jsonld, coins, og     |
| issue, doi, published,    |                                                              |
| language, publisher, ...  |                                                              |
| authors                   | citation, bepress, eprints, jsonld, dc, coins, og            |
|                           | (JSON-LD states family/given; DC only a display name;        |
|                           | og: article:author names, never its profile URLs)            |
| abstract                  | citation, bepress, eprints, dc, jsonld, og                   |
|                           | (og:description is often cut short: last)                    |
| keywords                  | citation, bepress, eprints, dc, jsonld, coins, og            |
| type, type_raw            | jsonld, eprints, dc, coins, citation                         |
|                           | (an explicit type word beats what citation_* tags imply)     |
| online                    | none: repositories fill citation_online_date with the        |
|                           | deposit or revision date (corpus: arXiv, HAL, SNU Pure), so  |
|                           | only a platform layer that labels an early-online date sets it|
| url                       | <link rel=canonical>, og:url, citation_abstract_html_url,    |
|                           | JSON-LD url, then the page address                           |
| identifiers, files        | merged from every layer, first spelling kept                 |
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from harvester.errors import NotARecord
from harvester.normalize.identifiers import normalize_url
from harvester.types import FileLink, Identifier, Page, PageRange, Person, Record

from ._coins import coins_fields, read_coins
from ._detect import Signals
from ._html import MetaTags, absolute, is_blank, parse_html
from ._jsonld import jsonld_blocks, jsonld_fields
from ._meta import Layer, meta_layers, refine_date, resolve

__all__ = ["EMBEDDED_ORDER", "PLATFORM", "PRECEDENCE", "Embedded", "build_record", "looks_like",
           "parse", "read_embedded"]

PLATFORM = "other"

_ALL = ("meta:citation", "meta:bepress", "meta:eprints", "meta:prism", "meta:dc", "jsonld",
        "coins", "meta:og")
#: the embedded layers in the order they answer a field PRECEDENCE does not name
EMBEDDED_ORDER: tuple[str, ...] = _ALL
PRECEDENCE: Mapping[str, tuple[str, ...]] = {
    "authors": ("meta:citation", "meta:bepress", "meta:eprints", "jsonld", "meta:dc", "coins",
                "meta:og"),
    "abstract": ("meta:citation", "meta:bepress", "meta:eprints", "meta:dc", "jsonld",
                 "meta:og"),
    "keywords": ("meta:citation", "meta:bepress", "meta:eprints", "meta:dc", "jsonld", "coins",
                 "meta:og"),
    "type": ("jsonld", "meta:eprints", "meta:dc", "coins", "meta:citation"),
    "online": (),
}
_FIELDS = ("title", "subtitle", "abstract", "authors", "doi", "journal", "volume", "issue",
           "article_number", "pages", "published", "online", "status", "language", "publisher",
           "host_publication", "keywords", "type")
_CHECKED = ("doi", "published")


@dataclass
class Embedded:
    """A page's tree, meta tags and embedded-metadata layers, read once."""

    tree: LexborHTMLParser
    meta: MetaTags
    layers: list[Layer]
    warnings: list[str] = field(default_factory=list)

    def layer(self, name: str) -> dict[str, Any]:
        return next((f for n, f in self.layers if n == name), {})


def read_embedded(page: Page) -> Embedded:
    """Parse the page once and read every embedded syntax; NotARecord for an empty body."""
    if is_blank(page.body):
        raise NotARecord("empty page", url=page.url)
    tree = parse_html(page)
    meta = MetaTags.from_tree(tree)
    warnings: list[str] = []
    layers = meta_layers(meta)
    # The scripts are walked on every page (~5-10 µs: fewer than two body scans for the
    # bytes "ld+json"/"LD+JSON", which missed other spellings of the type); spans are
    # many, so COinS waits for a substring test (~0.4 µs a KB).
    blocks = jsonld_blocks(tree, warnings)
    if blocks:
        layers.insert(-1, ("jsonld", jsonld_fields(blocks)))
    if b"Z3988" in page.body:
        layers.insert(-1, ("coins", coins_fields(read_coins(tree))))
    return Embedded(tree, meta, layers, warnings)


_BASE_ORDERS: dict[tuple[str, ...], dict[str, Sequence[str]]] = {}


def _orders(front: Sequence[str], prefer: Mapping[str, Sequence[str]] | None) -> dict[
    str, Sequence[str]
]:
    # the orders for a set of front layers are the same on every page: built once
    key = tuple(front)
    base = _BASE_ORDERS.get(key)
    if base is None:
        base = {name: (*key, *PRECEDENCE.get(name, _ALL)) for name in _FIELDS}
        if len(_BASE_ORDERS) < 256:  # a bound, should a caller invent layer names per page
            _BASE_ORDERS[key] = base
    if not prefer:
        return dict(base)
    return {name: prefer.get(name, order) for name, order in base.items()}


def _disagreements(layers: Sequence[Layer], picked: Mapping[str, tuple[Any, str]]) -> list[str]:
    out: list[str] = []
    for key in _CHECKED:
        if key not in picked:
            continue
        value, source = picked[key]
        for name, fields in layers:
            other = fields.get(key)
            if other is None or name == source:
                continue
            same = (other.year == value.year) if key == "published" else other == value
            if not same:
                out.append(f"layers disagree on {key}: {source}={value} {name}={other}")
    return out


def _enriched(authors: tuple[Person, ...], layers: Sequence[Layer], source: str) -> tuple[
    Person, ...
]:
    """ORCID iDs and affiliations from another layer that lists the same people in the same
    order (citation_author rarely carries ORCID; JSON-LD often does)."""
    for name, fields in layers:
        other = fields.get("authors") or ()
        if name == source or len(other) != len(authors):
            continue
        if any((a.family or "").casefold() != (b.family or "").casefold()
               for a, b in zip(authors, other, strict=True)):
            continue
        return tuple(
            replace(a, orcid=a.orcid or b.orcid, affiliations=a.affiliations or b.affiliations)
            for a, b in zip(authors, other, strict=True)
        )
    return authors


def _merged(layers: Sequence[Layer], key: str) -> tuple[Any, ...]:
    seen: dict[Any, None] = {}
    for _name, fields in layers:
        for item in fields.get(key, ()):
            if isinstance(item, (Identifier, FileLink)):
                seen.setdefault(item, None)
    return tuple(seen)


def build_record(
    page: Page,
    emb: Embedded,
    *,
    platform: str,
    front: Sequence[Layer] = (),
    prefer: Mapping[str, Sequence[str]] | None = None,
    source_key: str | None = None,
    url: str | None = None,
) -> Record:
    """Resolve `front` + embedded layers field by field into a Record (NotARecord without title)."""
    layers = [*front, *emb.layers]
    picked = resolve(layers, _orders([n for n, _ in front], prefer))
    refine_date(picked, layers)
    if "title" not in picked:
        raise NotARecord("no title in any metadata layer", url=page.url)
    values = {k: v for k, (v, _) in picked.items() if k in _FIELDS}
    provenance = {k: src for k, (_, src) in picked.items() if k in _FIELDS}
    # the raw string of the layer that gave the type, else the first one any layer has
    raw = dict(layers).get(picked["type"][1], {}).get("type_raw") if "type" in picked else None
    values["type_raw"] = raw or next((f["type_raw"] for _, f in layers if f.get("type_raw")),
                                     None)
    if "authors" in picked:
        values["authors"] = _enriched(values["authors"], layers, picked["authors"][1])
    pages: PageRange | None = values.get("pages")
    if pages is not None and pages.count is None:
        count = next((f["pages"].count for _, f in layers
                      if isinstance(f.get("pages"), PageRange) and f["pages"].count), None)
        values["pages"] = PageRange(pages.first, pages.last, count)
    elif pages is None:
        values.pop("pages", None)
    by_name = dict(layers)
    link = (emb.meta.canonical or emb.meta.first("og:url")
            or by_name.get("meta:citation", {}).get("url") or by_name.get("jsonld", {}).get("url"))
    own = url or absolute(page.url, link) or page.url
    return Record(
        url=own,
        platform=platform,
        source_key=source_key or normalize_url(own),
        identifiers=_merged(layers, "identifiers"),
        files=_merged(layers, "files"),
        provenance=provenance,
        warnings=tuple(emb.warnings + _disagreements(layers, picked)),
        **values,
    )


def looks_like(page: Page, signals: Signals) -> bool:
    """The generic parser takes any page; the registry asks it last."""
    return True


def parse(page: Page) -> Record:
    emb = read_embedded(page)
    return build_record(page, emb, platform=PLATFORM)
