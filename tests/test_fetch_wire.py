"""The wire sender (harvester/_fetch/wire.py) against a raw TCP server on 127.0.0.1 that
writes answers byte by byte as a test scripts them: body framing, keep-alive, hang-ups,
timeouts and malformed answers."""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from harvester._fetch.resolver import CheckedResolver
from harvester._fetch.urls import parse_url
from harvester._fetch.wire import WireSender
from harvester._fetch.wire_conn import HIGH_WATER, Connection
from harvester._fetch.wire_head import parse_head
from harvester.politeness import FetchSettings

Script = Callable[[int], list[bytes] | None]  # request number -> pieces to write; None: hang up
CLOSE = b""  # as the last piece: close the connection once the others are written


class RawServer:
    """Answers the n-th request (over all connections) with script(n), piece by piece."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[bytes] = []
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> RawServer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self.server is not None
        self.server.close()

    def url(self, path: str) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests.append(head)
                pieces = self.script(len(self.requests) - 1)
                if pieces is None:
                    break
                for piece in pieces:
                    writer.write(piece)
                    await writer.drain()
                    await asyncio.sleep(0)
                if pieces and pieces[-1] is CLOSE:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def _resolver() -> CheckedResolver:
    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    return CheckedResolver(resolve, lambda host: True)


@pytest.fixture
async def sender() -> AsyncIterator[WireSender]:
    wire = WireSender(FetchSettings(timeout=2.0), _resolver())
    yield wire
    await wire.aclose()


async def _get(sender: WireSender, url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    async with sender.get(parse_url(url)[2], headers) as resp:
        body = b"".join([chunk async for chunk in resp.aiter_raw()])
        return resp.status_code, dict(resp.headers), body


def _bytewise(data: bytes) -> list[bytes]:
    return [data[i:i + 1] for i in range(len(data))]


CHUNKED = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n")


@pytest.mark.parametrize("split", [lambda d: [d], _bytewise], ids=["whole", "byte-by-byte"])
async def test_chunked_body_is_joined_and_the_connection_reused(
        sender: WireSender, split: Callable[[bytes], list[bytes]]) -> None:
    async with RawServer(lambda n: split(CHUNKED)) as server:
        for _ in range(3):
            assert (await _get(sender, server.url("/c")))[2] == b"hello, world"
    assert server.connections == 1


async def test_content_length_body_and_keep_alive(sender: WireSender) -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nX-A: 2\r\n\r\nabcde"
    async with RawServer(lambda n: [answer[:30], answer[30:]]) as server:
        status, headers, body = await _get(sender, server.url("/p"))
        await _get(sender, server.url("/p"))
    assert (status, body, headers["x-a"]) == (200, b"abcde", "1, 2")
    assert server.connections == 1


async def test_http_1_0_without_length_reads_to_close_and_does_not_reuse(
        sender: WireSender) -> None:
    async with RawServer(lambda n: [b"HTTP/1.0 200 OK\r\n\r\nuntil ", b"the end", CLOSE]
                         ) as server:
        assert (await _get(sender, server.url("/a")))[2] == b"until the end"
        assert (await _get(sender, server.url("/b")))[2] == b"until the end"
    assert server.connections == 2


async def test_http_1_0_keep_alive_with_a_length_is_reused(sender: WireSender) -> None:
    answer = b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"
    async with RawServer(lambda n: [answer]) as server:
        await _get(sender, server.url("/a"))
        await _get(sender, server.url("/b"))
    assert server.connections == 1


async def test_304_and_204_have_no_body_even_with_a_length(sender: WireSender) -> None:
    answers = [b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\nETag: \"x\"\r\n\r\n",
               b"HTTP/1.1 204 No Content\r\n\r\n"]
    async with RawServer(lambda n: [answers[n % 2]]) as server:
        assert (await _get(sender, server.url("/a"), **{"If-None-Match": '"x"'}))[:1] == (304,)
        assert await _get(sender, server.url("/b")) == (204, {}, b"")
        assert (await _get(sender, server.url("/a")))[0] == 304
    assert server.connections == 1
    assert b'If-None-Match: "x"\r\n' in server.requests[0]


async def test_interim_100_continue_is_skipped(sender: WireSender) -> None:
    answer = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    async with RawServer(lambda n: [answer]) as server:
        assert (await _get(sender, server.url("/")))[::2] == (200, b"ok")


async def test_a_kept_connection_hung_up_before_answering_is_tried_once_more(
        sender: WireSender) -> None:
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    async with RawServer(lambda n: None if n == 1 else [ok]) as server:
        assert (await _get(sender, server.url("/1")))[2] == b"ok"
        assert (await _get(sender, server.url("/2")))[2] == b"ok"  # hung up, then answered
    assert len(server.requests) == 3 and server.connections == 2


async def test_hanging_up_twice_is_a_remote_protocol_error(sender: WireSender) -> None:
    async with RawServer(lambda n: None) as server:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await _get(sender, server.url("/"))
    assert len(server.requests) == 2


async def test_a_body_cut_short_raises_after_what_arrived(sender: WireSender) -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"
    got: list[bytes] = []
    async with RawServer(lambda n: [answer, CLOSE]) as server:
        with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
            async with sender.get(parse_url(server.url("/"))[2], {}) as resp:
                async for chunk in resp.aiter_raw():
                    got.append(chunk)
    assert b"".join(got) == b"abc" and resp.num_bytes_downloaded == 3


async def test_silence_past_the_timeout_is_a_read_timeout() -> None:
    wire = WireSender(FetchSettings(timeout=0.2), _resolver())
    async with RawServer(lambda n: [b"HTTP/1.1 200 OK\r\n"]) as server:
        with pytest.raises(httpx.ReadTimeout):
            await _get(wire, server.url("/"))
    await wire.aclose()


async def test_a_kept_connection_times_out_a_silent_request_from_its_own_start() -> None:
    # the first request's timer is carried over to the second, not made anew: it must
    # still give the second request its whole timeout, then fail it
    wire = WireSender(FetchSettings(timeout=0.3), _resolver())
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    async with RawServer(lambda n: [ok] if n == 0 else [b"HTTP/1.1 200 OK\r\n"]) as server:
        assert (await _get(wire, server.url("/a")))[2] == b"ok"
        await asyncio.sleep(0.2)  # most of the first timer's time gone, idle
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(httpx.ReadTimeout):
            await _get(wire, server.url("/b"))
        assert loop.time() - started >= 0.29
        assert server.connections == 1
    await wire.aclose()


async def test_an_idle_kept_connection_outlives_its_timer_and_serves_again() -> None:
    wire = WireSender(FetchSettings(timeout=0.1), _resolver())
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    async with RawServer(lambda n: [ok]) as server:
        assert (await _get(wire, server.url("/a")))[2] == b"ok"
        await asyncio.sleep(0.25)  # the timer fires on the idle connection: no error
        assert (await _get(wire, server.url("/b")))[2] == b"ok"
        assert server.connections == 1
    await wire.aclose()


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY",
    b"SMTP ready\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
], ids=["length", "two-lengths", "chunk-size", "chunk-crlf", "status-line", "header"])
async def test_malformed_answers_are_remote_protocol_errors(
        sender: WireSender, answer: bytes) -> None:
    async with RawServer(lambda n: [answer]) as server:
        with pytest.raises(httpx.RemoteProtocolError):
            await _get(sender, server.url("/"))


@pytest.mark.parametrize("tail", [b"", b"JUNK"], ids=["exact", "past-the-length"])
async def test_body_pieces_after_the_head_are_handed_on_as_they_came(
        sender: WireSender, tail: bytes) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
    async with (RawServer(lambda n: [head, b"abcd", b"efghij" + tail]) as server,
                sender.get(parse_url(server.url("/p"))[2], {}) as resp):
        pieces = [chunk async for chunk in resp.aiter_raw()]
        reusable = resp._conn.idle() and resp._conn.reusable
    assert b"".join(pieces) == b"abcdefghij"
    # a piece over the length went through the buffer: the connection is not reused
    assert reusable is (tail == b"")


async def test_an_answer_read_whole_is_copied_once_not_through_the_buffer() -> None:
    class _Transport(asyncio.Transport):
        def write(self, data: Any) -> None:
            pass

        def abort(self) -> None:
            pass

    conn = Connection(timeout=2.0)
    conn.connection_made(_Transport())
    conn.send(b"GET / HTTP/1.1\r\n\r\n")
    body = bytes(range(256)) * 1000
    answer = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    tracemalloc.start()
    try:
        conn.data_received(answer)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # through the buffer it was two copies at once: the buffer's and the bytes taken out
    assert peak < 1.5 * len(body)
    assert (await conn.answer()).status == 200
    assert await conn.chunk() == body
    assert await conn.chunk() == b""
    assert conn.idle() and conn.reusable
    conn.close()


async def test_bytes_after_the_answer_keep_the_connection_from_reuse(
        sender: WireSender) -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokJUNK"
    async with RawServer(lambda n: [answer]) as server:
        assert (await _get(sender, server.url("/1")))[2] == b"ok"
        assert (await _get(sender, server.url("/2")))[2] == b"ok"
    assert server.connections == 2


async def test_a_big_body_pauses_reading_until_the_reader_catches_up(
        sender: WireSender) -> None:
    size = 4 * HIGH_WATER
    body = bytes(range(256)) * (size // 256)
    answer = f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n".encode() + body
    async with (RawServer(lambda n: [answer]) as server,
                sender.get(parse_url(server.url("/big"))[2], {}) as resp):
        await asyncio.sleep(0.3)  # the server writes while nobody reads
        conn = resp._conn
        assert conn._queued <= HIGH_WATER + 256 * 1024  # paused near the mark
        got = b"".join([chunk async for chunk in resp.aiter_raw()])
    assert got == body


async def test_a_line_break_in_a_header_value_is_refused_before_sending(
        sender: WireSender) -> None:
    async with RawServer(lambda n: [b"HTTP/1.1 200 OK\r\n\r\n"]) as server:
        with pytest.raises(httpx.LocalProtocolError):
            await _get(sender, server.url("/"), **{"If-None-Match": '"a"\r\nX-Evil: 1'})
    assert server.requests == []


def test_head_is_decoded_as_httpx_decodes_headers() -> None:
    head = parse_head("HTTP/1.1 200 OK\r\nX-Name: café\r\n Folded\r\nA: b".encode())
    assert head.headers == {"x-name": "café Folded", "a": "b"}
    assert parse_head(b"HTTP/1.0 404\nX: \xe9").headers == {"x": "é"}


async def test_a_kept_connection_the_server_closed_while_idle_is_not_used_again(
        sender: WireSender) -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    async with RawServer(lambda n: [answer, CLOSE]) as server:
        assert (await _get(sender, server.url("/1")))[2] == b"ok"
        await asyncio.sleep(0.1)  # the server's FIN arrives while the connection is idle
        assert (await _get(sender, server.url("/2")))[2] == b"ok"
    assert len(server.requests) == 2 and server.connections == 2  # no request sent in vain
