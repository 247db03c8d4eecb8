"""config.yaml -> Settings: the shipped example loads, and every mistake names file and key."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from harvester.errors import ConfigError
from harvester.politeness import Politeness
from pipelines.config import load_settings, parse_settings

ROOT = Path(__file__).resolve().parent.parent
GOOD_SOURCE = "sources:\n  - name: demo\n    urls: https://example.org/a\n"


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_shipped_example_loads_with_documented_defaults() -> None:
    s = load_settings(ROOT / "config.yaml", env={})
    assert s.database_url == f"sqlite:///{ROOT / 'harvest.db'}"
    assert s.politeness == Politeness(concurrency=2, delay=1.0, obey_robots=True,
                                      allow_private=False, allow_hosts=())
    assert "@" in s.fetch.user_agent
    assert s.sources == ()


def test_shipped_example_source_loads_once_uncommented(tmp_path: Path) -> None:
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    block = re.search(r"# BEGIN EXAMPLE SOURCE.*?\n(.*?)# END EXAMPLE SOURCE", text, re.S)
    assert block
    example = "\n".join(line.removeprefix("# ") for line in block.group(1).splitlines())
    uncommented = text.replace("\nsources: []\n", "\n" + example + "\n", 1)
    s = load_settings(write(tmp_path, uncommented), env={})
    src, oai = s.sources
    assert (oai.name, oai.oai, oai.enrich) == (
        "example-oai", "https://repository.example.org/oai/request", True)
    assert (src.name, src.platform) == ("example-pure", "pure")
    assert src.sitemap == ("https://research.example.org/sitemap.xml",)
    assert len(src.listing) == 1 and len(src.urls) == 1
    assert src.politeness == Politeness(concurrency=2, delay=2.0, obey_robots=True,
                                        allow_private=False, allow_hosts=("files.example.org",))


def test_source_politeness_overrides_single_keys_of_the_default(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        politeness: {concurrency: 4, delay: 0.5}
        sources:
          - name: a
            listing: [https://a.example/en/publications/]
            politeness: {obey_robots: false}
          - name: b
            sitemap: https://b.example/sitemap.xml
            allow_private: true
        """)
    s = load_settings(path, env={})
    assert s.source("a").politeness == Politeness(4, 0.5, False, False, ())
    assert s.source("b").politeness == Politeness(4, 0.5, True, True, ())
    assert s.source("b").allow_private and not s.source("a").allow_private
    assert s.source("a").platform == "auto"


def test_top_level_user_agent_is_shorthand_for_fetch_user_agent() -> None:
    s = parse_settings({"user_agent": "bot (+https://ex.org/bot)", "sources": []},
                       path=None, env={})
    assert s.fetch.user_agent == "bot (+https://ex.org/bot)"
    with pytest.raises(ConfigError, match=r"^<config>: user_agent: given twice"):
        parse_settings({"user_agent": "a@b.org", "fetch": {"user_agent": "c@d.org"},
                        "sources": []}, path=None, env={})


def test_unknown_source_name_is_a_config_error(tmp_path: Path) -> None:
    s = load_settings(write(tmp_path, GOOD_SOURCE), env={})
    with pytest.raises(ConfigError, match=r"no source named 'nope' \(known: demo\)"):
        s.source("nope")


@pytest.mark.parametrize(
    ("database", "expected"),
    [
        (None, "sqlite:///{dir}/harvest.db"),
        ("data/h.db", "sqlite:///{dir}/data/h.db"),
        ("sqlite:///rel/h.db", "sqlite:///{dir}/rel/h.db"),
        ("/abs/h.db", "sqlite:////abs/h.db"),
        ("sqlite:////abs/h.db", "sqlite:////abs/h.db"),
        ("'sqlite:///:memory:'", "sqlite:///:memory:"),
        ("postgresql+psycopg://u@db/h", "postgresql+psycopg://u@db/h"),
    ],
)
def test_database_paths_resolve_against_the_config_directory(
    tmp_path: Path, database: str | None, expected: str
) -> None:
    head = f"database: {database}\n" if database else ""
    sub = tmp_path / "conf"
    sub.mkdir()
    s = load_settings(write(sub, head + GOOD_SOURCE), env={})
    assert s.database_url == expected.format(dir=sub.resolve())


def test_environment_overrides_database(tmp_path: Path) -> None:
    path = write(tmp_path, "database: local.db\n" + GOOD_SOURCE)
    env = {"HARVESTER_DATABASE_URL": "postgresql+psycopg://h@127.0.0.1/x"}
    assert load_settings(path, env=env).database_url == "postgresql+psycopg://h@127.0.0.1/x"


def test_parse_settings_without_a_file_names_config_in_errors() -> None:
    with pytest.raises(ConfigError, match=r"^<config>: sources: missing"):
        parse_settings({}, path=None, env={})


# (config text, expected message after "config.yaml"); each must be one line.
ERRORS = [
    ("sources: []\ndatabse: x.db\n", r": databse: unknown key \(expected one of: database,"),
    ("database: x.db\n", r": sources: missing"),
    ("sources: {name: a}\n", r": sources: must be a list, got \{'name': 'a'\}"),
    ("- a\n- b\n", r": must be a mapping, got \['a', 'b'\]"),
    ("sources:\n  - name: a\n    urls: ftp://x.org/f\n",
     r": sources\[0\]\.urls: must be an http\(s\) URL, got 'ftp://x.org/f'"),
    ("sources:\n  - name: a\n    urls: [https://ok.org/, not a url]\n",
     r": sources\[0\]\.urls\[1\]: must be an http\(s\) URL, got 'not a url'"),
    ("sources:\n  - name: a\n    platform: pure\n",
     r": sources\[0\]: source 'a' needs at least one of sitemap, listing, urls"),
    ("sources:\n  - name: a\n    platform: dspace9\n    urls: https://x.org/\n",
     r": sources\[0\]\.platform: must be one of auto, .*, got 'dspace9'"),
    ("sources:\n  - urls: https://x.org/\n", r": sources\[0\]\.name: missing"),
    ("sources:\n  - name: a\n    urls: https://x.org/\n  - name: b\n    urls: https://x.org/\n"
     "    politeness: {delay: fast}\n",
     r": sources\[1\]\.politeness\.delay: must be a number >= 0, got 'fast'"),
    ("politeness: {delay: -1}\nsources: []\n",
     r": politeness\.delay: must be a number >= 0, got -1"),
    ("politeness: {concurrency: 0}\nsources: []\n",
     r": politeness\.concurrency: must be an integer >= 1, got 0"),
    ("politeness: {obey_robots: 'no'}\nsources: []\n",
     r": politeness\.obey_robots: must be true or false, got 'no'"),
    ("sources:\n  - name: a\n    urls: https://x.org/\n    politeness: {dealy: 2}\n",
     r": sources\[0\]\.politeness\.dealy: unknown key"),
    ("sources:\n  - name: a\n    urls: https://x.org/\n  - name: a\n    urls: https://y.org/\n",
     r": sources\[1\]\.name: duplicate source name 'a'"),
    ("fetch: {user_agent: harvester/0.1}\nsources: []\n",
     r": fetch\.user_agent: must contain a contact \(an email address or URL\)"),
    ("fetch: {timeout: 0}\nsources: []\n", r": fetch\.timeout: must be a number > 0, got 0"),
    ("fetch: {transport: curl}\nsources: []\n",
     r": fetch\.transport: must be 'wire', 'aiohttp' or"),
    ("database: 'bad url://x'\nsources: []\n", r": database: not a database URL: "),
    ("sources:\n  - name: a\n    urls: https://x.org/\n    allow_private: 1\n",
     r": sources\[0\]\.allow_private: must be true or false, got 1"),
    ("sources: []\nsources: []\n", r":2:1: YAML syntax error: .*duplicate key 'sources'"),
    ("sources:\n  - name: a\n   urls: x\n", r":3:\d+: YAML syntax error: "),
    ("sources: [\n", r":2:1: YAML syntax error: "),
]


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[m for _, m in ERRORS])
def test_config_errors_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    text_of = str(info.value)
    assert text_of.startswith(str(path)), text_of
    assert re.search(message, text_of.removeprefix(str(path))), text_of
    assert "\n" not in text_of


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nothere\.yaml: config file not found"):
        load_settings(tmp_path / "nothere.yaml", env={})
