"""The notice and the moved page promise migrated content only when the portal holds the site's articles (trial 9,
finding 6): never pushed, or rolled back, they say the content is not on the new site yet, promise no redirect, and
the CLI says why and what to run."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.notice import migrated_articles, render_notice
from tests.conftest import push_sites

SITE = "fgw"
MIGRATED = "已迁移的内容可通过新网站查阅"  # the zh promise of migrated content (decided map)
REDIRECT = "原网址将自动跳转至新网站"
NOT_YET = "原网站内容尚未迁移至新网站"


def _notice(ws: pipeline.Workspace, *args: str) -> tuple[int, str, str]:
    """`consolidate notice ARGS` → (exit code, stdout, stderr)."""
    result = CliRunner().invoke(app, ["notice", *args, "--start", "2024-12-03", "-c", str(ws.loaded.path),
                                      "--db", ws.store.url])
    return result.exit_code, result.stdout, result.stderr


def _roll_back(ws: pipeline.Workspace) -> None:
    """Take the site's articles back out of the portal target."""
    exporter = pipeline.open_exporter(ws)
    try:
        pipeline.rollback_site(ws, SITE, exporter)
    finally:
        exporter.close()


def test_a_site_with_nothing_on_the_portal_gets_no_promise_of_migrated_content(crawled: pipeline.Workspace,
                                                                               tmp_path: Path) -> None:
    """Never pushed: no migrated-content promise (before: 已迁移的内容可通过新网站查阅). Pushed: the promise. Rolled
    back: no promise again, no redirect either though the map still says 301, and a note naming the target and the
    push to run; the moved page does not say the content moved."""
    code, out, err = _notice(crawled, SITE)
    assert code == 0 and MIGRATED not in out and NOT_YET in out and "Its content is not on the new site yet" in out
    assert "nothing of it has been pushed yet" in err and "promises no migrated content" in err
    push_sites(crawled, [SITE], allow_untriaged=True)
    assert migrated_articles(crawled, SITE)[0] > 0
    code, out, err = _notice(crawled, SITE)
    assert code == 0 and MIGRATED in out and NOT_YET not in out and "promises no migrated content" not in err
    assert "内容已迁移至" in render_notice(crawled, SITE, kind="moved")
    _roll_back(crawled)
    assert migrated_articles(crawled, SITE)[0] == 0
    out_dir = tmp_path / "notices"
    code, out, err = _notice(crawled, "--all", "-o", str(out_dir))
    assert code == 0, err
    page = (out_dir / f"{SITE}.html").read_text(encoding="utf-8")
    assert MIGRATED not in page and REDIRECT not in page and NOT_YET in page
    assert "its content moves to" not in page and "it is merged into" in page
    note = next(line for line in err.splitlines() if line.startswith(f"note: {SITE}:"))
    assert "no article of it is in" in note and "rolled back" in note and f"consolidate push {SITE}" in note
    moved = render_notice(crawled, SITE, kind="moved")
    assert "内容已迁移至" not in moved and "moved to" not in moved and "is merged into" in moved
