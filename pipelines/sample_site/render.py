"""One record (the display data of records.json) -> one Pure-like research-output page.

The markup follows ../shared/corpus/pure/MARKUP.md (class names, row labels, the
"Cite this" tabs) but is our own, smaller page. The renderer only shows what the
record's display fields say; the record's "expected" block is never read here, so
the gold values stay independent of this code.
"""

from __future__ import annotations

from functools import cache
from html import escape
from importlib.resources import files
from string import Template
from typing import Any

from .labels import LABELS, ROW_CLASS

SITE_NAME = "Northbridge University"


@cache
def _template() -> Template:
    return Template(files(__package__).joinpath("page.html").read_text(encoding="utf-8"))


def _rendering(family: str, part: str) -> str:
    return (f"rendering rendering_researchoutput  rendering_researchoutput_{part} "
            f"rendering_{family} rendering_{part} rendering_{family}_{part}")


def _person(base: str, p: dict[str, Any]) -> str:
    name = escape(p["name"])
    if p.get("person"):
        return (f'<a rel="Person" href="{base}/en/persons/{p["person"]}/" class="link person">'
                f"<span>{name}</span></a>")
    return name if p.get("bare") else f"<span>{name}</span>"


def _persons(rec: dict[str, Any], base: str, fam: str) -> str:
    cls = _rendering(fam, "associatespersonsclassifiedportal")
    people = rec["persons"]
    if rec.get("design") == "classic":
        # older portals: one <p>, ", " between names and " & " before the last
        parts = [_person(base, p) for p in people]
        text = ", ".join(parts[:-1]) + " &amp; " + parts[-1] if len(parts) > 1 else parts[0]
        return f'<div class="{cls}"><p class="relations persons">{text}</p></div>'
    items = "".join(f"<li>{', ' if i else ''}{_person(base, dict(p, bare=True))}</li>"
                    for i, p in enumerate(people))
    return f'<div class="{cls}"><ul class="relations persons">{items}</ul></div>'


def _typeline(rec: dict[str, Any], fam: str, lab: dict[str, str]) -> str:
    part = "publicationcontenttyperendererportal"
    if rec.get("design") != "classic":
        part += "ng"
    parent, *rest = rec["type_path"]
    sep = '<span class="type_parent_sep"> › </span>'
    spans = "".join(f'<span class="type_classification">{sep if i else ""}{escape(t)}</span>'
                    for i, t in enumerate(rest))
    return (f'<div class="{_rendering(fam, part)}"><p class="type"><span class="type_family">'
            f'{lab["_family"]}<span class="type_family_sep">: </span></span>'
            f'<span class="type_classification_parent">{escape(parent)}'
            f'<span class="type_parent_sep"> › </span></span>{spans}</p></div>')


def _metrics(rec: dict[str, Any], lab: dict[str, str]) -> str:
    m = rec.get("metrics") or {}
    out = []
    if "scopus" in m:
        out.append(f'<div class="metric scopus-citations"><a target="_blank" '
                   f'href="https://www.scopus.example/citedby/{rec["uuid"]}" aria-label="Source: '
                   f'Scopus: {m["scopus"]}"><span class="count">{m["scopus"]}</span></a>'
                   f'<span class="label">{lab["_citations"]}</span></div>')
    if "downloads" in m:
        out.append(f'<div class="metric metrics-downloads"><span class="count">{m["downloads"]}'
                   f'</span><span class="label">{lab["_downloads"]}</span></div>')
    if not out:
        return ""
    return ('<div class="publication-metrics" role="region" aria-label="Publication metrics">'
            f'<div class="metrics-container"><div class="metrics-wrap metrics-top">{"".join(out)}'
            "</div></div></div>")


def _value(key: str, value: Any, lab: dict[str, str]) -> str:
    if key == "status":
        return (f'<span class="prefix">{escape(value[0])} - </span>'
                f'<span class="date">{escape(value[1])}</span>')
    if key in ("early_online", "award_date"):
        return f'<span class="date">{escape(value)}</span>'
    if key in ("journal", "publisher"):
        rel = "Journal" if key == "journal" else "Publisher"
        return f'<a rel="{rel}" href="#" class="link"><span>{escape(value)}</span></a>'
    if key == "dois":
        return ('<ul class="relations digital_object_identifiers"><li><a href="https://doi.org/'
                f'{escape(value)}" class="link"><span>https://doi.org/{escape(value)}</span></a>'
                "</li></ul>")
    if key in ("supervisors", "editors"):
        role = lab["_supervisor" if key == "supervisors" else "_editor"]
        return ", ".join(f"<strong>{escape(n)}</strong> ({role})" for n in value)
    if key == "event":
        name, place, start, end = value
        return (f'<a rel="Event" href="#" class="link"><span>{escape(name)}</span></a> - '
                f'{escape(place)}<br/>{lab["_duration"]}: <span class="date">{escape(start)}'
                f'</span> → <span class="date">{escape(end)}</span>')
    return escape(str(value))


def _table(rows: list[tuple[str, str, str]]) -> str:
    body = "".join(("<tr>" if not cls else '<tr class="' + cls + '">')
                   + f'<th scope="row">{label}</th><td>{value}</td></tr>'
                   for cls, label, value in rows)
    return f'<table class="properties"><tbody>{body}</tbody></table>'


def _details(rec: dict[str, Any], fam: str, lab: dict[str, str]) -> str:
    labels = dict(lab, status=rec.get("status_label", lab["status"]))
    rows = [(ROW_CLASS.get(k, ""), escape(labels[k]), _value(k, v, lab))
            for k, v in rec["properties"].items()]
    inner = f'<div class="{rec["details_class"]}">{_table(rows)}</div>'
    if series := rec.get("series"):
        inner += (f'<div class="publication-series"><h3 class="subheader">{lab["_series"]}</h3>'
                  + _table([("", lab["_name"], escape(series["name"])),
                            ("", lab["volume"], escape(series["volume"]))]) + "</div>")
    if conf := rec.get("conference"):
        period = " → ".join(f'<span class="date">{d}</span>' for d in conf["period"])
        inner += (f'<h3 class="subheader">{lab["_conference"]}</h3>' + _table([
            ("", lab["_conference"], escape(conf["name"])),
            ("", lab["_country"], escape(conf["country"])),
            ("", lab["_city"], escape(conf["city"])),
            ("period", lab["_period"], period)]))
    return f'<div class="{_rendering(fam, "detailsportal")}">{inner}</div>'


def _keyword_group(title: str, terms: list[str], user: bool) -> str:
    cls = ' class="userdefined-keyword"' if user else ""
    items = "".join(f"<li{cls}><span>{escape(t)}</span></li>" for t in terms)
    return ('<div class="rendering rendering_keywordable rendering_expertkeywordgrouspbytypeportal'
            ' rendering_keywordable_expertkeywordgrouspbytypeportal"><div class="keyword-group">'
            f'<h2 class="subheader">{title}</h2><ul class="relations keywords">{items}</ul>'
            "</div></div>")


def _fingerprint(rec: dict[str, Any], base: str, lab: dict[str, str]) -> str:
    concepts = rec.get("fingerprint") or []
    if not concepts:
        return ""
    items = "".join(
        '<li class="concept-badge-large-container" role="none"><button class="concept-badge-large"'
        f' type="button" data-rank-value="{pct / 100:g}"><span class="concept-wrapper" '
        f'title="{pct}%"><span class="rank"></span><span class="concept">{escape(c)}</span>'
        f'<span class="thesauri">{escape(t)}</span><span class="value sr-only">{pct}%</span>'
        "</span></button></li>" for c, t, pct in concepts)
    dive = escape(lab["_dive"].format(title=rec["title"]))
    return ('<section class="page-section content-relation-section publication-fingerprint">'
            '<div class="container"><div class="header"><h2 class="section-title">'
            f'<span class="title">{lab["_fingerprint"]}</span></h2><span class="sub-title">{dive}'
            f'</span></div><ul class="publication-top-concepts" role="menubar">{items}</ul>'
            f'<a class="portal_link" href="{base}/en/publications/{rec["slug"]}/fingerprints/">'
            f'<span>{lab["_full_fingerprint"]}</span></a></div></section>')


def _cite(rec: dict[str, Any], fam: str, lab: dict[str, str]) -> str:
    cite = rec.get("cite") or {}
    tabs, panels = [], []
    for i, fmt in enumerate(k for k in ("bibtex", "ris") if k in cite):
        tab_id = f"cite-{fmt.upper()}"
        lines = cite[fmt]
        if fmt == "bibtex":
            text = "".join(f"<div>{escape(x)}</div>" for x in lines) + "<p>}</p>"
        else:
            text = "".join(f"<p>{escape(x)}</p>" for x in lines)
        tabs.append(f'<li role="tab" id="tab-{i}" aria-controls="{tab_id}">{fmt.upper()}</li>')
        panels.append(f'<div id="{tab_id}" class="tab" role="tabpanel" aria-labelledby="tab-{i}">'
                      f'<div class="{_rendering(fam, fmt)}">{text}</div></div>')
    if not tabs:
        return ""
    return ('<section class="page-section cite"><div class="container"><section '
            'class="publication-cite" aria-labelledby="publications-cite-title"><h2 '
            f'class="subheader" id="publications-cite-title">{lab["_cite"]}</h2><ul class="tabs" '
            f'role="tablist">{"".join(tabs)}</ul><div class="tab-container">{"".join(panels)}'
            "</div></section></div></section>")


def _meta(rec: dict[str, Any]) -> str:
    pairs = [("citation_title", rec["title"])]
    pairs += [("citation_author", p["name"]) for p in rec["persons"]]
    pairs += list((rec.get("meta") or {}).items())
    props = rec["properties"]
    for key, name in (("journal", "citation_journal_title"), ("volume", "citation_volume"),
                      ("issue", "citation_issue"), ("dois", "citation_doi"),
                      ("publisher", "citation_publisher"), ("language", "citation_language")):
        if key in props:
            pairs.append((name, props[key]))
    if rec.get("keywords"):
        pairs.append(("citation_keywords", "; ".join(rec["keywords"])))
    return "".join(f'<meta name="{n}" content="{escape(str(v))}"></meta>' for n, v in pairs)


def render_page(record: dict[str, Any], base_url: str) -> str:
    """The HTML of one research-output page; `base_url` like http://127.0.0.1:8000."""
    base = base_url.rstrip("/")
    ui = record.get("ui", "en")
    lab = LABELS[ui]
    fam = record["rel"].lower()
    abstract = ""
    if record.get("abstract"):
        paras = "".join(f"<p>{escape(p)}</p>" for p in record["abstract"])
        abstract = (f'<h2 class="subheader">{lab["_abstract"]}</h2><div class="'
                    f'{_rendering(fam, "abstractportal")}"><div class="textblock">{paras}'
                    "</div></div>")
    keywords = ""
    if record.get("keywords"):
        keywords += _keyword_group(lab["_keywords"], record["keywords"], True)
    if record.get("asjc"):
        keywords += _keyword_group(lab["_asjc"], record["asjc"], False)
    sidebar = ""
    if doi := record["properties"].get("dois"):
        sidebar = (f'<h2 class="subheader">{lab["_access"]}</h2><div class="'
                   f'{_rendering(fam, "publicationaccessrenderer")}"><ul class="dois"><li>'
                   f'<div class="doi"><a href="https://doi.org/{escape(doi)}" class="link"><span>'
                   f"{escape(doi)}</span></a></div></li></ul></div>")
    orgs = "".join(f'<li class="department"><a rel="Organisation" href="#" class="link"><span>'
                   f"{escape(o)}</span></a></li>" for o in record.get("organisations", []))
    return _template().substitute(
        lang=ui, ui="en", site=SITE_NAME, locale=record.get("locale", "en_GB"),
        title=escape(record["title"]), title_text=escape(record["title"]),
        url=f"{base}/en/publications/{record['slug']}/", meta=_meta(record),
        skip=lab["_skip"], nav_persons=lab["_nav_persons"], nav_outputs=lab["_nav_outputs"],
        persons=_persons(record, base, fam),
        organisations=(f'<div class="{_rendering(fam, "associatesorganisationsportal")}">'
                       f'<ul class="relations organisations">{orgs}</ul></div>' if orgs else ""),
        typeline=_typeline(record, fam, lab), metrics=_metrics(record, lab),
        abstract=abstract, details=_details(record, fam, lab), keywords=keywords,
        sidebar=sidebar, fingerprint=_fingerprint(record, base, lab),
        cite=_cite(record, fam, lab), uuid=record["uuid"],
        copyright=f"Copyright © 2026 {SITE_NAME}. Sample data, invented for tests.",
    )
