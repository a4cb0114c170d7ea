"""A dry run shows what the push would do, letters included, and points only at what exists after it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from consolidate import interaction as stage
from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import EventRow, PushRecord
from tests.consolidate.test_interaction import mailbox_fleet, ws  # noqa: F401 - the crawled mailbox fleet


def _push(workspace: pipeline.Workspace, site_id: str, root: Path, dry_run: bool) -> pipeline.PushSummary:
    """One push (or dry run) of a site into a static preview at `root`."""
    exporter = pipeline.open_exporter(workspace, "static", {"dir": str(root)})
    try:
        return pipeline.push_site(workspace, site_id, exporter, dry_run=dry_run)
    finally:
        exporter.close()


def _recorded(workspace: pipeline.Workspace) -> tuple[int, int]:
    """(push-map rows, push messages) in the store."""
    with workspace.store.session() as session:
        return (session.scalar(select(func.count()).select_from(PushRecord)) or 0,
                session.scalar(select(func.count()).select_from(EventRow).where(EventRow.stage == "push")) or 0)


def test_a_dry_run_counts_the_letters_the_push_sends(ws, tmp_path: Path) -> None:  # noqa: F811
    """Into a new preview the dry run counts every letter new, as the push then does, and records nothing; its
    files and columns are the push's, before and after it."""
    rows = stage.stored_records(ws, "fgw")
    assert rows
    before = _recorded(ws)
    planned = _push(ws, "fgw", tmp_path / "preview", dry_run=True)
    assert _recorded(ws) == before
    expected = {"records": len(rows), "pushed": len(rows), "updated": 0, "unchanged": 0, "failed": 0, "skipped": {},
                "in_file": 0}
    assert planned.letters == expected
    done = _push(ws, "fgw", tmp_path / "preview", dry_run=False)
    assert done.letters == expected
    assert done.files > 0 and (planned.files, planned.columns) == (done.files, done.columns)
    again = _push(ws, "fgw", tmp_path / "preview", dry_run=True)
    assert again.letters["unchanged"] == len(rows)
    assert (again.files, again.columns) == (done.files, done.columns)  # carried again, as a push counts them


def test_the_dry_run_hint_names_the_push_that_records_the_reasons(crawled: pipeline.Workspace) -> None:
    """Before any push `messages --stage push` lists nothing: a dry run with articles it would not send says that
    the push records the reasons, and never points at messages alone."""
    config = str(crawled.dir.parent / "migrations.yaml")
    result = CliRunner().invoke(app, ["push", "--all", "--dry-run", "-c", config], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    sites = [s.id for s in crawled.config.sites]
    hinted = [site for site in sites if f"reasons per article: `consolidate push {site}` records them, then "
              f"`consolidate messages {site} --stage push` lists them" in result.output]
    assert hinted and "reasons per article: consolidate messages" not in result.output
