"""The direct sender makes its SSL context on the first https request, not before, and
that context is the one https requests use: it still verifies certificates.

A TLS server on 127.0.0.1 with a self-signed certificate for that address stands in
for a site: the sender's own context must refuse it; a context trusting it must be
what the request used for the answer to arrive.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import httpx
import pytest
from cryptography import x509  # the dev extra's
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from httpserver import Reply, ScriptedServer

from harvester._fetch.resolver import CheckedResolver
from harvester._fetch.send_aiohttp import AiohttpSender
from harvester._fetch.urls import parse_url
from harvester._fetch.wire import WireSender
from harvester.politeness import FetchSettings


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return _self_signed(tmp_path)


@pytest.fixture
async def tls_url(certificate: tuple[Path, Path]) -> AsyncIterator[str]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret")
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass  # the client refused our certificate
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"https://127.0.0.1:{port}/p"


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ssl.SSLContext]]:
    """The SSL contexts the sender asks httpx for, in order."""
    contexts: list[ssl.SSLContext] = []
    real = httpx.create_ssl_context

    def counting() -> ssl.SSLContext:
        contexts.append(real())
        return contexts[-1]

    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    yield contexts


@pytest.fixture(params=["wire", "aiohttp"])
def sender_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _sender(kind: str) -> AiohttpSender | WireSender:
    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    kinds = {"wire": WireSender, "aiohttp": AiohttpSender}
    return kinds[kind](FetchSettings(timeout=5.0), CheckedResolver(resolve, lambda h: True))


async def _get(sender: AiohttpSender | WireSender, url: str) -> bytes:
    async with sender.get(parse_url(url)[2], {}) as response:
        return b"".join([chunk async for chunk in response.aiter_raw()])


async def test_http_requests_never_make_an_ssl_context(
        made: list[ssl.SSLContext], sender_kind: str) -> None:
    sender = _sender(sender_kind)
    with ScriptedServer() as server:
        server.route("/p", Reply(200, b"plain"))
        try:
            assert await _get(sender, server.url("/p")) == b"plain"
            assert await _get(sender, server.url("/p")) == b"plain"
        finally:
            await sender.aclose()
    assert made == []


async def test_first_https_request_makes_a_verifying_context_that_refuses_a_stranger(
    made: list[ssl.SSLContext], tls_url: str, sender_kind: str
) -> None:
    sender = _sender(sender_kind)
    refused = {"wire": httpx.ConnectError, "aiohttp": aiohttp.ClientConnectorCertificateError}
    assert made == []
    try:
        for _ in range(2):
            with pytest.raises(refused[sender_kind]) as caught:
                await _get(sender, tls_url)
            if sender_kind == "wire":
                assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)
    finally:
        await sender.aclose()
    assert len(made) == 1  # made once, then kept
    assert made[0].verify_mode == ssl.CERT_REQUIRED and made[0].check_hostname


async def test_https_requests_use_the_senders_context(
    monkeypatch: pytest.MonkeyPatch, certificate: tuple[Path, Path], tls_url: str,
    sender_kind: str,
) -> None:
    def trusting() -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(certificate[0]))
        return context

    monkeypatch.setattr(httpx, "create_ssl_context", trusting)
    sender = _sender(sender_kind)
    try:
        assert await _get(sender, tls_url) == b"secret"
    finally:
        await sender.aclose()
