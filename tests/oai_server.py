"""A real third-party OAI-PMH data provider on 127.0.0.1 for harvest tests.

The protocol is served by `oaipmh` (the maintained fork of infrae's pyoai,
same `oaipmh` package; pyoai 2.5.0 itself cannot decode its own resumption
tokens on Python >= 3.8, it calls the removed `cgi.parse_qs`). This module
only supplies the data behind pyoai's `IBatchingOAI` interface, a WSGI
adapter, and two misbehaviours real servers show: tokens that expire and a
token that repeats. It also serves Pure-like landing pages for enrichment.

    with OAITestServer(synthetic(2500)) as srv:
        srv.url                       # the OAI base URL
        srv.touch(ids) / srv.delete(ids) / srv.add(items) / srv.drop(ids)
        srv.expire(lambda cursor: cursor == 200)   # refuse such tokens once each
        srv.list_requests()           # the ListRecords requests served, in order
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from oaipmh import common, error  # type: ignore[import-untyped]
from oaipmh.metadata import MetadataRegistry  # type: ignore[import-untyped]
from oaipmh.server import (  # type: ignore[import-untyped]
    BatchingResumption,
    ServerBase,
    decodeResumptionToken,
    oai_dc_writer,
)

from pipelines.sample_site import SAMPLE_RECORDS, render_page

SECONDS = "YYYY-MM-DDThh:mm:ssZ"
FIRST = datetime(2025, 1, 1)  # naive UTC: pyoai refuses aware datetimes
DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"


@dataclass(frozen=True)
class Item:
    identifier: str
    datestamp: datetime  # naive UTC
    fields: dict[str, list[str]] = field(default_factory=dict)
    deleted: bool = False
    sets: tuple[str, ...] = ()


def synthetic(n: int, *, deleted_every: int = 50, hours: int = 3) -> list[Item]:
    """n invented records, one every `hours` from 2025-01-01; every
    `deleted_every`-th is a tombstone."""
    out = []
    for i in range(n):
        out.append(Item(
            identifier=f"oai:test.example:{i:05d}",
            datestamp=FIRST + timedelta(hours=hours * i),
            fields={"title": [f"Invented record {i}"], "creator": [f"Family{i % 37}, Given"],
                    "date": [f"{2000 + i % 25}-0{1 + i % 9}"], "type": ["Journal article"]},
            deleted=i % deleted_every == deleted_every - 1,
        ))
    return out


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class Repository:
    """pyoai's IBatchingOAI over an in-memory, mutable set of items."""

    def __init__(self, items: Iterable[Item], base_url: str = "") -> None:
        self.items = {i.identifier: i for i in items}
        self.base_url = base_url
        self.lock = threading.Lock()

    def identify(self) -> Any:
        earliest = min((i.datestamp for i in self.items.values()), default=FIRST)
        return common.Identify("Test repository", self.base_url, "2.0", ["admin@test.example"],
                               earliest, "persistent", SECONDS, ["identity"])

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:
        # an unmappable format first: the harvester must choose the one it can read
        return [("x_custom", "http://test.example/x.xsd", "http://test.example/x"),
                ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", DC_NS)]

    def listSets(self, cursor: int = 0, batch_size: int = 10) -> list[Any]:
        raise error.NoSetHierarchyError("no sets")

    def _select(self, metadataPrefix: str, set: str | None, from_: datetime | None,
                until: datetime | None) -> list[Item]:
        if metadataPrefix != "oai_dc":
            raise error.CannotDisseminateFormatError(metadataPrefix)
        with self.lock:
            items = sorted(self.items.values(), key=lambda i: (i.datestamp, i.identifier))
        return [i for i in items if (from_ is None or i.datestamp >= from_)
                and (until is None or i.datestamp <= until) and (set is None or set in i.sets)]

    def listRecords(self, metadataPrefix: str, set: str | None = None,
                    from_: datetime | None = None, until: datetime | None = None,
                    cursor: int = 0, batch_size: int = 10) -> list[Any]:
        chosen = self._select(metadataPrefix, set, from_, until)[cursor:cursor + batch_size]
        return [(_header(i), None if i.deleted else common.Metadata(None, i.fields), None)
                for i in chosen]

    def listIdentifiers(self, metadataPrefix: str, set: str | None = None,
                        from_: datetime | None = None, until: datetime | None = None,
                        cursor: int = 0, batch_size: int = 10) -> list[Any]:
        chosen = self._select(metadataPrefix, set, from_, until)[cursor:cursor + batch_size]
        return [_header(i) for i in chosen]

    def getRecord(self, metadataPrefix: str, identifier: str) -> Any:
        item = self.items.get(identifier)
        if item is None:
            raise error.IdDoesNotExistError(identifier)
        return _header(item), None if item.deleted else common.Metadata(None, item.fields), None


def _header(item: Item) -> Any:
    return common.Header(None, item.identifier, item.datestamp, list(item.sets), item.deleted)


class _Resumption(BatchingResumption):  # type: ignore[misc]
    """pyoai's batching with the two token misbehaviours switched on by the test."""

    def __init__(self, repo: Repository, batch_size: int, owner: OAITestServer) -> None:
        super().__init__(repo, batch_size)
        self.owner = owner

    def handleVerb(self, verb: str, kw: dict[str, Any]) -> Any:
        token = kw.get("resumptionToken")
        if token is not None:
            _, cursor = decodeResumptionToken(token)
            if self.owner._refuse(token, cursor):
                raise error.BadResumptionTokenError("resumption token expired")
        result = super().handleVerb(verb, kw)
        if token is not None and self.owner.repeat_tokens and isinstance(result, tuple):
            return result[0], token
        return result


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class OAITestServer:
    def __init__(self, items: Iterable[Item] = (), *, batch_size: int = 100,
                 landing: dict[str, str] | None = None) -> None:
        self.repo = Repository(items)
        registry = MetadataRegistry()
        registry.registerWriter("oai_dc", oai_dc_writer)
        self.server = ServerBase(_Resumption(self.repo, batch_size, self), registry)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.repeat_tokens = False
        self._expire: Callable[[int], bool] | None = None
        self._refused: set[str] = set()
        #: slug -> status override for landing pages ("500" answers an error)
        self.landing_status: dict[str, int] = {}
        #: seconds each ListRecords answer is held back (time to kill a harvester mid-list)
        self.list_delay = 0.0
        self._httpd = make_server("127.0.0.1", 0, self._app, server_class=_ThreadingServer,
                                  handler_class=_Quiet)
        self.base = f"http://127.0.0.1:{self._httpd.server_port}"
        self.url = f"{self.base}/oai"
        self.repo.base_url = self.url
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # --- lifecycle ---------------------------------------------------------------
    def __enter__(self) -> OAITestServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # --- what the test changes -------------------------------------------------------
    def page_url(self, slug: str) -> str:
        return f"{self.base}/en/publications/{slug}/"

    def touch(self, ids: Iterable[str], suffix: str = " (revised)") -> None:
        now = utcnow()
        with self.repo.lock:
            for i in ids:
                item = self.repo.items[i]
                title = [t + suffix for t in item.fields.get("title", [])]
                self.repo.items[i] = replace(item, datestamp=now,
                                             fields={**item.fields, "title": title})

    def delete(self, ids: Iterable[str]) -> None:
        now = utcnow()
        with self.repo.lock:
            for i in ids:
                self.repo.items[i] = replace(self.repo.items[i], deleted=True, datestamp=now)

    def drop(self, ids: Iterable[str]) -> None:
        """Forget records without a tombstone (a server with deletedRecord=no)."""
        with self.repo.lock:
            for i in ids:
                del self.repo.items[i]

    def add(self, items: Iterable[Item]) -> None:
        with self.repo.lock:
            self.repo.items.update((i.identifier, i) for i in items)

    def expire(self, rule: Callable[[int], bool] | None) -> None:
        """Refuse, once each, the tokens whose cursor matches `rule`."""
        self._expire = rule

    def _refuse(self, token: str, cursor: int) -> bool:
        if self._expire is None or token in self._refused or not self._expire(cursor):
            return False
        self._refused.add(token)
        return True

    def list_requests(self) -> list[dict[str, str]]:
        return [p for path, p in self.requests if path == "/oai" and p.get("verb") == "ListRecords"]

    def page_requests(self) -> list[str]:
        return [path for path, _ in self.requests if path.startswith("/en/publications/")]

    # --- WSGI -------------------------------------------------------------------------
    def _app(self, environ: dict[str, Any], start: Callable[..., Any]) -> Iterator[bytes]:
        path = environ.get("PATH_INFO", "")
        params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        self.requests.append((path, params))
        if path == "/oai":
            if self.list_delay and params.get("verb") == "ListRecords":
                time.sleep(self.list_delay)
            body = self.server.handleRequest(params)
            start("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
            return iter([body])
        slug = path.removeprefix("/en/publications/").strip("/")
        if path.startswith("/en/publications/") and slug in SAMPLE_RECORDS:
            status = self.landing_status.get(slug, 200)
            if status != 200:
                start(f"{status} Error", [("Content-Type", "text/plain")])
                return iter([b"error"])
            html = render_page(dict(SAMPLE_RECORDS[slug]), self.base).encode()
            start("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return iter([html])
        start("404 Not Found", [("Content-Type", "text/plain")])
        return iter([b"not found"])
