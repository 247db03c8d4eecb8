"""Records cross process boundaries (parse workers) pickled: positional pickling must
give back equal, still frozen values of the same class, with every field."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import weakref

import pytest

from harvester.types import (
    Citation,
    FileLink,
    Identifier,
    Metric,
    PageRange,
    PartialDate,
    Person,
    Record,
    Subject,
)
from harvester.types_parts import positional_new, positional_pickle

FULL = Record(
    url="https://repo.example.org/item/1",
    platform="oai",
    source_key="oai:repo.example.org:1",
    type="article",
    type_raw="info:eu-repo/semantics/article",
    title="On tests",
    subtitle="a study",
    abstract="Text with\nlines",
    authors=(Person("Doe, Jane", "Doe", "Jane", "0000-0002-1825-0097", "author",
                    ("Uni A", "Uni B"), "https://x.example/jd"), Person("Acme Lab")),
    doi="10.1234/abc",
    journal="J. Tests",
    volume="3",
    issue="2",
    article_number="e12",
    pages=PageRange("12", "19", 8),
    published=PartialDate(2024, 2, 29),
    online=PartialDate(2023, 11),
    status="published",
    status_date=PartialDate(2024),
    language="en",
    publisher="Pub",
    host_publication="Proc.",
    keywords=("a", "b"),
    subjects=(Subject("ddc", "Science", 0.5, "500"),),
    identifiers=(Identifier("issn", "1234-5678"),),
    files=(FileLink("https://x.example/f.pdf", "f.pdf", "application/pdf", "open"),),
    metrics=(Metric("downloads", 7, "page", "2024-01-01"),),
    citations=(Citation("bibtex", "@article{x}"),),
    provenance={"title": "oai_dc"},
    warnings=("w",),
)

PARTS = [
    PartialDate(2020), PartialDate(2020, 5), PageRange(), Person("X"),
    Subject("s", "t"), Identifier("isbn", "1"), FileLink("u"), Metric("m", 1), Citation("f", "t"),
]


@pytest.mark.parametrize("value", [FULL, Record("u", "p", "k"), *PARTS], ids=repr)
def test_pickled_value_comes_back_equal_with_every_field(value: object) -> None:
    back = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back) is type(value)
    assert back == value
    for f in dataclasses.fields(value):  # type: ignore[arg-type]
        assert getattr(back, f.name) == getattr(value, f.name)


def test_record_json_survives_pickling() -> None:
    back = pickle.loads(pickle.dumps(FULL))
    assert back.to_json() == FULL.to_json()
    assert back.content_hash() == FULL.content_hash()


def test_unpickled_record_is_still_frozen() -> None:
    back = pickle.loads(pickle.dumps(FULL))
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.title = "changed"


def test_long_source_key_is_hashed_once_not_again_on_unpickling() -> None:
    rec = Record("u", "p", "k" * 900)
    back = pickle.loads(pickle.dumps(rec))
    assert back.source_key == rec.source_key
    assert len(back.source_key) == 200 + 1 + 64


def test_copy_gives_an_equal_record() -> None:
    assert copy.copy(FULL) == FULL
    assert copy.deepcopy(FULL) == FULL


# module level: pickle finds classes by their qualified names
@positional_pickle
@dataclasses.dataclass(frozen=True, slots=True, weakref_slot=True)
class _WithWeakref:
    a: int
    b: str = "x"


def test_value_whose_layout_has_no_twin_still_comes_back_equal_and_frozen() -> None:
    value = _WithWeakref(1, "y")  # a __weakref__ slot: no twin, the descriptor setters
    assert "twin" not in _WithWeakref._unpickle.__code__.co_names  # type: ignore[attr-defined]
    back = pickle.loads(pickle.dumps(value))
    assert type(back) is type(value)
    assert back == value
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.a = 5  # type: ignore[misc]


def test_weakref_slot_survives_unpickling() -> None:
    back = pickle.loads(pickle.dumps(_WithWeakref(1)))
    assert weakref.ref(back)() is back


@pytest.mark.parametrize("cls", [Record, Person, PartialDate, PageRange, Subject, Identifier,
                                 FileLink, Metric, Citation], ids=lambda c: c.__name__)
def test_record_types_are_rebuilt_through_an_unfrozen_twin(cls: type) -> None:
    # the fast path (plain slot stores, then a class change) rather than the descriptor
    # setters: a layout change in a record type would silently fall back to the slow one
    assert "twin" in cls._unpickle.__code__.co_names  # type: ignore[attr-defined]
    fields = dataclasses.fields(cls)
    values = [object() for _ in fields]
    built = cls._unpickle(*values)  # type: ignore[attr-defined]
    assert type(built) is cls
    assert [getattr(built, f.name) for f in fields] == values


def test_positional_new_gives_what_the_constructor_gives_and_stays_frozen() -> None:
    from harvester.oai.mapped import MappedItem
    from harvester.oai.model import OAIRecord

    args = ("oai:x:1", "2024-01-01", ("set",), False, None, "oai_dc", ())
    rec = positional_new(OAIRecord)(*args)
    assert type(rec) is OAIRecord and rec == OAIRecord(*args)
    item = positional_new(MappedItem)("oai:x:1", "2024-01-01", FULL)
    assert item == MappedItem("oai:x:1", "2024-01-01", FULL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.identifier = "changed"  # type: ignore[misc]


def test_positional_classes_pickle_through_copyreg_with_the_same_bytes() -> None:
    import copyreg
    import io

    for cls in (Record, Person, PartialDate, Subject, Identifier, FileLink, PageRange):
        assert cls in copyreg.dispatch_table
    plain = io.BytesIO()
    pickler = pickle.Pickler(plain, protocol=5)
    pickler.dispatch_table = {}  # not copyreg's: __reduce_ex__, as before the registration
    pickler.dump(FULL)
    assert pickle.dumps(FULL, protocol=5) == plain.getvalue()
    assert copy.copy(FULL) == FULL and copy.deepcopy(FULL) == FULL


def _answers() -> list[object]:
    from pipelines.parse_pool import Parsed

    return [Parsed("ab" * 32, FULL, warc=b"\x1f\x8b..."), Parsed("cd" * 32, same=True),
            Parsed("ef" * 32, None, "not-a-record", "no title")]


@pytest.mark.parametrize("answer", _answers(), ids=repr)
def test_a_parse_workers_answer_comes_back_equal_and_frozen(answer: object) -> None:
    back = pickle.loads(pickle.dumps(answer, protocol=5))
    assert type(back) is type(answer) and back == answer
    for f in dataclasses.fields(answer):  # type: ignore[arg-type]
        assert getattr(back, f.name) == getattr(answer, f.name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.sha256 = "changed"  # type: ignore[attr-defined]
