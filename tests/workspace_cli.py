"""The CLI run on a test workspace, as a user types it: its config and its store given on the command line."""

from __future__ import annotations

from click.testing import Result
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app


def invoke(ws: pipeline.Workspace, *args: str, width: int | None = None) -> Result:
    """Run one command on the workspace, at `width` terminal columns when given."""
    env = {"COLUMNS": str(width)} if width is not None else None
    return CliRunner().invoke(app, [*args, "-c", str(ws.loaded.path), "--db", ws.store.url], env=env)


def exit_and_output(ws: pipeline.Workspace, *args: str, width: int | None = None) -> tuple[int, str]:
    """A command's exit code and its output (stdout and stderr)."""
    result = invoke(ws, *args, width=width)
    return result.exit_code, result.output


def output_of(ws: pipeline.Workspace, *args: str, width: int | None = None, code: int = 0) -> str:
    """A command's output, its exit code asserted."""
    result = invoke(ws, *args, width=width)
    assert result.exit_code == code, result.output
    return result.output
