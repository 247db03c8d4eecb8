"""An httpx client over aiohttp's transport or httpx's own pool: the OAI client's, and
the Fetcher's with `transport: httpx` or a proxy in the environment (otherwise the
Fetcher sends through its own aiohttp session, send.py).

Over aiohttp, a `resolver` (CheckedResolver) decides which addresses the
connector may connect to; httpx's own pool resolves by itself, so with
`transport: httpx` only the check before each request applies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import httpx

from harvester.errors import ConfigError
from harvester.politeness import FetchSettings

from .body import ACCEPT_ENCODING

if TYPE_CHECKING:
    from aiohttp.abc import AbstractResolver

    from .resolver import CheckedResolver

# keepalive_expiry and max_connections reach aiohttp's connector (send.py too)
LIMITS = httpx.Limits(max_connections=256, max_keepalive_connections=128)


class _Cookies(httpx.Cookies):
    """httpx's cookie jar, read only when an answer sets a cookie: httpx builds urllib
    request and response shims for every answer first (0.1 ms a page, measured)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


def make_client(settings: FetchSettings, *,
                resolver: CheckedResolver | None = None) -> httpx.AsyncClient:
    """The run's one client. Redirects are followed by Fetcher (robots and gate per hop)."""
    limits = LIMITS
    transport: httpx.AsyncBaseTransport
    if settings.transport in ("wire", "aiohttp"):  # wire.py is the Fetcher's alone
        transport = _aiohttp_transport(limits, resolver)
    elif settings.transport == "httpx":
        transport = httpx.AsyncHTTPTransport(limits=limits)
    else:
        raise ConfigError(f"unknown transport {settings.transport!r}", field="transport")
    client = httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=False,
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
    )
    client._cookies = _Cookies()  # the setter would copy it into a plain Cookies
    return client


def _aiohttp_transport(limits: httpx.Limits,
                       resolver: CheckedResolver | None) -> httpx.AsyncBaseTransport:
    import aiohttp
    from httpx_aiohttp import AiohttpTransport

    transport = AiohttpTransport(limits=limits)
    if resolver is None:
        return transport

    def session() -> aiohttp.ClientSession:
        # what AiohttpTransport builds itself, plus our resolver; made on first use,
        # inside the event loop
        connector = aiohttp.TCPConnector(
            keepalive_timeout=limits.keepalive_expiry, ssl=transport.ssl_context,
            limit=limits.max_connections or 0,
            resolver=cast("AbstractResolver", resolver))  # its interface, not its subclass
        return aiohttp.ClientSession(connector=connector)

    transport.client = session
    return transport
