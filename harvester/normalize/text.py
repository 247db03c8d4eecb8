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
# html.unescape's own pattern (one group: the reference without its "&")
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
# the ASCII characters str.isprintable() rejects (controls and DEL), for _printable
_ASCII_UNPRINTABLE = bytes(b for b in range(128) if not chr(b).isprintable())
_LONG = 256
_KEYWORD_SEMICOLON = ";"
_KEYWORD_COMMA = ","


class _References(dict[str, str]):
    """Reference (without "&") -> its text, as html.unescape decodes it, cached."""

    def __missing__(self, ref: str) -> str:
        text = html.unescape("&" + ref)
        if len(self) < 4096:  # bounded: numeric references are unlimited
            self[ref] = text
        return text


_REFERENCES = _References()


def unescape(text: str) -> str:
    """html.unescape, faster on text with many references (an abstract's &aacute;s):
    split() and a cached lookup per reference instead of a Python callback per match.
    A reference's text depends on the reference alone, so the result is the same."""
    if "&" not in text:
        return text
    if text.count("&") > 4:
        # Double-escaped HTML abstracts: "&lt;" and "&gt;" are ~3/4 of their references,
        # and str.replace decodes them at C speed. Same result as html.unescape: neither
        # "<" nor ">" can start a reference, "<" ends a name as "&" did, and a name that
        # now runs on into ">..." falls back to the same longest known prefix.
        text = text.replace("&lt;", "<").replace("&gt;", ">")
    return decode_references(text)


def decode_references(text: str) -> str:
    """html.unescape(text) through the cached table, for a caller that has done its own
    "&lt;"/"&gt;" replacing (unescape's shortcut) and would not pay its count again."""
    parts = _CHARREF.split(text)
    parts[1::2] = map(_REFERENCES.__getitem__, parts[1::2])
    return "".join(parts)


def clean(text: str | None) -> str | None:
    """Decode entities, NFC-normalise, drop invisible characters, collapse whitespace.

    Returns None for None and for text that is empty once cleaned.
    """
    if text is None:
        return None
    if "&" in text:
        text = unescape(text)
    # _tidy's fast path inlined for short tidy text (titles, names, dates, types: ~10
    # values a record), saving its three calls: printable excludes every control and
    # every space but U+0020 (so no "\n" or NBSP), and the text is NFC with no runs
    if (
        len(text) <= _LONG
        and text.isprintable()
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
        and (text.isascii() or unicodedata.is_normalized("NFC", text))
    ):
        # a str subclass (lxml's smart strings) would keep its whole document alive
        return (text if type(text) is str else str(text)) or None
    return _tidy(text)


def _tidy(text: str) -> str | None:
    """`clean` without entity decoding, for text whose entities are already decoded."""
    # Fast path (most values, and abstracts wrapped with single newlines):
    # isprintable() rules out every control, invisible and whitespace character but
    # U+0020, so the text needs at most NFC and collapsing runs of spaces. It costs
    # less than the regex search plus split/join of the general path below.
    flat = text.replace("\n", " ") if "\n" in text else text
    # tabs and carriage returns too (abstracts pasted from word processors hold them):
    # like "\n", each is whitespace to split() and unprintable, and left in, the
    # text takes the general path below, four times slower on a 5 KB abstract
    if "\t" in flat:
        flat = flat.replace("\t", " ")
    if "\r" in flat:
        flat = flat.replace("\r", " ")
    if "\xa0" in flat:
        # NBSP is whitespace to split(), and double-escaped abstracts are full of &nbsp;
        flat = flat.replace("\xa0", " ")
    if _printable(flat):
        if not flat.isascii() and not unicodedata.is_normalized("NFC", flat):
            return _collapse(unicodedata.normalize("NFC", flat))
        return _collapse(flat)
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


def _printable(text: str) -> bool:
    """str.isprintable(), faster on long ASCII text (abstracts): isprintable() costs ~2 ns
    a character, deleting the ASCII characters it rejects from the bytes ~1 ns."""
    if len(text) > _LONG and text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_UNPRINTABLE)) == len(text)
    return text.isprintable()


def _collapse(flat: str) -> str | None:
    """" ".join(flat.split()) for text whose only whitespace is U+0020."""
    if "  " not in flat and flat[:1] != " " and flat[-1:] != " ":
        # a str subclass (lxml's smart strings) would keep its whole document alive
        return (flat if type(flat) is str else str(flat)) or None
    # split at the runs: a two-character search, like `in` (count("  ") and a regex
    # over the runs each cost ~5 µs on a 5 KB non-ASCII abstract, split() on every
    # space ~20 µs). Leftmost matching leaves a part at most one space at either end
    # (a run of three leaves one), so stripping the parts and dropping the empty ones
    # leaves the words' single spaces alone.
    parts = flat.split("  ")
    if len(parts) == 1:
        return flat.strip(" ") or None
    return " ".join([w for p in parts if (w := p.strip(" "))]) or None


def strip_markup(text: str | None) -> str | None:
    """`clean` for text that may carry HTML: entities decoded first, then tags dropped.

    Block tags (<p>, <br>, <li>, ...) separate words; inline tags (<i>, <sub>) do not.
    A "<" that opens no tag ("p < 0.05") stays.
    """
    if text is None:
        return None
    if "&" in text:
        text = unescape(text)
    if "<" in text:
        text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", text))
    return _tidy(text)


def clean_many(values: Iterable[str | None]) -> tuple[str, ...]:
    """Clean each value, drop empties, drop case-insensitive repeats (first one wins)."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:  # unique(map(clean, values)), without a generator per call
        cleaned = clean(value)
        if cleaned is None:
            continue
        key = cleaned.casefold()
        if key not in seen:
            seen.add(key)
            out.append(cleaned)
    return tuple(out)


def unique(values: Iterable[str | None]) -> tuple[str, ...]:
    """Already-clean values without Nones and case-insensitive repeats (first one wins)."""
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
        text = unescape(text)
    if _KEYWORD_SEMICOLON in text:
        parts = text.split(_KEYWORD_SEMICOLON)
    elif _KEYWORD_COMMA in text:
        parts = text.split(_KEYWORD_COMMA)
    else:
        parts = [text]
    return unique(_tidy(p) for p in parts)
