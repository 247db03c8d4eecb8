"""The "Cite this" tabs of a Pure page: RIS and BibTeX, read into field layers.

Pure renders RIS as one `<p>` per tag line and BibTeX as one `<div>` per field
line (C: the three raw pages). Both are read line by line; a line that does not
start a new tag continues the previous value (RIS N1 spans lines).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from harvester.normalize.dates import parse_date
from harvester.normalize.identifiers import normalize_doi
from harvester.normalize.languages import to_iso639_1
from harvester.normalize.names import make_person
from harvester.normalize.pages import parse_pages
from harvester.types import Citation, Identifier, PartialDate, Person

from ._html import children
from ._meta import FieldMap, identifiers, keywords, put, text
from .pure_types import BIBTEX_TYPES, RIS_TYPES, type_from_line

_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_BIB_NAME = re.compile(r"^\s*([A-Za-z][\w-]*)\s*=\s*")
_BIB_HEAD = re.compile(r"^\s*@(\w+)\s*\{\s*([^,\s]*)\s*,?")
_LATEX = (("{\\textcopyright}", "©"), ("\\%", "%"), ("\\&", "&"), ("\\_", "_"), ("\\$", "$"))
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_HEX32 = re.compile(r"^[0-9a-f]{32}$")


def parse_ris(lines: Iterable[str]) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    last: str | None = None
    for line in lines:
        m = _RIS_LINE.match(line.strip())
        if m:
            last = m.group(1)
            if last != "ER":
                tags.setdefault(last, []).append((m.group(2) or "").strip())
        elif last and last in tags and line.strip():
            tags[last][-1] = f"{tags[last][-1]} {line.strip()}".strip()
    return tags


def ris_date(value: str | None) -> PartialDate | None:
    """RIS dates are "YYYY/MM/DD/other" with empty or unpadded parts ("2025/3/30")."""
    if not value:
        return None
    parts = [p.strip() for p in value.split("/")]
    try:
        nums = [int(p) for p in parts[:3] if p]
        return PartialDate(*nums[:3]) if nums else None
    except (ValueError, TypeError):
        return parse_date(value)


def ris_names(tags: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(family, given) per AU/A1 line; RIS writes "Family, Given"."""
    out = []
    for value in tags.get("AU", []) + tags.get("A1", []):
        family, _, given = value.partition(",")
        out.append((family.strip(), given.strip()))
    return out


def ris_authors(tags: dict[str, list[str]]) -> tuple[Person, ...]:
    out: list[Person] = []
    for family, given in ris_names(tags):
        name = f"{given} {family}".strip()
        person = make_person(name, family=family or None, given=given or None)
        if person is not None:
            out.append(person)
    return tuple(out)


def ris_fields(tags: dict[str, list[str]]) -> FieldMap:
    """Every field but authors (see `ris_authors`: name splitting is only paid when used)."""
    def g(*names: str) -> str | None:
        for n in names:
            if tags.get(n) and tags[n][0]:
                return tags[n][0]
        return None

    ty = g("TY") or ""
    f: FieldMap = {}
    put(f, "title", text(g("TI", "T1")))
    put(f, "published", ris_date(g("PY", "Y1", "DA")))
    # T2 is the journal only for journal articles; for GEN/CONF/CHAP it is the event or book.
    journal = g("JO", "JF", "JA") or (g("T2") if ty == "JOUR" else g("T3"))
    put(f, "journal", text(journal))
    put(f, "volume", text(g("VL")))
    put(f, "issue", text(g("IS")))
    sp, ep = g("SP"), g("EP")
    if sp:
        put(f, "pages", parse_pages(f"{sp}-{ep}" if ep else sp))
    put(f, "doi", normalize_doi(g("DO") or ""))
    sns = tags.get("SN", [])
    put(f, "identifiers", identifiers(sns, sns))
    put(f, "keywords", keywords(tags.get("KW", [])))
    put(f, "abstract", text(g("AB", "N2")))
    put(f, "language", to_iso639_1(g("LA") or ""))
    put(f, "publisher", text(g("PB")))
    put(f, "host_publication", text(g("BT")) if ty != "JOUR" else None)
    put(f, "type", type_from_line(g("M3") or "") or RIS_TYPES.get(ty))
    scopus = [a[7:] for a in tags.get("AN", []) if a.upper().startswith("SCOPUS:")]
    if scopus:
        f["scopus"] = Identifier("scopus", scopus[0])
    return f


def _unlatex(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] + value[-1] in ('""', "{}"):
        value = value[1:-1]
    for old, new in _LATEX:
        value = value.replace(old, new)
    return value.replace("{", "").replace("}", "")


def _bib_field(line: str) -> tuple[str, str] | None:
    r"""(name, value) of a `name = value,` line, as `^\s*([A-Za-z][\w-]*)\s*=\s*(.*?)\s*,?\s*$`
    matches it, without that lazy `.*?`: it backtracked at every character of an
    abstract (~30 µs a page)."""
    m = _BIB_NAME.match(line)
    if m is None:
        return None
    value = line[m.end() :].rstrip()
    if value.endswith(","):
        value = value[:-1].rstrip()
    if "\n" in value:  # `.` stops at a line break
        return None
    return m.group(1), value


def parse_bibtex(lines: Iterable[str]) -> tuple[str, str, dict[str, str]]:
    """(entry type, citation key, {field: value}) from a one-field-per-line BibTeX entry."""
    kind = key = ""
    fields: dict[str, str] = {}
    last: str | None = None
    for line in lines:
        head = _BIB_HEAD.match(line)
        if head and not kind:
            kind, key = head.group(1).lower(), head.group(2)
            continue
        m = _bib_field(line)
        if m:
            last = m[0].lower()
            fields[last] = _unlatex(m[1])
        elif last and line.strip() not in ("", "}"):
            fields[last] = f"{fields[last]} {_unlatex(line)}".strip()
    return kind, key, fields


def bibtex_authors(bib: dict[str, str]) -> tuple[Person, ...]:
    names = [a for a in re.split(r"\s+and\s+", bib.get("author", "")) if a.strip()]
    return tuple(p for p in (make_person(a) for a in names) if p)


def bibtex_fields(kind: str, key: str, bib: dict[str, str]) -> FieldMap:
    """Every field but authors (see `bibtex_authors`)."""
    f: FieldMap = {}
    put(f, "title", text(bib.get("title")))
    year = bib.get("year", "")
    if year.isdigit():
        month = bib.get("month", "")[:3].lower()
        mo = _MONTHS.index(month) + 1 if month in _MONTHS else None
        day = int(bib["day"]) if mo and bib.get("day", "").isdigit() else None
        try:
            put(f, "published", PartialDate(int(year), mo, day))
        except ValueError:
            put(f, "published", PartialDate(int(year)))
    put(f, "journal", text(bib.get("journal") or bib.get("series")))
    put(f, "volume", text(bib.get("volume")))
    put(f, "issue", text(bib.get("number")))
    if bib.get("pages"):
        put(f, "pages", parse_pages(bib["pages"].replace("--", "-")))
    put(f, "doi", normalize_doi(bib.get("doi", "")))
    put(f, "identifiers", identifiers([bib.get("isbn", "")], [bib.get("issn", "")]))
    put(f, "keywords", keywords([bib["keywords"]]) if bib.get("keywords") else ())
    put(f, "abstract", text(bib.get("abstract")))
    put(f, "language", to_iso639_1(bib.get("language", "")))
    put(f, "publisher", text(bib.get("publisher")))
    put(f, "host_publication", text(bib.get("booktitle")))
    put(f, "type", BIBTEX_TYPES.get(kind))
    if _HEX32.match(key.lower()):  # Pure uses the record UUID without dashes as the key
        k = key.lower()
        f["uuid"] = f"{k[:8]}-{k[8:12]}-{k[12:16]}-{k[16:20]}-{k[20:]}"
    return f


@dataclass
class CiteBlocks:
    ris: dict[str, list[str]] = field(default_factory=dict)
    bibtex: dict[str, str] = field(default_factory=dict)
    bibtex_kind: str = ""
    bibtex_key: str = ""
    citations: list[Citation] = field(default_factory=list)


def read_cite_blocks(ris: LexborNode | None, bibtex: LexborNode | None) -> CiteBlocks:
    """The RIS and BibTeX tabs (`div.rendering_ris`, `div.rendering_bibtex`), parsed."""
    out = CiteBlocks()
    if ris is not None:
        # a <p> per tag, but one tag's value may span lines (N1 in the PSU raw page)
        lines = [ln for p in children(ris, "p") for ln in p.text().splitlines()]
        lines = lines or ris.text().splitlines()
        out.ris = parse_ris(lines)
        out.citations.append(Citation("ris", "\n".join(line.strip() for line in lines)))
    if bibtex is not None:
        lines = [d.text() for d in children(bibtex) if d.tag in ("div", "p")]
        lines = lines or bibtex.text().splitlines()
        out.bibtex_kind, out.bibtex_key, out.bibtex = parse_bibtex(lines)
        out.citations.append(Citation("bibtex", "\n".join(lines)))
    return out
