"""Pure parse functions for OAI-PMH 2.0 responses, one per verb (the response
model they return is harvester.oai.model; every name is importable from here).

Parsers take the raw body (whatever the HTTP status: servers send OAI errors
with 200, 400 or 422) and either return a value object or raise the OAIError
named by the response's <error code=...>. They accept trimmed documents whose
<record>s sit directly under <OAI-PMH>, and any namespace on the envelope.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lxml import etree

from harvester.errors import DiscoveryError, ParseError, UnsafeXML
from harvester.oai.model import (
    _ERRORS,
    BadResumptionToken,
    Identify,
    ListPage,
    MetadataFormat,
    NoRecordsMatch,
    OAIError,
    OAIHeader,
    OAIRecord,
    OAISet,
    RepeatedResumptionToken,
    SetsPage,
)
from harvester.safexml import parse_xml, parse_xml_recovering
from harvester.types_parts import positional_new

__all__ = [  # the model's names too: callers import them from here
    "OAI_NS", "BadResumptionToken", "Identify", "ListPage", "MetadataFormat", "NoRecordsMatch",
    "OAIError", "OAIHeader", "OAIRecord", "OAISet", "RepeatedResumptionToken", "SetsPage",
    "parse_get_record", "parse_identify", "parse_list_identifiers",
    "parse_list_metadata_formats", "parse_list_records", "parse_list_sets",
]  # fmt: skip

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_ELEMENT = etree._Element
# built once per listed record: positionally, without the frozen __init__'s setattr calls
_new_record = positional_new(OAIRecord)


class _Envelope:
    """The parsed <OAI-PMH> root with its namespace, checked for <error>s."""

    __slots__ = ("ns", "request", "response_date", "root", "url", "warnings")

    def __init__(self, body: bytes, url: str | None, recover: bool) -> None:
        self.url = url
        self.warnings: tuple[str, ...] = ()
        try:
            if recover:
                self.root, self.warnings = parse_xml_recovering(body, url=url)
            else:
                self.root = parse_xml(body, url=url)
        except UnsafeXML:
            raise
        except ParseError as exc:
            raise DiscoveryError(exc.message, url=url) from exc
        tag = self.root.tag if isinstance(self.root.tag, str) else ""
        ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if local != "OAI-PMH":
            raise DiscoveryError(f"not an OAI-PMH response (root <{local or '?'}>)", url=url)
        self.ns = f"{{{ns}}}" if ns else ""
        self.response_date = self.text(self.root, "responseDate") or ""
        req = self.root.find(self.ns + "request")
        self.request: Mapping[str, str] = MappingProxyType(
            {str(k): str(v) for k, v in req.attrib.items()} if req is not None else {}
        )
        self._raise_errors()

    def text(self, parent: etree._Element, name: str) -> str | None:
        el = parent.find(self.ns + name)
        if el is None or el.text is None:
            return None
        return el.text.strip()

    def texts(self, parent: etree._Element, name: str) -> tuple[str, ...]:
        return tuple(
            t for el in parent.iterfind(self.ns + name) if el.text and (t := el.text.strip())
        )

    def _raise_errors(self) -> None:
        errors = self.root.findall(self.ns + "error")
        if not errors:
            return
        code = errors[0].get("code") or "unknown"
        message = "; ".join(" ".join((e.text or "").split()) for e in errors if e.text)
        raise _ERRORS.get(code, OAIError)(code, message, url=self.url)

    def body_of(self, verb: str) -> etree._Element:
        """The <verb> element, or the root itself for trimmed files without it."""
        el = self.root.find(self.ns + verb)
        return self.root if el is None else el

    def token(self, container: etree._Element) -> _Token:
        el = container.find(self.ns + "resumptionToken")
        if el is None:
            return None, None, None, None
        token = (el.text or "").strip() or None
        return token, _int(el.get("completeListSize")), _int(el.get("cursor")), el.get(
            "expirationDate"
        )


_Token = tuple[str | None, int | None, int | None, str | None]


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _header_values(
    ns: str, el: etree._Element
) -> tuple[str, str, tuple[str, ...], bool]:
    # one pass over the children by tag: ElementPath's find() costs ~1.5 µs a call
    ident = date = None
    specs: list[str] = []
    t_spec, t_ident, t_date = ns + "setSpec", ns + "identifier", ns + "datestamp"
    for child in el:
        tag = child.tag
        if tag == t_spec:
            if child.text and (spec := child.text.strip()):
                specs.append(spec)
        elif tag == t_ident:
            if ident is None:
                ident = (child.text or "").strip()
        elif tag == t_date and date is None:
            date = (child.text or "").strip()
    return ident or "", date or "", tuple(specs), el.get("status") == "deleted"


def _header(env: _Envelope, el: etree._Element) -> OAIHeader:
    return OAIHeader(*_header_values(env.ns, el))


def _record(env: _Envelope, el: etree._Element, prefix: str | None) -> OAIRecord:
    ns = env.ns
    t_header, t_meta, t_about = ns + "header", ns + "metadata", ns + "about"
    head = meta = None
    about: list[etree._Element] = []
    for child in el:
        tag = child.tag
        if tag == t_header:
            if head is None:
                head = child
        elif tag == t_meta:
            if meta is None:
                meta = child
        elif tag == t_about:
            about.extend(c for c in child if isinstance(c.tag, str))
    ident, date, specs, deleted = (
        _header_values(ns, head) if head is not None else ("", "", (), False)
    )
    payload = None
    if meta is not None and not deleted:
        for child in meta:  # a loop, not next(generator): this runs once per record
            # the type test first: .tag builds a "{namespace}local" string each call,
            # and every element of these parsers is a plain _Element (comments are not)
            if type(child) is _ELEMENT or isinstance(child.tag, str):
                payload = child
                break
    return _new_record(ident, date, specs, deleted, payload, prefix, tuple(about))


def parse_list_records(
    body: bytes,
    url: str | None = None,
    *,
    metadata_prefix: str | None = None,
    recover: bool = False,
) -> ListPage:
    """A ListRecords page. `metadata_prefix` names the payload when the request
    element does not (pages fetched by resumption token)."""
    env = _Envelope(body, url, recover)
    prefix = metadata_prefix or env.request.get("metadataPrefix")
    box = env.body_of("ListRecords")
    records = tuple(_record(env, r, prefix) for r in box.iterfind(env.ns + "record"))
    token, size, cursor, expires = env.token(box)
    return ListPage(
        env.response_date, records, (), token, size, cursor, expires, env.request, env.warnings
    )


def parse_list_identifiers(
    body: bytes, url: str | None = None, *, recover: bool = False
) -> ListPage:
    env = _Envelope(body, url, recover)
    box = env.body_of("ListIdentifiers")
    headers = tuple(_header(env, h) for h in box.iterfind(env.ns + "header"))
    token, size, cursor, expires = env.token(box)
    return ListPage(
        env.response_date, (), headers, token, size, cursor, expires, env.request, env.warnings
    )


def parse_get_record(
    body: bytes, url: str | None = None, *, metadata_prefix: str | None = None
) -> OAIRecord:
    env = _Envelope(body, url, False)
    el = env.body_of("GetRecord").find(env.ns + "record")
    if el is None:
        raise DiscoveryError("GetRecord response holds no <record>", url=url)
    return _record(env, el, metadata_prefix or env.request.get("metadataPrefix"))


def parse_identify(body: bytes, url: str | None = None) -> Identify:
    env = _Envelope(body, url, False)
    el = env.root.find(env.ns + "Identify")
    if el is None:
        raise DiscoveryError("Identify response holds no <Identify>", url=url)
    return Identify(
        repository_name=env.text(el, "repositoryName") or "",
        base_url=env.text(el, "baseURL") or "",
        protocol_version=env.text(el, "protocolVersion") or "",
        earliest_datestamp=env.text(el, "earliestDatestamp") or "",
        deleted_record=env.text(el, "deletedRecord") or "",
        granularity=env.text(el, "granularity") or "YYYY-MM-DD",
        admin_emails=env.texts(el, "adminEmail"),
        compression=env.texts(el, "compression"),
    )


def parse_list_metadata_formats(body: bytes, url: str | None = None) -> tuple[MetadataFormat, ...]:
    env = _Envelope(body, url, False)
    box = env.body_of("ListMetadataFormats")
    return tuple(
        MetadataFormat(
            prefix=env.text(f, "metadataPrefix") or "",
            schema=env.text(f, "schema"),
            namespace=env.text(f, "metadataNamespace"),
        )
        for f in box.iterfind(env.ns + "metadataFormat")
    )


def parse_list_sets(body: bytes, url: str | None = None) -> SetsPage:
    env = _Envelope(body, url, False)
    box = env.body_of("ListSets")
    sets = tuple(
        OAISet(spec=env.text(s, "setSpec") or "", name=env.text(s, "setName"))
        for s in box.iterfind(env.ns + "set")
    )
    token, size, _, _ = env.token(box)
    return SetsPage(env.response_date, sets, token, size)
