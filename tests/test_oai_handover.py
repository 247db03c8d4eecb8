"""What a parse worker hands back: values unpickled through the generated `_unpickle`
(slots set directly) equal the originals; and the one strict-then-recover reading of
list pages (`read_list_page`) that OAIClient and the harvest share."""

from __future__ import annotations

import pickle

import pytest

from harvester.errors import DiscoveryError, UnsafeXML
from harvester.oai.formats._common import layer_of
from harvester.oai.mapped import MappedPage, read_and_map, read_list_page
from harvester.oai.protocol import NoRecordsMatch
from harvester.types import MAX_SOURCE_KEY, PartialDate, Person, Record
from tests.test_oai_client import BASE, envelope, error_body, records_page

BROKEN_HEADERS = envelope(
    "<ListIdentifiers><header><identifier>a</identifier><datestamp>2024-01-01</datestamp>"
    "</header><header><identifier>b</identifier><datestamp>2024-01-02</datestamp></header>"
    "<resumptionToken>t</resumptionToken></ListIdentifiers>"
).replace(b"</ListIdentifiers>", b"</ListIdentifiers")  # not well-formed


def test_a_mapped_page_unpickles_equal_through_the_slot_setters() -> None:
    mapped = read_and_map(records_page(["r1", "r2"], "tok"), BASE, "oai_dc", None, BASE,
                          recover=False)
    assert mapped is not None and len(mapped.items) == 2
    blob = pickle.dumps(mapped, protocol=pickle.HIGHEST_PROTOCOL)
    assert b"Record._unpickle" in blob and b"MappedPage._unpickle" in blob
    again = pickle.loads(blob)
    assert type(again) is MappedPage and again == mapped
    assert [i.record for i in again.items] == [i.record for i in mapped.items]


def test_a_pages_records_name_their_layer_once_in_the_answer() -> None:
    # one string object for the page's records: the answer's pickle holds it once and the
    # other records refer to it, so the parent unpickles one copy, not one a record
    mapped = read_and_map(records_page(["r1", "r2", "r3"], "tok"), BASE, "oai_dc", None, BASE,
                          recover=False)
    assert mapped is not None
    layers = [v for item in mapped.items if item.record for v in item.record.provenance.values()]
    assert len(layers) >= 3 and set(layers) == {"oai:oai_dc"}
    assert len({id(v) for v in layers}) == 1
    blob = pickle.dumps(mapped, protocol=5)
    assert blob.count(b"oai:oai_dc") == 1
    assert pickle.loads(blob) == mapped


@pytest.mark.parametrize(("prefix", "layer"), [(None, "oai:mods"), ("", "oai:mods"),
                                               ("swepub_mods", "oai:swepub_mods")])
def test_the_layer_names_the_prefix_or_else_the_formats_own(prefix: str | None,
                                                              layer: str) -> None:
    assert layer_of(prefix, "mods") == layer
    assert layer_of(prefix, "mods") is layer_of(prefix, "mods")


def test_an_unpickled_record_keeps_its_trimmed_key_and_stays_frozen() -> None:
    record = Record(url="u", platform="oai", source_key="k" * (MAX_SOURCE_KEY + 1),
                    authors=(Person("Doe, Jane", "Doe", "Jane"),),
                    published=PartialDate(2024, 2, 29))
    again = pickle.loads(pickle.dumps(record))
    assert again == record and again.source_key == record.source_key
    assert len(again.source_key) < MAX_SOURCE_KEY
    with pytest.raises(AttributeError):
        again.title = "changed"


@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
def test_a_broken_list_page_is_recovered_only_when_allowed(verb: str) -> None:
    body = BROKEN_HEADERS if verb == "ListIdentifiers" else records_page(["r1"], "t").replace(
        b"</ListRecords>", b"</ListRecords")
    with pytest.raises(DiscoveryError):
        read_list_page(body, BASE, verb, "oai_dc", recover=False)
    page = read_list_page(body, BASE, verb, "oai_dc", recover=True)
    assert page.count == (2 if verb == "ListIdentifiers" else 1) and page.warnings


def test_oai_errors_and_unsafe_xml_are_never_recovered_from() -> None:
    with pytest.raises(NoRecordsMatch):
        read_list_page(error_body("noRecordsMatch"), BASE, "ListIdentifiers", "oai_dc",
                       recover=True)
    laughs = (b'<?xml version="1.0"?><!DOCTYPE OAI-PMH [<!ENTITY a "aaaa">]>'
              + envelope("<ListRecords/>").split(b"?>", 1)[-1])
    with pytest.raises(UnsafeXML):
        read_list_page(laughs, BASE, "ListRecords", "oai_dc", recover=True)
