"""MODS 3.x (including SwePub's swepub_mods) into a Record.

The host (journal or book) comes from relatedItem[@type=host]; volume, issue
and pages from its part (or the record's own part). SwePub records carry the
type in genre[@authority=svep][@type=publicationType] codes ("art", "kon").
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from harvester.normalize.dates import parse_date
from harvester.normalize.identifiers import normalize_doi, normalize_isbn, normalize_issn
from harvester.normalize.languages import to_iso639_1
from harvester.normalize.names import make_person
from harvester.normalize.pages import parse_page_count
from harvester.normalize.text import clean, clean_many
from harvester.oai.formats._common import (
    build,
    coarse_type,
    is_doi_link,
    is_http,
    layer_of,
    local,
    ns_of,
    payload,
    strip_markup,
)
from harvester.oai.protocol import OAIRecord
from harvester.types import FileLink, Identifier, PageRange, Person, Record, Subject

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_ROLES = {
    "aut": "author", "author": "author", "cre": "author", "creator": "author",
    "edt": "editor", "editor": "editor", "ths": "supervisor", "thesis advisor": "supervisor",
    "ctb": "contributor", "contributor": "contributor",
}  # fmt: skip
_ORCID_NOTE = re.compile(r"orcid(?:\.org)?\s*[=:]\s*(\S+)", re.I)
# genre attributes in the order their values are trusted for the coarse type
_GENRE_RANK = [
    ("svep", "publicationType"),
    ("diva", "publicationTypeCode"),
    ("kb.se", "outputType"),
    ("marcgt", None),
    (None, None),
]


class _Mods:
    """Namespace-bound finders over one <mods> element."""

    def __init__(self, root: etree._Element) -> None:
        if local(root) == "modsCollection":
            root = next((c for c in root if local(c) == "mods"), root)
        self.root = root
        self.ns = ns_of(root)

    def all(self, el: etree._Element, path: str) -> list[etree._Element]:
        return el.findall(path.replace("m:", self.ns))

    def text(self, el: etree._Element, path: str) -> str | None:
        found = el.find(path.replace("m:", self.ns))
        return clean(found.text) if found is not None and found.text else None


def _title(m: _Mods, el: etree._Element) -> tuple[str | None, str | None]:
    infos = m.all(el, "m:titleInfo")
    info = next((t for t in infos if t.get("type") is None), infos[0] if infos else None)
    if info is None:
        return None, None
    title = m.text(info, "m:title")
    non_sort = m.text(info, "m:nonSort")
    if title and non_sort:
        title = f"{non_sort} {title}"
    return title, m.text(info, "m:subTitle")


def _person(m: _Mods, name: etree._Element) -> Person | None:
    terms = [(t.text or "").strip().lower() for t in m.all(name, "m:role/m:roleTerm")]
    roles = [_ROLES[t] for t in terms if t in _ROLES]
    if terms and not roles:
        return None  # publisher, organisation unit, "oth": not a person we list
    parts: dict[str, list[str]] = {}
    for part in m.all(name, "m:namePart"):
        if part.text:
            parts.setdefault(part.get("type") or "", []).append(part.text)
    orcid = m.text(name, "m:nameIdentifier[@type='orcid']")
    for note in m.all(name, "m:description"):
        if orcid is None and note.text and (hit := _ORCID_NOTE.search(note.text)):
            orcid = hit.group(1)
    affs = m.all(name, "m:affiliation")
    english = [a for a in affs if a.get("lang") == "eng"]
    return make_person(
        " ".join(parts.get("", [])),
        role=roles[0] if roles else "author",
        orcid=orcid,
        family=" ".join(parts.get("family", [])) or None,
        given=" ".join(parts.get("given", [])) or None,
        affiliations=[a.text or "" for a in (english or [a for a in affs if not a.get("lang")])],
    )


def _genre(m: _Mods) -> tuple[str | None, str | None]:
    genres = m.all(m.root, "m:genre")
    for authority, kind in _GENRE_RANK:
        chosen = [
            g.text
            for g in genres
            if (authority is None or g.get("authority") == authority)
            and (kind is None or g.get("type") == kind)
        ]
        type_, raw = coarse_type(chosen)
        if type_:
            return type_, raw
    return coarse_type(g.text for g in genres)


def _part(m: _Mods, part: etree._Element | None) -> dict[str, Any]:
    if part is None:
        return {}
    out: dict[str, Any] = {}
    for detail in m.all(part, "m:detail"):
        kind = detail.get("type")
        if kind in ("volume", "issue"):
            out[kind] = m.text(detail, "m:number")
        elif kind in ("article", "articleNumber"):
            out["article_number"] = m.text(detail, "m:number")
    extent = part.find(m.ns + "extent")
    if extent is not None:
        out["pages"] = PageRange(
            first=m.text(extent, "m:start"),
            last=m.text(extent, "m:end"),
            count=parse_page_count(m.text(extent, "m:total")),
        )
    return {k: v for k, v in out.items() if v}


def _identifiers(m: _Mods, el: etree._Element, fields: dict[str, Any]) -> list[Identifier]:
    ids: list[Identifier] = []
    for ident in m.all(el, "m:identifier"):
        kind, value = (ident.get("type") or "").lower(), clean(ident.text)
        if not value or ident.get("invalid") == "yes":
            continue
        if kind == "doi":
            fields.setdefault("doi", normalize_doi(value))
        elif kind == "isbn":
            if isbn := normalize_isbn(value):
                ids.append(Identifier("isbn", isbn))
        elif kind in ("issn", "eissn"):
            if issn := normalize_issn(value):
                ids.append(Identifier(kind, issn))
        elif kind == "uri" and is_http(value) and not is_doi_link(value):
            fields.setdefault("url", value)
        elif kind and kind != "uri":
            ids.append(Identifier(kind, value))
    return ids


def _subjects(m: _Mods) -> tuple[tuple[str, ...], tuple[Subject, ...]]:
    keywords: list[str] = []
    subjects: list[Subject] = []
    for subject in m.all(m.root, "m:subject"):
        topics = [t.text for t in m.all(subject, "m:topic") if t.text]
        authority = subject.get("authority")
        if authority and topics:
            term = clean(topics[-1])
            if term:
                code = subject.get(XLINK_HREF)
                subjects.append(Subject(scheme=authority, term=term, code=code))
        else:
            keywords.extend(k for t in topics if (k := strip_markup(t)))
    return clean_many(keywords), tuple(dict.fromkeys(subjects))


def to_record(rec: OAIRecord, *, source_url: str) -> Record:
    """A MODS record as a Record; NotARecord for deleted or empty records."""
    m = _Mods(payload(rec, source_url))
    root = m.root
    fields: dict[str, Any] = {}
    fields["title"], fields["subtitle"] = _title(m, root)
    fields["type"], fields["type_raw"] = _genre(m)
    fields["authors"] = tuple(
        p for n in m.all(root, "m:name[@type='personal']") if (p := _person(m, n)) is not None
    )
    fields["abstract"] = next(
        (a for a in (strip_markup(e.text) for e in m.all(root, "m:abstract")) if a), None
    )
    fields["published"] = parse_date(m.text(root, "m:originInfo/m:dateIssued"))
    fields["publisher"] = m.text(root, "m:originInfo/m:publisher")
    lang = m.text(root, "m:language/m:languageTerm[@type='code']") or m.text(
        root, "m:language/m:languageTerm"
    )
    fields["language"] = to_iso639_1(lang)
    fields["keywords"], fields["subjects"] = _subjects(m)
    ids = _identifiers(m, root, fields)
    fields.update(_part(m, root.find(m.ns + "part")))
    host = root.find(f"{m.ns}relatedItem[@type='host']")
    if host is not None:
        host_title, _ = _title(m, host)
        ids += _identifiers(m, host, {})
        journal = fields["type"] == "article" or any(i.scheme.endswith("issn") for i in ids)
        fields["journal" if journal else "host_publication"] = host_title
        fields.update(_part(m, host.find(m.ns + "part")))
    pages: PageRange = fields.get("pages") or PageRange()
    count = pages.count or parse_page_count(m.text(root, "m:physicalDescription/m:extent"))
    fields["pages"] = PageRange(pages.first, pages.last, count)
    fields["identifiers"] = tuple(dict.fromkeys(ids))
    fields["files"], fields["url"] = _locations(m, fields.get("url"))
    return build(rec, layer_of(rec.metadata_prefix, "mods"), fields)


def _locations(m: _Mods, url: str | None) -> tuple[tuple[FileLink, ...], str | None]:
    files: list[FileLink] = []
    for loc in m.all(m.root, "m:location/m:url"):
        value = clean(loc.text)
        if not value or not is_http(value) or is_doi_link(value):
            continue
        label = (loc.get("displayLabel") or "").lower()
        if label == "fulltext" or loc.get("access") == "raw object":
            files.append(FileLink(url=value, access=loc.get("note")))
        elif url is None:
            url = value
    return tuple(files), url
