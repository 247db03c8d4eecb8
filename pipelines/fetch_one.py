"""Get one page for `harvester parse`: from a saved file or, politely, from the web."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from harvester.errors import ConfigError, FetchError
from harvester.http import Fetcher, NotModified
from harvester.politeness import FetchSettings, Politeness
from harvester.types import Page


def read_page(path: Path, url: str | None) -> Page:
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    return Page(
        url=url or path.resolve().as_uri(),
        body=body,
        fetched_at=datetime.fromtimestamp(path.stat().st_mtime, UTC),
    )


async def fetch_page(url: str, config_path: Path) -> Page:
    """Fetch with the configured user agent when a config exists, robots.txt obeyed."""
    settings = FetchSettings()
    if config_path.exists():
        from .config import load_settings

        settings = load_settings(config_path).fetch
    async with Fetcher(settings) as fetcher:
        result = await fetcher.fetch(url, politeness=Politeness(concurrency=1, delay=0))
    if isinstance(result, NotModified):  # cannot happen without validators; be explicit
        raise FetchError("server answered 304 to an unconditional request", url=url)
    return result
