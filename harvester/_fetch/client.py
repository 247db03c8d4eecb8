"""The one httpx client of a run, over aiohttp's transport or httpx's own pool."""

from __future__ import annotations

import httpx

from harvester.errors import ConfigError
from harvester.politeness import FetchSettings

from .body import ACCEPT_ENCODING


def make_client(settings: FetchSettings) -> httpx.AsyncClient:
    """The run's one client. Redirects are followed by Fetcher (robots and gate per hop)."""
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=128)
    transport: httpx.AsyncBaseTransport
    if settings.transport == "aiohttp":
        from httpx_aiohttp import AiohttpTransport

        transport = AiohttpTransport(limits=limits)
    elif settings.transport == "httpx":
        transport = httpx.AsyncHTTPTransport(limits=limits)
    else:
        raise ConfigError(f"unknown transport {settings.transport!r}", field="transport")
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=False,
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
    )
