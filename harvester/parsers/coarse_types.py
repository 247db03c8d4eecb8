"""Type strings of every vocabulary -> the coarse GOLD.md types.

The coarse types: article, book, chapter, conference-paper, thesis, dataset,
report, preprint, software, other. `coarse_type` reads citation/DC type words,
schema.org `@type`, COAR and info:eu-repo URIs, DataCite resourceTypeGeneral,
BibTeX/RIS kinds and the labels repository platforms print (English, German,
French, Swedish, Dutch, Spanish, ...). It returns None for a string that names
no kind ("Text", "Info:eu-repo/semantics/publishedVersion"): callers keep the
raw string in `Record.type_raw` and the type stays unknown rather than guessed.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["COARSE_TYPES", "coarse_type"]

COARSE_TYPES = frozenset({"article", "book", "chapter", "conference-paper", "thesis", "dataset",
                          "report", "preprint", "software", "other"})

# Exact keys after folding (lower case, URI prefix dropped, separators to spaces).
_EXACT: dict[str, str] = {
    # schema.org @type
    "scholarlyarticle": "article", "article": "article", "newsarticle": "other",
    "medicalscholarlyarticle": "article", "techarticle": "report", "report": "report",
    "thesis": "thesis", "dataset": "dataset", "datacatalog": "dataset", "book": "book",
    "chapter": "chapter", "softwaresourcecode": "software", "softwareapplication": "software",
    "creativework": "other", "mediaobject": "other", "imageobject": "other",
    "videoobject": "other", "audioobject": "other", "presentationdigitaldocument": "other",
    "poster": "other", "collection": "other", "periodical": "other",
    # DataCite resourceTypeGeneral (4.x)
    "journalarticle": "article", "datapaper": "article", "bookchapter": "chapter",
    "conferencepaper": "conference-paper", "conferenceproceeding": "book",
    "dissertation": "thesis", "preprint": "preprint", "software": "software",
    "computationalnotebook": "software", "model": "other", "image": "other",
    "audiovisual": "other", "interactiveresource": "other", "physicalobject": "other",
    "standard": "report", "workflow": "software", "sound": "other", "event": "other",
    "service": "other", "peerreview": "other", "text": "", "other": "other",
    # info:eu-repo/semantics (OpenAIRE / DRIVER)
    "bachelorthesis": "thesis", "masterthesis": "thesis",
    "doctoralthesis": "thesis", "book part": "chapter", "bookpart": "chapter",
    "conferenceobject": "conference-paper", "conferencepaperabstract": "conference-paper",
    "lecture": "other", "workingpaper": "preprint", "technicalreport": "report",
    "researchreport": "report", "review": "article", "contributiontoperiodical": "article",
    "annotation": "other", "patent": "other", "studentthesis": "thesis",
    # EPrints type ids (underscores folded to spaces)
    "book section": "chapter", "conference item": "conference-paper",
    "teaching resource": "other", "artefact": "other", "exhibition": "other",
    "performance": "other", "composition": "other",
    # BibTeX / RIS
    "inproceedings": "conference-paper", "incollection": "chapter", "inbook": "chapter",
    "phdthesis": "thesis", "mastersthesis": "thesis", "techreport": "report",
    "unpublished": "preprint", "jour": "article", "chap": "chapter", "conf": "conference-paper",
    "cpaper": "conference-paper", "thes": "thesis", "rprt": "report", "data": "dataset",
    "comp": "software", "misc": "other",
    # COinS genres / OpenURL formats
    "journal": "article", "proceeding": "conference-paper", "bookitem": "chapter",
    "preprint article": "preprint",
    # OJS / DC conventions
    "text.serial.journal": "article",
    # Portuguese and Spanish labels of DSpace sites (the Brazilian and Latin American
    # vocabularies) whose words the rules below would not reach
    "tese": "thesis", "trabalho de conclusão de curso": "thesis", "trabajo de grado": "thesis",
    "trabalho apresentado em evento": "conference-paper", "ponencia": "conference-paper",
    "conjunto de datos": "dataset", "conjunto de dados": "dataset",
    "documento de trabajo": "preprint",
    # IRIS (Italian DSpace-CRIS) publication types
    "contributo in volume": "chapter", "contributo in atti di convegno": "conference-paper",
    # Figshare item types
    "journal contribution": "article", "figure": "other", "media": "other",
    "fileset": "dataset", "code": "software", "online resource": "other",
    "presentation": "other", "educational resource": "other",
    "physical object": "other", "data management plan": "other", "peer review": "other",
    "computational notebook": "software",
}

# COAR resource types (http://purl.org/coar/resource_type/c_xxxx), the common ones.
_COAR: dict[str, str] = {
    "c_6501": "article", "c_2df8fbb1": "article", "c_dcae04bc": "article",
    "c_beb9": "article", "c_3248": "chapter", "c_2f33": "book", "c_5794": "conference-paper",
    "c_c94f": "conference-paper", "c_f744": "book", "c_46ec": "thesis", "c_db06": "thesis",
    "c_bdcc": "thesis", "c_7a1f": "thesis", "c_ddb1": "dataset", "c_5ce6": "software",
    "c_93fc": "report", "c_18ws": "report", "c_8042": "preprint", "c_816b": "preprint",
    "c_1843": "other", "c_c513": "other", "c_12ce": "other", "c_6670": "other",
}

# Substring rules over the folded string, first match wins: the specific phrases come
# before the words they contain ("book chapter" before "book", "thesis" before "paper").
_RULES: tuple[tuple[str, str], ...] = (
    ("preprint", "preprint"), ("pre-print", "preprint"), ("prépublication", "preprint"),
    ("pré-publication", "preprint"), ("working paper", "preprint"),
    ("document de travail", "preprint"), ("arbeitspapier", "preprint"),
    ("diskussionspapier", "preprint"), ("discussion paper", "preprint"),
    ("thesis", "thesis"), ("thèse", "thesis"), ("dissertation", "thesis"),
    ("dissertação", "thesis"),
    ("doktorarbeit", "thesis"), ("habilitation", "thesis"), ("masterarbeit", "thesis"),
    ("bachelorarbeit", "thesis"), ("diplomarbeit", "thesis"), ("mémoire", "thesis"),
    ("avhandling", "thesis"), ("examensarbete", "thesis"), ("uppsats", "thesis"),
    ("proefschrift", "thesis"), ("tesis", "thesis"), ("tesi", "thesis"),
    ("conference", "conference-paper"), ("proceedings paper", "conference-paper"),
    ("konferenz", "conference-paper"), ("congrès", "conference-paper"),
    ("colloque", "conference-paper"), ("konferens", "conference-paper"),
    ("tagungsband", "book"), ("proceedings", "conference-paper"),
    ("book chapter", "chapter"), ("chapter", "chapter"), ("chapitre", "chapter"),
    ("buchkapitel", "chapter"), ("buchbeitrag", "chapter"), ("teil eines buches", "chapter"),
    ("kapitel", "chapter"), ("part of book", "chapter"), ("bokkapitel", "chapter"),
    ("capítulo", "chapter"), ("sammelband", "book"),
    ("dataset", "dataset"), ("data set", "dataset"), ("datensatz", "dataset"),
    ("jeu de données", "dataset"), ("dataverse", "dataset"), ("research data", "dataset"),
    ("forschungsdaten", "dataset"), ("datamängd", "dataset"),
    ("software", "software"), ("source code", "software"), ("logiciel", "software"),
    ("technical report", "report"), ("report", "report"), ("bericht", "report"),
    ("rapport", "report"), ("informe", "report"), ("relatório", "report"),
    ("journal article", "article"), ("article", "article"), ("artikel", "article"),
    ("artículo", "article"), ("articolo", "article"), ("aufsatz", "article"),
    ("artigo", "article"),
    ("book", "book"), ("monograph", "book"), ("monografi", "book"), ("buch", "book"),
    ("ouvrage", "book"), ("livre", "book"), ("libro", "book"), ("livro", "book"),
    ("bok", "book"),
    ("poster", "other"), ("presentation", "other"), ("lecture", "other"), ("vortrag", "other"),
    ("image", "other"), ("video", "other"), ("patent", "other"), ("interview", "other"),
)

_PREFIXES = re.compile(
    r"^(?:https?://schema\.org/|schema:|info:eu-repo/semantics/|https?://purl\.org/coar/"
    r"resource_type/|coar:|info:ofi/fmt:kev:mtx:|https?://purl\.org/dc/dcmitype/|dcmitype:)",
    re.I,
)
_SEPARATORS = re.compile(r"[_\s]+")


@lru_cache(maxsize=4096)
def coarse_type(raw: str | None) -> str | None:
    """The coarse type a type string names, or None when it names none."""
    if not raw:
        return None
    key = _PREFIXES.sub("", raw.strip()).strip().casefold()
    if key.startswith("c_") and key in _COAR:
        return _COAR[key]
    key = _SEPARATORS.sub(" ", key).strip(" .:;/")
    if not key:
        return None
    if key in COARSE_TYPES:
        return key
    exact = _EXACT.get(key, _EXACT.get(key.replace(" ", "")))
    if exact is not None:
        return exact or None
    for needle, kind in _RULES:
        if needle in key:
            return kind
    return None
