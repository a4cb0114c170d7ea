"""The CLI's shared conventions: --version, -h, exit codes in every --help, --json/--csv, --all."""

from __future__ import annotations

from typing import Any

import typer
from typer.testing import CliRunner

from consolidate.cli import app


def _commands() -> dict[str, Any]:
    """Every leaf command by its path ("verify", "urls list")."""
    root = typer.main.get_command(app)
    found: dict[str, Any] = {}

    def walk(group: Any, prefix: str) -> None:
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, f"{prefix}{name} ")
            else:
                found[f"{prefix}{name}"] = command

    walk(root, "")
    return found


def test_version_and_short_help() -> None:
    """`--version` prints the version; `-h` is the same as `--help`, on the app and on a command."""
    runner = CliRunner()
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.output.startswith("consolidate ")
    assert runner.invoke(app, ["-h"]).output == runner.invoke(app, ["--help"]).output
    short = runner.invoke(app, ["verify", "-h"])
    assert short.exit_code == 0 and "Usage" in short.output


def test_every_help_states_exit_codes() -> None:
    """Each command's --help names its exit codes, and each --json says which convention it follows."""
    runner = CliRunner()
    for path, command in _commands().items():
        text = runner.invoke(app, [*path.split(), "--help"], env={"COLUMNS": "200"}).output
        assert "Exit codes: 0" in text and "130 interrupted" in text, path
        if any("--json" in p.opts for p in command.params):
            assert "JSON Lines" in text or "one JSON document" in text, path
