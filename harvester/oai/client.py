"""An async OAI-PMH client: one method per verb over an injected httpx.AsyncClient.

List verbs yield one ListPage per HTTP response so the caller can store a
page's records and its resumption token in one transaction before asking for
the next page (the checkpoint hepcrawl gets wrong). The client owns its
retries: OAI servers put protocol errors in 400/422 bodies, which a generic
fetcher would turn into transport failures.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, date, datetime
from typing import TypeVar

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from harvester._fetch.body import read_body
from harvester._fetch.netsafety import AddressGuard, Resolver, system_resolve

# one retry policy for every request the harvester makes (harvester/_fetch/retry.py)
from harvester._fetch.retry import RETRY_STATUSES, Transient, backoff, parse_retry_after
from harvester.errors import (
    DiscoveryError,
    GoneError,
    HTTPStatusError,
    NetworkError,
    UnsafeURL,
    UnsafeXML,
)
from harvester.oai.protocol import (
    Identify,
    ListPage,
    MetadataFormat,
    NoRecordsMatch,
    OAIError,
    OAIRecord,
    OAISet,
    RepeatedResumptionToken,
    parse_get_record,
    parse_identify,
    parse_list_identifiers,
    parse_list_metadata_formats,
    parse_list_records,
    parse_list_sets,
)
from harvester.types import Page

DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"
Stamp = date | datetime | str
T = TypeVar("T")
# (request params, the answer) for every response that may carry an OAI answer
OnResponse = Callable[[Mapping[str, str], Page], None]
_PORTS = {"http": 80, "https": 443}


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


class _Retryable(Exception):
    def __init__(self, status: int | None, retry_after: float | None, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.retry_after = retry_after


class OAIClient:
    """Talks to one OAI-PMH base URL. Time is injected (`sleep`, `now`) for tests.

    `allow_private=False` refuses (UnsafeURL, before any request) a base URL whose host
    has a private, loopback or link-local address, as the Fetcher does for pages.
    `on_response` sees each answer before it is parsed (the run archives them)."""

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.AsyncClient,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_retries: int = 4,
        backoff_base: float = 1.0,
        backoff_max: float = 120.0,
        max_retry_after: float = 900.0,
        user_agent: str | None = None,
        granularity: str | None = None,
        recover: bool = True,
        delay: float = 0.0,
        allow_private: bool = True,
        resolve: Resolver = system_resolve,
        on_response: OnResponse | None = None,
        max_bytes: int = 50 * 1024 * 1024,
    ) -> None:
        self.base_url = base_url
        # cap on a response body after decompression (ResponseTooLarge past it)
        self.max_bytes = max_bytes
        self._client = client
        self._sleep = sleep
        self._now = now
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        # a server asking for a longer pause than this is treated as down
        self.max_retry_after = max_retry_after
        self._headers = {"User-Agent": user_agent} if user_agent else {}
        self.granularity = granularity
        self.recover = recover
        self._identify: Identify | None = None
        # politeness: pause between consecutive requests (Politeness.delay)
        self.delay = delay
        self._requests = 0
        self.allow_private = allow_private
        self._resolve = resolve
        self._address_checked = False
        self.on_response = on_response
        self._rng = random.Random()

    # --- transport -------------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return exc.retry_after
        return backoff(state.attempt_number, base=self.backoff_base, cap=self.backoff_max,
                       rng=self._rng)

    async def _get(self, params: Mapping[str, str]) -> tuple[bytes, str]:
        """GET base_url?params with retries; returns (body, final url) of any response
        that may carry an OAI answer (2xx, or an error status with an OAI body)."""
        if not self._address_checked:
            await self._check_address()
        if self.delay and self._requests:
            await self._sleep(self.delay)
        self._requests += 1
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(params)
        except _Retryable as exc:
            url = str(httpx.URL(self.base_url, params=params))
            if exc.status is None:
                raise NetworkError(f"{exc} (retries spent)", url=url) from exc
            raise HTTPStatusError(
                f"HTTP {exc.status} after {self.max_retries} retries", status=exc.status, url=url
            ) from exc
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _check_address(self) -> None:
        """UnsafeURL unless the base URL's host may be connected to; once per client
        (responses are not followed elsewhere: the run's client does not redirect)."""
        if not self.allow_private:
            try:
                url = httpx.URL(self.base_url)
            except httpx.InvalidURL as exc:
                raise UnsafeURL(f"not a valid URL: {exc}", url=self.base_url) from exc
            if url.scheme not in _PORTS or not url.host:
                raise UnsafeURL("only http and https URLs with a host are fetched",
                                url=self.base_url)
            guard = AddressGuard(resolve=self._resolve, clock=time.monotonic)
            try:
                await guard.check(self.base_url, url.host, url.port or _PORTS[url.scheme])
            except Transient as exc:  # the host does not resolve
                raise exc.final(1) from exc
        self._address_checked = True

    async def _attempt(self, params: Mapping[str, str]) -> tuple[bytes, str]:
        try:
            # streamed through the fetcher's capped reader: a plain get() inflated a
            # gzip bomb without limit
            async with self._client.stream(
                "GET", self.base_url, params=params, headers=self._headers
            ) as resp:
                url, status = str(resp.url), resp.status_code
                if status not in RETRY_STATUSES:
                    body = await read_body(resp, url=url, max_bytes=self.max_bytes)
        except httpx.TransportError as exc:
            raise _Retryable(None, None, f"{type(exc).__name__}: {exc}") from exc
        except Transient as exc:  # a body cut off or dropped mid-read
            raise _Retryable(None, None, str(exc)) from exc
        if status in RETRY_STATUSES:
            after = parse_retry_after(resp.headers.get("retry-after"), self._now())
            if after is not None and after > self.max_retry_after:
                raise HTTPStatusError(
                    f"HTTP {status} with Retry-After {after:.0f}s", status=status, url=url
                )
            raise _Retryable(status, after, f"HTTP {status}")
        if status < 300 or b"OAI-PMH" in body[:4096]:
            if self.on_response is not None:
                requested = str(httpx.URL(self.base_url, params=params))
                self.on_response(params, Page(
                    url=url, body=body, status=status,
                    headers={k.lower(): v for k, v in resp.headers.items()},
                    fetched_at=self._now(), requested_url=requested))
            return body, url
        cls = GoneError if status in (404, 410) else HTTPStatusError
        raise cls(f"HTTP {status}", status=status, url=url)

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
        seen: set[str] = {token} if token else set()
        params = await self._first_params(verb, prefix, from_, until, set_, token)
        first = token is None
        while True:
            try:
                page = await self._call(params, self._page_parser(verb, prefix))
            except NoRecordsMatch:
                return
            except OAIError as exc:
                # servers that announce seconds granularity but reject it: retry by day
                if not (first and exc.code == "badArgument" and self._coarsen(params)):
                    raise
                continue
            first = False
            yield page
            if not page.resumption_token:
                return
            self._check_token(page.resumption_token, seen)
            params = {"verb": verb, "resumptionToken": page.resumption_token}

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

    def _coarsen(self, params: dict[str, str]) -> bool:
        """Cut seconds-granular from/until to days in place; False if nothing to cut."""
        changed = False
        for key in ("from", "until"):
            if key in params and "T" in params[key]:
                params[key] = params[key].split("T", 1)[0]
                changed = True
        if changed:
            self.granularity = DAY
        return changed

    def _page_parser(self, verb: str, prefix: str) -> Callable[[bytes, str], ListPage]:
        def parse(body: bytes, url: str) -> ListPage:
            try:
                return self._parse_page(verb, prefix, body, url, recover=False)
            except UnsafeXML:
                raise
            except OAIError:
                raise
            except DiscoveryError:
                if not self.recover:
                    raise
                return self._parse_page(verb, prefix, body, url, recover=True)

        return parse

    @staticmethod
    def _parse_page(verb: str, prefix: str, body: bytes, url: str, *, recover: bool) -> ListPage:
        if verb == "ListRecords":
            return parse_list_records(body, url, metadata_prefix=prefix, recover=recover)
        return parse_list_identifiers(body, url, recover=recover)

    def _check_token(self, token: str, seen: set[str]) -> None:
        if token in seen:
            msg = f"server repeated token {token[:60]!r}"
            raise RepeatedResumptionToken("repeatedResumptionToken", msg, url=self.base_url)
        seen.add(token)
