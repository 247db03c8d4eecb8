"""The one exception tree. Every error the harvester raises descends from HarvestError.

    HarvestError                     (message; context: url, source, field)
    ├── ConfigError                  config file missing, unparsable, or a bad key   -> exit 2
    ├── DatabaseError                database unreachable, migration failed          -> exit 2
    ├── FetchError                   one URL could not be fetched (url)
    │   ├── HTTPStatusError          final non-success status (status)
    │   │   └── GoneError            404 / 410: the page is no longer there
    │   ├── RobotsDisallowed         robots.txt forbids the URL
    │   ├── ResponseTooLarge         body (or its decompression) passed the size cap
    │   ├── TruncatedBody            fewer bytes than Content-Length announced
    │   ├── TooManyRedirects         redirect loop or chain too long
    │   ├── UnsafeURL                scheme or address the source does not allow
    │   └── NetworkError             timeouts and connection errors, retries spent
    ├── DiscoveryError               a sitemap / listing / OAI page could not be read (url)
    │   └── OAIError                 an OAI-PMH <error code=...> (harvester/oai/protocol.py)
    │       ├── BadResumptionToken   the token expired: restart the current window
    │       ├── NoRecordsMatch       an empty result, not a failure
    │       └── RepeatedResumptionToken  the server loops: stop the source
    └── ParseError                   a page could not be turned into a record (url)
        ├── NotARecord               the page carries no record (listing, error page, empty)
        └── UnsafeXML                entity expansion or external entities refused

Skipping a page is control flow: the run counts FetchError and ParseError by
`reason` and carries on. Only the CLI turns errors into exit codes.
"""

from __future__ import annotations


class HarvestError(Exception):
    """Root of every harvester error; carries optional url, source and field context."""

    reason = "error"

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        source: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.source = source
        self.field = field

    def __str__(self) -> str:
        parts = [self.message]
        if self.source:
            parts.append(f"source={self.source}")
        if self.url:
            parts.append(f"url={self.url}")
        if self.field:
            parts.append(f"field={self.field}")
        return " ".join(parts) if len(parts) == 1 else f"{parts[0]} ({', '.join(parts[1:])})"


class ConfigError(HarvestError):
    reason = "config"


class DatabaseError(HarvestError):
    reason = "database"


class FetchError(HarvestError):
    reason = "fetch"


class HTTPStatusError(FetchError):
    reason = "http-status"

    def __init__(self, message: str, *, status: int, url: str | None = None) -> None:
        super().__init__(message, url=url)
        self.status = status

    @property
    def status_reason(self) -> str:
        return f"http-{self.status}"


class GoneError(HTTPStatusError):
    reason = "gone"


class RobotsDisallowed(FetchError):
    reason = "robots"


class ResponseTooLarge(FetchError):
    reason = "too-large"


class TruncatedBody(FetchError):
    reason = "truncated"


class TooManyRedirects(FetchError):
    reason = "redirects"


class UnsafeURL(FetchError):
    reason = "unsafe-url"


class NetworkError(FetchError):
    reason = "network"


class DiscoveryError(HarvestError):
    reason = "discovery"


class ParseError(HarvestError):
    reason = "parse"


class NotARecord(ParseError):
    reason = "not-a-record"


class UnsafeXML(ParseError):
    reason = "unsafe-xml"
