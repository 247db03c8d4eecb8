"""Simple Dublin Core (oai_dc) into a Record.

oai_dc cannot say which dc:date is the publication date or which dc:identifier
is the landing page, so the rules are conservative: the first readable date,
the first http(s) identifier that is neither a DOI link nor a file. It has no
journal, volume or pages; those stay null for enrichment from the landing page.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from harvester.normalize.dates import parse_date
from harvester.normalize.identifiers import normalize_doi, normalize_isbn, normalize_issn
from harvester.normalize.languages import to_iso639_1
from harvester.normalize.names import make_person
from harvester.normalize.text import clean
from harvester.oai.formats._common import (
    build,
    coarse_type,
    is_http,
    layer_of,
    payload,
    strip_markup,
)
from harvester.oai.protocol import OAIRecord
from harvester.types import FileLink, Identifier, Person, Record, Subject
from harvester.types_parts import positional_new

_CLASSIFICATION = re.compile(r"^(ddc|udc|jel|msc|pacs|acm|lcc)\s*[:=]\s*(\S.*)$", re.I)
_HANDLE = re.compile(r"^(?:hdl:|https?://hdl\.handle\.net/)(\d[\w.]*/\S+)$", re.I)
_FILE = re.compile(r"\.(?:pdf|docx?|zip|epub)(?:[?#].*)?$", re.I)
# Identifier(scheme, value) positionally: its frozen __init__ sets each field through
# object.__setattr__ (~1,000 instructions a handle, most DSpace records have one)
_new_identifier: Callable[[str, str], Identifier] = positional_new(Identifier)


def collect(meta: etree._Element) -> dict[str, list[etree._Element]]:
    """Children of a DC container by local name, in document order (one pass)."""
    found: dict[str, list[etree._Element]] = defaultdict(list)
    for child in meta:
        tag = child.tag
        if isinstance(tag, str):
            found[tag[tag.rfind("}") + 1 :]].append(child)
    return found


def texts_of(found: dict[str, list[etree._Element]]) -> dict[str, list[str]]:
    """The non-empty texts of `collect`'s elements, by local name."""
    return {name: [el.text for el in els if el.text] for name, els in found.items()}


#: the DC elements `dc_fields` reads (dc:format, rights, relation... are left unread)
DC_READ = frozenset(("title", "creator", "subject", "description", "publisher", "date",
                     "type", "identifier", "language"))

# per `wanted` set: {namespace}local -> local name, or "" when unwanted; a DC container
# uses a dozen tags, read millions of times, so the name and the filter cost one lookup
_LOCAL_NAMES: dict[frozenset[str] | None, dict[str, str]] = {}


def collect_texts(
    meta: etree._Element, wanted: frozenset[str] | None = None
) -> dict[str, list[str]]:
    """`texts_of(collect(meta))` in one pass, without keeping the elements; only the
    local names in `wanted` when given (reading an element's text has a cost)."""
    found: dict[str, list[str]] = {}
    names = _LOCAL_NAMES.get(wanted)
    if names is None:
        names = _LOCAL_NAMES.setdefault(wanted, {})
    for child in meta:
        tag = child.tag
        name = names.get(tag)  # comments and PIs: tag is a function, never a key
        if name is None:
            if not isinstance(tag, str):
                continue
            name = tag[tag.rfind("}") + 1 :]
            if wanted is not None and name not in wanted:
                name = ""
            if len(names) < 4096:  # bounded: a hostile feed may invent tags
                names[tag] = name
        if not name:
            continue
        text = child.text
        if not text:
            continue
        got = found.get(name)
        if got is None:
            found[name] = [text]
        else:
            got.append(text)
    return found


def _first_clean(found: dict[str, list[str]], name: str) -> str | None:
    got = found.get(name)
    return clean(got[0]) if got else None


def dc_fields(found: dict[str, list[str]]) -> dict[str, Any]:
    """The Record fields Dublin Core elements give (texts by local name, as
    `collect_texts` reads them); shared with base_dc."""
    get = found.get
    published = None
    for raw in get("date", ()):
        published = parse_date(raw)
        if published is not None:
            break
    language = None
    for raw in get("language", ()):
        language = to_iso639_1(raw)
        if language:
            break
    type_, type_raw = coarse_type(get("type", ()))
    abstract = None
    for raw in get("description", ()):
        abstract = strip_markup(raw)
        if abstract:
            break
    fields: dict[str, Any] = {
        "title": _first_clean(found, "title"),
        "abstract": abstract,
        "authors": persons(found),
        "published": published,
        "language": language,
        "type": type_,
        "type_raw": type_raw,
        "publisher": _first_clean(found, "publisher"),
    }
    fields["keywords"], fields["subjects"] = _subjects(get("subject", ()))
    fields["doi"], fields["url"], fields["identifiers"], fields["files"] = _identifiers(
        get("identifier", ()))
    return fields


def _subjects(raws: Iterable[str]) -> tuple[tuple[str, ...], tuple[Subject, ...]]:
    """(keywords without case-insensitive repeats, first one kept; classification codes)"""
    seen: set[str] = set()
    keywords: list[str] = []
    subjects: list[Subject] = []
    for raw in raws:
        got = _subject(raw)
        if type(got) is Subject:
            subjects.append(got)
            continue
        for keyword, key in got:  # type: ignore[union-attr]  # the other arm: the pairs
            if key not in seen:  # a cached key: its hash is computed once, not per record
                seen.add(key)
                keywords.append(keyword)
    return tuple(keywords), tuple(subjects)


# A repository's subjects recur across its records; the result is immutable.
@functools.lru_cache(maxsize=8192)
def _subject(raw: str) -> Subject | tuple[tuple[str, str], ...]:
    """One dc:subject: a classification code, or its keywords (cleaned, ";"-separated),
    each with its casefolded form, the key `_subjects` drops repeats by."""
    # every classification has a ":" or "="; most keywords have neither
    m = _CLASSIFICATION.match(raw.strip()) if ":" in raw or "=" in raw else None
    if m:
        code = m.group(2).strip()
        return Subject(scheme=m.group(1).lower(), term=code, code=code)
    if ";" not in raw and "<" not in raw:  # one plain keyword: most subjects
        keyword = clean(raw)
        return ((keyword, keyword.casefold()),) if keyword is not None else ()
    pairs: list[tuple[str, str]] = []
    for part in raw.split(";"):
        # "a; b": without its spaces (which cleaning drops anyway) a part takes clean()'s
        # fast path, not its general one
        part = part.strip(" ")
        keyword = clean(strip_markup(part) if "<" in part else part)
        if keyword is not None:
            pairs.append((keyword, keyword.casefold()))
    return tuple(pairs)


def _identifiers(
    raws: Iterable[str],
) -> tuple[str | None, str | None, tuple[Identifier, ...], tuple[FileLink, ...]]:
    """(doi, landing page url, identifiers, files)"""
    doi = url = None
    ids: list[Identifier] = []
    files: list[FileLink] = []
    for raw in raws:
        value = raw.strip()
        low = value.lower()
        doi_link = "doi.org/" in low  # is_doi_link(), on the lower-cased value at hand
        if doi is None and (doi_link or low.startswith(("doi:", "10."))):
            doi = normalize_doi(value)
            continue
        if low.startswith(("urn:isbn:", "isbn")) and (isbn := normalize_isbn(value)):
            ids.append(_new_identifier("isbn", isbn))
        elif low.startswith(("urn:issn:", "issn")) and (issn := normalize_issn(value)):
            ids.append(_new_identifier("issn", issn))
        # every _HANDLE match holds "hdl" once lower-cased (no letter of it has another
        # case-insensitive equivalent), and a failing re.I match costs ~2,500 instructions
        elif "hdl" in low and (m := _HANDLE.match(value)):
            ids.append(_new_identifier("handle", m.group(1)))
            url = url or (value if is_http(value) else None)
        elif is_http(value):
            if _FILE.search(value):
                files.append(FileLink(url=value, mime=_mime(value)))
            elif url is None and not doi_link:
                url = value
    return doi, url, tuple(ids), tuple(files)


def _mime(url: str) -> str | None:
    return "application/pdf" if url.lower().split("?")[0].endswith(".pdf") else None


def to_record(rec: OAIRecord, *, source_url: str) -> Record:
    """An oai_dc record as a Record; NotARecord for deleted or empty records."""
    fields = dc_fields(collect_texts(payload(rec, source_url), DC_READ))
    return build(rec, layer_of(rec.metadata_prefix, "oai_dc"), fields)


def persons(found: dict[str, list[str]]) -> tuple[Person, ...]:
    """dc:creator values as authors; dc:contributor is left out (DSpace repeats the
    creators there, others put supervisors and funders)."""
    return tuple(p for p in map(make_person, found.get("creator", ())) if p is not None)
