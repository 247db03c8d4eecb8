"""MPEG-21 DIDL as the Dutch repositories profile it (`nl_didl`, Pure's /ws/oai) into a Record.

Structure, from SURF's "MPEG21 DIDL Application Profile for Institutional
Repositories" (v3.0, 2009; wiki.surfnet.nl, standards/NARCIS) and Pure's own note
that its NL-DIDL format "is a customization of the MODS metadata format":

    didl:DIDL / didl:Item                       the compound object
        didl:Descriptor / didl:Statement / dii:Identifier   its persistent id (urn:nbn)
        didl:Item   typed descriptiveMetadata   Component/Resource holds <mods:mods>
        didl:Item   typed objectFile            Component/Resource ref="...pdf"
        didl:Item   typed humanStartPage        Component/Resource ref="landing page"

An Item's type is `rdf:type/@rdf:resource` in one of its Descriptors (profile
3.0) or the text of `dip:ObjectType` (2.x; Pure's backwards-compatible mode emits
both). The bibliographic fields come from the MODS mapper (or oai_dc, which older
DIDL feeds embed); the DIDL adds files, the landing page and the URN:NBN.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from lxml import etree

from harvester.errors import NotARecord
from harvester.normalize.text import clean
from harvester.oai.formats import mods, oai_dc
from harvester.oai.formats._common import is_http, local, payload
from harvester.oai.protocol import OAIRecord
from harvester.types import FileLink, Identifier, Record

DIDL_NS = "urn:mpeg:mpeg21:2002:02-DIDL-NS"
_D = "{" + DIDL_NS + "}"
_RDF_RESOURCE = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource"
_SEMANTICS = "info:eu-repo/semantics/"
_MODS_NS = "{http://www.loc.gov/mods/v3}"
_DC = "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
_PAYLOADS = frozenset((_MODS_NS + "mods", _MODS_NS + "modsCollection", _DC))


def _item_type(item: etree._Element) -> str | None:
    """"descriptiveMetadata", "objectFile", "humanStartPage"... from the Item's own Descriptors."""
    for statement in item.iterchildren(_D + "Descriptor"):
        for el in statement.iter():
            name = local(el)
            if name == "type":
                value = el.get(_RDF_RESOURCE) or ""
            elif name == "ObjectType":
                value = el.text or ""
            else:
                continue
            value = value.strip()
            if value.startswith(_SEMANTICS):
                return value[len(_SEMANTICS) :]
    return None


def _resources(item: etree._Element) -> Iterator[etree._Element]:
    for component in item.iterchildren(_D + "Component"):
        yield from component.iterchildren(_D + "Resource")


def _descriptive(items: list[tuple[str | None, etree._Element]]) -> etree._Element | None:
    """The MODS (or oai_dc) element of the descriptive-metadata Item; any Item's when
    none is typed, MODS before Dublin Core."""
    typed = [item for kind, item in items if kind == "descriptiveMetadata"]
    for pool in (typed, [item for _, item in items]):
        found = [
            child
            for item in pool
            for res in _resources(item)
            for child in res
            if child.tag in _PAYLOADS
        ]
        found.sort(key=lambda el: el.tag == _DC)  # stable: MODS first
        if found:
            return found[0]
    return None


def _persistent_id(top: etree._Element) -> str | None:
    for descriptor in top.iterchildren(_D + "Descriptor"):
        for el in descriptor.iter():
            if local(el) == "Identifier" and (value := clean(el.text)):
                return value
    return None


def to_record(rec: OAIRecord, *, source_url: str) -> Record:
    """An nl_didl record as a Record; NotARecord for tombstones and DIDLs without metadata."""
    root = payload(rec, source_url)
    if root.tag != _D + "DIDL":
        raise NotARecord(f"{rec.identifier}: payload is not a DIDL document", url=source_url)
    top = root.find(_D + "Item")
    if top is None:
        raise NotARecord(f"{rec.identifier}: DIDL without an Item", url=source_url)
    items = [(_item_type(item), item) for item in top.iter(_D + "Item")]
    meta = _descriptive(items)
    if meta is None:
        raise NotARecord(f"{rec.identifier}: DIDL without MODS or DC", url=source_url)
    inner = dataclasses.replace(rec, metadata=meta)
    base = (oai_dc.to_record if meta.tag == _DC else mods.to_record)(
        inner, source_url=source_url
    )
    files = {f.url: f for f in base.files}
    url = base.url
    for kind, item in items:
        for res in _resources(item):
            ref = clean(res.get("ref"))
            if not ref or not is_http(ref):
                continue
            if kind == "objectFile":
                files.setdefault(ref, FileLink(url=ref, mime=clean(res.get("mimeType"))))
            elif kind == "humanStartPage" and not url:
                url = ref
    identifiers = base.identifiers
    pid = _persistent_id(top)
    if pid and pid.lower().startswith("urn:nbn:"):
        identifiers = tuple(dict.fromkeys((*identifiers, Identifier("urn", pid))))
    provenance = dict(base.provenance)
    layer = f"oai:{rec.metadata_prefix or 'nl_didl'}"
    if files:
        provenance.setdefault("files", layer)
    if identifiers:
        provenance.setdefault("identifiers", layer)
    return dataclasses.replace(
        base, url=url, files=tuple(files.values()), identifiers=identifiers, provenance=provenance
    )
