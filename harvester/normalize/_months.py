"""Month names, seasons and filler words that dates are printed with, built once at import.

Every full month name below also answers to each of its prefixes of three or
more letters ("sept", "febr", "dez", "mrt" is listed explicitly) unless that
prefix names two different months in some language ("jui": juin or juillet).
Keys are lower-case; tokens reach the table without their trailing dots.
"""

from __future__ import annotations

_FULL_NAMES: tuple[tuple[str, ...], ...] = (
    # en, de, da/no, nl, sv, fr, es, it, pt (Finnish: _EXTRA)
    ("january", "januar", "jänner", "januari", "janvier", "enero", "gennaio", "janeiro"),
    ("february", "februar", "feber", "februari", "février", "fevrier", "febrero", "febbraio",
     "fevereiro"),
    ("march", "märz", "maerz", "marts", "mars", "maart", "marzo", "março", "marco"),
    ("april", "avril", "abril", "aprile"),
    ("may", "mai", "maj", "mei", "mayo", "maggio", "maio"),
    ("june", "juni", "juin", "junio", "giugno", "junho"),
    ("july", "juli", "juillet", "julio", "luglio", "julho"),
    ("august", "augustus", "augusti", "août", "aout", "agosto"),
    ("september", "septembre", "septiembre", "setiembre", "settembre", "setembro"),
    ("october", "oktober", "octobre", "octubre", "ottobre", "outubro"),
    ("november", "novembre", "noviembre", "novembro"),
    ("december", "dezember", "desember", "décembre", "decembre", "diciembre", "dicembre",
     "dezembro"),
)
# Abbreviations that are not prefixes of a full name above.
_EXTRA: dict[str, int] = {"mrt": 3, "mrz": 3, "sept": 9, "okt": 10, "dez": 12, "des": 12}
# Finnish, listed whole rather than by prefix: "mar" would name both March and
# marraskuu (November) and drop out of the table. Each month as written alone
# ("maaliskuu"), in a date ("1 maaliskuuta") and in the short form Pure's Finnish
# portals print ("1 maalisk. 2020").
_FINNISH_STEMS = ("tammi", "helmi", "maalis", "huhti", "touko", "kesä", "heinä", "elo",
                  "syys", "loka", "marras", "joulu")
_EXTRA.update(
    (stem + ending, number)
    for number, stem in enumerate(_FINNISH_STEMS, start=1)
    for ending in ("kuu", "kuuta", "k")
)


def _build_months() -> dict[str, int]:
    table: dict[str, int] = {}
    clashes: set[str] = set()
    for number, names in enumerate(_FULL_NAMES, start=1):
        for name in names:
            for end in range(3, len(name) + 1):
                prefix = name[:end]
                if table.get(prefix, number) != number:
                    clashes.add(prefix)
                table[prefix] = number
    for prefix in clashes:
        # a full name always keeps its month ("mars" is March even if "marsomething" existed)
        if not any(prefix in names for names in _FULL_NAMES):
            del table[prefix]
    table.update(_EXTRA)
    return table


MONTHS: dict[str, int] = _build_months()

SEASONS: frozenset[str] = frozenset(
    {
        "spring", "summer", "autumn", "fall", "winter",
        "frühling", "frühjahr", "sommer", "herbst",
        "forår", "efterår", "vinter", "høst", "vår", "sommar", "höst",
        "lente", "voorjaar", "zomer", "herfst", "najaar",
        "printemps", "été", "automne", "hiver",
    }
)

# Words that may surround a date without changing it: ordinal suffixes,
# prepositions and articles, weekday names, labels, time-zone names.
NOISE_WORDS: frozenset[str] = frozenset(
    {
        "st", "nd", "rd", "th", "er", "re", "e", "ème", "eme", "º",
        "the", "of", "on", "in", "de", "del", "den", "der", "dem", "am", "le", "la", "el",
        "published", "publication", "date", "issued", "online", "available", "accepted",
        "received", "submitted", "created", "modified", "updated", "deposited", "epub",
        "veröffentlicht", "erschienen", "udgivet", "publiceret", "gepubliceerd",
        "publicerad", "publié", "publie",
        "gmt", "utc", "z", "cet", "cest", "bst", "est", "edt", "pst", "pdt",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
        "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
        "mo", "di", "mi", "do", "fr", "sa", "so",
        "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
        "måndag", "tisdag", "lördag", "söndag",
        "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    }
)
