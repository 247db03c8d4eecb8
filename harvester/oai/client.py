"""An async OAI-PMH client: one method per verb over an injected httpx.AsyncClient.

List verbs yield one ListPage per HTTP response so the caller can store a
page's records and its resumption token in one transaction before asking for
the next page (the checkpoint hepcrawl gets wrong). Requests, retries and caps
are the transport's (harvester.oai.transport).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import aclosing
from datetime import UTC, date, datetime
from typing import TypeVar

from harvester.oai.mapped import read_list_page
from harvester.oai.paging import DAY, Paging
from harvester.oai.protocol import (
    Identify,
    ListPage,
    MetadataFormat,
    OAIError,
    OAIRecord,
    OAISet,
    parse_get_record,
    parse_identify,
    parse_list_metadata_formats,
    parse_list_sets,
)
from harvester.oai.transport import OnResponse

__all__ = ["DAY", "SECONDS", "OAIClient", "OnResponse", "Stamp", "format_datestamp"]

SECONDS = "YYYY-MM-DDThh:mm:ssZ"
Stamp = date | datetime | str
T = TypeVar("T")


def format_datestamp(value: Stamp, granularity: str = DAY) -> str:
    """A from/until argument at the server's granularity; naive datetimes are UTC.
    Strings pass through: the caller already holds a server datestamp."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        utc = value.astimezone(UTC) if value.tzinfo else value
        if granularity == SECONDS:
            return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        return utc.strftime("%Y-%m-%d")
    return value.isoformat()


class OAIClient(Paging):
    """One method per OAI-PMH verb against one base URL; see OAITransport for the
    constructor's options (retries, politeness, address checks, size cap)."""

    async def _call(self, params: Mapping[str, str], parse: Callable[[bytes, str], T]) -> T:
        body, url = await self._get(params)
        return parse(body, url)

    # --- single-response verbs ---------------------------------------------------

    async def identify(self) -> Identify:
        if self._identify is None:
            self._identify = await self._call({"verb": "Identify"}, parse_identify)
            self.granularity = self.granularity or self._identify.granularity
        return self._identify

    async def list_metadata_formats(
        self, identifier: str | None = None
    ) -> tuple[MetadataFormat, ...]:
        params = {"verb": "ListMetadataFormats"}
        if identifier:
            params["identifier"] = identifier
        return await self._call(params, parse_list_metadata_formats)

    async def get_record(self, identifier: str, prefix: str) -> OAIRecord:
        params = {"verb": "GetRecord", "identifier": identifier, "metadataPrefix": prefix}
        return await self._call(params, lambda b, u: parse_get_record(b, u, metadata_prefix=prefix))

    async def list_sets(self) -> AsyncIterator[OAISet]:
        params: dict[str, str] = {"verb": "ListSets"}
        seen: set[str] = set()
        while True:
            try:
                page = await self._call(params, parse_list_sets)
            except OAIError as exc:
                if exc.code == "noSetHierarchy":
                    return
                raise
            for s in page.sets:
                yield s
            if not page.resumption_token:
                return
            self._check_token(page.resumption_token, seen)
            params = {"verb": "ListSets", "resumptionToken": page.resumption_token}

    # --- list verbs ----------------------------------------------------------------

    def list_records(
        self,
        prefix: str,
        *,
        from_: Stamp | None = None,
        until: Stamp | None = None,
        set_: str | None = None,
        resumption_token: str | None = None,
    ) -> AsyncIterator[ListPage]:
        """One ListPage per response, to the end of the list. noRecordsMatch yields
        nothing; BadResumptionToken propagates so the caller can restart its window."""
        return self._list("ListRecords", prefix, from_, until, set_, resumption_token)

    def list_identifiers(
        self,
        prefix: str,
        *,
        from_: Stamp | None = None,
        until: Stamp | None = None,
        set_: str | None = None,
        resumption_token: str | None = None,
    ) -> AsyncIterator[ListPage]:
        return self._list("ListIdentifiers", prefix, from_, until, set_, resumption_token)

    async def _list(
        self,
        verb: str,
        prefix: str,
        from_: Stamp | None,
        until: Stamp | None,
        set_: str | None,
        token: str | None,
    ) -> AsyncIterator[ListPage]:
        parse = self._page_parser(verb, prefix)

        async def process(body: bytes, url: str) -> ListPage:
            return parse(body, url)

        params = await self._first_params(verb, prefix, from_, until, set_, token)
        async with aclosing(self.pages(verb, process, params)) as pages:
            async for page in pages:
                yield page

    async def _first_params(
        self,
        verb: str,
        prefix: str,
        from_: Stamp | None,
        until: Stamp | None,
        set_: str | None,
        token: str | None,
    ) -> dict[str, str]:
        if token:
            return {"verb": verb, "resumptionToken": token}
        params = {"verb": verb, "metadataPrefix": prefix}
        stamps = {"from": from_, "until": until}
        typed = any(v is not None and not isinstance(v, str) for v in stamps.values())
        if typed and self.granularity is None:
            await self.identify()
        for key, value in stamps.items():
            if value is not None:
                params[key] = format_datestamp(value, self.granularity or DAY)
        if set_:
            params["set"] = set_
        return params

    def _page_parser(self, verb: str, prefix: str) -> Callable[[bytes, str], ListPage]:
        def parse(body: bytes, url: str) -> ListPage:
            return read_list_page(body, url, verb, prefix, recover=self.recover)

        return parse
