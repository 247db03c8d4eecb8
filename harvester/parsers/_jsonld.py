"""schema.org JSON-LD blocks -> one layer of field values ("jsonld").

Reads every `<script type="application/ld+json">`, walks top-level arrays and
`@graph`, follows `mainEntity`, and takes the first node whose `@type` is a
scholarly kind (ScholarlyArticle, Thesis, Dataset, Book, Chapter, Report,
SoftwareSourceCode, CreativeWork, ...). A block that does not parse gives a
warning, never an exception. Values come in every shape the vocabulary allows
(a string, a number, an object with `name`/`@value`, a list of those), so each
field is read through `_strings`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from harvester.normalize.dates import parse_date
from harvester.normalize.identifiers import normalize_doi, normalize_orcid
from harvester.normalize.languages import to_iso639_1
from harvester.normalize.names import make_person
from harvester.normalize.pages import parse_page_count, parse_pages
from harvester.normalize.text import clean, split_keywords, strip_markup
from harvester.types import PageRange, Person

from .coarse_types import coarse_type

__all__ = ["jsonld_blocks", "jsonld_fields", "main_node"]

# Most specific first: a page with a WebPage and a ScholarlyArticle node describes the article.
_SCHOLARLY = (
    "scholarlyarticle", "medicalscholarlyarticle", "thesis", "dataset", "chapter", "book",
    "report", "techarticle", "softwaresourcecode", "softwareapplication", "article",
    "publicationissue", "creativework", "mediaobject", "videoobject", "imageobject",
    "presentationdigitaldocument", "poster",
)
_RANK = {name: i for i, name in enumerate(_SCHOLARLY)}
_MAX_BLOCK = 2_000_000  # characters; a larger script is not metadata
# A \uD800-\uDFFF escape outside a valid pair decodes to a lone surrogate, which no
# UTF-8 encoder accepts (the record could not be hashed or stored): read it as U+FFFD.
_LONE_SURROGATE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})"
    r"\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def jsonld_blocks(tree: LexborHTMLParser, warnings: list[str]) -> list[Any]:
    """The decoded JSON of every ld+json script; one warning per block that does not parse."""
    out: list[Any] = []
    # a walk over the scripts, not css('script[type*="ld+json" i]'): the first css() on
    # a tree sets up lexbor's selector engine (~45 µs), which some parsers never need
    scripts = (node for node in tree.tags("script")
               if "ld+json" in (node.attributes.get("type") or "").lower())
    for i, node in enumerate(scripts):
        kind = (node.attributes.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json":
            continue
        raw = node.text(deep=True) or ""
        if len(raw) > _MAX_BLOCK:
            warnings.append(f"JSON-LD block {i} skipped: {len(raw)} characters")
            continue
        raw = raw.strip()
        if raw.startswith("<!--"):
            raw = raw[4:].removesuffix("-->").strip()
        if not raw:
            continue
        if "\\ud" in raw or "\\uD" in raw:
            raw = _LONE_SURROGATE.sub(r"\\ufffd", raw)
        try:
            out.append(json.loads(raw))
        except (ValueError, RecursionError) as exc:
            warnings.append(f"JSON-LD block does not parse: {str(exc)[:80]}")
    return out


def _types(node: dict[str, Any]) -> list[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    out = []
    for v in values:
        if isinstance(v, str) and v:
            out.append(v.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower())
    return out


def _nodes(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _nodes(graph, depth + 1)
        entity = data.get("mainEntity")
        if isinstance(entity, (dict, list)):
            yield from _nodes(entity, depth + 1)


def main_node(blocks: list[Any]) -> dict[str, Any] | None:
    """The node that describes the work: the best-ranked scholarly @type, first on ties."""
    best: tuple[int, dict[str, Any]] | None = None
    for node in _nodes(blocks):
        ranks = [_RANK[t] for t in _types(node) if t in _RANK]
        if ranks and (best is None or min(ranks) < best[0]):
            best = (min(ranks), node)
    return best[1] if best else None


def _strings(value: Any) -> list[str]:
    """Every text a value holds: "x", 3, {"name": "x"}, {"@value": "x"}, [...]."""
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, (int, float)):
        return [str(value)]
    if isinstance(value, dict):
        for key in ("@value", "name", "value", "@id", "url"):
            if key in value:
                return _strings(value[key])
        return []
    if isinstance(value, list):
        return [s for item in value[:500] for s in _strings(item)]
    return []


def _first(node: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        for s in _strings(node.get(key)):
            return s
    return None


def _person(value: Any) -> Person | None:
    if isinstance(value, str):
        return make_person(value)
    if not isinstance(value, dict):
        return None
    name = _first(value, "name") or ""
    family, given = _first(value, "familyName"), _first(value, "givenName")
    orcid = next(
        (o for o in map(normalize_orcid, _strings(value.get("@id")) + _strings(
            value.get("identifier")) + _strings(value.get("sameAs"))) if o),
        None,
    )
    if "organization" in _types(value) and name:
        family, given = name, None
    affiliations = _strings(value.get("affiliation"))
    return make_person(name, family=family, given=given, orcid=orcid, affiliations=affiliations)


def _people(value: Any) -> tuple[Person, ...]:
    items = value if isinstance(value, list) else [value]
    out = (_person(v) for v in items[:2000])
    return tuple(p for p in out if p is not None)


def _doi(node: dict[str, Any]) -> str | None:
    for key in ("identifier", "@id", "sameAs", "url"):
        value = node.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and str(item.get("propertyID", "")).lower() == "doi":
                found = normalize_doi(_first(item, "value") or "")
            else:
                text = next(iter(_strings(item)), "")
                found = normalize_doi(text) if "doi" in text.lower() else None
            if found:
                return found
    return None


def _fill(f: dict[str, Any], key: str, value: str | None) -> None:
    if f.get(key) is None:
        f[key] = value


def _container(node: dict[str, Any], f: dict[str, Any]) -> None:
    """isPartOf chains: PublicationIssue -> PublicationVolume -> Periodical, or a Book."""
    part = node.get("isPartOf")
    for _ in range(4):
        if isinstance(part, list):
            part = next((p for p in part if isinstance(p, dict)), None)
        if not isinstance(part, dict):
            return
        kinds = _types(part)
        if "publicationissue" in kinds:
            _fill(f, "issue", _first(part, "issueNumber"))
        elif "publicationvolume" in kinds:
            _fill(f, "volume", _first(part, "volumeNumber"))
        elif "book" in kinds:
            _fill(f, "host_publication", clean(_first(part, "name")))
        elif "periodical" in kinds or not kinds:
            _fill(f, "journal", clean(_first(part, "name")))
        part = part.get("isPartOf")


def _pages(node: dict[str, Any]) -> PageRange | None:
    start, end = _first(node, "pageStart"), _first(node, "pageEnd")
    text = _first(node, "pagination") or (f"{start}-{end}" if start and end else start)
    found = parse_pages(text) if text else PageRange()
    count = parse_page_count(_first(node, "numberOfPages"))
    if count is not None:
        found = PageRange(found.first, found.last, count)
    return found if found != PageRange() else None


def jsonld_fields(blocks: list[Any]) -> dict[str, Any]:
    """Record fields from the main scholarly node (empty when there is none)."""
    node = main_node(blocks)
    if node is None:
        return {}
    f: dict[str, Any] = {}
    f["title"] = clean(_first(node, "name", "headline"))
    f["abstract"] = strip_markup(_first(node, "abstract", "description"))
    f["authors"] = _people(node.get("author") or node.get("creator"))
    f["published"] = parse_date(_first(node, "datePublished", "publicationDate"))
    f["doi"] = _doi(node)
    f["language"] = to_iso639_1(_first(node, "inLanguage", "language"))
    words = node.get("keywords")
    if isinstance(words, str):
        f["keywords"] = split_keywords(words)
    else:  # a list keeps each item whole, commas and all (Dataverse "Labor Supply, Indonesia")
        f["keywords"] = tuple(dict.fromkeys(k for k in map(clean, _strings(words)) if k))
    f["publisher"] = clean(_first(node, "publisher"))
    f["volume"] = _first(node, "volumeNumber")
    f["issue"] = _first(node, "issueNumber")
    _container(node, f)
    f["pages"] = _pages(node)
    types = [t for t in _types(node) if t in _RANK]
    raw_type = next((s for s in _strings(node.get("@type")) if s.lower().endswith(types[0])), None)
    f["type_raw"] = raw_type
    f["type"] = coarse_type(_first(node, "additionalType")) or coarse_type(types[0])
    f["url"] = _first(node, "url")
    return {k: v for k, v in f.items() if v not in (None, "", (), [])}
