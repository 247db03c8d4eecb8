"""CPU seconds of a child process tree, per process and per thread, sampled from /proc.

`os.wait4` gives a child's CPU with its reaped children folded in; to tell the
harvester's main process (event loop, write thread, the pool's feeder and result
threads) from its parse workers, bench/e2e.py samples /proc/<pid>/task/*/stat of
the whole tree while it runs and keeps each thread's last reading (a thread that
ends between two samples loses at most its last 0.1 s). Linux only: elsewhere the
sampler records nothing and e2e prints no split.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

_PROC = Path("/proc")
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(path: Path) -> tuple[str, int, float] | None:
    """(name, parent pid, CPU seconds) from a /proc stat file, or None when it is gone."""
    try:
        text = path.read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return name, int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


@dataclass
class TreeCPU:
    """Samples the process tree under `root` every `every` seconds until stop()."""

    root: int
    every: float = 0.1
    threads: dict[tuple[int, int], tuple[str, float]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> TreeCPU:
        if _PROC.is_dir():
            self._thread = threading.Thread(target=self._run, name="tree-cpu", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def _tree(self) -> set[int]:
        parents: dict[int, int] = {}
        for entry in _PROC.iterdir():
            if entry.name.isdigit() and (st := _stat(entry / "stat")) is not None:
                parents[int(entry.name)] = st[1]
        tree, grew = {self.root}, True
        while grew:
            grew = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        return tree

    def sample(self) -> None:
        for pid in self._tree():
            try:
                tids = [int(t) for t in os.listdir(_PROC / str(pid) / "task")]
            except OSError:
                continue
            for tid in tids:
                st = _stat(_PROC / str(pid) / "task" / str(tid) / "stat")
                if st is not None:
                    self.threads[(pid, tid)] = (st[0], st[2])

    def by_process(self) -> dict[int, float]:
        out: dict[int, float] = {}
        for (pid, _), (_, cpu) in self.threads.items():
            out[pid] = out.get(pid, 0.0) + cpu
        return out

    def split(self) -> tuple[float, float, float, int]:
        """(root's main thread, root's other threads, other processes, how many of those)
        in CPU seconds; nothing is sampled for a child that started and ended between two
        samples (the resource tracker)."""
        main = other = 0.0
        for (pid, tid), (_, cpu) in self.threads.items():
            if pid != self.root:
                continue
            if tid == pid:
                main += cpu
            else:
                other += cpu
        rest = {pid: cpu for pid, cpu in self.by_process().items() if pid != self.root}
        return main, other, sum(rest.values()), len(rest)
