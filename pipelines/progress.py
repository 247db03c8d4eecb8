"""A one-line progress display for terminals; silent when output is not a terminal
(cron mail then holds only the summary lines)."""

from __future__ import annotations

import sys
from typing import TextIO

from .run import Progress
from .stats import SourceStats


def progress_printer(stream: TextIO | None = None) -> Progress | None:
    out = stream or sys.stderr
    if not out.isatty():
        return None
    totals: dict[str, SourceStats] = {}

    def show(stats: SourceStats) -> None:
        totals[stats.name] = stats
        parts = [
            f"{s.name} {s.fetched + s.not_modified + s.skipped_unchanged}/{s.discovered} "
            f"+{s.new} ~{s.changed} !{s.failures}"
            for s in totals.values()
        ]
        out.write("\r\x1b[K" + " | ".join(parts))
        out.flush()

    return show
