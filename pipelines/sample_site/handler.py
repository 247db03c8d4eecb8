"""The HTTP request handler of a SampleSite: logs each request, acts out scripted faults,
and writes what the site answers."""

from __future__ import annotations

import contextlib
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING

from .stored import Fault

if TYPE_CHECKING:
    from .server import SampleSite


def handler_for(site: SampleSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real portals do
        # headers and body leave at once: no 40 ms delayed-ACK wait on a kept-alive connection
        disable_nagle_algorithm = True
        server_version = "SamplePure/1.0"

        def _serve(self, body_wanted: bool) -> None:
            site._log(self.command, self.path)
            fault = site._take_fault(self.path) if body_wanted else None
            if fault is not None and self._misbehave(fault):
                return
            request_headers = {k.lower(): v for k, v in self.headers.items()}
            status, headers, body = site._respond(self.path, request_headers)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body_wanted and status not in (204, 304):
                self.wfile.write(body)

        def _misbehave(self, fault: Fault) -> bool:
            """Act out `fault`; True when the request is done with."""
            if fault.kind == "slow":
                time.sleep(fault.seconds)  # then answer, to a client that may be gone
                return False
            self.close_connection = True
            if fault.kind == "drop":
                return True
            if fault.kind == "loop":
                self.send_response(302)
                self.send_header("Location", site.base_url + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True
            status, headers, body = site._respond(self.path, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            return True

        def do_GET(self) -> None:
            # the client may have stopped waiting (a slow answer past its timeout)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._serve(True)

        def do_HEAD(self) -> None:
            self._serve(False)

        def log_message(self, format: str, *args: object) -> None:
            pass  # tests read site.requests instead of stderr

    return Handler
