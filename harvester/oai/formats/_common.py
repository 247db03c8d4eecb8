"""Helpers shared by the metadata-format mappers: type vocabulary, markup, Record assembly."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from harvester.errors import NotARecord
from harvester.normalize.text import clean, decode_references, unescape
from harvester.oai.protocol import OAIRecord
from harvester.types import PageRange, PartialDate, Record

# Exact codes: SwePub publicationType, BASE typenorm, DataCite resourceTypeGeneral.
_CODES = {
    # SwePub (svep) publicationType
    "art": "article", "for": "article", "rec": "article", "kon": "conference-paper",
    "dok": "thesis", "lic": "thesis", "kap": "chapter", "bok": "book", "sam": "book",
    "pro": "book", "rap": "report", "pat": "other", "ovr": "other", "ovn": "other",
    "kfu": "other",
    # BASE typenorm (doctype codes of the BASE search API)
    "121": "article", "11": "book", "111": "chapter", "13": "conference-paper",
    "14": "report", "18": "thesis", "181": "thesis", "182": "thesis", "183": "thesis",
    "6": "software", "7": "dataset", "f": "other",
    # DataCite resourceTypeGeneral ("Text" says nothing and is left out)
    "journalarticle": "article", "bookchapter": "chapter", "conferencepaper": "conference-paper",
    "conferenceproceeding": "book", "dissertation": "thesis", "image": "other",
    "audiovisual": "other", "sound": "other", "collection": "other", "model": "other",
    "workflow": "other", "physicalobject": "other", "interactiveresource": "other",
    "event": "other", "service": "other", "film": "other",
}  # fmt: skip
# Free-text types (dc:type, MODS genre, DiVA codes), first match wins: the order
# puts the narrower kinds ("book chapter", "conference paper") before the wider.
_WORDS = [
    (re.compile(pattern), kind)
    for pattern, kind in [
        (r"preprint|manuscript", "preprint"),
        (r"chapter|book ?part|part of (?:a )?book|\binbook|incollection", "chapter"),
        (r"conference|proceeding|congress|symposium|workshop", "conference-paper"),
        (r"thesis|dissertation|doctoral|licentiate|master|bachelor|phd", "thesis"),
        (r"data ?set|\bdata\b", "dataset"),
        (r"software|\bcode\b", "software"),
        (r"report|working ?paper|discussion paper|technical", "report"),
        # "review" but not "peer reviewed", which is a status, not a kind
        (r"article|journal|review(?!ed)|letter|editorial|contribution", "article"),
        (r"book|monograph", "book"),
        (r"(?:^|/)other$|patent|poster|presentation|lecture|image|video|sound", "other"),
    ]
]
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


def coarse_type(raws: Iterable[str | None]) -> tuple[str | None, str | None]:
    """(coarse type, the raw string that gave it); (None, first raw) when none maps."""
    first = None
    for raw in raws:
        if raw is None:
            continue
        text, kind = _typed(raw)
        if text is None:
            continue
        first = first or text
        if kind:
            return kind, text
    return None, first


# A repository uses a handful of type strings, one or two a record: each is cleaned and
# classified once (coarse_type 6.7k -> 2.8k instructions a record on the bench's oai_dc
# pages, callgrind: clean, lower and _classify's own cache lookup a value, before)
@functools.lru_cache(maxsize=4096)
def _typed(raw: str) -> tuple[str | None, str | None]:
    """(clean(raw), its coarse type)"""
    text = clean(raw)
    return (text, _classify(text.lower())) if text is not None else (None, None)


def _classify(key: str) -> str | None:
    # uncached: its one caller, _typed, caches the whole reading of a raw string
    if key in _CODES:
        return _CODES[key]
    key = key.replace("_", " ")
    return next((kind for pattern, kind in _WORDS if pattern.search(key)), None)


def strip_markup(text: str | None) -> str | None:
    """Text of an abstract that arrives as (possibly escaped) HTML, cleaned."""
    if text is None:
        return None
    if "<" not in text:
        # "&" first: a one-character search is a memchr, "&lt;" a slower substring scan
        if "&" not in text or "&lt;" not in text:
            return clean(text)
        # escaped markup (Zenodo's abstracts): unescape's own shortcut without its count of
        # "&"s, which costs a pass over the text; the same result (see unescape)
        text = text.replace("&lt;", "<").replace("&gt;", ">")
        if "&" in text:
            text = decode_references(text)
    else:
        text = unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    # double-escaped markup leaves entities behind the tags; clean() decodes them
    return clean(text)


def local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag[tag.rfind("}") + 1 :]


def ns_of(el: etree._Element) -> str:
    """"{namespace}" of the element, for ElementPath expressions ("" when it has none)."""
    tag = el.tag if isinstance(el.tag, str) else ""
    ns = tag[: tag.rfind("}") + 1]
    if "}" in ns[:-1]:
        # a URI holding '}' (libxml2's recover mode keeps one) breaks ElementPath's
        # tokenizer, which raised KeyError; no metadata schema has such a namespace
        raise NotARecord(f"metadata namespace {ns[:80]!r} cannot be read")
    return ns


def is_doi_link(url: str) -> bool:
    # doi.org/ and dx.doi.org/ (which holds "doi.org/") in one substring test
    return "doi.org/" in url.lower()


def is_http(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def payload(rec: OAIRecord, source_url: str) -> etree._Element:
    """The metadata element of a live record; NotARecord for tombstones and empty records."""
    if rec.deleted:
        raise NotARecord(f"{rec.identifier} is deleted", url=source_url)
    if rec.metadata is None:
        raise NotARecord(f"{rec.identifier} has no metadata", url=source_url)
    return rec.metadata


_NO_PAGES = PageRange()


def _empty(value: Any) -> bool:
    if value is None or value == "" or value == ():
        return True
    return type(value) is PageRange and value == _NO_PAGES


# Record's fields by position: `build` fills a list of defaults and makes the Record
# positionally through the slot setter positional_pickle generates (`_unpickle`), then
# runs __post_init__ itself: 58k instructions a record on the corpus' oai_dc pages where
# Record(**kept) cost 68k (keyword parsing and defaults; callgrind).
_FIELDS = dataclasses.fields(Record)
_BLANK: list[Any] = [None if f.default is dataclasses.MISSING else f.default for f in _FIELDS]
_URL, _PLATFORM, _KEY, _PROVENANCE = (
    next(i for i, f in enumerate(_FIELDS) if f.name == n)
    for n in ("url", "platform", "source_key", "provenance")
)
_BLANK[_URL] = ""
_BLANK[_PLATFORM] = "oai"
# the fields a mapper may give (build sets platform, source_key and provenance itself)
_SLOT = {f.name: i for i, f in enumerate(_FIELDS) if i not in (_PLATFORM, _KEY, _PROVENANCE)}
_make: Callable[..., Record] = Record._unpickle  # type: ignore[attr-defined]


@functools.lru_cache(maxsize=64)
def layer_of(prefix: str | None, default: str) -> str:
    """The provenance layer "oai:<prefix>" of a page's records, one string object per
    prefix: built per record, each Record's copy was pickled and unpickled again when
    pages come back from a parse worker (one memo hit a record instead)."""
    return f"oai:{prefix or default}"


def build(rec: OAIRecord, layer: str, fields: dict[str, Any]) -> Record:
    """The Record, with provenance naming `layer` for every field that has a value."""
    values = _BLANK.copy()
    provenance: dict[str, str] = {}
    slot = _SLOT
    for k, v in fields.items():  # _empty() inlined: it runs for every field of every record
        if v is None:
            continue
        kind = type(v)
        if kind is str or kind is tuple:
            if not v:
                continue
        elif kind is PartialDate:
            # never empty (it has a year); the general test below ran the dataclass's
            # Python __eq__ twice against "" and () for every dated record
            pass
        elif kind is PageRange:
            if v == _NO_PAGES:
                continue
        elif v == "" or v == ():
            continue
        i = slot.get(k)
        if i is None:
            raise TypeError(f"build() got a field Record cannot take: {k!r}")
        values[i] = v
        provenance[k] = layer
    provenance.pop("url", None)
    values[_KEY] = rec.identifier
    values[_PROVENANCE] = provenance
    record = _make(*values)
    record.__post_init__()  # what Record(...) runs after setting the fields
    return record
