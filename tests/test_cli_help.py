"""Every command has help text (the sqlite-utils rule), and usage errors exit 2."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from pipelines.cli import main


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, cmd in group.commands.items():
        path = (*prefix, name)
        found.append(path)
        if isinstance(cmd, click.Group):
            found.extend(all_commands(cmd, path))
    return found


COMMANDS = all_commands(main)


def test_the_cli_has_the_documented_commands() -> None:
    assert {("harvest",), ("parse",), ("db", "upgrade"), ("sources",), ("runs",),
            ("demo",)} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help_text(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    cmd: click.Command = main
    for name in path:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[name]
    assert cmd.help and cmd.help.strip(), f"{' '.join(path)} has no help text"


def test_unknown_command_is_a_usage_error() -> None:
    assert CliRunner().invoke(main, ["no-such-command"]).exit_code == 2
