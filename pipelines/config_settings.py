"""The validated configuration as frozen dataclasses: Settings, SourceSettings, ArchiveSettings."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from harvester.errors import ConfigError
from harvester.politeness import FetchSettings, Politeness

if TYPE_CHECKING:
    from harvester.warc import WarcWriter


@dataclass(frozen=True, slots=True)
class SourceSettings:
    name: str
    platform: str = "auto"
    sitemap: tuple[str, ...] = ()
    listing: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    politeness: Politeness = field(default_factory=Politeness)
    # loopback / private addresses are refused unless a source opts in (tests, demo)
    allow_private: bool = False
    # hosts other than the source's own (and its www. twin) that redirects may lead to
    allow_hosts: tuple[str, ...] = ()
    # OAI-PMH: a base URL replaces sitemap/listing/urls discovery (pipelines/oai_run.py)
    oai: str | None = None
    metadata_prefix: str | None = None  # None: the richest format the server offers
    set_spec: str | None = None
    enrich: bool = True  # fetch landing pages to fill what the OAI record lacks
    window: str = "month"  # date windows a harvest is split into: day|month|year|none
    # consecutive 404/410 answers (one per run) before a page's record is marked deleted
    gone_after: int = 3
    # sitemap <lastmod>: "trust" skips a page it dates before our last good fetch of it
    # (pipelines/unchanged.py), at most recheck_days after that fetch (0: never skip)
    lastmod: str = "trust"
    recheck_days: int = 30

    def __post_init__(self) -> None:
        # The fetcher reads network safety from the Politeness it is handed with each URL.
        safe = dataclasses.replace(self.politeness, allow_private=self.allow_private,
                                   allow_hosts=self.allow_hosts)
        object.__setattr__(self, "politeness", safe)


@dataclass(frozen=True, slots=True)
class ArchiveSettings:
    """Where fetched pages are kept as WARC files, and when a file is rotated."""

    directory: Path
    max_file_bytes: int = 1 << 30

    def writer(self) -> WarcWriter:
        """The one writer a run (or a worker, or an enqueue) appends to."""
        from harvester.warc import WarcWriter  # warcio: only commands that fetch need it

        return WarcWriter(self.directory, max_bytes=self.max_file_bytes)


@dataclass(frozen=True, slots=True)
class Settings:
    path: Path | None
    database_url: str
    fetch: FetchSettings
    politeness: Politeness
    sources: tuple[SourceSettings, ...]
    archive: ArchiveSettings | None = None  # None: pages are not archived

    def source(self, name: str) -> SourceSettings:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources) or "none"
        where = str(self.path) if self.path else "<config>"
        raise ConfigError(f"{where}: sources: no source named {name!r} (known: {known})")

