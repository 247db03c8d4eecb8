"""Turn a Page into one lexbor tree, and read its <meta>/<link> tags once.

Every parser parses the document exactly once (here) and hands the tree to its
layers; re-parsing was the largest cost in early profiles.
"""

from __future__ import annotations

from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from harvester.errors import NotARecord
from harvester.nesting import too_nested
from harvester.normalize.identifiers import join_url
from harvester.normalize.text import clean
from harvester.types import Page

# DC in RDFa form (property="dc:title") and in HTML form (name="DC.title") mean the same.
_PREFIX_ALIASES = (("dcterms:", "dcterms."), ("dc:", "dc."))
_ALIASED = tuple(old for old, _ in _PREFIX_ALIASES)



def is_blank(body: bytes) -> bool:
    """`not body.strip()` without copying the body (strip() copies a page ending in "\\n")."""
    return not body or body.isspace()


def parse_html(page: Page) -> LexborHTMLParser:
    """The page's tree, decoded with its own charset (header, else <meta>, else UTF-8).

    lexbor reads UTF-8 bytes directly; handing it a str costs ~1.6x the parse time
    (measured: 466 vs 282 µs on the corpus pages), so other charsets are re-encoded.
    """
    encoding = page.encoding()
    data = page.body
    if encoding != "utf-8":
        data = data.decode(encoding, errors="replace").encode("utf-8")
    if too_nested(data):  # lexbor is quadratic in nesting depth: minutes for 200 KB
        raise NotARecord("elements nest too deep to parse in bounded time", url=page.url)
    return LexborHTMLParser(data)


def text_of(node: LexborNode | None) -> str:
    """The node's visible text, NFC and whitespace-collapsed; "" for a missing node."""
    if node is None:
        return ""
    return clean(node.text()) or ""


def absolute(base: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    try:
        return join_url(base, href)
    except ValueError:  # "http://[::1" and other hosts urllib cannot split
        return None


def classes(node: LexborNode) -> list[str]:
    value = node.attributes.get("class") or ""
    return value.split()


# Each selectolax css() call compiles its selector (~5 µs); inside small blocks
# walking the children is cheaper than a second query.
def children(node: LexborNode, tag: str | None = None) -> Iterator[LexborNode]:
    for child in node.iter(include_text=False):
        if tag is None or child.tag == tag:
            yield child


def descendant(node: LexborNode, tag: str, cls: str | None = None) -> LexborNode | None:
    """The first descendant with this tag (and class), in document order."""
    walk = node.traverse(include_text=False)
    next(walk, None)  # the node itself
    for child in walk:
        if child.tag == tag and (cls is None or cls in classes(child)):
            return child
    return None


def inside(scope: LexborHTMLParser | LexborNode, outer: str, inner: str) -> list[LexborNode]:
    """What `scope.css(f"{outer} {inner}")` finds, in document order, container first:
    lexbor matches a descendant selector by walking each candidate's ancestors, so
    "div.identifier-list li" over 15,000 nested <li>s took 2.5 s (a fuzzed page);
    inside the few containers each candidate is matched by itself."""
    found: dict[int, LexborNode] = {}
    for box in scope.css(outer):
        for node in box.css(inner):
            found.setdefault(node.mem_id, node)  # a container nested in another
    return list(found.values())


def with_class(tree: LexborHTMLParser, tag: str, cls: str) -> Iterator[LexborNode]:
    """What `tree.css(f"{tag}.{cls}")` finds, in document order, by a walk over the tag.

    The first css() on a tree sets up lexbor's selector engine (~45 µs; each query then
    walks the tree, ~8 µs); a parser that needs only this pays ~5 µs. As lexbor does in
    quirks mode, a page without a doctype compares class names case-insensitively
    (legacy doctypes that also mean quirks mode are compared exactly).
    """
    if not _has_doctype(tree):
        folded = cls.lower()
        for node in tree.tags(tag):
            if folded in (node.attributes.get("class") or "").lower().split():
                yield node
        return
    for node in tree.tags(tag):
        if cls in (node.attributes.get("class") or "").split():
            yield node


def _has_doctype(tree: LexborHTMLParser) -> bool:
    node = tree.root.prev if tree.root is not None else None
    while node is not None and node.tag == "-comment":
        node = node.prev
    return node is not None and node.tag == "-doctype"


class MetaTags:
    """All `<meta name|property=... content=...>` of a page as an ordered multimap.

    Keys are lower-cased (`DC.Creator` -> `dc.creator`); order and repeats are kept
    because `citation_author_institution` belongs to the `citation_author` before it.
    """

    __slots__ = ("_index", "canonical", "items")

    def __init__(self, items: list[tuple[str, str]], canonical: str | None = None) -> None:
        self.items = items
        self.canonical = canonical
        index: dict[str, list[str]] = {}
        for key, value in items:
            values = index.get(key)
            if values is None:
                index[key] = [value]
            else:
                values.append(value)
        self._index = index

    @classmethod
    def from_tree(cls, tree: LexborHTMLParser) -> MetaTags:
        items: list[tuple[str, str]] = []
        append = items.append
        # tags() is a plain element walk; the first css() on a tree costs ~50 µs of set-up
        for node in tree.tags("meta"):
            attrs = node.attributes
            value = attrs.get("content")
            if value is None:
                continue
            key = attrs.get("name") or attrs.get("property")
            if not key:
                continue
            value = value.strip()
            if not value:
                continue
            key = key.strip().lower()
            if key.startswith(_ALIASED):
                for old, new in _PREFIX_ALIASES:
                    if key.startswith(old):
                        key = new + key[len(old) :]
            append((key, value))
        canonical = None
        for link in tree.tags("link"):
            attrs = link.attributes
            rel = attrs.get("rel")
            if rel and "canonical" in rel.lower().split():
                canonical = (attrs.get("href") or "").strip() or None
                break
        return cls(items, canonical)

    def first(self, *keys: str) -> str | None:
        """The first value of the first key present (keys tried in the given order)."""
        for key in keys:
            values = self._index.get(key)
            if values:
                return values[0]
        return None

    def all(self, key: str) -> list[str]:
        return list(self._index.get(key, ()))

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.items)

    def with_prefix(self, prefix: str) -> Iterator[tuple[str, str]]:
        return ((k, v) for k, v in self.items if k.startswith(prefix))
