"""to_iso639_1: codes, locales and language names in several languages."""

from __future__ import annotations

import pytest

from harvester.normalize import to_iso639_1
from harvester.normalize._language_table import TABLE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # codes and locales
        ("en", "en"),
        ("EN", "en"),
        (" en ", "en"),
        ("en_US", "en"),
        ("en-GB", "en"),
        ("zh-Hans-CN", "zh"),
        ("eng", "en"),
        ("ger", "de"),
        ("deu", "de"),
        ("fre", "fr"),
        ("fra", "fr"),
        ("swe", "sv"),
        ("dan", "da"),
        ("dut", "nl"),
        ("nld", "nl"),
        ("eu", "eu"),  # a valid code beyond the name table
        ("iw", "he"),  # withdrawn code
        # English names
        ("English", "en"),
        ("english", "en"),
        ("English (US)", "en"),
        ("English language", "en"),
        ("German", "de"),
        ("French", "fr"),
        ("Swedish", "sv"),
        ("Dutch", "nl"),
        ("Spanish", "es"),
        ("Italian", "it"),
        ("Portuguese", "pt"),
        ("Finnish", "fi"),
        ("Norwegian", "no"),
        ("Chinese", "zh"),
        ("Japanese", "ja"),
        ("Korean", "ko"),
        ("Russian", "ru"),
        ("Polish", "pl"),
        ("Arabic", "ar"),
        ("Turkish", "tr"),
        # native names
        ("Deutsch", "de"),
        ("Français", "fr"),
        ("Francais", "fr"),
        ("Svenska", "sv"),
        ("Dansk", "da"),
        ("Nederlands", "nl"),
        ("Español", "es"),
        ("Espanol", "es"),
        ("Italiano", "it"),
        ("Suomi", "fi"),
        ("Norsk bokmål", "nb"),
        ("中文", "zh"),
        ("日本語", "ja"),
        ("Русский", "ru"),
        # English in the portal languages
        ("Englisch", "en"),
        ("Engelsk", "en"),
        ("Engels", "en"),
        ("Engelska", "en"),
        ("Anglais", "en"),
        ("Inglés", "en"),
        ("Inglese", "en"),
        # other languages in the portal languages
        ("Tysk", "de"),
        ("Duits", "de"),
        ("Tyska", "de"),
        ("Allemand", "de"),
        ("Französisch", "fr"),
        ("Frans", "fr"),
        ("Niederländisch", "nl"),
        ("Schwedisch", "sv"),
        ("Zweeds", "sv"),
        ("Dänisch", "da"),
        ("Deens", "da"),
        ("Danska", "da"),
        ("Spaans", "es"),
        ("Italienisch", "it"),
        # lists give their first language
        ("English; German", "en"),
        ("eng/ger", "en"),
        ("Deutsch und Englisch", "de"),
    ],
)
def test_language_codes_and_names_map_to_iso639_1(text: str, expected: str) -> None:
    assert to_iso639_1(text) == expected


@pytest.mark.parametrize("text", [None, "", "  ", "xx", "und", "mul", "zxx", "Klingon", "abc", "e"])
def test_unknown_languages_give_none(text: str | None) -> None:
    assert to_iso639_1(text) is None


def test_every_table_name_maps_to_its_own_code() -> None:
    for line in TABLE.strip().splitlines():
        code, alpha3, names = line.split("|")
        for name in names.split(";"):
            assert to_iso639_1(name) == code, name
            assert to_iso639_1(name.upper()) == code, name
        for three in alpha3.split():
            assert to_iso639_1(three) == code, three


def test_table_covers_forty_languages() -> None:
    assert len(TABLE.strip().splitlines()) >= 40
