"""The CLI's shared conventions: --version, -h, exit codes in every --help, --json/--csv, --all."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from tests.workspace_cli import invoke as _run


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
        text = " ".join(runner.invoke(app, [*path.split(), "--help"], env={"COLUMNS": "200"}).output.split())
        assert "Exit codes: 0" in text and "130 interrupted" in text, path
        if any("--json" in p.opts for p in command.params):
            assert "JSON Lines" in text or "one JSON document" in text, path



def test_listings_json_lines_and_csv_agree(crawled: pipeline.Workspace) -> None:
    """A listing's --json is JSON Lines and its --csv has the same rows under one header; not both at once."""
    lines = _run(crawled, "articles", "fgw", "--json").output.splitlines()
    rows = list(csv.reader(io.StringIO(_run(crawled, "articles", "fgw", "--csv").output)))
    assert len(lines) == len(rows) - 1 > 0 and "title" in rows[0]
    assert [json.loads(line)["url"] for line in lines] == [r[rows[0].index("url")] for r in rows[1:]]
    messages = [json.loads(line) for line in _run(crawled, "messages", "--all", "--json").output.splitlines()]
    assert messages and {m["site"] for m in messages} <= {s.id for s in crawled.config.sites}
    both = _run(crawled, "columns", "fgw", "--json", "--csv")
    assert both.exit_code == 2 and "not both" in both.output


def test_push_and_rollback_all_print_one_summary_document(crawled: pipeline.Workspace) -> None:
    """push --all --json and rollback --all --json each print one JSON document with a row per site."""
    pushed = _run(crawled, "push", "--all", "--json", "--allow-untriaged")
    assert pushed.exit_code == 0, pushed.output
    document = json.loads(pushed.stdout)
    ids = [s.id for s in crawled.config.sites]
    assert [s["site"] for s in document["sites"]] == ids and sum(s["pushed"] for s in document["sites"]) > 0
    rolled = _run(crawled, "rollback", "--all", "--json")
    assert rolled.exit_code == 0, rolled.output
    removed = json.loads(rolled.stdout)["sites"]
    assert [s["site"] for s in removed] == ids
    assert sum(s["articles"] for s in removed) == sum(s["pushed"] for s in document["sites"])


def test_all_on_one_file_per_site_commands(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """notice/redirects --all need -o FOLDER and write SITE.html / SITE.csv there; site ids and --all together,
    or an unknown site id, are usage errors (exit 2)."""
    refused = _run(crawled, "notice", "--all", "--start", "2026-12-16")
    assert refused.exit_code == 2 and "-o FOLDER" in refused.output
    out = tmp_path / "notices"
    written = _run(crawled, "notice", "--all", "--start", "2026-12-16", "-o", str(out))
    assert written.exit_code == 0, written.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{s.id}.html" for s in crawled.config.sites)
    assert _run(crawled, "push", "--all", "--allow-untriaged").exit_code == 0
    no_folder = _run(crawled, "redirects", "--all")
    assert no_folder.exit_code == 2 and no_folder.output.count("-o FOLDER") == 1 and "hint:" in no_folder.output
    assert _run(crawled, "report", "--lang", "fr").exit_code == 2
    redirects = _run(crawled, "redirects", "--all", "-o", str(tmp_path / "redirects"))
    assert redirects.exit_code == 0, redirects.output
    assert (tmp_path / "redirects" / "fgw.csv").read_text(encoding="utf-8").count("\n") > 1
    for args in (["verify", "fgw", "--all"], ["rollback", "nosuch"], ["checklist"]):
        result = _run(crawled, *args)
        assert result.exit_code == 2 and "Traceback" not in result.output, args


def test_status_reads_at_80_columns(crawled: pipeline.Workspace) -> None:
    """At 80 columns `status` stacks each site's figures in lines that fit; a wide terminal gets the table."""
    args = ["status", "-c", str(crawled.loaded.path), "--db", crawled.store.url]
    narrow = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
    assert narrow.exit_code == 0, narrow.output
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80
    for site in crawled.config.sites:
        assert f"\n{site.id} " in narrow.stdout
    assert "articles" in narrow.stdout and "next" in narrow.stdout
    wide = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert wide.exit_code == 0 and "unresolved" in wide.stdout and "│" in wide.stdout


def test_an_error_raised_while_ctrl_c_is_handled_is_still_an_interruption() -> None:
    """Ctrl-C landing inside a library's cleanup (SQLAlchemy closing a transaction raises anew while handling it):
    the command ends with the one 'interrupted' line and exit 130, no traceback; other errors still propagate."""
    import pytest
    import typer

    from consolidate.cli_common import friendly_errors

    @friendly_errors
    def interrupted_in_cleanup() -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise RuntimeError("Transaction is not on the active transaction list") from None

    @friendly_errors
    def plain_bug() -> None:
        raise RuntimeError("a bug")

    with pytest.raises(typer.Exit) as ended:
        interrupted_in_cleanup()
    assert ended.value.exit_code == 130
    with pytest.raises(RuntimeError, match="a bug"):
        plain_bug()
