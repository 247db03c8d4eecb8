"""Which date windows an OAI harvest lists, and from where (pipelines/oai_run.py).

A harvest interrupted mid-window resumes at its stored window and token; a
finished one continues incrementally from its responseDate; otherwise (a first
run, another prefix or set, or `full`) it starts at earliestDatestamp.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from harvester.errors import DiscoveryError
from harvester.oai.protocol import Identify

from .config import SourceSettings
from .oai_state import Checkpoint
from .oai_windows import Window, parse_stamp, split_windows, windows_after


@dataclass(frozen=True, slots=True)
class Plan:
    mode: str  # 'full' | 'incremental'
    windows: list[Window]
    token: str | None  # stored token for the first window (a resumed harvest)
    started: str | None  # responseDate of the harvest's first response, if any yet
    harvest_run: int


def plan_harvest(cp: Checkpoint | None, ident: Identify, prefix: str, *,
                 source: SourceSettings, now: datetime, granularity: str | None, full: bool,
                 run_id: int) -> Plan:
    """Resume the stored harvest, or start an incremental one from the last
    responseDate, or a full one from earliestDatestamp (a `full` run forces it)."""
    granularity = granularity or ident.granularity
    unit = source.window
    same = cp is not None and (cp.metadata_prefix, cp.set_spec) == (prefix, source.set_spec)
    if cp and same and cp.harvest_mode and cp.window_from is not None and not (
            full and cp.harvest_mode != "full"):
        rest = windows_after(cp.window_until, now, unit, granularity) if cp.window_until else []
        return Plan(cp.harvest_mode, [Window(cp.window_from, cp.window_until), *rest],
                    cp.resumption_token, cp.harvest_started, cp.harvest_run or run_id)
    if cp and same and cp.last_response_date and not full:
        start = parse_stamp(cp.last_response_date)
        return Plan("incremental", split_windows(start, now, unit, granularity), None, None,
                    run_id)
    try:
        start = parse_stamp(ident.earliest_datestamp)
    except DiscoveryError:  # no usable earliestDatestamp: one window from the start
        return Plan("full", [Window(None, None)], None, None, run_id)
    return Plan("full", split_windows(start, now, unit, granularity), None, None, run_id)
