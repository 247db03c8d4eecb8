"""Metadata-format mappers: each turns an OAIRecord's payload into a Record.

Every mapper has the same shape, `to_record(rec, *, source_url) -> Record`,
and raises NotARecord for tombstones. `choose_prefix` picks the richest format
a server offers, by prefix or, for unfamiliar prefixes, by namespace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from harvester.errors import DiscoveryError
from harvester.oai.formats import base_dc, datacite, didl, mods, oai_dc
from harvester.oai.protocol import MetadataFormat, OAIRecord
from harvester.types import Record


class Mapper(Protocol):
    def __call__(self, rec: OAIRecord, *, source_url: str) -> Record: ...


FORMATS: Mapping[str, Mapper] = {
    "datacite": datacite.to_record,
    "oai_datacite": datacite.to_record,
    "datacite4": datacite.to_record,
    "oai_datacite4": datacite.to_record,
    "swepub_mods": mods.to_record,
    "swepub": mods.to_record,
    "mods": mods.to_record,
    # MODS wrapped in MPEG-21 DIDL with file links and the landing page (Pure, NARCIS);
    # not DSpace's or EPrints' "didl", whose payloads were not checked
    "nl_didl": didl.to_record,
    "base_dc": base_dc.to_record,
    "oai_dc": oai_dc.to_record,
}

#: preference order, richest first: DataCite and MODS carry structured names,
#: identifiers and (MODS) journal details; base_dc adds BASE's normalised fields
SUPPORTED_PREFIXES: tuple[str, ...] = tuple(FORMATS)

# compared without a trailing slash: servers disagree about it
_NAMESPACES: Mapping[str, str] = {
    "http://datacite.org/schema/kernel-4": "datacite",
    "http://datacite.org/schema/kernel-3": "datacite",
    "http://www.loc.gov/mods/v3": "mods",
    "http://oai.base-search.net/base_dc": "base_dc",
    "http://www.openarchives.org/OAI/2.0/oai_dc": "oai_dc",
}


def _by_namespace(namespace: str | None) -> str | None:
    return _NAMESPACES.get((namespace or "").strip().rstrip("/"))


def _family(offer: str | MetadataFormat) -> tuple[str, str | None]:
    """(prefix, the supported prefix whose mapper reads it, if any)."""
    if isinstance(offer, str):
        return offer, offer if offer in FORMATS else None
    if offer.prefix in FORMATS:
        return offer.prefix, offer.prefix
    return offer.prefix, _by_namespace(offer.namespace)


def choose_prefix(offered: Iterable[str | MetadataFormat]) -> str:
    """The server's prefix for the richest format we can map; DiscoveryError if none."""
    best: tuple[int, str] | None = None
    for offer in offered:
        prefix, family = _family(offer)
        if family is None:
            continue
        rank = SUPPORTED_PREFIXES.index(family)
        if best is None or rank < best[0]:
            best = (rank, prefix)
    if best is None:
        raise DiscoveryError("the server offers no metadata format this harvester can map")
    return best[1]


def mapper_for(prefix: str, namespace: str | None = None) -> Mapper:
    """The mapper for a prefix (or, failing that, a metadata namespace)."""
    family = prefix if prefix in FORMATS else _by_namespace(namespace)
    if family is None:
        raise DiscoveryError(f"no mapper for metadata format {prefix!r}")
    return FORMATS[family]
