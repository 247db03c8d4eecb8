"""A ListRecords page read and mapped in one picklable call (harvester/oai/mapped.py),
inline and in a parse worker process: the same MappedPage either way; a page that
raises comes back as None for the caller to read again."""

from __future__ import annotations

import pickle

import pytest

from harvester.errors import NotARecord, UnsafeXML
from harvester.oai.formats import FORMATS
from harvester.oai.mapped import MappedItem, Problem, map_page, read_and_map, read_list_records
from harvester.oai.protocol import NoRecordsMatch, OAIRecord
from harvester.types import Record
from pipelines.parse_pool import ParsePool
from tests.test_oai_client import BASE, envelope, error_body, records_page

DELETED = (
    '<record><header status="deleted"><identifier>gone</identifier>'
    "<datestamp>2024-02-02</datestamp></header></record>"
)
NO_ID = ("<record><header><identifier></identifier><datestamp>2024-01-01</datestamp>"
         "</header></record>")


def page_with(*extra: str) -> bytes:
    return records_page(["r1", "r2"], "tok").replace(
        b"<resumptionToken", "".join(extra).encode() + b"<resumptionToken")


def refusing(refuse: str) -> object:
    def mapper(rec: OAIRecord, *, source_url: str) -> Record:
        if rec.identifier == refuse:
            raise NotARecord("not a research output", url=source_url)
        return FORMATS["oai_dc"](rec, source_url=source_url)

    return mapper


def test_mapped_page_holds_records_tombstones_and_problems() -> None:
    page = read_list_records(page_with(DELETED, NO_ID), BASE, "oai_dc", recover=False)
    mapped = map_page(page, refusing("r2"), BASE)  # type: ignore[arg-type]
    assert mapped.resumption_token == "tok"
    assert mapped.count == 4
    assert [(i.identifier, i.record is None) for i in mapped.items] == [("r1", False),
                                                                        ("gone", True)]
    assert mapped.items[0].record is not None and mapped.items[0].record.title == "T r1"
    assert mapped.problems == (
        Problem("not-a-record", "r2", f"not a research output (url={BASE})"),
        Problem("oai-no-identifier", BASE))


def test_read_and_map_is_the_inline_reading_and_pickles() -> None:
    body = page_with(DELETED)
    mapped = read_and_map(body, BASE, "oai_dc", None, BASE, recover=False)
    inline = map_page(read_list_records(body, BASE, "oai_dc", recover=False), FORMATS["oai_dc"],
                      BASE)
    assert mapped == inline
    assert pickle.loads(pickle.dumps(mapped)) == mapped


@pytest.mark.parametrize(
    ("body", "raised"),
    [
        (error_body("noRecordsMatch"), NoRecordsMatch),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', UnsafeXML),
    ],
)
def test_page_that_raises_comes_back_as_none(body: bytes, raised: type[Exception]) -> None:
    assert read_and_map(body, BASE, "oai_dc", None, BASE, recover=True) is None
    with pytest.raises(raised):
        read_list_records(body, BASE, "oai_dc", recover=True)


def test_broken_xml_is_recovered_only_when_allowed() -> None:
    body = page_with().replace(b"<dc:title>T r2</dc:title>", b"<dc:title>T r2 & more</dc:title>")
    assert read_and_map(body, BASE, "oai_dc", None, BASE, recover=False) is None
    mapped = read_and_map(body, BASE, "oai_dc", None, BASE, recover=True)
    assert mapped is not None and mapped.warnings
    assert [i.identifier for i in mapped.items] == ["r1", "r2"]


@pytest.mark.slow
async def test_worker_process_gives_the_inline_result() -> None:
    body = page_with(DELETED)
    pool = ParsePool(1)
    try:
        assert await pool.started()
        mapped = await pool.call(read_and_map, body, BASE, "oai_dc", None, BASE, recover=False)
        failed = await pool.call(read_and_map, envelope("<x/>")[:30], BASE, "oai_dc", None,
                                 BASE, recover=False)
    finally:
        pool.close()
    assert mapped == read_and_map(body, BASE, "oai_dc", None, BASE, recover=False)
    assert mapped is not None and mapped.items[2] == MappedItem("gone", "2024-02-02", None)
    assert failed is None


async def test_without_workers_the_caller_reads_inline() -> None:
    pool = ParsePool(0)
    assert await pool.call(read_and_map, page_with(), BASE, "oai_dc", None, BASE,
                           recover=False) is None
