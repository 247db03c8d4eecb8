"""Personal names into family and given parts, and `Person` values built from them.

Rules, in order: organisations stay whole; "Family, Given" splits at the first
comma; a lone ALL-CAPS word among mixed-case words is the family name ("Xuran
CAI", "CAI Xuran"); otherwise the last word is the family name, together with
the lower-case particles before it ("Jan van der Berg" -> "van der Berg").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from harvester.types import Person

from .identifiers import normalize_orcid
from .text import clean, clean_many

# Lower-case particles join the family name. A capitalised "Van" or "Dal" joins it
# only after initials ("G. Dal Fabbro"): after a full given name it is as often a
# middle name (Vietnamese "Anh Van Nguyen").
_PARTICLES = frozenset(
    str.split(
        "van von der den de del della delle dei dal dalla di da du le la ten ter zu zum zur "
        "dos das do bin ibn al el"
    )
)
_SUFFIXES = frozenset(str.split("jr jr. sr sr. ii iii iv"))
# Words that mark a corporate author. Checked as a set of words (not one big
# regex alternation, which cost ~7 µs a name) because parsers call this per author.
_ORG_WORDS = frozenset(
    str.split(
        "univ college school academy consortium agency group gruppe groep grupp ltd inc gmbh "
        "llc plc corporation company centre center zentrum council committee commission "
        "association society foundation stiftung department dept ministry ministerium "
        "laboratory lab project network office bureau survey organisation organization team "
        "collaboration museum library bibliothek hospital service authority board programme "
        "program initiative partnership federation union alliance unit division"
    )
)
_ORG_STEMS = ("universit", "institut", "statisti", "akademi")
_ORG_MARK = re.compile(r"[(&\d]|\bet\s+al\b")
_WORD = re.compile(r"[^\W\d_]+")
# Person(...) without __init__, fields in order (positional_pickle's slot setter)
_new_person: Callable[..., Person] = Person._unpickle  # type: ignore[attr-defined]


# _split and _make_person both ask about the same cleaned name
@lru_cache(maxsize=8192)
def _is_organisation(name: str) -> bool:
    if _ORG_MARK.search(name):
        return True
    for word in _WORD.findall(name.lower()):
        if word in _ORG_WORDS or word.startswith(_ORG_STEMS):
            return True
    return False


def split_name(name: str) -> tuple[str | None, str | None]:
    """(family, given) from a display name; (whole name, None) for organisations."""
    cleaned = clean(name)
    if cleaned is None:
        return None, None
    return _split(cleaned)


# The same authors recur across a portal's pages; the result is immutable.
@lru_cache(maxsize=8192)
def _split(cleaned: str) -> tuple[str | None, str | None]:
    if _is_organisation(cleaned):
        return cleaned, None
    if "," in cleaned:
        family, _, given = cleaned.partition(",")
        family, given = family.strip(), given.strip()
        if family:
            return family, given or None
        cleaned = given
        if not cleaned:
            return None, None
    tokens = cleaned.split()
    suffix: list[str] = []
    while len(tokens) > 2 and tokens[-1].lower() in _SUFFIXES:
        suffix.insert(0, tokens.pop())
    if len(tokens) == 1:
        return tokens[0], " ".join(suffix) or None
    caps = [i for i, t in enumerate(tokens) if _is_caps_surname(t)]
    if len(caps) == 1:
        family = tokens[caps[0]]
        given_tokens = tokens[: caps[0]] + tokens[caps[0] + 1 :]
    else:
        start = len(tokens) - 1
        while start > 1 and _is_particle(tokens[start - 1], tokens[: start - 1]):
            start -= 1
        family = " ".join(tokens[start:])
        given_tokens = tokens[:start]
    return family, " ".join(given_tokens + suffix) or None


# Library authority forms (LCNAF, as DSpace and catalogue-fed repositories show them):
# "Smith, John, 1950-", "Smith, John, 1901-1975", "Smith, John A. (John Andrew), b. 1950".
_LIFE_DATES = re.compile(r",\s*(?:(?:b|d|fl|ca)\.\s*)?\d{3,4}\??\s*-?\s*(?:\d{3,4}\??)?\.?$")
_FULLER_FORM = re.compile(r"\s*\([^()]*\)$")


def _without_life_dates(name: str) -> str:
    """"Family, Given" without the authority record's dates and fuller form of the name."""
    bare = _LIFE_DATES.sub("", name)
    if bare == name or "," not in bare:
        return name
    return _FULLER_FORM.sub("", bare) or name


def _is_particle(token: str, before: list[str]) -> bool:
    if token in _PARTICLES:
        return True
    return token.lower() in _PARTICLES and all(_is_initial(t) for t in before)


def _is_initial(token: str) -> bool:
    return "." in token or (len(token) == 1 and token.isalpha())


def _is_caps_surname(token: str) -> bool:
    """An all-caps word of two or more letters that is not an initial ("T.J.") or a suffix."""
    if not token.isupper() or "." in token or token.lower() in _SUFFIXES:
        return False
    return sum(ch.isalpha() for ch in token) > 1


def make_person(
    name: str,
    *,
    role: str = "author",
    orcid: str | None = None,
    affiliations: Iterable[str] = (),
    url: str | None = None,
    family: str | None = None,
    given: str | None = None,
) -> Person | None:
    """A `Person` with display name "Given Family"; None when there is no name at all.

    Explicit `family`/`given` win over splitting `name`. A name given as
    "Family, Given" is displayed as "Given Family".
    """
    if (
        orcid is None and url is None and family is None and given is None
        and type(affiliations) is tuple and not affiliations
    ):
        return _person_from_name(name, role)
    return _make_person(name, role, orcid, affiliations, url, family, given)


# Most callers pass a bare name, and the same names recur across records and pages;
# a Person is immutable, so one instance per (name, role) can be shared.
@lru_cache(maxsize=8192)
def _person_from_name(name: str, role: str) -> Person | None:
    return _make_person(name, role, None, (), None, None, None)


def _make_person(
    name: str,
    role: str,
    orcid: str | None,
    affiliations: Iterable[str],
    url: str | None,
    family: str | None,
    given: str | None,
) -> Person | None:
    display = clean(name)
    if display is not None and "," in display:
        display = _without_life_dates(display)
    if family is not None:
        family = clean(family)
    if given is not None:
        given = clean(given)
    if display is None:
        if family is None:
            return None
        display = f"{given} {family}" if given else family
    elif family is None and given is None:
        # split_name() would clean the name again: a no-op unless it holds "&" (clean
        # decodes one level of entities a call, so "&amp;lt;" changes twice)
        family, given = _split(display) if "&" not in display else split_name(display)
    if "," in display and family and not _is_organisation(display):
        display = f"{given} {family}" if given else family
    # no __init__: a Person has no __post_init__ to run, and its frozen __init__ costs
    # one object.__setattr__ a field (~1 µs a Person, most of a new name's cost)
    return _new_person(
        display,
        family,
        given,
        normalize_orcid(orcid) if orcid else None,
        role,
        clean_many(affiliations) if affiliations else (),
        clean(url) if url else None,
    )
