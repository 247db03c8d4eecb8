"""Reading a response body under a size cap, decoding gzip/deflate ourselves.

httpx decodes a whole network chunk at once, so one 64 KB gzip chunk can
become ~64 MB in memory before anyone counts it. Decoding with zlib's
`max_length` keeps every step bounded by what is left of the cap.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

import httpx

from harvester.errors import FetchError, ResponseTooLarge

from .retry import Transient, aiohttp_errors, transport_fault

DECODED_ENCODINGS = frozenset({"", "identity", "gzip", "x-gzip", "deflate"})
ACCEPT_ENCODING = "gzip, deflate"


class Response(Protocol):
    """What the answer code reads of a response (httpx.Response has it all)."""

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...  # looked up by lower-case names
    @property
    def url(self) -> httpx.URL: ...
    @property
    def num_bytes_downloaded(self) -> int: ...
    @property
    def is_stream_consumed(self) -> bool: ...
    @property
    def content(self) -> bytes: ...
    def aiter_raw(self) -> AsyncIterator[bytes]: ...
    def aiter_bytes(self) -> AsyncIterator[bytes]: ...


class _Inflater:
    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._first = True
        self._d: zlib._Decompress | None = None
        if encoding in ("gzip", "x-gzip"):
            self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._d = zlib.decompressobj()

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode `data` into at most `room` bytes.

        When the output fills `room`, the rest of the input stays unread in the
        decompressor; the caller treats a full `room` as "too large" and stops.
        """
        if self._d is None:
            return data
        if self._first and self._encoding == "deflate" and len(data) >= 2:
            self._first = False
            # "deflate" arrives zlib-wrapped (as specified) or raw; sniff the zlib header.
            if (data[0] & 0x0F) != 8 or ((data[0] << 8) | data[1]) % 31:
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._d.decompress(data, room)

    def flush(self) -> bytes:
        return self._d.flush() if self._d is not None else b""


async def read_body(response: Response, *, url: str, max_bytes: int) -> bytes:
    """The decoded body, or ResponseTooLarge / Transient("truncated") / FetchError."""
    declared = _content_length(response)
    if declared is not None and declared > max_bytes:
        raise ResponseTooLarge(f"Content-Length {declared} exceeds cap {max_bytes}", url=url)
    encoding = _encoding(response)
    if response.is_stream_consumed:
        # Built already read (httpx.MockTransport with content=...): nothing left to stream.
        if len(response.content) > max_bytes:
            raise ResponseTooLarge(f"body passed the cap of {max_bytes} bytes", url=url)
        return response.content
    parts: list[bytes] = []
    total = 0
    try:
        if encoding in DECODED_ENCODINGS:
            inflater = _Inflater(encoding)
            async for chunk in response.aiter_raw():
                out = inflater.feed(chunk, max_bytes - total + 1)
                total += len(out)
                if total > max_bytes:
                    raise ResponseTooLarge(f"body passed the cap of {max_bytes} bytes", url=url)
                parts.append(out)
            tail = inflater.flush()
        else:
            # An encoding we did not ask for (br, zstd): let httpx decode, still counting.
            async for out in response.aiter_bytes():
                total += len(out)
                if total > max_bytes:
                    raise ResponseTooLarge(f"body passed the cap of {max_bytes} bytes", url=url)
                parts.append(out)
            tail = b""
    except aiohttp_errors("ClientError", besides=(httpx.TransportError, OSError)) as exc:
        got = response.num_bytes_downloaded
        if declared is not None and got < declared:
            raise Transient(
                "truncated", url, f"body cut off at {got} of {declared} bytes: {exc!r}"
            ) from exc
        raise Transient("network", url, f"error while reading body: {exc!r}",
                        fault=transport_fault(exc)) from exc
    except (zlib.error, httpx.DecodingError) as exc:
        _check_length(response, declared, url)
        raise FetchError(f"could not decode {encoding} body: {exc}", url=url) from exc
    _check_length(response, declared, url)
    total += len(tail)
    if total > max_bytes:
        raise ResponseTooLarge(f"body passed the cap of {max_bytes} bytes", url=url)
    if tail:
        parts.append(tail)
    # a body read in one piece comes back as that very object: join copies only two or more
    return b"".join(parts)


def decoded_by_httpx(status: int, headers: Any, raw: AsyncIterator[bytes]
                     ) -> AsyncIterator[bytes]:
    """`raw` body bytes decoded by httpx's decoders, for encodings we did not ask for
    (br, zstd): the senders that read bodies themselves (wire.py, send_aiohttp.py)."""
    shim = httpx.Response(status, headers=headers, stream=_RawStream(raw))
    return shim.aiter_bytes()


class _RawStream(httpx.AsyncByteStream):
    def __init__(self, raw: AsyncIterator[bytes]) -> None:
        self._raw = raw

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._raw:
            yield chunk


def _check_length(response: Response, declared: int | None, url: str) -> None:
    got = response.num_bytes_downloaded
    if declared is not None and got < declared:
        raise Transient("truncated", url, f"body cut off at {got} of {declared} bytes")


def _encoding(response: Response) -> str:
    return str(response.headers.get("content-encoding", "")).strip().lower()


def _content_length(response: Response) -> int | None:
    value = response.headers.get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


async def read_prefix(response: Response, *, cap: int) -> tuple[bytes, str | None]:
    """At most `cap` decoded bytes of a body kept only for the archive (an error page,
    a redirect), and why it is not whole: WARC-Truncated "length", "disconnect" or
    "unspecified" (undecodable), or None. Never raises: the status is the answer."""
    if response.is_stream_consumed:
        content = response.content
        return content[:cap], "length" if len(content) > cap else None
    encoding = _encoding(response)
    parts: list[bytes] = []
    total = 0
    truncated: str | None = None
    try:
        if encoding in DECODED_ENCODINGS:
            inflater = _Inflater(encoding)
            async for chunk in response.aiter_raw():
                out = inflater.feed(chunk, cap - total + 1)
                total += len(out)
                parts.append(out)
                if total > cap:
                    break
            else:
                tail = inflater.flush()
                total += len(tail)
                parts.append(tail)
        else:
            async for out in response.aiter_bytes():
                total += len(out)
                parts.append(out)
                if total > cap:
                    break
    except aiohttp_errors("ClientError", besides=(httpx.TransportError, OSError)):
        truncated = "disconnect"
    except (zlib.error, httpx.DecodingError):
        truncated = "unspecified"
    body = b"".join(parts)
    if len(body) > cap:
        body, truncated = body[:cap], "length"
    return body, truncated
