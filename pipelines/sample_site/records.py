"""The sample records (records.json) and a generator of many more for benchmarks.

A record is a dict: display data for the renderer (title, persons, properties
as the page shows them) plus an "expected" block in the shape of GOLD.md's
expected.json, written by hand for the shipped records and computed alongside
the display values for synthetic ones. All titles, people and numbers are invented.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
import uuid
from collections.abc import Iterator, Mapping
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec")


def slugify(title: str) -> str:
    """Pure's slug rule (MARKUP.md): ASCII lower case, punctuation dropped, spaces to
    '-', cut at 64 characters (a trailing '-' may remain)."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9\s-]", "", text)
    return re.sub(r"\s+", "-", text.strip())[:64]


@cache
def _load() -> Mapping[str, dict[str, Any]]:
    data = json.loads(files(__package__).joinpath("records.json").read_text(encoding="utf-8"))
    return MappingProxyType({r["slug"]: r for r in data})


SAMPLE_RECORDS: Mapping[str, dict[str, Any]] = _load()


def expected_for(slug: str, base_url: str | None = None) -> dict[str, Any]:
    """A fresh copy of the gold values for one shipped sample page; with `base_url`
    it also carries the page's "url" as GOLD.md does."""
    out: dict[str, Any] = json.loads(json.dumps(SAMPLE_RECORDS[slug]["expected"]))
    if base_url is not None:
        out = {"url": f"{base_url.rstrip('/')}/en/publications/{slug}/", **out}
    return out


_GIVEN = ("Amara", "Bjørn", "Chiara", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Ines",
          "Jonas", "Kofi", "Lena", "Mateo", "Noor", "Oren", "Paula", "Quentin", "Rhiannon",
          "Sanjay", "Tove", "Ugo", "Vera", "Wen", "Ximena", "Yusuf", "Zofia")
_FAMILY = ("Abbott", "Bianchi", "Castellanos", "Dahl", "Eze", "Fischer", "Gallagher", "Haddad",
           "Ivanova", "Jensen", "Kaur", "Lindqvist", "Mbeki", "Nakamura", "O'Neill", "Petrov",
           "Quispe", "Rossi", "Sandoval", "Takahashi", "Uddin", "Virtanen", "Walsh", "Zielinski")
_WORDS = ("adaptive", "coastal", "sparse", "urban", "microbial", "thermal", "latent", "robust",
          "seasonal", "neural", "fluvial", "social", "quantum", "hybrid", "marine", "rural",
          "modelling", "inference", "networks", "sediments", "memory", "policy", "transport",
          "signals", "households", "catalysts", "lattices", "archives", "wetlands", "markets")
_JOURNALS = ("Journal of Applied Inquiry", "Annals of Field Studies", "Review of Systems Science",
             "Letters in Environmental Change", "Quarterly of Social Data")


def _synthetic(i: int, rng: random.Random, used: set[str]) -> dict[str, Any]:
    words = rng.sample(_WORDS, rng.randint(4, 8))
    title = " ".join(words).capitalize() + f" {i}"
    slug = slugify(title)
    n = 2
    while slug in used:  # Pure adds a counter to repeated slugs
        slug, n = f"{slugify(title)[:60]}-{n}", n + 1
    used.add(slug)
    people = [(rng.choice(_GIVEN), rng.choice(_FAMILY)) for _ in range(rng.randint(1, 6))]
    year, month, day = rng.randint(1995, 2025), rng.randint(1, 12), rng.randint(1, 28)
    month_only = rng.random() < 0.2
    date_text = (f"{_MONTHS[month - 1]} {year}" if month_only
                 else f"{day} {_MONTHS[month - 1]} {year}")
    first = rng.randint(1, 900)
    last = first + rng.randint(0, 30)
    journal, volume, issue = rng.choice(_JOURNALS), str(rng.randint(1, 80)), str(rng.randint(1, 12))
    doi = f"10.5555/synth.{year}.{i:06d}"
    keywords = rng.sample(_WORDS, rng.randint(0, 4))
    abstract = [" ".join(rng.choices(_WORDS, k=rng.randint(20, 60))).capitalize() + "."]
    return {
        "slug": slug,
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "rel": "ContributionToJournal", "details_class": "article", "design": "current",
        "ui": "en", "locale": "en_GB", "lastmod": f"{year}-{month:02d}-{day:02d}",
        "variation": "synthetic journal article",
        "type_path": ["Contribution to journal", "Article", "peer-review"],
        "title": title,
        "persons": [{"name": f"{g} {f}", **({"person": slugify(f"{g} {f}")} if k % 2 else {})}
                    for k, (g, f) in enumerate(people)],
        "organisations": ["School of Synthetic Studies"],
        "metrics": {"scopus": rng.randint(0, 200)},
        "abstract": abstract,
        "properties": {
            "language": "English", "pages": f"{first}-{last}",
            "numberofpages": str(last - first + 1), "journal": journal, "volume": volume,
            "issue": issue, "dois": doi, "status": ["Published", date_text],
        },
        "keywords": keywords,
        "meta": {},
        "expected": {
            "platform": "pure", "type": "article", "title": title,
            "abstract": abstract[0],
            "authors": [{"family": f, "given": g} for g, f in people],
            "doi": doi, "journal": journal, "volume": volume, "issue": issue,
            "pages": {"first": str(first), "last": str(last), "count": last - first + 1},
            "published": f"{year}-{month:02d}" if month_only else f"{year}-{month:02d}-{day:02d}",
            "online": None, "language": "en", "keywords": keywords,
        },
    }


def synthetic_records(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """`n` invented journal-article records, the same for the same seed; slugs never
    collide with each other or with the shipped sample."""
    rng = random.Random(seed)
    used = set(SAMPLE_RECORDS)
    for i in range(n):
        yield _synthetic(i, rng, used)
