"""Pure page blocks read by class name: heading, persons, type line, abstract, keywords,
subject groups, fingerprint, metrics, DOIs, record UUID (file links: pure_files.py).

Selectors and their evidence are in ../shared/corpus/pure/MARKUP.md; the
classic `p.relations.persons` form is that file's inference from scrapers.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from harvester.normalize.identifiers import normalize_doi
from harvester.normalize.names import make_person
from harvester.types import Metric, Person, Subject

from ._html import children, classes, descendant, text_of

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_APPDATA_ID = re.compile(r'"content"\s*:\s*\[\s*\{\s*"id"\s*:\s*"(' + _UUID + ')"')
_URL_UUID = re.compile(r"\((" + _UUID + r")\)\.html")
_SEPARATORS = re.compile(r"^(?:[,;&]|and\b|\s)+|[,;]\s*$")
_ROLE = re.compile(r"\s*\((editor|supervisor|translator|contributor)\)\s*$", re.I)
_DIGITS = re.compile(r"\d[\d,. \u00a0]*")


def heading(h1: LexborNode | None) -> tuple[str | None, str | None]:
    """(title, subtitle) from the page heading; the subtitle is left out of the title."""
    if h1 is None:
        return None, None
    subtitle = text_of(descendant(h1, "span", "subtitle")) or None
    title = text_of(h1)
    if subtitle and title.endswith(subtitle):
        title = title[: -len(subtitle)].rstrip(" :–-")
    return title or None, subtitle


def _person_row(name: str, url: str | None) -> tuple[str, str | None, str] | None:
    name = _SEPARATORS.sub("", name).strip()
    role = "author"
    m = _ROLE.search(name)
    if m:  # [K] some portals suffix non-authors with their role
        role, name = m.group(1).lower(), name[: m.start()]
    return (name, url, role) if name else None


def person_rows(box: LexborNode | None) -> list[tuple[str, str | None, str]]:
    """(display name, profile URL, role) in page order: current `ul.relations.persons > li`,
    classic `p.relations.persons` with one span or link per person."""
    if box is None:
        return []
    out: list[tuple[str, str | None, str] | None] = []
    if box.tag == "ul":
        for li in children(box, "li"):
            link = next(children(li, "a"), None)
            url = link.attributes.get("href") if link is not None else None
            out.append(_person_row(text_of(li), url))
    else:
        for child in box.iter(include_text=True):
            if child.tag in ("a", "span"):
                url = child.attributes.get("href") if child.tag == "a" else None
                out.append(_person_row(text_of(child), url))
            elif child.tag == "-text":
                # people without a profile are bare text between the links, as in the
                # current design's `li`s: "<a>Alan Jones</a>, Sarah Price, Ed Roe"
                out.extend(_person_row(name, None) for name in _NAME_LIST.split(child.text()))
    return [p for p in out if p is not None]


# Pure shows display names ("Given Family"), never "Family, Given": a comma separates people
_NAME_LIST = re.compile(r"\s*(?:[,;&]|\band\b)\s*")


def persons(box: LexborNode | None) -> list[Person]:
    rows = (make_person(name, role=role, url=url) for name, url, role in person_rows(box))
    return [p for p in rows if p is not None]


_TYPE_CLASSES = frozenset(("type_classification_parent", "type_classification"))


def type_line(p: LexborNode | None) -> str | None:
    """The type line without its family prefix, parts joined with " › "."""
    if p is None:
        return None
    parts = [
        text_of(s)
        for s in p.iter(include_text=False)
        if s.tag == "span" and not _TYPE_CLASSES.isdisjoint(classes(s))
    ]
    parts = [part.strip(" ›>") for part in parts if part.strip(" ›>")]
    if parts:
        return " › ".join(parts)
    line = text_of(p)
    return line.split(":", 1)[-1].strip() or None


def abstract(block: LexborNode | None) -> str | None:
    """`div.textblock` paragraphs joined with one space (GOLD.md)."""
    if block is None:
        return None
    textblock = descendant(block, "div", "textblock") or block
    paras = [text_of(p) for p in children(textblock, "p")]
    joined = " ".join(p for p in paras if p) if paras else text_of(textblock)
    return joined or None


def keyword_groups(groups: list[LexborNode]) -> tuple[list[str], list[Subject]]:
    """(author keywords, subjects): `li.userdefined-keyword` vs. classification groups."""
    keywords: list[str] = []
    subjects: list[Subject] = []
    for group in groups:
        head = next((text_of(c) for c in children(group) if "subheader" in classes(c)), "")
        head = head.casefold()
        scheme = "asjc" if "asjc" in head or "subject area" in head else (
            "sdg" if "sustainable development" in head else head or "keywords")
        items = (li for ul in children(group, "ul") for li in children(ul, "li"))
        for li in items:
            term = text_of(li)
            if not term:
                continue
            if "userdefined-keyword" in classes(li):
                keywords.append(term)
            else:
                subjects.append(Subject(scheme, term))
    return keywords, subjects


def _first_child(node: LexborNode, tag: str) -> LexborNode | None:
    for child in node.iter(include_text=False):
        if child.tag == tag:
            return child
    return None


def fingerprint(concepts: LexborNode | None) -> list[Subject]:
    out: list[Subject] = []
    if concepts is None:
        return out
    for li in concepts.iter(include_text=False):
        if li.tag != "li":
            continue
        # li > button.concept-badge-large > span.concept-wrapper (C: SNU, PSU)
        button = _first_child(li, "button")
        wrap = _first_child(button, "span") if button is not None else None
        if wrap is None:
            continue
        concept = count = None  # the last span of each class, as a dict by class would keep
        for span in wrap.iter(include_text=False):
            if span.tag == "span":
                for c in classes(span):
                    if c == "concept":
                        concept = span
                    elif c == "value":
                        count = span
        term = text_of(concept)
        value = text_of(count).rstrip("%").strip()
        weight = int(value) / 100 if value.isdigit() else None
        if term:
            out.append(Subject("fingerprint", term, weight=weight))
    return out


def _count(node: LexborNode | None) -> int | None:
    m = _DIGITS.search(text_of(node)) if node is not None else None
    digits = re.sub(r"\D", "", m.group(0)) if m else ""
    return int(digits) if digits else None


def metrics(blocks: list[LexborNode]) -> list[Metric]:
    out: list[Metric] = []
    for metric in blocks:
        names = classes(metric)
        label = text_of(descendant(metric, "span", "label")).casefold()
        value = _count(descendant(metric, "span", "count"))
        if value is None:
            continue
        if "scopus-citations" in names or ("citation" in label and "scopus" in label):
            out.append(Metric("citations", value, "scopus"))
        elif "metrics-downloads" in names or "download" in label:
            out.append(Metric("downloads", value, "pure"))
    return out


def access_dois(ul: LexborNode | None) -> list[str]:
    """DOIs of the "Access to Document" sidebar (`ul.dois div.doi a`)."""
    found: list[str] = []
    if ul is None:
        return found
    for li in children(ul, "li"):
        a = descendant(li, "a")
        if a is None:
            continue
        doi = normalize_doi(a.attributes.get("href") or "") or normalize_doi(text_of(a))
        if doi and doi not in found:
            found.append(doi)
    return found


def record_uuid(body: bytes, *urls: str | None) -> str | None:
    """The record UUID from `window.appData` (C: raw pages) or a classic `(uuid).html` URL."""
    # appData sits at the very end (C: ~3 KB before </html> on the raw pages): look there only
    at = body.rfind(b'"content":', max(0, len(body) - 16384))
    m = _APPDATA_ID.match(body[at : at + 200].decode("ascii", "replace")) if at >= 0 else None
    if m:
        return m.group(1)
    for url in urls:
        m = _URL_UUID.search(url or "")
        if m:
            return m.group(1)
    return None
