"""Keep freed heap memory in the process instead of handing it back to the OS.

lexbor builds each page's tree in fresh heap memory and frees it whole; with
glibc's default trim threshold every free() returns the top of the heap to the
OS and the next parse page-faults it back in. Measured on the corpus Pure pages:
lexbor alone 242 -> 109 µs a page, the whole Pure parser ~1,200 -> ~1,550
pages/s on one core. A library must not change this for its host process, so
the `harvester` command calls `keep_freed_heap()` at start-up; other programs
may choose to. The parse workers (started with `python -c`) set it too
(pipelines/parse_worker.py main): an earlier reading of whole harvests saw no
change there, but a worker's minor faults, 15-19 a page in a bench/e2e.py
harvest, fall to ~3 with it, and its CPU a page through the pool, 2 workers,
1,210-1,330 -> 1,075-1,150 µs (three alternating runs, a loaded machine).
"""

from __future__ import annotations

import ctypes

_M_TRIM_THRESHOLD = -1  # <malloc.h>
DEFAULT_LIMIT = 64 << 20


def keep_freed_heap(limit: int = DEFAULT_LIMIT) -> bool:
    """mallopt(M_TRIM_THRESHOLD, limit) on glibc; False where that is not available."""
    try:
        # the process's own symbols hold libc's: find_library would run `ldconfig -p`
        return bool(ctypes.CDLL(None).mallopt(_M_TRIM_THRESHOLD, limit))
    except (OSError, AttributeError):
        return False


def tune_process_heap() -> None:
    """Both of the harvester's heap settings, in the order they need: the trim threshold
    first, since setting it fixes glibc's mmap threshold, which `read_buffers_from_heap`
    then raises (harvester/heap_reads.py). For the `harvester` command and its parse
    workers."""
    from . import heap_reads

    keep_freed_heap()
    heap_reads.read_buffers_from_heap()
