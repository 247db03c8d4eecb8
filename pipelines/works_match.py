"""The de-duplication rule as pure functions: pair tests and clusters (the match
keys they compare: pipelines.works_keys).

Two publications are one work when (docs/sql.md, "How works are formed"):

1. they have the same DOI (reason 'doi', score 1.0); or
2. (reason 'title-year-author') they have the same publication year and the same
   normalised family name of the first author, and their normalised titles
   (title + subtitle; casefolded, NFKD without accents, punctuation removed,
   whitespace collapsed) have a similarity >= 0.93 (difflib ratio of the titles,
   or of their words in sorted order, whichever is higher; titles equal but for
   spaces score 1.0), with these guards: a word in one title only must be a
   spelling variant (difflib ratio >= 0.88) of a word in the other title only
   ("behaviour"/"behavior" yes, "bilayer"/"trilayer" no), both titles have >= 3
   words, the numbers and roman numerals in them are the same ("Part I" is not
   "Part II"), their DOIs do not differ, and a dataset or software is never
   matched with a text; or
3. a user merged them ('manual').

A publication split out by a user is matched with nothing automatically. Works
are the connected components of these links; each member's stored decision is
the strongest link that reached it from the earliest member (manual, then DOI,
then title by score), which `harvester works --explain` prints.
"""

from __future__ import annotations

import functools
import heapq
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from difflib import SequenceMatcher
from operator import itemgetter
from types import MappingProxyType
from typing import Any, NamedTuple

from .works_keys import Keys

THRESHOLD = 0.93
WORD_VARIANT = 0.88
MIN_WORDS = 3
DATA_TYPES = frozenset({"dataset", "software"})
REASONS = ("first", "doi", "title-year-author", "manual")
_RANK = {"manual": 0, "doi": 1, "title-year-author": 2}
_MARKER = re.compile(r"^(\d+|x{0,3}(ix|iv|v?i{0,3}))$")
_NOTHING: Mapping[str, Any] = MappingProxyType({})  # Decision's default: shared, read-only


class Decision(NamedTuple):
    """Why a publication is in its work: the link that reached it (a NamedTuple, as Keys)."""

    publication_id: int
    reason: str
    score: float = 1.0
    matched_with: int | None = None
    matched: Mapping[str, Any] = _NOTHING

    def matched_json(self) -> str:
        if not self.matched:
            return "{}"
        return json.dumps(dict(self.matched), sort_keys=True, ensure_ascii=False)


# A stored title meets every fresh title of its block, and a prolific author's year holds
# hundreds: its word count and markers are worked out once, not once a pair.
@functools.lru_cache(maxsize=16384)
def _shape(title: str) -> tuple[bool, frozenset[str]]:
    """(has MIN_WORDS words or more, its numbers and roman numerals)"""
    words = title.split()
    return len(words) >= MIN_WORDS, frozenset(w for w in words if _MARKER.match(w))


def _types_agree(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return True
    return (a in DATA_TYPES) == (b in DATA_TYPES) and (a not in DATA_TYPES or a == b)


def title_similarity(a: str, b: str) -> float:
    """1.0 for titles equal but for spaces ("bi layer", "bilayer"); else the better of
    difflib's ratio of the titles and of their words in sorted order, or 0.0 when a
    word of one title has no spelling variant in the other ("bilayer", "trilayer")."""
    if a == b or a.replace(" ", "") == b.replace(" ", ""):
        return 1.0
    words_a, words_b = a.split(), b.split()
    sorted_a, sorted_b = " ".join(sorted(words_a)), " ".join(sorted(words_b))
    if not (_may_reach(a, b) or _may_reach(sorted_a, sorted_b)):
        return 0.0  # lengths too far apart for either ratio: skip the costly word test
    if not _variants(set(words_a) - set(words_b), set(words_b) - set(words_a)):
        return 0.0
    return max(_ratio(a, b), _ratio(sorted_a, sorted_b))


def _may_reach(a: str, b: str) -> bool:
    """difflib's real_quick_ratio (an upper bound of ratio) reaches the threshold."""
    return 2.0 * min(len(a), len(b)) / (len(a) + len(b)) >= THRESHOLD


def _variants(only_a: set[str], only_b: set[str]) -> bool:
    """Words in one title only are added or dropped words, or spelling variants
    (behaviour/behavior, system/systems) of a word in the other title only."""
    if not only_a or not only_b:
        return True
    return all(any(_variant(w, v) for v in there)
               for here, there in ((only_a, only_b), (only_b, only_a)) for w in here)


def _variant(w: str, v: str) -> bool:
    # the lengths bound difflib's ratio (real_quick_ratio) and most word pairs fail on
    # them alone: a SequenceMatcher costs microseconds, a block of one author's year
    # thousands of pairs
    if 2.0 * min(len(w), len(v)) / (len(w) + len(v)) < WORD_VARIANT:
        return False
    return SequenceMatcher(None, w, v).ratio() >= WORD_VARIANT


def _ratio(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < THRESHOLD or matcher.quick_ratio() < THRESHOLD:
        return 0.0  # upper bounds: most pairs in a block stop here
    return matcher.ratio()


def title_match(a: Keys, b: Keys) -> float | None:
    """The similarity score when rule 2 links a and b, else None (block keys assumed equal)."""
    if not a.title or not b.title or (a.doi and b.doi and a.doi != b.doi):
        return None
    words_a, markers_a = _shape(a.title)
    words_b, markers_b = _shape(b.title)
    if not (words_a and words_b) or markers_a != markers_b:
        return None
    if not _types_agree(a.type, b.type):
        return None
    score = title_similarity(a.title, b.title)
    return round(score, 4) if score >= THRESHOLD else None


def title_link(a: Keys, b: Keys) -> float | None:
    """`title_match`, lower publication id first as in `links` (difflib is not symmetric)."""
    return title_match(a, b) if a.publication_id <= b.publication_id else title_match(b, a)


Link = tuple[int, str, float, dict[str, Any]]
_publication_id = itemgetter(0)  # of a Keys


def links(keys: Sequence[Keys], merges: Iterable[tuple[int, int]], split: set[int]
          ) -> dict[int, list[Link]]:  # fmt: skip
    """Adjacency lists: publication id -> [(other id, reason, score, matched values)]."""
    adjacent: dict[int, list[Link]] = defaultdict(list)

    def add(a: int, b: int, reason: str, score: float, matched: dict[str, Any]) -> None:
        adjacent[a].append((b, reason, score, matched))
        adjacent[b].append((a, reason, score, matched))

    by_doi: dict[str, list[int]] = defaultdict(list)
    blocks: dict[tuple[str, str], list[Keys]] = defaultdict(list)
    for k in sorted(keys, key=_publication_id):  # the same links for any order
        if k.publication_id in split:
            continue
        if k.doi:
            by_doi[k.doi].append(k.publication_id)
        if k.title and k.year and k.author:
            blocks[(k.year, k.author)].append(k)
    for doi, ids in by_doi.items():
        if len(ids) == 1:  # most DOIs and blocks: one publication, nothing to link
            continue
        first = min(ids)
        for pid in ids:
            if pid != first:
                add(first, pid, "doi", 1.0, {"doi": doi})
    for (year, author), block in blocks.items():
        if len(block) == 1:
            continue
        for i, one in enumerate(block):
            for two in block[i + 1:]:
                score = title_match(one, two)
                if score is not None:
                    titles = sorted((one.title or "", two.title or ""))
                    add(one.publication_id, two.publication_id, "title-year-author", score,
                        {"titles": titles, "year": year, "author": author})
    known = {k.publication_id for k in keys}
    for a, b in merges:
        if a in known and b in known and a != b:
            add(a, b, "manual", 1.0, {"override": "merge"})
    return adjacent


def cluster(keys: Sequence[Keys], merges: Iterable[tuple[int, int]] = (),
            split: set[int] | frozenset[int] = frozenset()) -> list[list[Decision]]:  # fmt: skip
    """The works among these publications, each a list of decisions, earliest member first."""
    adjacent = links(keys, merges, set(split))
    seen: set[int] = set()
    works: list[list[Decision]] = []
    for start in sorted(k.publication_id for k in keys):
        if start in seen:
            continue
        if start in split:
            members = [Decision(start, "manual", 1.0, None, {"override": "split"})]
        else:
            members = [Decision(start, "first")]
        if start not in adjacent:  # most works have one member, which no link reaches
            works.append(members)
            continue
        seen.add(start)
        heap = [_entry(start, link) for link in adjacent[start]]
        heapq.heapify(heap)
        while heap:
            _rank, _neg, pid, source, reason, score, matched = heapq.heappop(heap)
            if pid in seen:
                continue
            seen.add(pid)
            members.append(Decision(pid, reason, score, source, json.loads(matched)))
            for link in adjacent.get(pid, ()):
                if link[0] not in seen:
                    heapq.heappush(heap, _entry(pid, link))
        works.append(members)
    return works


def _entry(source: int, link: Link) -> tuple[int, float, int, int, str, float, str]:
    other, reason, score, matched = link
    return (_RANK[reason], -score, other, source, reason, score,
            json.dumps(matched, sort_keys=True, ensure_ascii=False))  # fmt: skip
