"""Socket reads' buffers come from the heap once the harvest's start-up set glibc's mmap
threshold (harvester/heap_reads.py), and `harvester harvest` sets it."""

from __future__ import annotations

import platform
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from harvester.heap_reads import read_buffers_from_heap

glibc = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                           reason="mallopt is glibc's")


def _in_heap(address: int) -> bool:
    """Whether `address` lies in the process's brk heap (glibc's main arena)."""
    for line in Path("/proc/self/maps").read_text().splitlines():
        if line.endswith("[heap]"):
            low, high = (int(part, 16) for part in line.split()[0].split("-"))
            if low <= address < high:
                return True
    return False


@glibc
def test_an_asyncio_sized_read_buffer_comes_from_the_heap() -> None:
    assert read_buffers_from_heap() is True
    mine, theirs = socket.socketpair()
    with mine, theirs:
        theirs.sendall(b"HTTP/1.1 304 Not Modified\r\n\r\n")
        # as asyncio reads: the whole 256 KiB allocated, then shrunk to what came
        data = mine.recv(256 * 1024)
    assert data.startswith(b"HTTP/1.1 304")
    assert _in_heap(id(data))  # a bytes object's data is inside it: one allocation


def test_every_command_sets_both_heap_settings_at_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from harvester import heap, heap_reads
    from pipelines.cli import main

    calls: list[str] = []

    def recorder(name: str) -> Callable[[], bool]:
        def setting() -> bool:
            calls.append(name)
            return True
        return setting

    monkeypatch.setattr(heap, "keep_freed_heap", recorder("trim"))
    monkeypatch.setattr(heap_reads, "read_buffers_from_heap", recorder("mmap"))
    for command in ("harvest", "worker", "runs"):
        calls.clear()
        CliRunner().invoke(main, [command, "--config", str(tmp_path / "missing.yaml")])
        # the trim threshold first: setting it fixes the mmap threshold, set after it
        assert calls == ["trim", "mmap"], command


def test_a_parse_worker_sets_both_heap_settings_before_serving(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker frees a page's tree whole after each page, as the parent would: without
    the settings every page's tree was faulted back in (pipelines/parse_worker.py)."""
    import sys

    from harvester import heap, heap_reads
    from pipelines import parse_worker

    calls: list[str] = []

    def recorder(name: str) -> Callable[..., object]:
        def call(*args: object) -> bool:
            calls.append(name)
            return True
        return call

    monkeypatch.setattr(heap, "keep_freed_heap", recorder("trim"))
    monkeypatch.setattr(heap_reads, "read_buffers_from_heap", recorder("mmap"))
    monkeypatch.setattr(parse_worker, "serve", recorder("serve"))
    mine, theirs = socket.socketpair()
    with mine, theirs:
        monkeypatch.setattr(sys, "argv", ["-c", str(theirs.detach()), "1"])
        parse_worker.main()
    assert calls == ["trim", "mmap", "serve"]
