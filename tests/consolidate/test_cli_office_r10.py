"""Round 10: small office-facing defects of the trial — `checklist --all` read at 80 columns, the config
`fleet serve-samples` writes, `monitor` with nothing to check, the report's CMS column."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app


def _options(ws: pipeline.Workspace) -> list[str]:
    """The CLI's workspace options."""
    return ["-c", str(ws.loaded.path), "--db", ws.store.url]


def _bullets(text: str) -> list[str]:
    """The items printed under dashes ('  - item', continued on lines indented by four), each joined back."""
    items: list[str] = []
    for line in text.splitlines():
        if line.startswith("  - "):
            items.append(line[4:].strip())
        elif line.startswith("    ") and items and line.strip():
            items[-1] += " " + line.strip()
    return items


def test_checklist_all_reads_at_80_columns(crawled: pipeline.Workspace) -> None:
    """At 80 columns `checklist --all` fits, keeps step ids whole, and prints each site's blockers below the table
    one a line, each readable whole (they were squeezed into a table cell, one word a line)."""
    runner = CliRunner()
    listing = runner.invoke(app, ["checklist", "--all", *_options(crawled)], env={"COLUMNS": "80"})
    assert listing.exit_code == 0, listing.output
    assert max(len(line) for line in listing.stdout.splitlines()) <= 80
    document = json.loads(runner.invoke(app, ["checklist", "--all", "--json", *_options(crawled)]).output)
    printed = _bullets(listing.stdout)
    for site in document["sites"]:
        assert site["blockers"], site["site"]  # a fresh crawl: nothing pushed, columns undecided
        assert f"{site['site']}: {site['next_step']} blocked by" in listing.stdout
        for blocker in site["blockers"]:
            assert " ".join(blocker.split()) in printed, (blocker, printed)
        assert f" {site['next_step']} " in listing.stdout  # whole in its table row
