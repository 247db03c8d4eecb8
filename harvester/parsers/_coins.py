"""COinS: an OpenURL ContextObject (KEV) in the title of `<span class="Z3988">` -> layer "coins".

Zotero, EPrints, Digital Commons and many OPACs print one per item. Only the
first span counts: a page listing several works is not one record, and the
caller decides from the other layers whether the page describes a work.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from selectolax.lexbor import LexborHTMLParser

from harvester.normalize.dates import parse_date
from harvester.normalize.identifiers import normalize_doi, normalize_isbn, normalize_issn
from harvester.normalize.languages import to_iso639_1
from harvester.normalize.names import make_person
from harvester.normalize.pages import parse_pages
from harvester.normalize.text import clean, split_keywords
from harvester.types import Identifier, PageRange, Person

from ._html import with_class
from .coarse_types import coarse_type

__all__ = ["coins_fields", "read_coins"]


def read_coins(tree: LexborHTMLParser) -> list[tuple[str, str]]:
    """The key/value pairs of the first COinS span ([] when the page has none)."""
    node = next(with_class(tree, "span", "Z3988"), None)
    if node is None:
        return []
    title = node.attributes.get("title") or ""
    return [(k, v) for k, v in parse_qsl(title, keep_blank_values=False) if v.strip()]


def _authors(pairs: list[tuple[str, str]]) -> tuple[Person, ...]:
    """rft.au holds whole names (all authors); rft.aulast/aufirst only the first one."""
    names = [v for k, v in pairs if k == "rft.au"]
    if not names:
        get = dict(pairs).get
        last, first = get("rft.aulast"), get("rft.aufirst") or get("rft.auinit")
        if not last:
            return ()
        p = make_person(f"{last}, {first}" if first else last, family=last, given=first)
        return (p,) if p is not None else ()
    people = (make_person(n) for n in names)
    return tuple(p for p in people if p is not None)


def coins_fields(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    if not pairs:
        return {}
    get = dict(pairs).get
    f: dict[str, Any] = {}
    f["title"] = clean(get("rft.atitle") or get("rft.title") or get("rft.btitle"))
    f["authors"] = _authors(pairs)
    f["journal"] = clean(get("rft.jtitle") or (get("rft.title") if get("rft.atitle") else None))
    f["volume"] = clean(get("rft.volume"))
    f["issue"] = clean(get("rft.issue"))
    first, last = get("rft.spage"), get("rft.epage")
    rng = parse_pages(get("rft.pages") or (f"{first}-{last}" if first and last else first))
    f["pages"] = rng if rng != PageRange() else None
    f["published"] = parse_date(get("rft.date"))
    ids = [v for k, v in pairs if k in ("rft_id", "rft.identifier")]
    f["doi"] = next((d for d in map(normalize_doi, ids) if d), None)
    f["language"] = to_iso639_1(get("rft.language"))
    f["publisher"] = clean(get("rft.pub") or get("rft.publisher"))
    f["keywords"] = tuple(
        dict.fromkeys(k for k, v in pairs if k == "rft.subject" for k in split_keywords(v))
    )
    isbn, issn = normalize_isbn(get("rft.isbn")), normalize_issn(get("rft.issn"))
    f["identifiers"] = tuple(
        Identifier(s, v) for s, v in (("isbn", isbn), ("issn", issn)) if v
    )
    genre = get("rft.genre") or get("rft.type") or (get("rft_val_fmt") or "").rsplit(":", 1)[-1]
    f["type_raw"] = clean(genre)
    f["type"] = coarse_type(genre) if genre != "article" or f["journal"] else None
    return {k: v for k, v in f.items() if v not in (None, "", ())}
