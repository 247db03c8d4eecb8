"""BASE's base_dc (Dublin Core plus BASE's normalised base_dc:* fields) into a Record.

Dublin Core gives the values as the original repository wrote them; BASE's own
fields fill the gaps: typenorm for the type, lang (ISO 639-2) for the language,
year for the date, link for the landing page, doi, and autoclasscode (DDC).
"""

from __future__ import annotations

from lxml import etree

from harvester.normalize.dates import parse_date
from harvester.normalize.identifiers import normalize_doi
from harvester.normalize.languages import to_iso639_1
from harvester.normalize.text import clean
from harvester.oai.formats._common import build, coarse_type, is_http, layer_of, payload
from harvester.oai.formats.oai_dc import collect, dc_fields, texts_of
from harvester.oai.protocol import OAIRecord
from harvester.types import Record, Subject


def _first(found: dict[str, list[etree._Element]], name: str) -> str | None:
    return next((t for el in found.get(name, ()) if (t := clean(el.text))), None)


def to_record(rec: OAIRecord, *, source_url: str) -> Record:
    """A base_dc record as a Record; NotARecord for deleted or empty records."""
    found = collect(payload(rec, source_url))
    fields = dc_fields(texts_of(found))
    if fields["type"] is None:
        type_, raw = coarse_type(el.text for el in found.get("typenorm", ()))
        if type_:
            fields["type"], fields["type_raw"] = type_, raw
    fields["language"] = fields["language"] or to_iso639_1(_first(found, "lang"))
    fields["published"] = fields["published"] or parse_date(_first(found, "year"))
    link = _first(found, "link")
    if link and is_http(link):
        fields["url"] = link
    fields["doi"] = fields["doi"] or normalize_doi(_first(found, "doi"))
    ddc = tuple(
        Subject(scheme="ddc", term=code, code=code)
        for el in found.get("autoclasscode", ())
        if (el.get("type") or "ddc") == "ddc" and (code := clean(el.text))
    )
    fields["subjects"] = tuple(dict.fromkeys((*fields["subjects"], *ddc)))
    return build(rec, layer_of(rec.metadata_prefix, "base_dc"), fields)
