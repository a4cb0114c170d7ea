"""The WordPress exporter from the command line: a missing Application Password is bad configuration (exit 2,
naming the variable and the config key); a rollback says the sub-sites stay."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import ColumnMapping
from consolidate.verify import rollback_site
from tests.exporters.test_wordpress import ENV, _exporter, _unique_subsite_paths
from tests.services.wordpress import WordPressService

UNSET = "CONSOLIDATE_TEST_WP_NEVER_SET"


def _wordpress_config(ws: pipeline.Workspace, url: str, variable: str) -> None:
    """The workspace's config exporting to a WordPress at url, its password in `variable`."""
    config = ws.loaded.path
    text = config.read_text(encoding="utf-8")
    export = text[text.index("\nexport:"):text.index("\nsites:")]
    config.write_text(text.replace(export, f"\nexport:\n  exporter: wordpress\n  options:\n    url: {url}\n"
                                           f"    user: editor\n    app_password_env: {variable}\n"), encoding="utf-8")


def test_push_without_the_password_variable_is_exit_2(crawled: pipeline.Workspace) -> None:
    """No traceback, exit 2, one error naming the variable and export.options.app_password_env."""
    _wordpress_config(crawled, "http://127.0.0.1:9/", UNSET)
    result = CliRunner().invoke(app, ["push", "jyj", "-c", str(crawled.loaded.path), "--db", crawled.store.url],
                                env={UNSET: ""})
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert UNSET in text and "export.options.app_password_env" in text and "Traceback" not in text


def test_rollback_names_the_subsites_it_leaves(crawled: pipeline.Workspace, wordpress: WordPressService,
                                                monkeypatch) -> None:
    """After a rollback the site's WordPress sub-site is still there, and the summary says so with its address."""
    monkeypatch.setenv(ENV, wordpress.password)
    portal = _unique_subsite_paths(crawled.config.portal)
    with crawled.store.session() as session:
        if not session.scalar(select(ColumnMapping.id).where(ColumnMapping.site_id == "jyj").limit(1)):
            pipeline.map_site(crawled, "jyj")
    exporter = _exporter(crawled, wordpress, portal=portal, concurrency=2)
    try:
        pipeline.push_site(crawled, "jyj", exporter, limit=3)
        removed = rollback_site(crawled, "jyj", exporter)
    finally:
        exporter.close()
    home = wordpress.site_url(next(s.path for s in portal.subsites if s.id == "jyj"))
    assert removed.articles == 3 and not removed.failed
    assert removed.kept_subsites == [home]
