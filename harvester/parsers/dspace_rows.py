"""The metadata displays of DSpace item pages, read into canonical rows (see _labelled).

- full record (`?mode=full` / `?show=full`): XMLUI `table.ds-includeSet-table`
  (`td.label-cell` "dc.contributor.author" + value td), JSPUI `table.itemDisplayTable`
  with dc.* labels, DSpace 7 `ds-full-item-page` tables; read by qualified name;
- simple JSPUI view: `td.metadataFieldLabel` "Author(s):" + `td.metadataFieldValue`;
- simple XMLUI (Mirage/Mirage2) `div.simple-item-view-*` / `.item-page-field-wrapper`
  and DSpace 7 Angular `div.simple-view-element` blocks: a heading + values;
- Dryad (legacy, on XMLUI): the `publication-header` lines and `table.package-metadata`.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from harvester.normalize.text import clean

from ._html import children, classes, text_of
from ._labelled import Rows, cell_lines, cell_links, label_key

_QUALIFIED = re.compile(r"^(?:dc|dcterms|oaire|datacite|local)\.[a-z0-9_.]+$")

# Qualified names -> canonical keys. dc.contributor.advisor/editor/other and the
# accession dates are left out on purpose (not authors, not publication dates).
FULL: dict[str, str] = {
    "dc.title": "title", "dcterms.title": "title",
    "dc.contributor.author": "authors", "dc.creator": "authors",
    "dc.contributor.creator": "authors", "dcterms.creator": "authors",
    "dc.date.issued": "published", "dcterms.issued": "published",
    "dc.description.abstract": "abstract", "dcterms.abstract": "abstract",
    "dc.subject": "keyword", "dc.subject.other": "keyword", "dc.subject.keyword": "keyword",
    "dc.subject.keywords": "keyword", "dc.subject.lcsh": "keyword", "dc.subject.mesh": "keyword",
    "dc.language.iso": "language", "dc.language": "language", "dcterms.language": "language",
    "dc.identifier.doi": "doi", "dc.identifier": "identifier", "dc.identifier.uri": "uri",
    "dc.relation.ispartof": "journal", "dc.citation.journaltitle": "journal",
    "dc.citation.jtitle": "journal", "oaire.citation.title": "journal",
    "dc.relation.ispartofseries": "series",
    "dc.citation.volume": "volume", "oaire.citation.volume": "volume",
    "dc.citation.issue": "issue", "oaire.citation.issue": "issue",
    "dc.citation.spage": "page_first", "oaire.citation.startpage": "page_first",
    "dc.citation.epage": "page_last", "oaire.citation.endpage": "page_last",
    "dc.format.extent": "page_count", "dc.publisher": "publisher",
    "dcterms.publisher": "publisher", "dc.type": "type_raw", "dcterms.type": "type_raw",
    "dc.identifier.isbn": "isbn", "dc.identifier.issn": "issn",
}

# Labels of the simple views (JSPUI Messages.properties, XMLUI/7 i18n defaults, and
# the few local variants seen: ANU "Author(s)"). "Description" is the abstract only
# when no "Abstract" row is shown (ANU), hence its own key.
SIMPLE: dict[str, str] = {
    "title": "title", "author": "authors", "authors": "authors", "author(s)": "authors",
    "creator": "authors", "creators": "authors", "issue date": "published",
    "date issued": "published", "date of issue": "published", "publication date": "published",
    "date published": "published", "date": "published", "abstract": "abstract",
    "description": "description", "keywords": "keywords", "keyword": "keywords",
    "subject": "keywords", "subjects": "keywords", "language": "language",
    "publisher": "publisher", "type": "type_raw", "item type": "type_raw", "doi": "doi",
    "uri": "uri", "journal": "journal", "journal title": "journal", "volume": "volume",
    "issue": "issue", "pages": "pages", "isbn": "isbn", "issn": "issn",
    # the same headings in DSpace's Spanish, Portuguese, German and French messages
    "autor": "authors", "autores": "authors", "autor(es)": "authors", "autoren": "authors",
    "autor:innen": "authors", "auteur": "authors", "auteurs": "authors",
    "auteur(s)": "authors", "fecha": "published", "fecha de publicación": "published",
    "fecha de emisión": "published", "data": "published", "data do documento": "published",
    "data de publicação": "published", "datum": "published",
    "erscheinungsdatum": "published", "date de publication": "published",
    "resumen": "abstract", "resumo": "abstract", "zusammenfassung": "abstract",
    "résumé": "abstract", "descripción": "description", "descrição": "description",
    "beschreibung": "description", "palabras clave": "keywords", "materias": "keywords",
    "palavras-chave": "keywords", "assunto": "keywords", "schlagwörter": "keywords",
    "schlagworte": "keywords", "mots-clés": "keywords", "sujets": "keywords",
    "idioma": "language", "sprache": "language", "langue": "language",
    "editorial": "publisher", "editora": "publisher", "verlag": "publisher",
    "éditeur": "publisher", "tipo": "type_raw", "typ": "type_raw",
}

_BLOCK_CLASSES = {
    "simple-item-view-authors": "authors", "simple-item-view-date": "published",
    "simple-item-view-description": "abstract", "simple-item-view-abstract": "abstract",
    "simple-item-view-uri": "uri", "simple-item-view-title": "title",
}
# DSpace 7+ renders its dedicated fields as components named for the field: the key
# holds in every language (the heading is the i18n label).
_BLOCK_TAGS = {
    "ds-item-page-abstract-field": "abstract", "ds-item-page-date-field": "published",
    "ds-item-page-uri-field": "uri", "ds-metadata-representation-list": "authors",
    "ds-item-page-author-field": "authors",
}
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def _unique(nodes: list[LexborNode]) -> list[LexborNode]:
    """lexbor returns a node once per selector of a list that it matches."""
    seen: set[int] = set()
    out = []
    for node in nodes:
        if node.mem_id not in seen:
            seen.add(node.mem_id)
            out.append(node)
    return out


def full_rows(tree: LexborHTMLParser) -> Rows:
    rows = Rows()
    for tr in _unique(tree.css("table.ds-includeSet-table tr, table.itemDisplayTable tr, "
                               "ds-full-item-page table tr")):
        cells = [c for c in children(tr) if c.tag == "td"]
        if len(cells) < 2:
            continue
        name = (clean(cells[0].text()) or "").lower()
        if not _QUALIFIED.match(name):
            continue
        key = FULL.get(name) or ("keyword" if name.startswith("dc.subject.") and
                                 name.rsplit(".", 1)[1] not in _CLASSIFICATIONS else None)
        if key:
            rows.add(key, [cells[1].text()], name)
    return rows


_CLASSIFICATIONS = {"ddc", "lcc", "classification", "udc", "jel", "pacs", "msc", "acm", "other2"}


def simple_rows(tree: LexborHTMLParser) -> Rows:
    rows = Rows()
    for label in tree.css("td.metadataFieldLabel"):
        value = label.next
        while value is not None and value.tag != "td":
            value = value.next
        key = SIMPLE.get(label_key(label.text()))
        if key and value is not None:
            _add_cell(rows, key, value, label_key(label.text()))
    for block in _unique(tree.css("div.simple-view-element, div.item-page-field-wrapper, "
                                  "div[class*='simple-item-view-']")):
        _block(rows, block)
    title = tree.css_first("h2.item-page-title-field, h2.page-header, "
                           "div.item-summary-view-metadata > h2")
    if title is not None and "title" not in rows:
        inner = title.css_first("span.dont-break-out, ds-metadata-values")
        rows.add("title", [text_of(inner if inner is not None else title)], "heading")
    return rows


def _block(rows: Rows, block: LexborNode) -> None:
    heading = next((c for c in children(block) if c.tag in _HEADINGS), None)
    bold = block.css_first("span.bold") if heading is None else None
    label = heading or bold
    key = SIMPLE.get(label_key(label.text())) if label is not None else None
    if key is None:
        key = next((_BLOCK_CLASSES[c] for c in classes(block) if c in _BLOCK_CLASSES), None)
    if key is None:
        key = _component_key(block)
    if key is None:
        return
    body = block.css_first("div.simple-view-element-body")
    if body is None:
        body = block
    values: list[str] = []
    for child in children(body):
        if child is label or child.tag in _HEADINGS:
            continue
        values.extend(cell_links(child) if key in ("authors", "keywords") else [text_of(child)])
    if not values:  # text directly inside the block, after the heading
        own = text_of(body)
        if label is not None:
            own = own.removeprefix(text_of(label)).strip()
        values = [own]
    rows.add("keyword" if key == "keywords" else key, values, key)


def _component_key(block: LexborNode) -> str | None:
    """The key of the DSpace 7 component around a block (wrapper, then the component)."""
    node = block.parent
    for _ in range(3):
        if node is None:
            return None
        if node.tag in _BLOCK_TAGS:
            return _BLOCK_TAGS[node.tag]
        node = node.parent
    return None


def _add_cell(rows: Rows, key: str, td: LexborNode, label: str) -> None:
    if key in ("authors", "keywords"):
        values = cell_links(td) if key == "authors" else cell_lines(td)
        rows.add(key, values, label)
    else:
        rows.add(key, [td.text()], label)


def dryad_rows(tree: LexborHTMLParser) -> Rows:
    """Legacy Dryad data-package pages: header lines and the package-metadata table."""
    rows = Rows()
    header = tree.css_first("div.publication-header")
    if header is None:
        return rows
    rows.add("title", [text_of(header.css_first("p.pub-title"))], "pub-title")
    for p in header.css("p"):
        line = text_of(p)
        for prefix, key in (("Date Published:", "published"), ("DOI:", "doi")):
            if line.startswith(prefix):
                rows.add(key, [line[len(prefix):]], prefix)
    for tr in tree.css("table.package-metadata tr"):
        th, td = tr.css_first("th"), tr.css_first("td")
        if th is not None and td is not None and label_key(th.text()) == "keywords":
            rows.add("keyword", cell_links(td), "Keywords")
    abstract = tree.css_first("table.package-metadata div.article-abstract")
    if abstract is not None:
        rows.add("abstract", [text_of(abstract).removeprefix("Abstract").strip()], "abstract")
    return rows
