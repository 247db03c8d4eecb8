"""Field layers and the helpers that build them: sparse maps of normalised values.

A layer is `(name, {field: value})` with Record field names and already
normalised values; `resolve` picks, per field, the first layer that has a
value and remembers which one. The small helpers turn raw strings into field
values (text, prose, dates, page ranges, people, identifiers, keywords, types)
and are what every platform module and `_meta` use, so all normalise alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from harvester.normalize.dates import parse_date
from harvester.normalize.identifiers import normalize_isbn, normalize_issn
from harvester.normalize.names import make_person
from harvester.normalize.pages import parse_page_count, parse_pages
from harvester.normalize.text import clean, split_keywords, strip_markup
from harvester.types import Identifier, PageRange, PartialDate, Person

from .coarse_types import coarse_type

__all__ = ["FieldMap", "Layer", "date", "drop_type_echo", "identifiers", "keywords", "pages",
           "people", "prose", "put", "refine_date", "resolve", "split_names", "text", "typed"]

FieldMap = dict[str, Any]
Layer = tuple[str, FieldMap]


_NO_PAGES = PageRange()


def _empty(value: Any) -> bool:
    # called ~100 times a page: the common exact types first, then the general rule
    if value is None:
        return True
    cls = value.__class__
    if cls is str or cls is tuple or cls is list:
        return not value
    if isinstance(value, PageRange):
        return bool(value == _NO_PAGES)
    return bool(value == "" or value == () or value == [])


def resolve(
    layers: Sequence[Layer], prefer: Mapping[str, Sequence[str]] | None = None
) -> dict[str, tuple[Any, str]]:
    """Per field, the value of the first layer that has one, with that layer's name.

    `prefer` gives, for some fields, their own order of layer names (layers not
    named there are not consulted for that field).
    """
    out: dict[str, tuple[Any, str]] = {}
    if not prefer:
        for name, fields in layers:
            for key, value in fields.items():
                if key not in out and not _empty(value):
                    out[key] = (value, name)
        return out
    for name, fields in layers:
        for key, value in fields.items():
            if key not in out and key not in prefer and not _empty(value):
                out[key] = (value, name)
    by_name = dict(layers)
    for key, names in prefer.items():
        for name in names:
            layer = by_name.get(name)
            if layer is None:
                continue
            value = layer.get(key)
            if value is not None and not _empty(value):
                out[key] = (value, name)
                break
    return out


# Layers whose date states the publication itself; DC's bare `DC.date` may be a deposit date.
# layers whose date is the publication date, never a deposit date (a bare DC.date may be);
# "ojs" is OJS's DC.Date.issued, the day the journal published the article
_DATED = frozenset({"meta:citation", "meta:bepress", "meta:eprints", "meta:prism", "jsonld",
                    "ojs"})


def refine_date(
    picked: dict[str, tuple[Any, str]], layers: Sequence[Layer], key: str = "published"
) -> None:
    """A date picked at year (or month) precision takes the finest date another layer states
    for the same year (and month): Pensoft writes eprints.date "2011" beside citation_date
    "2011/05/05"; the page states the day, so the record keeps it."""
    if key not in picked:
        return
    value, source = picked[key]
    for name, fields in layers:
        other = fields.get(key)
        if name == source or name not in _DATED or not isinstance(other, PartialDate):
            continue
        if other.year != value.year or (value.month and other.month != value.month):
            continue
        if _RANK[other.precision] > _RANK[value.precision]:
            value, picked[key] = other, (other, name)


_RANK = {"year": 0, "month": 1, "day": 2}


def drop_type_echo(fields: FieldMap, type_raw: str | None) -> None:
    """Drop the item type from a layer's keywords: DSpace writes citation_keywords as the
    subjects followed by dc.type ("Book" on a Deep Blue book with four DC subjects)."""
    kws = fields.get("keywords")
    if not kws or not type_raw:
        return
    kept = tuple(k for k in kws if k.casefold() != type_raw.casefold())
    if kept:
        fields["keywords"] = kept
    else:
        del fields["keywords"]


def put(fields: FieldMap, key: str, value: Any) -> None:
    """Set a field only when the value is not empty (keeps layers sparse)."""
    if value is not None and not _empty(value):
        fields[key] = value


def text(value: str | None) -> str | None:
    return (clean(value) or None) if value else None


def prose(value: str | None) -> str | None:
    """Abstract-like text: may carry HTML, escaped or not ("&lt;p&gt;...")."""
    return strip_markup(value) if value else None


def typed(fields: FieldMap, raw: str | None) -> None:
    """Set type_raw and, when the string names a kind, the coarse type."""
    raw = text(raw)
    put(fields, "type_raw", raw)
    put(fields, "type", coarse_type(raw))


def date(value: str | None, order: str = "auto") -> PartialDate | None:
    return parse_date(value, order=order) if value else None


def pages(first: str | None, last: str | None, count: str | None = None) -> PageRange | None:
    """citation_firstpage may hold the whole range ("444-445"); `count` only as stated."""
    found = PageRange()
    if first:
        found = parse_pages(f"{first}-{last}" if last and last != first else first)
    stated = parse_page_count(count) if count else None
    if stated is not None:
        found = PageRange(found.first, found.last, stated)
    return found if found != PageRange() else None


def people(names: Iterable[str]) -> tuple[Person, ...]:
    """One Person a name; a value holding several names is split (see `split_names`)."""
    split = (part for n in names if n for part in (split_names(n) if ";" in n else (n,)))
    out = (make_person(n) for n in split if n.strip())
    return tuple(p for p in out if p is not None)


# A ";" outside an entity ("&eacute;") separates names: no personal name holds one.
_NAME_PART = re.compile(r"(?:&#?\w+;|[^;])+")


def split_names(value: str) -> list[str]:
    """"Smith, J.; Doe, K." -> ["Smith, J.", " Doe, K."] (one tag naming several people)."""
    return _NAME_PART.findall(value)


def identifiers(isbns: Iterable[str], issns: Iterable[str], eissns: Iterable[str] = ()) -> tuple[
    Identifier, ...
]:
    out: list[Identifier] = []
    for scheme, values, norm in (
        ("isbn", isbns, normalize_isbn),
        ("issn", issns, normalize_issn),
        ("eissn", eissns, normalize_issn),
    ):
        for raw in values:
            value = norm(raw)
            if value and Identifier(scheme, value) not in out:
                out.append(Identifier(scheme, value))
    return tuple(out)


def keywords(values: Iterable[str]) -> tuple[str, ...]:
    """One tag per keyword splits only on ";"; a single tag may hold a comma list."""
    values = list(values)
    several = len(values) > 1
    seen: dict[str, str] = {}
    for value in values:
        parts = split_keywords(value) if not several or ";" in value else (clean(value),)
        for kw in parts:
            if kw:
                seen.setdefault(kw.casefold(), kw)
    return tuple(seen.values())
