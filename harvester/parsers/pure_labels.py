"""Pure properties-table row labels in the portal languages, mapped to field names.

Rows are read by their visible `<th>` label, not their position, so a portal
that reorders or adds rows still parses. Labels are compared after
`label_key` (case-folded, letters and digits only), so "Seiten (von - bis)"
and "Seiten (von-bis)" are one key.

Evidence marks:  [C] seen in raw HTML of a real Pure page (../shared/corpus/pure,
MARKUP.md);  [S] seen in a public scraper's selectors or a quoted page text
(MARKUP.md);  [K] from knowledge of Pure's translation bundles, NOT seen in
evidence here — the Danish, Dutch, German, Swedish and Finnish labels are all [K].
"""

from __future__ import annotations

import re
from functools import lru_cache

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


# a portal prints the same few dozen labels on every page
@lru_cache(maxsize=2048)
def label_key(label: str) -> str:
    return _NOT_WORD.sub("", label.casefold())


_LABELS: dict[str, tuple[str, ...]] = {
    "language": (
        "Original language",  # [C]
        "Language",  # [S] eduhk parser
        "Originalsprog",  # [K] da
        "Oorspronkelijke taal",  # [K] nl
        "Originalsprache",  # [K] de
        "Originalspråk",  # [K] sv
        "Alkuperäiskieli",  # [K] fi
    ),
    "pages": (
        "Pages (from-to)",  # [C] seed text
        "Pages",  # [C] conference rows
        "Sider (fra-til)",  # [K] da
        "Sider",  # [K] da
        "Pagina's (van-tot)",  # [K] nl
        "Pagina's",  # [K] nl
        "Seiten (von - bis)",  # [K] de
        "Seiten",  # [K] de
        "Sidor (från-till)",  # [K] sv
        "Sidor",  # [K] sv
        "Sivut (alkusivu-loppusivu)",  # [K] fi
        "Sivut",  # [K] fi
    ),
    "page_count": (
        "Number of pages",  # [C]
        "Antal sider",  # [K] da
        "Aantal pagina's",  # [K] nl
        "Seitenumfang",  # [K] de
        "Anzahl der Seiten",  # [K] de (older bundle)
        "Antal sidor",  # [K] sv
        "Sivumäärä",  # [K] fi
    ),
    "journal": (
        "Journal",  # [C] seed text, [S] riteshrokaha a[rel=Journal]
        "Tidsskrift",  # [K] da
        "Tijdschrift",  # [K] nl
        "Fachzeitschrift",  # [K] de
        "Zeitschrift",  # [K] de
        "Tidskrift",  # [K] sv
        "Lehti",  # [K] fi
    ),
    "volume": ("Volume", "Bind", "Jaargang", "Band", "Volym", "Vuosikerta"),  # en [C]; rest [K]
    "issue": (
        "Issue number",  # [C] seed text
        "Nummer",  # [K] da, nl
        "Ausgabenummer",  # [K] de
        "Heftnummer",  # [K] de
        "Utgåva",  # [K] sv
        "Häfte",  # [K] sv
        "Numero",  # [K] fi
    ),
    "article_number": ("Article number", "Artikelnummer", "Artikkelinumero"),  # en [I]; rest [K]
    "online": (
        "Early online date",  # [C] seed text
        "Online udgivet",  # [K] da
        "Udgivet online",  # [K] da
        "Elektronische publicatie",  # [K] nl
        "Vroegtijdige online publicatie",  # [K] nl
        "Früher online",  # [K] de
        "Frühes Online-Datum",  # [K] de
        "Tidig onlinepublicering",  # [K] sv
        "Tidigt onlinedatum",  # [K] sv
        "Varhainen verkossa julkaisun päivämäärä",  # [K] fi
    ),
    "status": (
        "Publication status",  # [C] CUHK
        "State",  # [C] SNU, PSU
        "Status",  # [K] da, nl, de, sv
        "Publikationsstatus",  # [K] de, sv
        "Publicatiestatus",  # [K] nl
        "Udgivelsesstatus",  # [K] da
        "Tila",  # [K] fi
        "Julkaisun tila",  # [K] fi
    ),
    "publication_date": ("Publication date", "Udgivelsesdato", "Publicatiedatum",
                         "Erscheinungsdatum", "Publiceringsdatum", "Julkaisupäivä",
                         # dataset pages: Pure's dataset field `dateMadeAvailable` [S] (the
                         # Puree client); the row label in English [I], the others [K]
                         "Date made available", "Dato for tilgængeliggørelse",
                         "Datum van beschikbaarstelling", "Datum der Bereitstellung"),
    # en "Publication date" [S] ejlmod3; rest [K]
    "doi": ("DOIs", "DOI", "DOI'er", "DOI's", "DOI:er", "DOI:t",
            "DOI - pysyväislinkit"),  # en [C]; rest [K]
    "isbn_print": ("ISBN (Print)", "Print ISBNs", "ISBN (Trykt)", "ISBN van gedrukte versie",
                   "ISBN (gedrukt)", "ISBN (tryckt)"),  # en [C]/[S]; rest [K]
    "isbn_electronic": ("ISBN (Electronic)", "Electronic ISBNs", "ISBN (Elektronisk)",
                        "ISBN (elektronisch)", "ISBN (elektroniskt)"),  # en [C]/[S]; rest [K]
    "issn": ("ISSN", "ISSN (Print)"),  # [K]
    "eissn": ("ISSN (Electronic)", "Electronic ISSN", "ISSN (Elektronisk)",
              "ISSN (elektronisch)", "ISSN (elektroniskt)"),  # [K]
    "host_publication": (
        "Title of host publication",  # [C]
        "Titel på værtspublikation",  # [K] da
        "Titel gastpublicatie",  # [K] nl
        "Titel van gastpublicatie",  # [K] nl
        "Titel des Sammelwerks",  # [K] de
        "Titel der Hostpublikation",  # [K] de
        "Värdpublikationens titel",  # [K] sv
        "Emojulkaisun otsikko",  # [K] fi
    ),
    "publisher": ("Publisher", "Forlag", "Uitgeverij", "Uitgever", "Verlag", "Förlag",
                  "Kustantaja"),
    "event": ("Event", "Begivenhed", "Evenement", "Veranstaltung", "Evenemang",
              "Tapahtuma"),  # en [C]
}

#: label key -> field name
LABELS: dict[str, str] = {label_key(lbl): field for field, lbls in _LABELS.items() for lbl in lbls}

#: `<tr class=...>` -> field name, a language-independent fallback when a label is unknown.
#: [C]: language, numberofpages, isbn-electronic, digital_object_identifiers, status, event;
#: [I] (the reconstructions): pages, journal, volume, journalnumber, early-online-date,
#: articlenumber.
ROW_CLASSES: dict[str, str] = {
    "language": "language",
    "numberofpages": "page_count",
    "isbn-electronic": "isbn_electronic",
    "isbn-print": "isbn_print",
    "digital_object_identifiers": "doi",
    "status": "status",
    "event": "event",
    "pages": "pages",
    "journal": "journal",
    "volume": "volume",
    "journalnumber": "issue",
    "early-online-date": "online",
    "articlenumber": "article_number",
}

#: rows of the "Publication series" table: en [C]; da/nl/de/sv [K]
SERIES_LABELS: dict[str, str] = {
    label_key(lbl): field
    for field, lbls in {
        "name": ("Name", "Navn", "Naam", "Namn", "Nimi"),
        "volume": ("Volume", "Bind", "Band", "Jaargang", "Volym", "Vuosikerta"),
    }.items()
    for lbl in lbls
}

#: status prefix (before " - date") -> status vocabulary.
#: en "Published", "Accepted/In press" [C]/[S]; "E-pub ahead of print" and the rest [K].
_STATUS: dict[str, tuple[str, ...]] = {
    "published": ("Published", "Udgivet", "Gepubliceerd", "Veröffentlicht", "Publicerad",
                  "Julkaistu"),
    "accepted": ("Accepted/In press", "Accepteret/In press", "Geaccepteerd/In druk",
                 "Angenommen/Im Druck", "Accepterad/under tryckning",
                 "Hyväksytty/In press"),
    "epub-ahead-of-print": ("E-pub ahead of print", "E-pub ahead of print (e-udgivelse)",
                            "Elektronische publicatie vóór drukversie",
                            "Elektronische Veröffentlichung vor Druckversion"),
    "submitted": ("Submitted", "Indsendt", "Ingediend", "Eingereicht", "Inskickad",
                  "Lähetetty"),
    "unpublished": ("Unpublished", "Upubliceret", "Ongepubliceerd", "Unveröffentlicht",
                    "Opublicerad", "Julkaisematon"),
    "in-preparation": ("In preparation", "Under udarbejdelse", "In voorbereiding",
                       "In Vorbereitung", "Under förberedelse", "Valmisteilla"),
}
STATUS: dict[str, str] = {label_key(lbl): s for s, lbls in _STATUS.items() for lbl in lbls}
