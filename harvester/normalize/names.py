"""Personal names into family and given parts, and `Person` values built from them.

Rules, in order: organisations stay whole; "Family, Given" splits at the first
comma; a lone ALL-CAPS word among mixed-case words is the family name ("Xuran
CAI", "CAI Xuran"); otherwise the last word is the family name, together with
the lower-case particles before it ("Jan van der Berg" -> "van der Berg").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from harvester.types import Person

from .identifiers import normalize_orcid
from .text import clean, clean_many

# Only lower-case particles join the family name: a capitalised "Van" or "Da" in
# the middle is as often a given or middle name (Vietnamese "Anh Van Nguyen").
_PARTICLES = frozenset(
    str.split(
        "van von der den de del della delle dei di da du le la ten ter zu zum zur dos das do "
        "bin ibn al el"
    )
)
_SUFFIXES = frozenset(str.split("jr jr. sr sr. ii iii iv"))
_ORGANISATION = re.compile(
    r"\(|\d|&|\b(?:universit\w*|univ\.?|college|school|academy|akademi\w*|consortium"
    r"|institut\w*|statisti\w*|agency|group|gruppe|groep|grupp|ltd|inc|gmbh|llc|plc"
    r"|corporation|company|centre|center|zentrum|council|committee|commission|association"
    r"|society|foundation|stiftung|department|dept|ministry|ministerium|laboratory|lab"
    r"|project|network|office|bureau|survey|organi[sz]ation|team|collaboration|museum"
    r"|library|bibliothek|hospital|service|authority|board|programme|program|initiative"
    r"|partnership|federation|union|alliance|unit|division|et\s+al)\b",
    re.I,
)


def split_name(name: str) -> tuple[str | None, str | None]:
    """(family, given) from a display name; (whole name, None) for organisations."""
    cleaned = clean(name)
    if cleaned is None:
        return None, None
    if _ORGANISATION.search(cleaned):
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
        while start > 1 and tokens[start - 1] in _PARTICLES:
            start -= 1
        family = " ".join(tokens[start:])
        given_tokens = tokens[:start]
    return family, " ".join(given_tokens + suffix) or None


def _is_caps_surname(token: str) -> bool:
    """An all-caps word of two or more letters that is not an initial ("T.J.") or a suffix."""
    if "." in token or token.lower() in _SUFFIXES:
        return False
    letters = sum(ch.isalpha() for ch in token)
    return letters > 1 and token.isupper()


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
    display = clean(name)
    family, given = clean(family), clean(given)
    if display is None:
        if family is None:
            return None
        display = f"{given} {family}" if given else family
    elif family is None and given is None:
        family, given = split_name(display)
    if "," in display and family and not _ORGANISATION.search(display):
        display = f"{given} {family}" if given else family
    return Person(
        name=display,
        family=family,
        given=given,
        orcid=normalize_orcid(orcid),
        role=role,
        affiliations=clean_many(affiliations),
        url=clean(url),
    )
