"""The Fetcher's GETs through one aiohttp session (transport "aiohttp").

Imported only when that transport is asked for: importing aiohttp makes two SSL
contexts and costs a run's start-up ~60 ms that the default (wire.py) spares.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, cast

import aiohttp
import httpx

from harvester.politeness import FetchSettings

from .body import ACCEPT_ENCODING, decoded_by_httpx
from .client import LIMITS
from .resolver import CheckedResolver
from .send import decode_headers, log
from .urls import Target

if TYPE_CHECKING:
    from aiohttp.abc import AbstractResolver


class AiohttpSender:
    """GETs through one aiohttp session, made inside the event loop on first use."""

    def __init__(self, settings: FetchSettings, resolver: CheckedResolver) -> None:
        # what httpx put on the wire through AiohttpTransport: its defaults, ours over them
        self.headers = {"Accept": "*/*", "Accept-Encoding": ACCEPT_ENCODING,
                        "Connection": "keep-alive", "User-Agent": settings.user_agent}
        t = settings.timeout
        self.timeout = aiohttp.ClientTimeout(sock_connect=t, sock_read=t, connect=t)
        self._resolver = resolver
        # built on the first https request, not before: reading the CA bundle takes
        # ~15 ms, spent for nothing by a run whose URLs are all http
        self._ssl: ssl.SSLContext | None = None
        self._session: aiohttp.ClientSession | None = None

    def ssl_context(self) -> ssl.SSLContext:
        """httpx's verifying context (certifi's CA bundle), made once, on first use."""
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context()
        return self._ssl

    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                keepalive_timeout=LIMITS.keepalive_expiry, limit=LIMITS.max_connections or 0,
                resolver=cast("AbstractResolver", self._resolver))  # its interface
            # (not its subclass); each https request brings ssl_context()
            # body.py decodes gzip itself, under the size cap; httpx's jar took cookies
            # from any host, IP addresses included (aiohttp's default jar does not)
            self._session = aiohttp.ClientSession(
                connector=connector, auto_decompress=False,
                cookie_jar=aiohttp.CookieJar(unsafe=True))
        return self._session

    def get(self, url: Target, headers: Mapping[str, str]) -> _Exchange:
        return _Exchange(self, url, {**self.headers, **headers} if headers else self.headers)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class _Exchange:
    """One request's context: the answer on entry, the connection released on exit."""

    __slots__ = ("_headers", "_resp", "_sender", "_url")

    def __init__(self, sender: AiohttpSender, url: Target, headers: Mapping[str, str]
                 ) -> None:
        self._sender, self._url, self._headers = sender, url, headers
        self._resp: aiohttp.ClientResponse | None = None

    async def __aenter__(self) -> AiohttpResponse:
        sender = self._sender
        url = self._url
        resp = self._resp = await sender.session().request(
            "GET", url.text, headers=self._headers, allow_redirects=False,
            timeout=sender.timeout, ssl=sender.ssl_context() if url.scheme == "https" else True)
        if log.isEnabledFor(logging.INFO):
            version = resp.version or aiohttp.HttpVersion11
            log.info('HTTP Request: GET %s "HTTP/%d.%d %d %s"', self._url.text,
                     version.major, version.minor, resp.status, resp.reason or "")
        return AiohttpResponse(resp, self._url)

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._resp is not None:
            await self._resp.__aexit__(exc_type, exc, tb)


class AiohttpResponse:
    """An aiohttp answer as the answer code reads it; headers decoded as httpx does."""

    __slots__ = ("_resp", "_target", "headers", "num_bytes_downloaded", "status_code")
    is_stream_consumed = False  # streamed, never pre-read
    content = b""  # read only when is_stream_consumed

    def __init__(self, resp: aiohttp.ClientResponse, target: Target) -> None:
        self._resp, self._target = resp, target
        self.status_code = resp.status
        self.headers = decode_headers(resp.raw_headers)
        self.num_bytes_downloaded = 0

    @property
    def url(self) -> httpx.URL:
        """Read for redirects only: parsed then."""
        return self._target.as_httpx()

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        async for chunk in self._resp.content.iter_any():
            self.num_bytes_downloaded += len(chunk)
            yield chunk

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        """Decoded by httpx's decoders: for encodings we did not ask for (br, zstd)."""
        return decoded_by_httpx(self.status_code, self._resp.raw_headers, self.aiter_raw())
