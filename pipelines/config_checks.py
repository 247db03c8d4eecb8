"""The value checks config validation is built from: each takes a value and where it sits
(`At`: file plus key path) and returns the clean value or raises one ConfigError line."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from harvester.errors import ConfigError

_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|https?://[^\s)]+")
_HOST = re.compile(r"^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class At:
    """Where a value sits: file name plus key path, for error messages."""

    file: str
    key: str = ""

    def __truediv__(self, part: str | int) -> At:
        if isinstance(part, int):
            return At(self.file, f"{self.key}[{part}]")
        return At(self.file, f"{self.key}.{part}" if self.key else part)

    def fail(self, problem: str) -> ConfigError:
        return ConfigError(f"{self.file}: {self.key}: {problem}" if self.key
                           else f"{self.file}: {problem}")


def show(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def mapping(value: object, at: At, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise at.fail(f"must be a mapping, got {show(value)}")
    for key in value:
        if key not in allowed:
            raise (at / str(key)).fail(f"unknown key (expected one of: {', '.join(allowed)})")
    return value


def text(value: object, at: At) -> str:
    if not isinstance(value, str) or not value.strip():
        raise at.fail(f"must be a non-empty string, got {show(value)}")
    return value.strip()


def boolean(value: object, at: At) -> bool:
    if not isinstance(value, bool):
        raise at.fail(f"must be true or false, got {show(value)}")
    return value


def number(minimum: float, *, integer: bool = False, strict: bool = False
            ) -> Callable[[object, At], Any]:
    def check(value: object, at: At) -> Any:
        kinds: tuple[type, ...] = (int,) if integer else (int, float)
        if isinstance(value, kinds) and not isinstance(value, bool):
            num = float(value)  # type: ignore[arg-type]
            if num > minimum or (not strict and num == minimum):
                return value if integer else num
        kind = "an integer" if integer else "a number"
        bound = f"> {minimum:g}" if strict else f">= {minimum:g}"
        raise at.fail(f"must be {kind} {bound}, got {show(value)}")

    return check


def user_agent(value: object, at: At) -> str:
    agent = text(value, at)
    if not _CONTACT.search(agent):
        raise at.fail(f"must contain a contact (an email address or URL), got {show(agent)}")
    return agent


def transport(value: object, at: At) -> str:
    if value not in ("wire", "aiohttp", "httpx"):
        raise at.fail(f"must be 'wire', 'aiohttp' or 'httpx', got {show(value)}")
    return str(value)


POLITENESS: dict[str, Callable[[object, At], Any]] = {
    "concurrency": number(1, integer=True),
    "delay": number(0),
    "obey_robots": boolean,
}
FETCH: dict[str, Callable[[object, At], Any]] = {
    "user_agent": user_agent,
    "timeout": number(0, strict=True),
    "max_bytes": number(1, integer=True),
    "max_retries": number(0, integer=True),
    "backoff_base": number(0),
    "backoff_max": number(0),
    "max_redirects": number(0, integer=True),
    "transport": transport,
}


def fields(value: object, at: At, checks: Mapping[str, Callable[[object, At], Any]]
            ) -> dict[str, Any]:
    data = mapping(value, at, tuple(checks))
    return {k: checks[k](v, at / k) for k, v in data.items()}


def urls(value: object, at: At) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise at.fail(f"must be a URL or a list of URLs, got {show(value)}")
    out = []
    for i, item in enumerate(items):
        where = at if isinstance(value, str) else at / i
        url = text(item, where)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise where.fail(f"must be an http(s) URL, got {show(item)}")
        out.append(url)
    return tuple(out)



_HOST = re.compile(r"^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$", re.IGNORECASE)


def hosts(value: object, at: At) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise at.fail(f"must be a list of host names, got {show(value)}")
    out = []
    for i, item in enumerate(value):
        host = text(item, at / i)
        if not _HOST.match(host):
            raise (at / i).fail(f"must be a host name such as cdn.example.org or "
                                f"*.example.org, got {show(host)}")
        out.append(host.lower())
    return tuple(out)
