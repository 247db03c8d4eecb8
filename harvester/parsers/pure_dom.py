"""One pass over a Pure page's elements, keeping the blocks the parser reads.

Why not css(): selectolax compiles every selector and the first query on a
tree sets up lexbor's selector engine (~50 µs); each further query walks the
whole document (~8 µs). Walking `tags("div")` etc. once and routing by class
costs ~20 µs for all blocks together (measured on the corpus pages). Inside a
block the parser walks children, so the page is never searched twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode


@dataclass
class PureBlocks:
    intro: LexborNode | None = None
    heading: LexborNode | None = None
    persons: LexborNode | None = None
    type_line: LexborNode | None = None
    rendering: list[str] = field(default_factory=list)
    details: LexborNode | None = None
    tables: list[LexborNode] = field(default_factory=list)
    abstract: LexborNode | None = None
    keyword_groups: list[LexborNode] = field(default_factory=list)
    concepts: LexborNode | None = None
    metrics: list[LexborNode] = field(default_factory=list)
    dois: LexborNode | None = None
    ris: LexborNode | None = None
    bibtex: LexborNode | None = None


# every class the div routing below tests: most divs have none, and skip the chain
_DIV_CLASSES = frozenset((
    "rendering_researchoutput", "rendering_associatespersonsclassifiedportal",
    "rendering_publicationcontenttyperendererportalng",
    "rendering_publicationcontenttyperendererportal", "introduction", "rendering_detailsportal",
    "rendering_abstractportal", "keyword-group", "metric", "rendering_ris", "rendering_bibtex",
))  # fmt: skip


def find_blocks(tree: LexborHTMLParser) -> PureBlocks:
    b = PureBlocks()
    for div in tree.tags("div"):
        names = (div.attributes.get("class") or "").split()
        if _DIV_CLASSES.isdisjoint(names):
            continue
        if "rendering_researchoutput" in names and not b.rendering:
            b.rendering = names
        if "rendering_associatespersonsclassifiedportal" in names:
            b.persons = b.persons or _child_with(div, ("ul", "p"), "persons")
        elif "rendering_publicationcontenttyperendererportalng" in names or (
            "rendering_publicationcontenttyperendererportal" in names
        ):
            b.type_line = b.type_line or _child_with(div, ("p",), "type")
        elif "introduction" in names:
            b.intro = b.intro or div
        elif "rendering_detailsportal" in names:
            b.details = b.details or div
        elif "rendering_abstractportal" in names:
            b.abstract = b.abstract or div
        elif "keyword-group" in names:
            b.keyword_groups.append(div)
        elif "metric" in names:
            b.metrics.append(div)
        elif "rendering_ris" in names:
            b.ris = b.ris or div
        elif "rendering_bibtex" in names:
            b.bibtex = b.bibtex or div
    for ul in tree.tags("ul"):
        names = (ul.attributes.get("class") or "").split()
        if "persons" in names and "relations" in names:
            b.persons = b.persons or ul
        elif "dois" in names:
            b.dois = b.dois or ul
        elif "publication-top-concepts" in names:
            b.concepts = b.concepts or ul
    if b.type_line is None or b.persons is None:  # markup moved: look at every <p>
        for p in tree.tags("p"):
            names = (p.attributes.get("class") or "").split()
            if "type" in names:
                b.type_line = b.type_line or p
            elif "persons" in names and "relations" in names:
                b.persons = b.persons or p  # classic design (MARKUP.md §2, inferred)
    b.tables = [t for t in tree.tags("table") if "properties" in (t.attributes.get("class") or "")]
    b.heading = _heading(tree)
    return b


def _child_with(node: LexborNode, tags: tuple[str, ...], cls: str) -> LexborNode | None:
    for child in node.iter(include_text=False):
        if child.tag in tags and cls in (child.attributes.get("class") or "").split():
            return child
    return None


def _heading(tree: LexborHTMLParser) -> LexborNode | None:
    """The h1 of the record header (`div.introduction > div.rendering > h1`)."""
    for h1 in tree.tags("h1"):
        node = h1.parent
        for _ in range(3):
            if node is None:
                break
            names = (node.attributes.get("class") or "").split()
            if "rendering" in names or "introduction" in names:
                return h1
            node = node.parent
    return None
