"""How the Fetcher sends one GET: our own connections (wire.py), aiohttp, or httpx.

httpx's client machinery over the aiohttp transport (a Request, merged URL and
headers, its cookie jar, a Response and two stream wrappers) cost more CPU a page
than aiohttp itself: about 150 against 100 µs on loopback (bench/transport.py).
So a run's own client was an aiohttp session used directly; it is now our own
connections (wire.py, transport "wire"), and "aiohttp" stays selectable. An injected
httpx.AsyncClient (tests' MockTransport), `transport: httpx`, and runs behind a
proxy from the environment keep going through httpx, as before.

All hand the answer code (answer.py, body.py) the same small `Response`
surface, and send the same request: the same headers, timeouts, SSL context,
connection limits and resolver as make_client's client over aiohttp.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from typing import Protocol

import httpx

from harvester.politeness import FetchSettings

from .body import Response
from .client import make_client
from .resolver import CheckedResolver
from .urls import Target

# httpx's client logged each request at INFO (what `harvester -v` shows); the direct
# path keeps that line, under the fetcher's name
log = logging.getLogger("harvester.http")


class Sender(Protocol):
    def get(self, url: Target, headers: Mapping[str, str]
            ) -> AbstractAsyncContextManager[Response]: ...

    async def aclose(self) -> None: ...


def open_sender(settings: FetchSettings, resolver: CheckedResolver) -> Sender:
    """The run's own sender: our own connections (wire.py) or aiohttp directly, unless
    httpx must do the job (asked for, or a proxy in the environment)."""
    if settings.transport in ("wire", "aiohttp") and not urllib.request.getproxies():
        if settings.transport == "wire":
            from .wire import WireSender

            return WireSender(settings, resolver)
        from .send_aiohttp import AiohttpSender  # imports aiohttp: only when asked for

        return AiohttpSender(settings, resolver)
    return ClientSender(make_client(settings, resolver=resolver))


class ClientSender:
    """Through an httpx client (injected, or httpx's own pool, or proxied)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    def get(self, url: Target, headers: Mapping[str, str]
            ) -> AbstractAsyncContextManager[Response]:
        return self.client.stream("GET", url.as_httpx(), headers=headers)

    async def aclose(self) -> None:
        await self.client.aclose()


def decode_headers(raw: tuple[tuple[bytes, bytes], ...]) -> dict[str, str]:
    """Lower-case names to values, repeats joined by ", ": httpx.Headers.items(), with
    its choice of text encoding (ASCII, else UTF-8, else Latin-1, for all at once)."""
    for encoding in ("ascii", "utf-8", "iso-8859-1"):
        out: dict[str, str] = {}
        try:
            for name, value in raw:
                key, text = name.lower().decode(encoding), value.decode(encoding)
                out[key] = f"{out[key]}, {text}" if key in out else text
        except UnicodeDecodeError:
            continue
        return out
    raise AssertionError("Latin-1 decodes any bytes")  # pragma: no cover
