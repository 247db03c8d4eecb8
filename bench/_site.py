"""A static Pure-like portal on disk, served on 127.0.0.1 by nginx (or a Python fallback).

Shared by bench/e2e.py, bench/rehash.py and bench/rss.py. Pages come from the sample site's
generator (`synthetic_records` + `render_page`) and are padded to about 60 KB
with the chrome a real portal carries: a mega-menu of organisational units, a
"similar outputs" list and a link-heavy footer (markup, not noise).
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from pipelines.sample_site import render_page, synthetic_records
from pipelines.sample_site.records import _FAMILY, _GIVEN, _WORDS

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
PER_SITEMAP = 50_000  # the sitemaps.org limit
PER_LISTING = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _units() -> list[str]:
    return [f"{a.capitalize()} {b} group" for a in _WORDS for b in _WORDS[::3]][:160]


def _chrome_top(base: str) -> str:
    items = "".join(
        f'<li role="none" class="menu-item"><a role="menuitem" class="portal_link" '
        f'href="{base}/en/organisations/{i}-{escape(u.lower().replace(" ", "-"))}/">'
        f'<span class="unit-name">{escape(u)}</span><span class="unit-type">Research group'
        f"</span></a></li>"
        for i, u in enumerate(_units())
    )
    return (f'<nav class="mega-menu" aria-label="Organisational units"><div class="container">'
            f'<ul class="mega-menu-list" role="menu">{items}</ul></div></nav>')


def _chrome_bottom(base: str, index: int, titles: list[tuple[str, str]]) -> str:
    similar = []
    for k in range(30):
        slug, title = titles[(index * 7 + k * 13 + 1) % len(titles)]
        people = ", ".join(f"{_GIVEN[(index + k + j) % len(_GIVEN)]} "
                           f"{_FAMILY[(index * 3 + k + j) % len(_FAMILY)]}" for j in range(3))
        similar.append(
            f'<li class="similar-item"><div class="similar-rendering"><p class="similar-title">'
            f'<a href="{base}/en/publications/{slug}/" class="portal_link"><span>'
            f'{escape(title)}</span></a></p><p class="similar-byline">{escape(people)}, '
            f'Research output: Contribution to journal › Article › peer-review</p></div></li>')
    footer = "".join(
        f'<li><a class="footer-link" href="{base}/en/{w}/">{w.capitalize()} research</a></li>'
        for w in _WORDS)
    return (f'<section class="page-section similar-outputs"><div class="container">'
            f'<h2 class="section-title">Similar research outputs</h2><ul class="similar-list">'
            f'{"".join(similar)}</ul></div></section>'
            f'<nav class="footer-nav" aria-label="Footer"><ul class="footer-links">{footer}'
            f"</ul></nav>")


def build_site(root: Path, n: int, base: str, seed: int = 1, *, pad: bool = True) -> list[str]:
    """Write n pages (`pad=False`: ~8.6 KiB, no portal chrome), sitemaps, listing pages and
    robots.txt under root; returns page URLs."""
    records = list(synthetic_records(n, seed=seed))
    titles = [(r["slug"], r["title"]) for r in records]
    top = _chrome_top(base)
    urls = []
    for i, rec in enumerate(records):
        html = render_page(rec, base)
        if pad:
            html = html.replace('<main id="page-content">', top + '<main id="page-content">', 1)
            html = html.replace('<footer id="page-footer"',
                                _chrome_bottom(base, i, titles) + '<footer id="page-footer"', 1)
        folder = root / "en" / "publications" / rec["slug"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(html, encoding="utf-8")
        urls.append(f"{base}/en/publications/{rec['slug']}/")
    maps = []
    for k in range(0, n, PER_SITEMAP):
        name = f"sitemap-{k // PER_SITEMAP + 1}.xml"
        body = "".join(f"<url><loc>{xml_escape(u)}</loc></url>" for u in urls[k:k + PER_SITEMAP])
        (root / name).write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
                                 f'"{SITEMAP_NS}">{body}</urlset>\n', encoding="utf-8")
        maps.append(f"<sitemap><loc>{base}/{name}</loc></sitemap>")
    (root / "sitemap.xml").write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex '
                                      f'xmlns="{SITEMAP_NS}">{"".join(maps)}</sitemapindex>\n',
                                      encoding="utf-8")
    listing = root / "en" / "publications" / "list"
    listing.mkdir(parents=True, exist_ok=True)
    pages = -(-n // PER_LISTING)
    for p in range(pages):
        items = "".join(f'<li class="list-result-item"><div class="result-container"><h3 '
                        f'class="title"><a rel="ContributionToJournal" href="{u}" class="link">'
                        f"<span>{escape(t)}</span></a></h3></div></li>"
                        for u, (_, t) in zip(urls[p * PER_LISTING:(p + 1) * PER_LISTING],
                                             titles[p * PER_LISTING:(p + 1) * PER_LISTING],
                                             strict=True))
        nxt = (f'<a class="nextLink" href="{base}/en/publications/list/{p + 1}.html">Next</a>'
               if p + 1 < pages else "")
        (listing / f"{p}.html").write_text(
            f'<!DOCTYPE html><html lang="en"><body><ul class="list-results">{items}</ul>'
            f'<nav class="pages">{nxt}</nav></body></html>', encoding="utf-8")
    (root / "robots.txt").write_text(f"User-agent: *\nDisallow:\nSitemap: {base}/sitemap.xml\n")
    return urls


_NGINX_CONF = """
worker_processes 2;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 60;
    types {{ text/html html; application/xml xml; text/plain txt; }}
    default_type application/octet-stream;
    client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp;
    fastcgi_temp_path {root}/tmp; uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {docs};
        index index.html;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
"""


@contextmanager
def serve(docs: Path, port: int) -> Iterator[str]:
    """Serve `docs` on 127.0.0.1:port; yields the name of the server used.

    nginx when installed (HARVESTER_BENCH_SERVER=python forces the fallback).
    """
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if os.environ.get("HARVESTER_BENCH_SERVER") == "python":
        nginx = None
    if nginx:
        conf_root = docs.parent / "nginx"
        (conf_root / "tmp").mkdir(parents=True, exist_ok=True)
        conf = conf_root / "nginx.conf"
        conf.write_text(_NGINX_CONF.format(root=conf_root, docs=docs, port=port))
        if os.geteuid() == 0:
            conf.write_text("user root;\n" + conf.read_text())
        proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(conf_root)])
        try:
            _wait_for(port)
            yield "nginx"
        finally:
            proc.send_signal(signal.SIGQUIT)
            proc.wait(timeout=10)
        return
    workers = [multiprocessing.Process(target=_py_serve, args=(docs, port), daemon=True)
               for _ in range(os.cpu_count() or 2)]
    for w in workers:
        w.start()
    try:
        _wait_for(port)
        yield f"python ({len(workers)} processes)"
    finally:
        for w in workers:
            w.terminate()
            w.join()


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


class _Static(asyncio.Protocol):
    """HTTP/1.1 keep-alive GET of static files with ETag / Last-Modified and 304s."""

    def __init__(self, docs: Path) -> None:
        self.docs = docs
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1].split("?")[0]
            headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
            assert self.transport is not None
            self.transport.write(self._answer(path, headers))

    def _answer(self, path: str, headers: dict[str, str]) -> bytes:
        target = (self.docs / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(self.docs) or not target.is_file():
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        body = target.read_bytes()
        st = target.stat()
        etag = f'"{hashlib.md5(body).hexdigest()}"'  # a validator, not security
        modified = email.utils.formatdate(st.st_mtime, usegmt=True)
        meta = f"ETag: {etag}\r\nLast-Modified: {modified}\r\n"
        if headers.get("if-none-match") == etag:
            return f"HTTP/1.1 304 Not Modified\r\n{meta}\r\n".encode()
        kind = "text/html" if target.suffix == ".html" else "application/xml"
        return (f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
                f"{meta}\r\n").encode() + body


def _py_serve(docs: Path, port: int) -> None:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1024)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _Static(docs.resolve()), sock=sock)
        await server.serve_forever()

    asyncio.run(main())
