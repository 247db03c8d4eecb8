"""Pure page blocks read by class name: heading, persons, type line, abstract, keywords,
subject groups, fingerprint, metrics, DOIs, file links, record UUID.

Selectors and their evidence are in ../shared/corpus/pure/MARKUP.md; the
classic `p.relations.persons` form is that file's inference from scrapers.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from harvester.normalize.identifiers import normalize_doi
from harvester.normalize.names import make_person
from harvester.types import FileLink, Metric, Person, Subject

from ._html import absolute, classes, text_of

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_APPDATA_ID = re.compile(r'"content"\s*:\s*\[\s*\{\s*"id"\s*:\s*"(' + _UUID + ')"')
_URL_UUID = re.compile(r"\((" + _UUID + r")\)\.html")
_SEPARATORS = re.compile(r"^(?:[,;&]|and\b|\s)+|[,;]\s*$")
_ROLE = re.compile(r"\s*\((editor|supervisor|translator|contributor)\)\s*$", re.I)
_DIGITS = re.compile(r"\d[\d,. \u00a0]*")


def heading(tree: LexborHTMLParser) -> tuple[str | None, str | None]:
    """(title, subtitle) from the page heading; the subtitle is left out of the title."""
    h1 = tree.css_first("div.introduction h1") or tree.css_first("div.rendering h1")
    if h1 is None:
        return None, None
    sub = h1.css_first(".subtitle") or tree.css_first("div.introduction .subtitle")
    subtitle = text_of(sub) or None
    title = text_of(h1)
    if subtitle and title.endswith(subtitle):
        title = title[: -len(subtitle)].rstrip(" :–-")
    return title or None, subtitle


def _person(name: str, url: str | None) -> Person | None:
    name = _SEPARATORS.sub("", name).strip()
    role = "author"
    m = _ROLE.search(name)
    if m:  # [K] some portals suffix non-authors with their role
        role, name = m.group(1).lower(), name[: m.start()]
    return make_person(name, role=role, url=url) if name else None


def persons(tree: LexborHTMLParser) -> list[Person]:
    """People in page order: current `ul.relations.persons > li`, classic `p.relations.persons`."""
    box = tree.css_first("ul.relations.persons") or tree.css_first("p.relations.persons")
    if box is None:
        return []
    out: list[Person | None] = []
    if box.tag == "ul":
        for li in box.css("li"):
            link = li.css_first('a[rel="Person"]')
            url = link.attributes.get("href") if link is not None else None
            out.append(_person(text_of(li), url))
    else:
        for child in box.iter(include_text=False):
            if child.tag in ("a", "span"):
                url = child.attributes.get("href") if child.tag == "a" else None
                out.append(_person(text_of(child), url))
    return [p for p in out if p is not None]


def rendering_classes(tree: LexborHTMLParser) -> list[str]:
    node = tree.css_first("div.rendering_researchoutput")
    return classes(node) if node is not None else []


def type_line(tree: LexborHTMLParser) -> str | None:
    """The type line without its family prefix, parts joined with " › "."""
    p = tree.css_first("p.type")
    if p is None:
        return None
    parts = [text_of(s) for s in p.css("span.type_classification_parent, span.type_classification")]
    parts = [part.strip(" ›>") for part in parts if part.strip(" ›>")]
    if parts:
        return " › ".join(parts)
    line = text_of(p)
    return line.split(":", 1)[-1].strip() or None


def abstract(tree: LexborHTMLParser) -> str | None:
    block = tree.css_first("div.rendering_abstractportal div.textblock") or tree.css_first(
        "div.rendering_abstractportal"
    )
    if block is None:
        return None
    paras = [text_of(p) for p in block.css("p")]
    joined = " ".join(p for p in paras if p) if paras else text_of(block)
    return joined or None


def keyword_groups(tree: LexborHTMLParser) -> tuple[list[str], list[Subject]]:
    """(author keywords, subjects): `li.userdefined-keyword` vs. classification groups."""
    keywords: list[str] = []
    subjects: list[Subject] = []
    for group in tree.css("div.keyword-group"):
        head = text_of(group.css_first(".subheader")).casefold()
        scheme = "asjc" if "asjc" in head or "subject area" in head else (
            "sdg" if "sustainable development" in head else head or "keywords")
        for li in group.css("li"):
            term = text_of(li)
            if not term:
                continue
            if "userdefined-keyword" in classes(li):
                keywords.append(term)
            else:
                subjects.append(Subject(scheme, term))
    return keywords, subjects


def fingerprint(tree: LexborHTMLParser) -> list[Subject]:
    out: list[Subject] = []
    for wrap in tree.css("ul.publication-top-concepts span.concept-wrapper"):
        term = text_of(wrap.css_first("span.concept"))
        value = text_of(wrap.css_first("span.value")).rstrip("%").strip()
        weight = int(value) / 100 if value.isdigit() else None
        if term:
            out.append(Subject("fingerprint", term, weight=weight))
    return out


def _count(node: LexborNode | None) -> int | None:
    m = _DIGITS.search(text_of(node)) if node is not None else None
    digits = re.sub(r"\D", "", m.group(0)) if m else ""
    return int(digits) if digits else None


def metrics(tree: LexborHTMLParser) -> list[Metric]:
    out: list[Metric] = []
    for metric in tree.css("div.publication-metrics div.metric"):
        names = classes(metric)
        label = text_of(metric.css_first("span.label")).casefold()
        value = _count(metric.css_first("span.count"))
        if value is None:
            continue
        if "scopus-citations" in names or ("citation" in label and "scopus" in label):
            out.append(Metric("citations", value, "scopus"))
        elif "metrics-downloads" in names or "download" in label:
            out.append(Metric("downloads", value, "pure"))
    return out


def access_dois(tree: LexborHTMLParser) -> list[str]:
    found = []
    for a in tree.css("ul.dois div.doi a"):
        doi = normalize_doi(a.attributes.get("href") or "") or normalize_doi(text_of(a))
        if doi and doi not in found:
            found.append(doi)
    return found


def files(tree: LexborHTMLParser, base: str) -> list[FileLink]:
    out: dict[str, FileLink] = {}
    for a in tree.css('a.document-link, a[href*="/files/"]'):
        url = absolute(base, a.attributes.get("href"))
        if not url or url in out:
            continue
        mime = "application/pdf" if url.lower().split("?")[0].endswith(".pdf") else None
        out[url] = FileLink(url, name=text_of(a) or None, mime=mime)
    return list(out.values())


def record_uuid(html: str, *urls: str | None) -> str | None:
    """The record UUID from `window.appData` (C: raw pages) or a classic `(uuid).html` URL."""
    m = _APPDATA_ID.search(html)
    if m:
        return m.group(1)
    for url in urls:
        m = _URL_UUID.search(url or "")
        if m:
            return m.group(1)
    return None
