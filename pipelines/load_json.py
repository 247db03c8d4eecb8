"""The canonical JSON of a Record (what its content hash is taken of) and its stored JSON.

`json_and_hash(record)` must give exactly `record.content_hash()`: stored hashes
decide whether a reloaded record is "unchanged", so a different byte anywhere
would make every stored record look changed on the next run. Tests hold the
two byte-identical. orjson writes the usual record (the fast path); a value it
would write differently (a float in exponent form, an int past 64 bits, a key
that is not a string) sends the record down the hand-written path, which
matches `json.dumps` for anything.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from json.encoder import encode_basestring  # the C encoder json.dumps uses for str
from typing import Any

import orjson

from harvester.types import PartialDate, Person, Record

__all__ = ["canonical_json", "dumps", "json_and_hash", "record_json"]


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _sorted_dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _v(value: Any) -> str:
    """One JSON value exactly as json.dumps(sort_keys=True, ensure_ascii=False) writes it."""
    if value is None:
        return "null"
    if type(value) is str:
        return encode_basestring(value)
    return _sorted_dumps(value)


def _strings(values: Sequence[Any]) -> str:
    return "[" + ",".join(map(_v, values)) + "]"


def _person_json(p: Person) -> str:
    return (f'{{"affiliations":{_strings(p.affiliations)},"family":{_v(p.family)},'
            f'"given":{_v(p.given)},"name":{_v(p.name)},"orcid":{_v(p.orcid)},'
            f'"role":{_v(p.role)},"url":{_v(p.url)}}}')  # fmt: skip


def _date(value: PartialDate | None) -> str:
    return "null" if value is None else f'"{value.isoformat()}"'


def canonical_json(r: Record) -> str:
    """`json.dumps(record.to_json() minus metrics and warnings, sort_keys=True, ...)`.

    Written out by hand (keys in sorted order, strings through json's own C
    encoder): building the to_json dicts and sorting them took most of the
    loader's Python time. A test holds the two byte-identical.
    """
    p = r.pages
    join = ",".join
    return "".join((
        f'{{"abstract":{_v(r.abstract)},"article_number":{_v(r.article_number)},'
        f'"authors":[{join(map(_person_json, r.authors))}],"citations":[',
        join(f'{{"format":{_v(c.format)},"text":{_v(c.text)}}}' for c in r.citations),
        f'],"doi":{_v(r.doi)},"files":[',
        join(f'{{"access":{_v(f.access)},"mime":{_v(f.mime)},"name":{_v(f.name)},'
             f'"url":{_v(f.url)}}}' for f in r.files),
        f'],"host_publication":{_v(r.host_publication)},"identifiers":[',
        join(f'{{"scheme":{_v(i.scheme)},"value":{_v(i.value)}}}' for i in r.identifiers),
        f'],"issue":{_v(r.issue)},"journal":{_v(r.journal)},"keywords":{_strings(r.keywords)},'
        f'"language":{_v(r.language)},"online":{_date(r.online)},'
        f'"pages":{{"count":{_v(p.count)},"first":{_v(p.first)},"last":{_v(p.last)}}},'
        f'"platform":{_v(r.platform)},"provenance":{_provenance(r.provenance)},'
        f'"published":{_date(r.published)},"publisher":{_v(r.publisher)},'
        f'"source_key":{_v(r.source_key)},"status":{_v(r.status)},'
        f'"status_date":{_date(r.status_date)},"subjects":[',
        join(f'{{"code":{_v(s.code)},"scheme":{_v(s.scheme)},"term":{_v(s.term)},'
             f'"weight":{_v(s.weight)}}}' for s in r.subjects),
        f'],"subtitle":{_v(r.subtitle)},"title":{_v(r.title)},"type":{_v(r.type)},'
        f'"type_raw":{_v(r.type_raw)},"url":{_v(r.url)},"volume":{_v(r.volume)}}}',
    ))  # fmt: skip


def _provenance(provenance: Mapping[str, str]) -> str:
    if not provenance:
        return "{}"
    if all(type(k) is str for k in provenance):
        items = sorted(provenance.items())
        return "{" + ",".join(f"{encode_basestring(k)}:{_v(v)}" for k, v in items) + "}"
    return _sorted_dumps(dict(provenance))


def json_and_hash(record: Record) -> tuple[str, str]:
    """The canonical JSON the content hash is taken of, and `record.content_hash()`."""
    try:
        blob = _canonical_bytes(record)
    except (TypeError, _Irregular):  # orjson's JSONEncodeError is a TypeError
        text = canonical_json(record)  # raises what json.dumps would, if anything
        return text, hashlib.sha256(text.encode("utf-8")).hexdigest()
    return blob.decode("utf-8"), hashlib.sha256(blob).hexdigest()


class _Irregular(Exception):
    """A value orjson would write differently from json.dumps."""


def _weight(value: Any) -> Any:
    # orjson and json.dumps write the same strings (checked for every code point), ints
    # and fixed-notation floats; they part ways on exponents (1e-07 / 1e-7) and NaN
    if type(value) is float and orjson.dumps(value) != float.__repr__(value).encode():
        raise _Irregular
    return value


def _canonical_bytes(r: Record) -> bytes:
    """canonical_json's bytes, from dicts built in sorted key order and written by orjson
    (twice as fast as the hand-written text; the same bytes, held so by tests)."""
    p = r.pages
    d = _iso_or_none
    return orjson.dumps({
        "abstract": r.abstract, "article_number": r.article_number,
        "authors": [{"affiliations": a.affiliations, "family": a.family, "given": a.given,
                     "name": a.name, "orcid": a.orcid, "role": a.role, "url": a.url}
                    for a in r.authors],
        "citations": [{"format": c.format, "text": c.text} for c in r.citations],
        "doi": r.doi,
        "files": [{"access": f.access, "mime": f.mime, "name": f.name, "url": f.url}
                  for f in r.files],
        "host_publication": r.host_publication,
        "identifiers": [{"scheme": i.scheme, "value": i.value} for i in r.identifiers],
        "issue": r.issue, "journal": r.journal, "keywords": r.keywords,
        "language": r.language, "online": d(r.online),
        "pages": {"count": p.count, "first": p.first, "last": p.last},
        "platform": r.platform,
        "provenance": dict(sorted(r.provenance.items())) if r.provenance else {},
        "published": d(r.published), "publisher": r.publisher, "source_key": r.source_key,
        "status": r.status, "status_date": d(r.status_date),
        "subjects": [{"code": s.code, "scheme": s.scheme, "term": s.term,
                      "weight": _weight(s.weight)} for s in r.subjects],
        "subtitle": r.subtitle, "title": r.title, "type": r.type, "type_raw": r.type_raw,
        "url": r.url, "volume": r.volume,
    })  # fmt: skip


def _iso_or_none(value: PartialDate | None) -> str | None:
    return None if value is None else value.isoformat()


_NO_EXTRA = '"metrics":[],"warnings":[]'


def record_json(record: Record, canonical: str) -> str:
    """JSON text of `record.to_json()`: the hashed JSON plus the fields left out of the hash.

    Splicing saves encoding the whole record a second time.
    """
    if not record.metrics and not record.warnings:
        return f"{canonical[:-1]},{_NO_EXTRA}}}"
    extra = dumps({"metrics": [m.to_json() for m in record.metrics],
                    "warnings": list(record.warnings)})  # fmt: skip
    return f"{canonical[:-1]},{extra[1:]}"
