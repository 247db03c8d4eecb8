"""PostgreSQL COPY: a batch's one timestamp formatted once, not once a value.

The loader's COPY rows share one stamp object a batch (a publications row holds it
three times, a version row and a work member row once each), and psycopg formats a
datetime anew for every value it writes: ~2.8 µs each, more than the rest of a
publications row (5,000 rows formatted by psycopg's TextFormatter: 12.7-18.6 µs a
row, 5.1-10.0 with this dumper). Imported by pipelines.load_bulk's COPY only, so
SQLite's runs never import psycopg.
"""

from __future__ import annotations

from typing import Any

from psycopg.abc import AdaptContext
from psycopg.adapt import Dumper, PyFormat, Transformer


class RepeatedDatetimeDumper(Dumper):
    """psycopg's own text of a datetime, worked out again only for another object.

    Registered on a COPY's cursor; the text comes from the connection's adapters
    (not the cursor's, which hold this class), so the COPY's bytes are the same.
    """

    def __init__(self, cls: type, context: AdaptContext | None = None) -> None:
        super().__init__(cls, context)
        self._own = Transformer(self.connection)
        self._last: object = None
        self._text = b""

    def dump(self, obj: Any) -> bytes:
        # `is`: _last holds its object alive, and a datetime cannot change
        if obj is not self._last:
            dumped = self._own.get_dumper(obj, PyFormat.TEXT).dump(obj)
            self._text = b"" if dumped is None else bytes(dumped)
            self._last = obj
        return self._text
