"""`harvester demo`: a real harvest, offline. Serves the bundled sample Pure site on
127.0.0.1, harvests it through its sitemap and listing pages into SQLite, then
prints the run summary and one SQL query over the stable view."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from .config import parse_settings
from .db import open_database
from .run import harvest
from .sample_site import SampleSite

QUERY = (
    "select title, published, page_first, page_last from v_publications "
    "order by published desc, title limit 20"
)


def run_demo(database: Path, *, echo: Callable[[str], None] = print) -> int:
    """Returns the exit code: 0 when every source harvested cleanly."""
    database = database.resolve()
    with SampleSite() as site:
        settings = parse_settings(
            {
                "database": str(database),
                "user_agent": "harvester-demo/0.1 (+mailto:demo@example.org)",
                "sources": [
                    {
                        "name": "sample-pure",
                        "platform": "pure",
                        "sitemap": f"{site.base_url}/sitemap.xml",
                        "listing": f"{site.base_url}/en/publications/",
                        "politeness": {"concurrency": 4, "delay": 0},
                        "allow_private": True,
                    }
                ],
            },
            path=None,
            env={},
        )
        echo(f"serving the sample Pure site at {site.base_url}; harvesting into {database}")
        engine = open_database(settings.database_url)
        report = asyncio.run(harvest(settings, engine))
    for stats in report.sources:
        echo(stats.summary_line())
    echo(f"\nsqlite3 {database} '{QUERY}'")
    with engine.connect() as conn:
        for row in conn.execute(text(QUERY)):
            first_last = "-".join(p for p in (row.page_first, row.page_last) if p)
            echo(f"  {row.published or '':10}  {first_last:11}  {row.title}")
    return 0 if report.ok else 1
