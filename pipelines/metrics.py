"""A run's per-source figures as a Prometheus text file, for node_exporter's textfile collector.

    harvester harvest --metrics-file /var/lib/node_exporter/textfile/harvester.prom

Every value describes the latest run, so all are gauges. The file is written
to FILE.tmp and renamed, so the collector never reads half a file.
`harvester_source_last_success_timestamp_seconds` survives failed runs: it
is carried over from the previous file when a source did not finish 'ok',
so an alert can fire on "no success for a day".
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from .stats import RunReport, SourceStats

PREFIX = "harvester_source_"
_LAST_SUCCESS = PREFIX + "last_success_timestamp_seconds"
_SAMPLE = re.compile(r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{source="(?P<source>(?:[^"\\]|\\.)*)"\}'
                     r" (?P<value>\S+)$")

# name, help, how to read it from a source's stats
_PAGES = ("discovered", "fetched", "not_modified", "skipped_unchanged", "same_content", "new",
          "changed", "unchanged")
_HELP = {
    "pages": "Pages (or records) of the latest run by outcome.",
    "failures": "Failed pages of the latest run by reason.",
    "skipped": "Pages skipped in the latest run by reason (robots, gone, not a record).",
    "bytes": "Body bytes fetched in the latest run.",
    "duration_seconds": "Wall time of the latest run of the source.",
    "up": "1 when the latest run of the source ended ok, else 0.",
    "status": "The latest run's status (label), always 1.",
    "last_run_timestamp_seconds": "When the latest run of the source ended (Unix time).",
    "last_success_timestamp_seconds": "When a run of the source last ended ok (Unix time).",
}


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


def _number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) and not value.is_integer() else (
        str(int(value)))


def previous_successes(text: str) -> dict[str, float]:
    """source -> last success timestamp, from an earlier file's text."""
    found: dict[str, float] = {}
    for line in text.splitlines():
        m = _SAMPLE.match(line)
        if m and m.group("name") == _LAST_SUCCESS:
            try:
                found[_unescape(m.group("source"))] = float(m.group("value"))
            except ValueError:
                continue
    return found


def render(report: RunReport, ended: datetime, previous: Mapping[str, float] | None = None
           ) -> str:
    """The text file for one run; `previous` gives last successes to carry over."""
    at = ended.timestamp()
    successes = dict(previous or {})
    samples: dict[str, list[str]] = {key: [] for key in _HELP}

    def add(metric: str, source: SourceStats | str, value: float, **labels: str) -> None:
        name = source if isinstance(source, str) else source.name
        extra = "".join(f',{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
        samples[metric].append(
            f'{PREFIX}{metric}{{source="{_escape(name)}"{extra}}} {_number(value)}')

    for s in report.sources:
        for outcome in _PAGES:
            add("pages", s, getattr(s, outcome), outcome=outcome)
        add("pages", s, s.failures, outcome="failed")
        for reason, n in sorted(s.failed.items()):
            add("failures", s, n, reason=reason)
        for reason, n in sorted(s.skipped.items()):
            add("skipped", s, n, reason=reason)
        add("bytes", s, s.bytes)
        add("duration_seconds", s, round(s.seconds, 3))
        add("up", s, 1 if s.status == "ok" else 0)
        add("status", s, 1, status=s.status)
        add("last_run_timestamp_seconds", s, at)
        if s.status == "ok":
            successes[s.name] = at
        if s.name in successes:
            add("last_success_timestamp_seconds", s, successes[s.name])
    ran = {s.name for s in report.sources}
    for name, when in sorted(successes.items()):
        if name not in ran:  # a source this run left out keeps its last success
            add("last_success_timestamp_seconds", name, when)
    return "".join(_family(metric, lines) for metric, lines in samples.items() if lines)


def _family(metric: str, lines: Iterable[str]) -> str:
    head = f"# HELP {PREFIX}{metric} {_HELP[metric]}\n# TYPE {PREFIX}{metric} gauge\n"
    return head + "".join(line + "\n" for line in lines)


def write_metrics(path: Path, report: RunReport, ended: datetime) -> None:
    """Write the run's figures to `path` atomically (FILE.tmp, then rename)."""
    try:
        previous = previous_successes(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        previous = {}
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render(report, ended, previous), encoding="utf-8")
    os.replace(tmp, path)
