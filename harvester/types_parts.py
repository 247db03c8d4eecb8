"""The value objects a Record is made of: dates, page ranges, people, subjects, identifiers,
files, metrics and citations. Each is a frozen dataclass with a `to_json()` (except the date,
which is written as its ISO form)."""

from __future__ import annotations

import copyreg
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from operator import attrgetter
from typing import Any, TypeVar

_T = TypeVar("_T")


def positional_pickle(cls: type[_T]) -> type[_T]:
    """Pickle as `cls._unpickle(*values)`: a slots dataclass's own pickling calls fields()
    and object.__setattr__ per field, twice as slow both ways (records cross process
    boundaries by the thousand: pipelines/parse_pool.py). `_unpickle` sets the slots
    directly, skipping __init__'s defaults and __post_init__: the values come from an
    instance that has been through them, and every __post_init__ here gives the same
    result on its own output (a trimmed key stays trimmed, a valid date stays valid)."""
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    if len(names) == 1:
        raise TypeError("positional_pickle needs two fields or more")
    values = attrgetter(*names)
    unpickle = _slot_setter(cls, names)

    def __reduce__(self: _T) -> tuple[Callable[..., _T], tuple[Any, ...]]:
        return unpickle, values(self)

    cls._unpickle = staticmethod(unpickle)  # type: ignore[attr-defined]  # found by pickle
    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    # the same reduction through copyreg's table, which pickle (and copy) consult before
    # looking up __reduce_ex__: object.__reduce_ex__ then finding the __reduce__ override
    # cost ~600 instructions an object (a mapped OAI page pickles ~10 a record)
    copyreg.pickle(cls, __reduce__)
    return cls


def positional_new(cls: type[_T]) -> Callable[..., _T]:
    """`cls(*values)` for a frozen slots dataclass without __init__: every field given, in
    order, no defaults and no __post_init__ (the generated setter `positional_pickle`
    unpickles with). For value objects built once per record, where a frozen __init__'s
    object.__setattr__ per field is most of their cost."""
    return _slot_setter(cls, tuple(f.name for f in fields(cls)))  # type: ignore[arg-type]


def _slot_setter(cls: type[_T], names: tuple[str, ...]) -> Callable[..., _T]:
    """`cls._unpickle(*values)`, generated as dataclasses generates __init__, unrolled (a
    loop or map() over the names costs more than the stores themselves on these 2 to 31
    field objects). The values go into an unfrozen twin of `cls` (the same slots, so the
    same memory layout) by plain attribute stores, which the interpreter specialises to
    direct slot writes, and the object then becomes a `cls` by `__class__` assignment:
    a frozen class's own stores go through object.__setattr__ or a member descriptor's
    `__set__` wrapper, ~200 instructions a field against ~20 (callgrind: unpickling a
    mapped OAI page's Record and building one in the mappers both pay this). The twin is
    made by calling it, not by object.__new__(twin): that goes through a slot wrapper's
    argument checks, ~250 instructions an object more (it has no __init__ to run)."""
    params = ", ".join(f"v{i}" for i in range(len(names)))
    twin = _unfrozen_twin(cls, names)
    if twin is not None:
        sets = "".join(f"    obj.{name} = v{i}\n" for i, name in enumerate(names))
        body = f"    obj = twin()\n{sets}    obj.__class__ = cls\n    return obj\n"
    else:
        sets = "".join(f"    set{i}(obj, v{i})\n" for i in range(len(names)))
        body = f"    obj = new(cls)\n{sets}    return obj\n"
    source = f"def _unpickle({params}):\n{body}"
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls, "twin": twin}
    for i, name in enumerate(names):
        slot = next(vars(k)[name] for k in cls.__mro__ if name in vars(k))
        scope[f"set{i}"] = slot.__set__
    exec(source, scope)  # our own source, from a dataclass's field names
    fn: Callable[..., _T] = scope["_unpickle"]
    fn.__module__, fn.__qualname__ = cls.__module__, f"{cls.__qualname__}._unpickle"
    return fn


def _unfrozen_twin(cls: type, names: tuple[str, ...]) -> type | None:
    """A plain class with `cls`'s slots whose instances may become `cls` instances by
    `__class__` assignment; None when `cls` is not a direct slots-only subclass of
    object holding exactly `names` (CPython refuses the assignment between layouts
    that differ, and the descriptor setter is used instead)."""
    if cls.__bases__ != (object,) or tuple(vars(cls).get("__slots__", ())) != names:
        return None
    twin = type(f"_{cls.__name__}Unfrozen", (), {"__slots__": names, "__module__": cls.__module__})
    try:  # the assignment's own layout check, once, rather than at every unpickling
        probe: Any = object.__new__(twin)
        probe.__class__ = cls
    except TypeError:
        return None
    return twin


_ISO_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_TWO_DIGITS = tuple(f"{i:02d}" for i in range(32))


@positional_pickle
@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date at the precision the source gives: year, year-month or full date."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year out of range: {self.year}")
        if self.month is None and self.day is not None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")
        if self.day is not None:
            # datetime validates the day against the month (and leap years)
            datetime(self.year, self.month or 1, self.day)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def isoformat(self) -> str:
        year, month, day = self.year, self.month, self.day
        # a loaded record's dates are formatted for its JSON and for its row: the usual
        # four-digit year and valid month and day by str() and a table (~0.2 µs) instead
        # of three format specs (~0.65 µs); anything else (an unpickled date skips
        # __post_init__'s checks) by the format specs
        if (type(year) is int and 1000 <= year <= 9999 and (month is None or 0 < month < 13)
                and (day is None or 0 < day < 32)):  # fmt: skip
            if month is None:
                return str(year)
            if day is None:
                return f"{year}-{_TWO_DIGITS[month]}"
            return f"{year}-{_TWO_DIGITS[month]}-{_TWO_DIGITS[day]}"
        if month is None:
            return f"{year:04d}"
        if day is None:
            return f"{year:04d}-{month:02d}"
        return f"{year:04d}-{month:02d}-{day:02d}"

    @classmethod
    def fromisoformat(cls, text: str) -> PartialDate:
        m = _ISO_PARTIAL.match(text.strip())
        if not m:
            raise ValueError(f"not a YYYY[-MM[-DD]] date: {text!r}")
        y, mo, d = m.groups()
        return cls(int(y), int(mo) if mo else None, int(d) if d else None)

    def __str__(self) -> str:
        return self.isoformat()


@positional_pickle
@dataclass(frozen=True, slots=True)
class PageRange:
    """Pages as printed: first/last are strings ("e0123", "xii"); count only if stated."""

    first: str | None = None
    last: str | None = None
    count: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"first": self.first, "last": self.last, "count": self.count}


@positional_pickle
@dataclass(frozen=True, slots=True)
class Person:
    name: str
    family: str | None = None
    given: str | None = None
    orcid: str | None = None
    role: str = "author"
    affiliations: tuple[str, ...] = ()
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "given": self.given,
            "name": self.name,
            "orcid": self.orcid,
            "role": self.role,
            "affiliations": list(self.affiliations),
            "url": self.url,
        }


@positional_pickle
@dataclass(frozen=True, slots=True)
class Subject:
    """A classification term: ASJC area, fingerprint concept (with weight), DDC, ..."""

    scheme: str
    term: str
    weight: float | None = None
    code: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"scheme": self.scheme, "term": self.term, "weight": self.weight, "code": self.code}


@positional_pickle
@dataclass(frozen=True, slots=True)
class Identifier:
    """Any identifier other than the DOI field: isbn, issn, eissn, handle, pure-uuid, ..."""

    scheme: str
    value: str

    def to_json(self) -> dict[str, Any]:
        return {"scheme": self.scheme, "value": self.value}


@positional_pickle
@dataclass(frozen=True, slots=True)
class FileLink:
    url: str
    name: str | None = None
    mime: str | None = None
    access: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "name": self.name, "mime": self.mime, "access": self.access}


@positional_pickle
@dataclass(frozen=True, slots=True)
class Metric:
    """A count shown on the page (citations, downloads) and the day it was seen."""

    name: str
    value: int
    source: str | None = None
    seen: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "source": self.source, "seen": self.seen}


@positional_pickle
@dataclass(frozen=True, slots=True)
class Citation:
    """A "Cite this" rendering as the page gives it (RIS, BibTeX, APA, ...)."""

    format: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"format": self.format, "text": self.text}
