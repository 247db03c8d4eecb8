"""The run's own GETs over HTTP/1.1 straight on asyncio (transport "wire", the default).

aiohttp's request path (URL objects, a request and a response object with their
helpers, timers rescheduled on every read, its connector's bookkeeping) cost
~200 µs of CPU a request on loopback against ~45 µs for the same GET written on
a socket by hand (bench/transport.py): most of a 304 re-harvest's time, and a
good part of a first harvest's main process. This sender keeps what a
harvester's GET needs and nothing else:

- one pool of keep-alive connections per (scheme, host, port), at most
  LIMITS.max_connections requests in flight, idle ones dropped after
  LIMITS.keepalive_expiry seconds;
- connections only to addresses the CheckedResolver accepted (DNS rebinding),
  TLS with httpx's verifying context (certifi), made on the first https URL;
- a GET that finds its connection hung up before any byte of an answer is sent
  once more on a fresh connection, as aiohttp does (RFC 9112 §9.3.1);
- cookies in an httpx jar, consulted only once a server has set one;
- the same headers on the wire, the same log line, and the same answer surface
  (body.Response) as the aiohttp and httpx senders (send.py).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import ssl
from collections.abc import AsyncIterator, Mapping
from types import TracebackType

import httpx

from harvester.politeness import FetchSettings

from .body import ACCEPT_ENCODING, decoded_by_httpx
from .client import LIMITS
from .resolver import CheckedResolver
from .urls import PORTS, Target
from .wire_conn import Connection
from .wire_head import Head

log = logging.getLogger("harvester.http")
_Key = tuple[str, str, int]


class WireSender:
    """GETs over this module's own connections; see the module's docstring."""

    def __init__(self, settings: FetchSettings, resolver: CheckedResolver) -> None:
        self.fixed = (f"Accept: */*\r\nAccept-Encoding: {ACCEPT_ENCODING}\r\n"
                      f"Connection: keep-alive\r\nUser-Agent: {settings.user_agent}\r\n")
        self.timeout = settings.timeout
        self._resolver = resolver
        self._idle: dict[_Key, list[Connection]] = {}
        self._slots = asyncio.Semaphore(LIMITS.max_connections or 1 << 30)
        self._ssl: ssl.SSLContext | None = None
        self.cookies: httpx.Cookies | None = None  # made when a server first sets one

    def get(self, url: Target, headers: Mapping[str, str]) -> _Exchange:
        return _Exchange(self, url, headers)

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()

    def ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context()
        return self._ssl

    def checkout(self, key: _Key) -> Connection | None:
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            transport = conn.transport
            if not conn.closed and transport is not None and not transport.is_closing() and (
                    asyncio.get_running_loop().time() - conn.idle_since
                                    < (LIMITS.keepalive_expiry or float("inf"))):
                return conn
            conn.close()
        return None

    def checkin(self, key: _Key, conn: Connection) -> None:
        idle = self._idle.setdefault(key, [])
        if len(idle) < (LIMITS.max_keepalive_connections or 1 << 30):
            idle.append(conn)
        else:
            conn.close()

    async def connect(self, key: _Key) -> Connection:
        scheme, host, port = key
        try:
            addresses = [ipaddress.ip_address(host).compressed]
        except ValueError:  # a name: only the addresses the resolver lets through
            try:
                answers = await self._resolver.resolve(host, port, family=socket.AF_UNSPEC)
            except OSError as exc:
                raise httpx.ConnectError(f"cannot resolve {host}: {exc}") from exc
            addresses = [a["host"] for a in answers]
        tls = self.ssl_context() if scheme == "https" else None
        loop = asyncio.get_running_loop()
        failure: httpx.TransportError = httpx.ConnectError(f"no address to connect to {host}")
        for address in addresses:
            try:
                async with asyncio.timeout(self.timeout):
                    _, conn = await loop.create_connection(
                        lambda: Connection(self.timeout), address, port, ssl=tls,
                        server_hostname=host if tls is not None else None)
                return conn
            except TimeoutError as exc:
                failure = httpx.ConnectTimeout(f"connecting to {host}:{port} took too long")
                failure.__cause__ = exc
            except OSError as exc:  # refused, unreachable, TLS (ssl.SSLError is an OSError)
                failure = httpx.ConnectError(f"{type(exc).__name__}: {exc}")
                failure.__cause__ = exc
        raise failure

    def request(self, url: Target, netloc: str, path: str, headers: Mapping[str, str]
                ) -> bytes:
        lines = [f"GET {path} HTTP/1.1\r\nHost: {netloc}\r\n", self.fixed]
        for name, value in headers.items():
            if "\r" in value or "\n" in value:  # a stored validator must not add lines
                raise httpx.LocalProtocolError(f"line break in the {name} header's value")
            lines.append(f"{name}: {value}\r\n")
        if self.cookies:
            cookie = _cookie_header(self.cookies, url)
            if cookie:
                lines.append(f"Cookie: {cookie}\r\n")
        lines.append("\r\n")
        head = "".join(lines)
        try:
            return head.encode("latin-1")
        except UnicodeEncodeError:
            return head.encode("utf-8")

    def keep_cookies(self, url: Target, head: Head) -> None:
        if self.cookies is None:
            self.cookies = httpx.Cookies()
        response = httpx.Response(head.status, headers=head.raw,
                                  request=httpx.Request("GET", url.as_httpx()))
        self.cookies.extract_cookies(response)


def _cookie_header(cookies: httpx.Cookies, url: Target) -> str | None:
    request = httpx.Request("GET", url.as_httpx())
    cookies.set_cookie_header(request)
    cookie: str | None = request.headers.get("cookie")
    return cookie


def _where(url: Target) -> tuple[_Key, str, str]:
    """(pool key, Host header, request target) of an http(s) URL."""
    if url.parsed is None:  # urls.py's plain spelling: ASCII host, nothing to quote
        netloc = url.host if url.port is None else f"{url.host}:{url.port}"
        rest = url.text[len(url.scheme) + 3 + len(netloc):]
        host = url.host
    else:
        netloc = url.parsed.netloc.decode("ascii")
        rest = url.parsed.raw_path.decode("ascii")
        host = url.parsed.raw_host.decode("ascii")
    path = rest if rest.startswith("/") else f"/{rest}"
    return (url.scheme, host, url.port or PORTS[url.scheme]), netloc, path


class _Exchange:
    """One request: the answer on entry; on exit the connection goes back or is closed."""

    __slots__ = ("_conn", "_headers", "_key", "_sender", "_url")

    def __init__(self, sender: WireSender, url: Target, headers: Mapping[str, str]) -> None:
        self._sender, self._url, self._headers = sender, url, headers
        self._conn: Connection | None = None
        self._key: _Key | None = None

    async def __aenter__(self) -> WireResponse:
        sender, url = self._sender, self._url
        key, netloc, path = _where(url)
        request = sender.request(url, netloc, path, self._headers)
        await sender._slots.acquire()
        try:
            head = await self._send(key, request)
        except BaseException:
            self._release()
            raise
        self._key = key
        if log.isEnabledFor(logging.INFO):
            log.info('HTTP Request: GET %s "HTTP/1.%d %d %s"', url.text, head.minor,
                     head.status, head.reason)
        if "set-cookie" in head.headers:
            sender.keep_cookies(url, head)
        assert self._conn is not None
        return WireResponse(self._conn, head, url)

    async def _send(self, key: _Key, request: bytes) -> Head:
        sender = self._sender
        conn = sender.checkout(key)
        for attempt in (1, 2):
            if conn is None:
                conn = await sender.connect(key)
            self._conn = conn
            conn.send(request)
            try:
                return await conn.answer()
            except httpx.RemoteProtocolError:
                # hung up before answering (often a kept-alive connection the server
                # had just closed): a GET is sent once more, on a new connection
                if attempt == 2 or conn.started:
                    raise
                conn.close()
                conn = None
        raise AssertionError("unreachable")  # pragma: no cover

    def _release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            if conn.reusable and not conn.closed and self._key is not None and conn.idle():
                self._sender.checkin(self._key, conn)
            else:
                conn.close()
        self._sender._slots.release()

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        self._release()


class WireResponse:
    """An answer as the answer code reads it (body.Response)."""

    __slots__ = ("_conn", "_target", "headers", "num_bytes_downloaded", "status_code")
    is_stream_consumed = False  # streamed, never pre-read
    content = b""  # read only when is_stream_consumed

    def __init__(self, conn: Connection, head: Head, target: Target) -> None:
        self._conn, self._target = conn, target
        self.status_code = head.status
        self.headers = head.headers
        self.num_bytes_downloaded = 0

    @property
    def url(self) -> httpx.URL:
        """Read for redirects only: parsed then."""
        return self._target.as_httpx()

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        chunk = self._conn.chunk
        while data := await chunk():
            self.num_bytes_downloaded += len(data)
            yield data

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        """Decoded by httpx's decoders: for encodings we did not ask for (br, zstd)."""
        return decoded_by_httpx(self.status_code, list(self.headers.items()), self.aiter_raw())
