"""split_name / make_person: family and given names as a reader would split them."""

from __future__ import annotations

import pytest

from harvester.normalize import make_person, split_name


@pytest.mark.parametrize(
    ("name", "family", "given"),
    [
        ("Baker, Joshua", "Baker", "Joshua"),
        ("Belvedere, C.", "Belvedere", "C."),
        ("Schäfer Aguilar, Paloma", "Schäfer Aguilar", "Paloma"),
        ("Goharshady, Amir Kafshdar", "Goharshady", "Amir Kafshdar"),
        ("van der Berg, Jan", "van der Berg", "Jan"),
        ("  Smith ,  John  ", "Smith", "John"),
        ("Smith,John", "Smith", "John"),
        ("Smith,", "Smith", None),
        ("LAM, Chun Kit", "LAM", "Chun Kit"),
        ("Joshua Baker", "Baker", "Joshua"),
        ("Amir Kafshdar Goharshady", "Goharshady", "Amir Kafshdar"),
        ("T. J. Wilkinson", "Wilkinson", "T. J."),
        ("T.J. Wilkinson", "Wilkinson", "T.J."),
        ("Jan van der Berg", "van der Berg", "Jan"),
        ("Ludwig van Beethoven", "van Beethoven", "Ludwig"),
        ("Leonardo da Vinci", "da Vinci", "Leonardo"),
        ("Maria de la Cruz", "de la Cruz", "Maria"),
        ("Anh Van Nguyen", "Nguyen", "Anh Van"),
        ("G. Dal Fabbro", "Dal Fabbro", "G."),
        ("J. C. Van Damme", "Van Damme", "J. C."),
        ("J Van Damme", "Van Damme", "J"),
        ("Xuran CAI", "CAI", "Xuran"),
        ("CAI Xuran", "CAI", "Xuran"),
        ("Chun Kit LAM", "LAM", "Chun Kit"),
        ("Hitarth SINGH", "SINGH", "Hitarth"),
        ("JOHN SMITH", "SMITH", "JOHN"),
        ("J. SMITH", "SMITH", "J."),
        ("Martin Luther King Jr.", "King", "Martin Luther Jr."),
        ("Henry Louis Gates II", "Gates", "Henry Louis II"),
        ("Madonna", "Madonna", None),
        ("Jacques\u00a0Friedel", "Friedel", "Jacques"),
        ("Marthe  Bonamy", "Bonamy", "Marthe"),
    ],
)
def test_personal_names_split_into_family_and_given(
    name: str, family: str, given: str | None
) -> None:
    assert split_name(name) == (family, given)


@pytest.mark.parametrize(
    "name",
    [
        "International Genetics of Ankylosing Spondylitis Consortium (IGAS)",
        "Badan Pusat Statistik",
        "Statistics Denmark",
        "European Space Agency",
        "University of Bath",
        "Max-Planck-Institut für Kernphysik",
        "The ATLAS Collaboration",
        "Acme Ltd",
        "Research Group X",
    ],
)
def test_organisations_stay_whole(name: str) -> None:
    assert split_name(name) == (name, None)


@pytest.mark.parametrize("name", ["", "   ", ",", "\u200b"])
def test_empty_names_split_into_nothing(name: str) -> None:
    assert split_name(name) == (None, None)


def test_person_from_inverted_name_displays_given_first() -> None:
    person = make_person("Smith,  John")
    assert person is not None
    assert (person.name, person.family, person.given) == ("John Smith", "Smith", "John")


def test_person_from_display_name_keeps_the_name_as_printed() -> None:
    person = make_person("Xuran CAI", role="editor")
    assert person is not None
    assert (person.name, person.family, person.given, person.role) == (
        "Xuran CAI",
        "CAI",
        "Xuran",
        "editor",
    )


def test_person_normalises_orcid_affiliations_and_url() -> None:
    person = make_person(
        "Baker, Joshua",
        orcid="https://orcid.org/0000-0002-1825-0097",
        affiliations=["University of Bath ", "university of bath", "", "Dept. X"],
        url=" https://example.org/persons/baker ",
    )
    assert person is not None
    assert person.orcid == "0000-0002-1825-0097"
    assert person.affiliations == ("University of Bath", "Dept. X")
    assert person.url == "https://example.org/persons/baker"


def test_person_with_invalid_orcid_drops_it() -> None:
    person = make_person("Joshua Baker", orcid="0000-0002-1825-0098")
    assert person is not None
    assert person.orcid is None


def test_explicit_family_and_given_win_over_splitting() -> None:
    person = make_person("Paloma Schäfer Aguilar", family="Schäfer Aguilar", given="Paloma")
    assert person is not None
    assert (person.name, person.family, person.given) == (
        "Paloma Schäfer Aguilar",
        "Schäfer Aguilar",
        "Paloma",
    )


def test_person_built_from_family_and_given_alone() -> None:
    person = make_person("", family="Wilkinson", given="T. J.")
    assert person is not None
    assert person.name == "T. J. Wilkinson"


def test_organisation_person_keeps_whole_name() -> None:
    person = make_person("Consortium of Things (CoT), Europe")
    assert person is not None
    assert (person.name, person.family, person.given) == (
        "Consortium of Things (CoT), Europe",
        "Consortium of Things (CoT), Europe",
        None,
    )


@pytest.mark.parametrize("name", ["", "  ", "\u00a0"])
def test_empty_name_gives_no_person(name: str) -> None:
    assert make_person(name) is None


@pytest.mark.parametrize(
    ("name", "family", "given", "display"),
    [
        ("Smith, John, 1950-", "Smith", "John", "John Smith"),
        ("Smith, John, 1901-1975", "Smith", "John", "John Smith"),
        ("Smith, John, b. 1950", "Smith", "John", "John Smith"),
        ("Smith, John A. (John Andrew), 1950-", "Smith", "John A.", "John A. Smith"),
    ],
)
def test_library_authority_dates_and_fuller_form_are_not_part_of_the_name(
    name: str, family: str, given: str, display: str
) -> None:
    person = make_person(name)
    assert person is not None
    assert (person.family, person.given, person.name) == (family, given, display)


def test_organisation_with_dates_stays_whole() -> None:
    person = make_person("Bureau of Labor, 1990-")
    assert person is not None
    assert (person.family, person.given) == ("Bureau of Labor, 1990-", None)
