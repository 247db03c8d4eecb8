"""clean()'s printable check takes a bytes path on long ASCII text: it must agree with
str.isprintable() on every character, and clean() with the general path."""

from __future__ import annotations

import pytest

from harvester.normalize import clean
from harvester.normalize import text as text_module
from harvester.normalize.text import _printable

LONG = "a plain abstract sentence. " * 20  # past the length where the bytes path starts


@pytest.mark.parametrize("char", [chr(c) for c in range(128)])
def test_long_ascii_text_is_printable_exactly_when_str_isprintable_says(char: str) -> None:
    text = LONG + char + LONG
    assert _printable(text) is text.isprintable()


@pytest.mark.parametrize(
    "text",
    [LONG + "\ttabbed\x1bescaped\x7f " + LONG, LONG + "  runs  of  spaces " + LONG,
     LONG.replace(" ", "\n"), "short\ttext", LONG + "caf\u00e9 Cafe\u0301"],
)
def test_clean_of_long_text_is_what_isprintable_alone_gives(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = clean(text)
    monkeypatch.setattr(text_module, "_printable", str.isprintable)
    assert fast == clean(text)
