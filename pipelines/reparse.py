"""`harvester reparse`: run today's parsers over the archived pages, without the network.

Each page's last body sits in the WARC archive at the (file, offset) its
fetched_pages row names. The records parsed from them go through the same
loader as a harvest, which writes only records whose values changed, so an
unchanged parser rewrites nothing and an improved one touches exactly the
records it now reads differently. The sources are locked as for a harvest.

The archive also holds every other answer of a harvest (robots.txt, sitemaps,
redirects, 304s, errors); reparse never scans it, it reads only the records
fetched_pages points at, and a reference that is not a 2xx page is skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select, update

from harvester.errors import ConfigError, ParseError
from harvester.parsers import parse_page
from harvester.types import Record
from harvester.warc import ArchiveError, ArchiveRef, read_page

from .config import Settings, SourceSettings
from .load import upsert_records
from .lock import hold_sources
from .models import fetched_pages, sources
from .search_index import refresh_after

BATCH = 200


@dataclass
class ReparseStats:
    name: str
    pages: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: Counter[str] = field(default_factory=Counter)

    def summary_line(self) -> str:
        line = (f"{self.name}: pages={self.pages} new={self.new} changed={self.changed} "
                f"unchanged={self.unchanged}")
        if self.failed:
            line += " skipped=" + ",".join(f"{k}:{v}" for k, v in sorted(self.failed.items()))
        return line


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def reparse(
    settings: Settings,
    engine: Engine,
    source_names: Sequence[str] = (),
    *,
    since: datetime | None = None,
    now: Callable[[], datetime] = _utcnow,
) -> list[ReparseStats]:
    """Re-parse the archived pages of the named sources (all when empty)."""
    if settings.archive is None:
        raise ConfigError("the archive is off (archive: false): there is nothing to re-parse")
    chosen = [settings.source(n) for n in source_names] if source_names else list(
        settings.sources)
    async with hold_sources(engine, [s.name for s in chosen]):
        done = [_reparse_source(s, settings.archive.directory, engine, since, now)
                for s in chosen]
        refresh_after(engine, "re-parsing")
        return done


def _reparse_source(source: SourceSettings, directory: Path, engine: Engine,
                    since: datetime | None, now: Callable[[], datetime]) -> ReparseStats:
    stats = ReparseStats(source.name)
    fp = fetched_pages
    with engine.connect() as conn:
        source_id = conn.execute(
            select(sources.c.id).where(sources.c.name == source.name)).scalar()
        if source_id is None:
            return stats  # never harvested
        query = (select(fp.c.url, fp.c.warc_file, fp.c.warc_offset, fp.c.source_key)
                 .where(fp.c.source_id == source_id, fp.c.warc_file.is_not(None))
                 .order_by(fp.c.warc_file, fp.c.warc_offset))
        if since is not None:
            query = query.where(fp.c.fetched_at >= since)
        rows = conn.execute(query).all()
    for start in range(0, len(rows), BATCH):
        records: list[Record] = []
        keys: dict[str, str] = {}
        for row in rows[start:start + BATCH]:
            stats.pages += 1
            try:
                page = read_page(directory, ArchiveRef(row.warc_file, int(row.warc_offset)))
                if not 200 <= page.status < 300:  # a row pointing at a redirect or an error
                    stats.failed["not-a-page"] += 1
                    continue
                record, _parser = parse_page(page, source.platform)
            except (ArchiveError, ParseError) as exc:
                stats.failed[exc.reason] += 1
                continue
            records.append(record)
            if record.source_key != row.source_key:
                keys[row.url] = record.source_key
        with engine.begin() as conn:
            if records:
                loaded = upsert_records(conn, source_id, records, now=now())
                stats.new += loaded.new
                stats.changed += loaded.changed
                stats.unchanged += loaded.unchanged
            for url, key in keys.items():  # a page that now yields a (different) record
                conn.execute(update(fp).where(fp.c.url == url).values(source_key=key))
    return stats
