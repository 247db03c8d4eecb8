"""Keep freed heap memory in the process instead of handing it back to the OS.

lexbor builds each page's tree in fresh heap memory and frees it whole; with
glibc's default trim threshold every free() returns the top of the heap to the
OS and the next parse page-faults it back in. Measured on the corpus Pure pages:
lexbor alone 242 -> 109 µs a page, the whole Pure parser ~1,200 -> ~1,550
pages/s on one core. A library must not change this for its host process, so
the `harvester` command (and its parse workers) call `keep_freed_heap()` at
start-up; other programs may choose to.
"""

from __future__ import annotations

import ctypes
import ctypes.util

_M_TRIM_THRESHOLD = -1  # <malloc.h>
DEFAULT_LIMIT = 64 << 20


def keep_freed_heap(limit: int = DEFAULT_LIMIT) -> bool:
    """mallopt(M_TRIM_THRESHOLD, limit) on glibc; False where that is not available."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_TRIM_THRESHOLD, limit))
    except (OSError, AttributeError):
        return False
