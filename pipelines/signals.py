"""SIGINT and SIGTERM during a harvest: stop after the batch in hand, not in the middle of it.

The first signal sets an asyncio.Event the run polls (pipelines/run.py) and
gives the signal back its default action, so a second one ends the process at
once; what was committed stays committed either way. The exit code follows
the shell's convention for death by signal (128 + number): 130 and 143.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from types import TracebackType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopOnSignal:
    """Within a running event loop: `with StopOnSignal(echo) as s: await run(stop=s.event)`."""

    def __init__(self, on_signal: Callable[[str], None] | None = None) -> None:
        self.event = asyncio.Event()
        self.received: signal.Signals | None = None
        self._on_signal = on_signal
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def exit_code(self) -> int | None:
        return 128 + int(self.received) if self.received is not None else None

    def __enter__(self) -> StopOnSignal:
        self._loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            self._loop.add_signal_handler(sig, self._handle, sig)
        return self

    def _handle(self, sig: signal.Signals) -> None:
        self.received = sig
        self.event.set()
        self._restore()
        if self._on_signal is not None:
            self._on_signal(f"{sig.name} received: finishing the batch in hand, then stopping "
                            f"(send {sig.name} again to stop at once)")

    def _restore(self) -> None:
        if self._loop is not None:
            for sig in SIGNALS:
                self._loop.remove_signal_handler(sig)
            self._loop = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._restore()
