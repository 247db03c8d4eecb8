"""Socket reads' buffers from the heap, not from a fresh mmap each: glibc's mmap threshold.

asyncio reads a socket with `sock.recv(256 KiB)`: Python allocates the whole
256 KiB, the kernel fills what arrived, and the bytes object is shrunk to it.
glibc serves an allocation that size with its own mmap once the threshold is
fixed, and `keep_freed_heap()` (harvester/heap.py) fixes it: setting
M_TRIM_THRESHOLD turns off glibc's dynamic mmap threshold, which would
otherwise have risen past 256 KiB after the first such free. So every answer
read cost an mmap, an mremap (the shrink) and a munmap, three system calls on
the event loop's thread (15,000 in a 5,000-page re-harvest of 304s, measured
with strace). With the threshold above the read size the buffer comes from the
heap, which the trim threshold keeps: bench/rehash.py's re-harvest of 5,000
304s, 1.51 -> 1.37 s wall (median of 5, alternating).

Like keep_freed_heap, a library must not change this for its host process:
the `harvester` command calls it at start-up, right after keep_freed_heap, for
every subcommand (`harvest`, `worker` and the others read sockets too).
"""

from __future__ import annotations

import ctypes

__all__ = ["DEFAULT_THRESHOLD", "read_buffers_from_heap"]

_M_MMAP_THRESHOLD = -3  # <malloc.h>
DEFAULT_THRESHOLD = 1 << 20  # above asyncio's 256 KiB read buffer (glibc's limit is 32 MiB)


def read_buffers_from_heap(threshold: int = DEFAULT_THRESHOLD) -> bool:
    """mallopt(M_MMAP_THRESHOLD, threshold) on glibc; False where that is not available."""
    try:
        # the process's own symbols, libc's among them: ctypes.util.find_library runs
        # `ldconfig -p` in a subprocess to find the file
        return bool(ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, threshold))
    except (OSError, AttributeError):
        return False
