"""Pure research-output types -> the coarse type vocabulary.

Three readings, most specific first: the visible type line ("Contribution to
journal › Article"), the RIS TY / BibTeX entry type, and the `rendering_*`
class Pure puts on every block, which does not change with the portal language.
English type-line words are [C] (corpus pages) or [S] (Bath list, seed text);
the Danish/Dutch/German/Swedish/Finnish stems are [K] (knowledge, not seen here).
"""

from __future__ import annotations

import re

_SEGMENT = re.compile(r"\s*[›>]\s*")

# (substring of the case-folded type line, coarse type): the first match wins, so the
# specific classifications come before their families.
_LINE_RULES: tuple[tuple[str, str], ...] = (
    ("conference contribution", "conference-paper"),  # [C] PSU, SNU
    ("conference paper", "conference-paper"),  # [C] CUHK, [C] HKUST "Conference Paper ..."
    ("conference article", "conference-paper"),
    ("konferencebidrag", "conference-paper"),  # [K] da
    ("konferenzbeitrag", "conference-paper"),  # [K] de
    ("congresbijdrage", "conference-paper"),  # [K] nl
    ("konferensbidrag", "conference-paper"),  # [K] sv
    ("konferenssiartikkeli", "conference-paper"),  # [K] fi
    ("konferenssijulkaisu", "conference-paper"),  # [K] fi
    ("contribution to conference", "conference-paper"),
    ("doctoral thesis", "thesis"),
    ("master's thesis", "thesis"),
    ("thesis", "thesis"),
    ("ph.d.-afhandling", "thesis"),  # [K] da
    ("proefschrift", "thesis"),  # [K] nl
    ("dissertation", "thesis"),  # [K] de
    ("doktorsavhandling", "thesis"),  # [K] sv
    ("väitöskirja", "thesis"),  # [K] fi
    ("preprint", "preprint"),
    ("working paper", "preprint"),
    ("software", "software"),
    ("dataset", "dataset"),
    ("data set", "dataset"),
    ("tutkimusaineisto", "dataset"),  # [K] fi
    ("chapter", "chapter"),
    ("entry for encyclopedia", "chapter"),
    ("bidrag til bog", "chapter"),  # [K] da
    ("beitrag in buch", "chapter"),  # [K] de
    ("hoofdstuk", "chapter"),  # [K] nl
    ("kapitel", "chapter"),  # [K] da, de, sv
    ("artikkeli kirjassa", "chapter"),  # [K] fi
    ("kirjan luku", "chapter"),  # [K] fi
    ("contribution to journal", "article"),  # [C] Bath
    ("bidrag til tidsskrift", "article"),  # [K] da
    ("beitrag in fachzeitschrift", "article"),  # [K] de
    ("bijdrage aan tijdschrift", "article"),  # [K] nl
    ("bidrag till tidskrift", "article"),  # [K] sv
    ("article", "article"),
    ("artikel", "article"),  # [K] da, de, nl, sv
    ("artikkeli", "article"),  # [K] fi
    ("report", "report"),
    ("rapport", "report"),  # [K] da, nl, sv
    ("bericht", "report"),  # [K] de
    ("raportti", "report"),  # [K] fi
    ("book", "book"),
    ("anthology", "book"),
    ("bog", "book"),  # [K] da
    ("boek", "book"),  # [K] nl
    ("buch", "book"),  # [K] de
    ("bok", "book"),  # [K] sv
    ("kirja", "book"),  # [K] fi
)

# `rendering_{family}` class -> coarse type (family names [C]/[S]; thesis/working paper [S]).
RENDERING_TYPES: dict[str, str] = {
    "rendering_contributiontojournal": "article",
    "rendering_contributiontobookanthology": "chapter",
    "rendering_contributiontoconference": "conference-paper",
    "rendering_bookanthology": "book",
    "rendering_thesis": "thesis",
    "rendering_workingpaper": "preprint",
    "rendering_contributiontoperiodical": "article",
    "rendering_nontextualform": "other",
    "rendering_otherresearchoutput": "other",
    "rendering_dataset": "dataset",  # [I] the portal's dataset view, same class scheme
}

RIS_TYPES: dict[str, str] = {
    "JOUR": "article", "EJOUR": "article", "MGZN": "article", "CHAP": "chapter",
    "CONF": "conference-paper", "CPAPER": "conference-paper", "BOOK": "book", "EDBOOK": "book",
    "THES": "thesis", "RPRT": "report", "DATA": "dataset", "COMP": "software",
    "UNPB": "preprint",
}

BIBTEX_TYPES: dict[str, str] = {
    "article": "article", "inproceedings": "conference-paper", "conference": "conference-paper",
    "incollection": "chapter", "inbook": "chapter", "book": "book", "phdthesis": "thesis",
    "mastersthesis": "thesis", "techreport": "report", "unpublished": "preprint",
}


def type_from_line(line: str) -> str | None:
    """Coarse type from a type line, or None when no rule matches."""
    # The family prefix ("Research output: ") does not classify; the most specific
    # segment that matches wins ("Chapter in Book/Report/... › Chapter" is a chapter).
    folded = line.casefold().split(":", 1)[-1]
    for segment in reversed(_SEGMENT.split(folded)):
        for needle, kind in _LINE_RULES:
            if needle in segment:
                return kind
    return None


def type_from_rendering(class_names: list[str]) -> str | None:
    for name in class_names:
        kind = RENDERING_TYPES.get(name)
        if kind:
            return kind
    return None
