"""Whitespace, entity and Unicode clean-up shared by every text field.

Parsers call `clean` on nearly every value they read, so it is written for the
common case (plain ASCII, already tidy) to cost little more than a `split`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

# Invisible characters that only break words or matching. ZWJ/ZWNJ (U+200C/D)
# are kept: they change the rendering of Persian, Indic scripts and emoji.
_DROP_CHARS = "\u00ad\u200b\u2060\ufeff\u180e"
# Control characters that str.split() does not already treat as whitespace.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_NEEDS_TRANSLATE = re.compile(
    r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff\u180e]"
)
# Tags in text fields (abstracts with <p>, <br/>, <i>): block tags become a space.
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|blockquote|section)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*\b[^<>]*>|<!--.*?-->", re.S)
_KEYWORD_SEMICOLON = ";"
_KEYWORD_COMMA = ","


def clean(text: str | None) -> str | None:
    """Decode entities, NFC-normalise, drop invisible characters, collapse whitespace.

    Returns None for None and for text that is empty once cleaned.
    """
    if text is None:
        return None
    if "&" in text:
        text = html.unescape(text)
    return _tidy(text)


def _tidy(text: str) -> str | None:
    """`clean` without entity decoding, for text whose entities are already decoded."""
    if text.isprintable():
        # Fast path (most values): isprintable() rules out every control, invisible and
        # whitespace character but U+0020, and stops at the first one (an abstract's
        # first newline), so it costs less than the regex search below.
        if not text.isascii() and not unicodedata.is_normalized("NFC", text):
            return " ".join(unicodedata.normalize("NFC", text).split()) or None
        if "  " in text or text[:1] == " " or text[-1:] == " ":
            return " ".join(text.split()) or None
        # a str subclass (lxml's smart strings) would keep its whole document alive
        return (text if type(text) is str else str(text)) or None
    if _NEEDS_TRANSLATE.search(text):
        # str.translate with a dict costs ~50 ns a character (460 µs on a 10 KB abstract
        # with soft hyphens, ANU DSpace page); replace + a rare regex pass cost ~35 µs.
        for ch in _DROP_CHARS:
            if ch in text:
                text = text.replace(ch, "")
        if _CONTROL.search(text):
            text = _CONTROL.sub(" ", text)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # str.split() with no argument splits on every Unicode space (NBSP included)
    text = " ".join(text.split())
    return text or None


def strip_markup(text: str | None) -> str | None:
    """`clean` for text that may carry HTML: entities decoded first, then tags dropped.

    Block tags (<p>, <br>, <li>, ...) separate words; inline tags (<i>, <sub>) do not.
    A "<" that opens no tag ("p < 0.05") stays.
    """
    if text is None:
        return None
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", text))
    return _tidy(text)


def clean_many(values: Iterable[str | None]) -> tuple[str, ...]:
    """Clean each value, drop empties, drop case-insensitive repeats (first one wins)."""
    return _unique(clean(v) for v in values)


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for cleaned in values:
        if cleaned is None:
            continue
        key = cleaned.casefold()
        if key in seen:
            continue
        seen.add(key)
        out.append(cleaned)
    return tuple(out)


def split_keywords(text: str | None) -> tuple[str, ...]:
    """Split one keyword string on ";" (or, when there is none, on ",") and clean.

    A semicolon wins over commas because lists separated by semicolons often hold
    keywords with commas inside ("Medicine, Health and Life Sciences; Genomics").
    """
    if not text:
        return ()
    # decode first: the ";" of "&amp;" is not a separator
    if "&" in text:
        text = html.unescape(text)
    if _KEYWORD_SEMICOLON in text:
        parts = text.split(_KEYWORD_SEMICOLON)
    elif _KEYWORD_COMMA in text:
        parts = text.split(_KEYWORD_COMMA)
    else:
        parts = [text]
    return _unique(_tidy(p) for p in parts)
