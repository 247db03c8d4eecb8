"""What every lock kind shares: who holds a source (Holder), the busy error, the Locks
protocol, and NoLocks for a database private to its process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from harvester.errors import HarvestError


class SourceBusy(HarvestError):
    """Another process is harvesting the source; the CLI exits 1 with this message."""

    reason = "busy"


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a source's lock, as far as the lock tells (any part may be unknown)."""

    source: str
    run_id: int | None = None
    pid: int | None = None
    host: str | None = None
    since: str | None = None

    def describe(self) -> str:
        who = f"run {self.run_id}" if self.run_id is not None else "another run"
        where = [f"pid {self.pid}"] if self.pid else []
        where += [f"on host {self.host}"] if self.host else []
        out = f"source {self.source} is being harvested by {who}"
        out += f" ({' '.join(where)})" if where else ""
        return out + (f" since {self.since}" if self.since else "")


class Locks(Protocol):
    def try_lock(self, name: str) -> bool: ...
    def holder(self, name: str) -> Holder: ...
    def annotate(self, run_id: int) -> None: ...
    def release(self) -> None: ...


class NoLocks:
    def try_lock(self, name: str) -> bool:
        return True

    def holder(self, name: str) -> Holder:
        return Holder(name)

    def annotate(self, run_id: int) -> None:
        pass

    def release(self) -> None:
        pass
