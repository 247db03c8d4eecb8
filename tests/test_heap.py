"""The heap setting the CLI applies at start-up works where glibc is present."""

from __future__ import annotations

import platform

import pytest

from harvester.heap import keep_freed_heap


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="mallopt is glibc's")
def test_keep_freed_heap_is_accepted_by_glibc() -> None:
    assert keep_freed_heap() is True

