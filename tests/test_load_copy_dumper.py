"""The COPY dumper that formats a repeated datetime once writes psycopg's own bytes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from psycopg import adapters
from psycopg._copy_base import TextFormatter
from psycopg.adapt import AdaptersMap, Transformer

from pipelines.load_copy_dumper import RepeatedDatetimeDumper

STAMP = datetime(2026, 11, 29, 14, 35, 6, 435283, tzinfo=UTC)
ZONES = st.one_of(
    st.none(),
    st.just(UTC),
    st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
)
# NUL and lone surrogates: psycopg refuses them either way (no text to compare)
TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
               max_size=5)
VALUES = st.one_of(st.none(), st.integers(-5, 5), TEXT, st.datetimes(timezones=ZONES))


def copy_text(rows: list[tuple[object, ...]], *, repeated: bool) -> bytes:
    """The COPY text psycopg writes for these rows, with or without the dumper."""
    context = AdaptersMap(adapters)
    if repeated:
        context.register_dumper(datetime, RepeatedDatetimeDumper)
    formatter = TextFormatter(Transformer(context))
    return b"".join([*(bytes(formatter.write_row(row)) for row in rows), bytes(formatter.end())])


@given(st.lists(st.tuples(VALUES, VALUES, VALUES), max_size=12))
def test_copy_bytes_are_psycopgs_own(rows: list[tuple[object, ...]]) -> None:
    assert copy_text(rows, repeated=True) == copy_text(rows, repeated=False)


def test_each_new_object_is_formatted_not_the_last_one_again() -> None:
    other = STAMP.replace(microsecond=0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    naive = datetime(2020, 1, 2, 3, 4, 5)
    rows = [(STAMP, 1, STAMP), (other, 2, STAMP), (naive, 3, naive), (STAMP, 4, other)]
    text = copy_text(rows, repeated=True)
    assert text == copy_text(rows, repeated=False)
    assert text.splitlines()[1] == b"2026-11-29 14:35:06+05:30\t2\t2026-11-29 14:35:06.435283+00:00"
    assert text.splitlines()[2] == b"2020-01-02 03:04:05\t3\t2020-01-02 03:04:05"
