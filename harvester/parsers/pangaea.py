"""PANGAEA dataset landing pages (doi.pangaea.de/10.1594/PANGAEA.n) -> Record.

DC meta, a schema.org Dataset in JSON-LD and the visible citation block. The
page layer adds the visible "Abstract:" block (the generic layers have no
abstract: PANGAEA writes none in meta tags). The JSON-LD `@reverse.isBasedOn`
node is the article the data supplements and is not read.
"""

from __future__ import annotations

from harvester.types import Page, Record

from ._detect import Signals
from ._html import text_of, with_class
from ._meta import FieldMap, put
from .generic import PRECEDENCE, build_record, read_embedded

PLATFORM = "pangaea"


def in_head(signals: Signals) -> bool:
    """Evidence in the address or the document head (asked of every platform first)."""
    return signals.host_is("pangaea.de") or (
        # mirrors and saved copies: DC.publisher "PANGAEA" and a PANGAEA DOI in the head
        b'content="pangaea"' in signals.head and b"10.1594/pangaea." in signals.head
    )


def looks_like(page: Page, signals: Signals) -> bool:
    return in_head(signals)


def parse(page: Page) -> Record:
    emb = read_embedded(page)
    f: FieldMap = {"type": "dataset"}
    put(f, "abstract", text_of(next(with_class(emb.tree, "div", "abstract"), None)) or None)
    prefer = {"type": ("pangaea", *PRECEDENCE["type"]),
              "abstract": ("pangaea", *PRECEDENCE["abstract"])}
    return build_record(page, emb, platform=PLATFORM, front=[("pangaea", f)], prefer=prefer)
