"""A push of a site nobody mapped says that it followed automatic column decisions nobody signed; a push to a
live portal (WordPress) refuses such a site rather than publish it into columns nobody chose."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import ColumnMapping, PushRecord
from consolidate.push import NotMappedError
from exporters.base import ExportContext, create_exporter

SITE = "jyj"


def _cli(ws: pipeline.Workspace, *args: str) -> str:
    """The output of one CLI command on the workspace (exit 0 asserted)."""
    result = CliRunner().invoke(app, [*args, "-c", str(ws.dir.parent / "migrations.yaml")], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    return result.output


def _automatic(ws: pipeline.Workspace) -> int:
    """The site's column decisions `map` made on its own (undecided ones aside)."""
    with ws.store.session() as session:
        return session.scalar(select(func.count()).select_from(ColumnMapping).where(
            ColumnMapping.site_id == SITE, ColumnMapping.decided_by == "consolidate",
            ColumnMapping.decision != "unmapped")) or 0


def test_push_before_map_says_the_columns_were_decided_automatically(crawled: pipeline.Workspace) -> None:
    """The dry run and the push of a never-mapped site each print one line counting the automatic decisions and
    pointing at `consolidate map` (the dry run records none of them, the push does); once the office has signed a
    decision the line is gone."""
    planned = _cli(crawled, "push", SITE, "--dry-run")
    assert _automatic(crawled) == 0
    pushed = _cli(crawled, "push", SITE)
    automatic = _automatic(crawled)
    assert automatic > 0
    line = f"{automatic} columns decided automatically, none signed by the office"
    assert planned.count(line) == 1 and f"review with `consolidate map {SITE}`" in planned
    assert pushed.count(line) == 1
    with crawled.store.session() as session:
        first = session.scalars(select(ColumnMapping).where(ColumnMapping.site_id == SITE)
                                .order_by(ColumnMapping.id)).first()
        assert first is not None
        session.execute(update(ColumnMapping).where(ColumnMapping.id == first.id).values(decided_by="张伟"))
    assert "decided automatically" not in _cli(crawled, "push", SITE)


def test_a_live_portal_refuses_a_site_nobody_mapped(crawled: pipeline.Workspace,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """WordPress publishes what it is given at once: a push of a never-mapped site to it is refused before the
    target is opened, with the command that decides the columns; nothing is mapped or pushed on its own."""
    monkeypatch.setenv("CONSOLIDATE_TEST_WP_PASSWORD", "unused")
    context = ExportContext(workspace=crawled.dir, portal=crawled.config.portal,
                            programme_name=crawled.config.programme.name)
    live = create_exporter("wordpress", {"url": "http://127.0.0.1:9/", "user": "admin",
                                         "app_password_env": "CONSOLIDATE_TEST_WP_PASSWORD"}, context)
    with pytest.raises(NotMappedError) as refused:
        pipeline.push_site(crawled, SITE, live)
    assert refused.value.exit_code == 2 and f"consolidate map {SITE}" in (refused.value.hint or "")
    with crawled.store.session() as session:
        assert session.scalar(select(func.count()).select_from(ColumnMapping)
                              .where(ColumnMapping.site_id == SITE)) == 0
        assert session.scalar(select(func.count()).select_from(PushRecord)) == 0
