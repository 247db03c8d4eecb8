"""DataCite metadata (kernel 3 and 4, bare or in oai_datacite's payload) into a Record.

Any kernel namespace is accepted: the mapper reads the namespace off the
<resource> element. Journal details come from kernel 4.4's relatedItem
(relationType IsPublishedIn) when a record has one.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from harvester.normalize.dates import parse_date
from harvester.normalize.identifiers import normalize_doi, normalize_isbn, normalize_issn
from harvester.normalize.languages import to_iso639_1
from harvester.normalize.names import make_person
from harvester.normalize.text import clean, clean_many
from harvester.oai.formats._common import (
    build,
    coarse_type,
    is_http,
    layer_of,
    local,
    ns_of,
    payload,
    strip_markup,
)
from harvester.oai.protocol import OAIRecord
from harvester.types import Identifier, PageRange, Person, Record, Subject

_CONTRIBUTOR_ROLES = {"editor": "editor", "supervisor": "supervisor"}


def _resource(root: etree._Element) -> etree._Element:
    if local(root) == "resource":
        return root
    found = next((el for el in root.iter() if local(el) == "resource"), None)
    return root if found is None else found


class _Kernel:
    def __init__(self, resource: etree._Element) -> None:
        self.ns = ns_of(resource)

    def all(self, el: etree._Element, path: str) -> list[etree._Element]:
        return el.findall(path.replace("d:", self.ns))

    def text(self, el: etree._Element, path: str) -> str | None:
        found = el.find(path.replace("d:", self.ns))
        return clean(found.text) if found is not None and found.text else None


def _person(k: _Kernel, el: etree._Element, name_tag: str, role: str) -> Person | None:
    name = el.find(k.ns + name_tag)
    if name is not None and name.get("nameType") == "Organizational":
        return None
    orcid = next(
        (
            i.text
            for i in k.all(el, "d:nameIdentifier")
            if (i.get("nameIdentifierScheme") or "").upper() == "ORCID" and i.text
        ),
        None,
    )
    return make_person(
        name.text or "" if name is not None else "",
        role=role,
        orcid=orcid,
        family=k.text(el, "d:familyName"),
        given=k.text(el, "d:givenName"),
        affiliations=[a.text or "" for a in k.all(el, "d:affiliation")],
    )


def _people(k: _Kernel, res: etree._Element) -> tuple[Person, ...]:
    people = [_person(k, c, "creatorName", "author") for c in k.all(res, "d:creators/d:creator")]
    for c in k.all(res, "d:contributors/d:contributor"):
        role = _CONTRIBUTOR_ROLES.get((c.get("contributorType") or "").lower())
        if role:
            people.append(_person(k, c, "contributorName", role))
    return tuple(p for p in people if p is not None)


def _titles(k: _Kernel, res: etree._Element) -> tuple[str | None, str | None]:
    title = subtitle = None
    for t in k.all(res, "d:titles/d:title"):
        kind = t.get("titleType")
        if kind is None and title is None:
            title = clean(t.text)
        elif kind == "Subtitle" and subtitle is None:
            subtitle = clean(t.text)
    return title, subtitle


def _identifiers(k: _Kernel, res: etree._Element) -> tuple[str | None, list[Identifier]]:
    url = None
    ids: list[Identifier] = []
    for alt in k.all(res, "d:alternateIdentifiers/d:alternateIdentifier"):
        kind = (alt.get("alternateIdentifierType") or "").lower()
        value = clean(alt.text)
        if not value or kind == "oai":
            continue
        if kind == "url" and is_http(value):
            url = url or value
        elif kind == "isbn" and (isbn := normalize_isbn(value)):
            ids.append(Identifier("isbn", isbn))
        elif kind in ("issn", "eissn") and (issn := normalize_issn(value)):
            ids.append(Identifier(kind, issn))
        elif kind:
            ids.append(Identifier(kind, value))
    return url, ids


def _subjects(k: _Kernel, res: etree._Element) -> tuple[tuple[str, ...], tuple[Subject, ...]]:
    keywords: list[str] = []
    subjects: list[Subject] = []
    for s in k.all(res, "d:subjects/d:subject"):
        scheme, term = s.get("subjectScheme"), clean(s.text)
        if not term:
            continue
        if scheme:
            subjects.append(Subject(scheme=scheme, term=term, code=s.get("classificationCode")))
        else:
            keywords.append(term)
    return clean_many(keywords), tuple(subjects)


def _published_in(k: _Kernel, res: etree._Element) -> dict[str, Any]:
    for item in k.all(res, "d:relatedItems/d:relatedItem"):
        if item.get("relationType") != "IsPublishedIn":
            continue
        host = k.text(item, "d:titles/d:title")
        is_journal = item.get("relatedItemType") == "Journal"
        return {
            "journal" if is_journal else "host_publication": host,
            "volume": k.text(item, "d:volume"),
            "issue": k.text(item, "d:issue"),
            "pages": PageRange(k.text(item, "d:firstPage"), k.text(item, "d:lastPage")),
        }
    return {}


def to_record(rec: OAIRecord, *, source_url: str) -> Record:
    """A DataCite record as a Record; NotARecord for deleted or empty records."""
    res = _resource(payload(rec, source_url))
    k = _Kernel(res)
    fields: dict[str, Any] = {"authors": _people(k, res)}
    fields["title"], fields["subtitle"] = _titles(k, res)
    issued = next(
        (d.text for d in k.all(res, "d:dates/d:date") if d.get("dateType") == "Issued"), None
    )
    fields["published"] = parse_date(issued) or parse_date(k.text(res, "d:publicationYear"))
    ident = res.find(k.ns + "identifier")
    if ident is not None and (ident.get("identifierType") or "").upper() == "DOI":
        fields["doi"] = normalize_doi(ident.text)
    fields["url"], ids = _identifiers(k, res)
    fields["identifiers"] = tuple(ids)
    fields["keywords"], fields["subjects"] = _subjects(k, res)
    fields["abstract"] = next(
        (
            a
            for d in k.all(res, "d:descriptions/d:description")
            if d.get("descriptionType") == "Abstract" and (a := strip_markup(d.text))
        ),
        None,
    )
    rtype = res.find(k.ns + "resourceType")
    if rtype is not None:
        general, text = rtype.get("resourceTypeGeneral"), clean(rtype.text)
        fields["type"], _ = coarse_type([text, general])
        # both parts kept: "Text/Journal article", "Dataset/Field observations"
        fields["type_raw"] = "/".join(p for p in (general, text) if p) or None
    fields["language"] = to_iso639_1(k.text(res, "d:language"))
    fields["publisher"] = k.text(res, "d:publisher")
    fields.update(_published_in(k, res))
    return build(rec, layer_of(rec.metadata_prefix, "datacite"), fields)
