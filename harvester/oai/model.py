"""The OAI-PMH 2.0 response model: the value objects the verb parsers return and
the errors an <error code=...> becomes. Parsing lives in harvester.oai.protocol,
which re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from harvester.errors import DiscoveryError


class OAIError(DiscoveryError):
    """An <error code=...> in an OAI-PMH response (or a protocol violation we detect)."""

    reason = "oai-error"

    def __init__(self, code: str, message: str = "", *, url: str | None = None) -> None:
        super().__init__(f"OAI-PMH {code}: {message}" if message else f"OAI-PMH {code}", url=url)
        self.code = code


class BadResumptionToken(OAIError):
    """The token expired or was never valid: restart the current date window."""


class NoRecordsMatch(OAIError):
    """The selection is empty: control flow, not a failure."""


class RepeatedResumptionToken(OAIError):
    """The server handed back a token it had already given: stop rather than loop."""


_ERRORS: Mapping[str, type[OAIError]] = {
    "badResumptionToken": BadResumptionToken,
    "noRecordsMatch": NoRecordsMatch,
}


@dataclass(frozen=True, slots=True)
class OAIHeader:
    identifier: str
    datestamp: str
    set_specs: tuple[str, ...] = ()
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class OAIRecord:
    """One <record>: its header values and the root element of its metadata payload."""

    identifier: str
    datestamp: str
    set_specs: tuple[str, ...] = ()
    deleted: bool = False
    metadata: etree._Element | None = None
    metadata_prefix: str | None = None
    about: tuple[etree._Element, ...] = ()

    @property
    def header(self) -> OAIHeader:
        return OAIHeader(self.identifier, self.datestamp, self.set_specs, self.deleted)


@dataclass(frozen=True, slots=True)
class ListPage:
    """One response of a list verb. `resumption_token` None means the list is complete."""

    response_date: str
    records: tuple[OAIRecord, ...] = ()
    headers: tuple[OAIHeader, ...] = ()
    resumption_token: str | None = None
    complete_list_size: int | None = None
    cursor: int | None = None
    expiration_date: str | None = None
    request: Mapping[str, str] = field(default_factory=dict)
    # parser errors of a document read in recover mode
    warnings: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        """Records or headers on this page (an empty page may still carry a token)."""
        return len(self.records) or len(self.headers)


@dataclass(frozen=True, slots=True)
class Identify:
    repository_name: str
    base_url: str
    protocol_version: str
    earliest_datestamp: str
    deleted_record: str
    granularity: str
    admin_emails: tuple[str, ...] = ()
    compression: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    prefix: str
    schema: str | None
    namespace: str | None


@dataclass(frozen=True, slots=True)
class OAISet:
    spec: str
    name: str | None


@dataclass(frozen=True, slots=True)
class SetsPage:
    response_date: str
    sets: tuple[OAISet, ...]
    resumption_token: str | None = None
    complete_list_size: int | None = None
