"""A ListRecords page read and mapped to Records in one call, as a picklable value:
what a harvest stores per page, computable in a worker process.

`read_and_map(body, url, prefix, namespace, recover=...)` is a module-level
function so a process pool can run it; it returns a `MappedPage`, or `None` when
the page cannot be read (an OAI error, unsafe or broken XML): the caller then
reads it again where the exception can be raised with its context (exceptions
with keyword-only arguments do not survive pickling back from a worker).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harvester.errors import DiscoveryError, HarvestError, ParseError, UnsafeXML
from harvester.oai.formats import mapper_for
from harvester.oai.model import ListPage, OAIError
from harvester.oai.protocol import parse_list_identifiers, parse_list_records
from harvester.types import Record
from harvester.types_parts import positional_new, positional_pickle

__all__ = ["MappedItem", "MappedPage", "Problem", "map_page", "read_and_map", "read_list_page",
           "read_list_records"]


@positional_pickle
@dataclass(frozen=True, slots=True)
class MappedItem:
    """One record of the page: a mapped Record, or None for a tombstone."""

    identifier: str
    datestamp: str
    record: Record | None


@positional_pickle
@dataclass(frozen=True, slots=True)
class Problem:
    """A record the mapper refused, or a record without an identifier."""

    reason: str
    where: str
    message: str = ""


@positional_pickle
@dataclass(frozen=True, slots=True)
class MappedPage:
    """What one ListRecords response gives a harvest. `count` is the records listed
    (mapped, tombstones and refused together), as ListPage.count."""

    response_date: str
    resumption_token: str | None
    count: int
    items: tuple[MappedItem, ...] = ()
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = ()


MapperFn = Callable[..., Record]
# one per listed record: positionally, without the frozen __init__'s setattr calls
_new_item: Callable[[str, str, Record | None], MappedItem] = positional_new(MappedItem)


def read_list_page(body: bytes, url: str, verb: str, prefix: str, *, recover: bool) -> ListPage:
    """A ListRecords or ListIdentifiers page, strict first; broken XML is read again in
    recover mode when `recover` allows it. Unsafe XML and OAI errors are never recovered
    from. The one reading of list pages: OAIClient's and the harvest's (in parse workers)."""
    try:
        return _parse_list(verb, body, url, prefix, recover=False)
    except (UnsafeXML, OAIError):
        raise
    except DiscoveryError:
        if not recover:
            raise
        return _parse_list(verb, body, url, prefix, recover=True)


def _parse_list(verb: str, body: bytes, url: str, prefix: str, *, recover: bool) -> ListPage:
    if verb == "ListRecords":
        return parse_list_records(body, url, metadata_prefix=prefix, recover=recover)
    return parse_list_identifiers(body, url, recover=recover)


def read_list_records(body: bytes, url: str, prefix: str, *, recover: bool) -> ListPage:
    """`read_list_page` of a ListRecords page."""
    return read_list_page(body, url, "ListRecords", prefix, recover=recover)


def map_page(page: ListPage, mapper: MapperFn, source_url: str) -> MappedPage:
    """Every record of `page` through `mapper`; refusals become Problems, not errors."""
    items: list[MappedItem] = []
    problems: list[Problem] = []
    for rec in page.records:
        if not rec.identifier:
            problems.append(Problem("oai-no-identifier", source_url))
            continue
        if rec.deleted:
            items.append(_new_item(rec.identifier, rec.datestamp, None))
            continue
        try:
            record = mapper(rec, source_url=source_url)
        except ParseError as exc:
            problems.append(Problem(exc.reason, rec.identifier, str(exc)))
            continue
        items.append(_new_item(rec.identifier, rec.datestamp, record))
    return MappedPage(page.response_date, page.resumption_token, page.count, tuple(items),
                      tuple(problems), page.warnings)


def read_and_map(body: bytes, url: str, prefix: str, namespace: str | None, source_url: str,
                 *, recover: bool) -> MappedPage | None:
    """`read_list_records` then `map_page` with the prefix's mapper; None when the page
    raised (the caller reads it again to get the exception)."""
    try:
        page = read_list_records(body, url, prefix, recover=recover)
        return map_page(page, mapper_for(prefix, namespace), source_url)
    except HarvestError:
        return None
