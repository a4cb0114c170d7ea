"""A dry run writes nothing anywhere (store, exporter output, files), not even the triage scan a push's gate makes
first, and says what the real push then does; bad option values are usage errors (exit 2); `redirects --all` with
every site refused writes nothing and says so."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from consolidate import pipeline
from tests.conftest import make_workspace
from tests.workspace_cli import exit_and_output

SITE = "sfj"
HOME = ('<html><head><meta charset="utf-8"><title>司法局</title></head><body><div class="nav">'
        '<a href="/">首页</a> <a href="/news/">工作动态</a></div><ul>'
        '<li><a href="/news/a1.html">法律援助中心值班安排</a> 2024-03-01</li>'
        '<li><a href="/news/a2.html">司法行政工作会议召开</a> 2024-03-02</li>'
        '<li><a href="/news/a3.html">人民调解员培训班开班</a> 2024-03-03</li></ul></body></html>')
ARTICLE = ('<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
           '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/news/">工作动态</a></div>'
           '<h1>{title}</h1><p>发布日期：2024-03-0{day}</p><p>{text}</p>{more}</body></html>')

# served by conftest's small_site: one article with personal data (held back by the triage gate), one with an
# attachment (read by triage: its reading is cached in the store) and a link to its column's list page, one
# with a picture
SMALL_SITE = {
    "index.html": HOME, "news/index.html": HOME,
    "news/a1.html": ARTICLE.format(title="法律援助中心值班安排", day=1,
                                   text="本周值班律师张伟，身份证号110101199003074514，手机13812345678。" * 2, more=""),
    "news/a2.html": ARTICLE.format(title="司法行政工作会议召开", day=2, text="会议总结了去年工作，部署了今年的重点任务。" * 3,
                                   more='<p>附件：<a href="/files/plan.pdf">工作要点.pdf</a> 更多见<a href="/news/">工作动态</a></p>'),
    "news/a3.html": ARTICLE.format(title="人民调解员培训班开班", day=3, text="培训班围绕人民调解工作规范开展学习交流。" * 3,
                                   more='<p><img src="/img/photo.png" alt="培训现场"></p>'),
    "files/plan.pdf": b"%PDF-1.4\n% not really a pdf\n",
    "img/photo.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
}


@pytest.fixture
def crawled_small(small_site: str, tmp_path: Path) -> pipeline.Workspace:
    """The small site crawled into a new workspace (never triaged, mapped or pushed)."""
    ws = make_workspace(tmp_path / "ws", {SITE: small_site})
    pipeline.crawl(ws, [SITE])
    return ws


def _tables(ws: pipeline.Workspace) -> dict[str, list[tuple]]:
    """Every row of every table of the store."""
    with sqlite3.connect(ws.store.engine.url.database) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(db.execute(f'SELECT * FROM "{t}"'), key=repr) for t in tables}  # noqa: S608 - own names


def _tree(root: Path) -> dict[str, str]:
    """Every file and folder under the workspace → its content's digest ('dir' for a folder); the store's
    journal files (-wal, -shm: an open connection's) left out, the store file itself kept."""
    return {str(p.relative_to(root)): "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if not p.name.endswith(("-wal", "-shm", "-journal"))}


def _cli(ws: pipeline.Workspace, *args: str) -> tuple[int, str]:
    """A command's exit code and its output at 300 columns."""
    return exit_and_output(ws, *args, width=300)


def _figures(output: str) -> list[dict]:
    """A push's --json figures per site, without the dry-run flag."""
    return json.loads(output[output.index("{"):])["sites"]


@pytest.mark.parametrize("exporter", ["static", "bundle", "wxr"])
def test_a_first_dry_run_after_a_crawl_writes_nothing_and_counts_as_the_push(
        crawled_small: pipeline.Workspace, exporter: str) -> None:
    """Never triaged, mapped or pushed: the dry run leaves every table and every file of the workspace as they
    were (no triage scan, no automatic map, no output folder or lock), and its figures are the push's."""
    ws = crawled_small
    ws.store.engine.dispose()
    tables, tree = _tables(ws), _tree(ws.dir)
    code, output = _cli(ws, "push", SITE, "--dry-run", "--json", "--exporter", exporter)
    assert code == 0, output
    ws.store.engine.dispose()
    assert _tables(ws) == tables
    assert _tree(ws.dir) == tree
    planned = _figures(output)
    assert planned[0]["pushed"] == 2 and planned[0]["unresolved"] == {"personal data undecided": 1}
    code, output = _cli(ws, "push", SITE, "--json", "--exporter", exporter)
    assert code == 0, output
    done = _figures(output)
    assert {k: (v, planned[0][k]) for k, v in done[0].items() if planned[0][k] != v} == {}
    assert done == planned
    with sqlite3.connect(ws.store.engine.url.database) as db:
        assert db.execute("SELECT count(*) FROM triage_scans").fetchone()[0] == 3  # the push recorded its scan


def test_a_dry_run_after_new_content_keeps_the_office_decisions_and_stores_nothing(
        crawled_small: pipeline.Workspace) -> None:
    """A site triaged and pushed, then its triage scan dropped (as after a crawl that changed every article):
    the dry run reads the articles again in memory and counts as the push that follows."""
    ws = crawled_small
    assert _cli(ws, "push", SITE)[0] == 0
    with sqlite3.connect(ws.store.engine.url.database) as db:
        db.execute("DELETE FROM triage_scans")
    ws.store.engine.dispose()
    tables, tree = _tables(ws), _tree(ws.dir)
    code, output = _cli(ws, "push", SITE, "--dry-run", "--json")
    assert code == 0, output
    ws.store.engine.dispose()
    assert (_tables(ws), _tree(ws.dir)) == (tables, tree)
    code, pushed = _cli(ws, "push", SITE, "--json")
    assert code == 0, pushed
    assert _figures(output) == _figures(pushed)
    assert _figures(pushed)[0]["unchanged"] == 2


def test_a_wordpress_dry_run_contacts_nothing(crawled_small: pipeline.Workspace) -> None:
    """The dry run of a live target opens no connection (nothing listens at the URL; no password is set) and
    plans as any other."""
    exporter = pipeline.open_exporter(crawled_small, "wordpress", {"url": "http://127.0.0.1:9/", "user": "editor",
                                                                   "app_password_env": "CONSOLIDATE_UNSET_PASSWORD"},
                                      start=False)
    try:
        summary = pipeline.push_site(crawled_small, SITE, exporter, dry_run=True)
    finally:
        exporter.close()
    assert summary.pushed == 2 and summary.dry_run


@pytest.mark.parametrize("command", [["push", "--all", "--exporter", "bogus"], ["push", SITE, "--dry-run",
                                     "--exporter", "bogus"], ["verify", SITE, "--exporter", "bogus"],
                                     ["redirects", "--all", "-f", "bogus", "-o", "out"],
                                     ["redirects", SITE, "--unresolved", "bogus", "-f", "nginx"],
                                     ["map", SITE, "--lang", "xx", "--export", "out/map.xlsx"]])
def test_an_unknown_option_value_is_a_usage_error(crawled_small: pipeline.Workspace, command: list[str],
                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One error line naming the valid values, exit 2, and nothing written."""
    monkeypatch.chdir(tmp_path)
    code, output = _cli(crawled_small, *command)
    assert code == 2, output
    assert output.count("error:") == 1 and "Traceback" not in output
    assert any(valid in output for valid in ("static", "nginx", "home", "zh or en"))
    assert not (tmp_path / "out").exists()


def test_redirects_of_every_site_refused_writes_nothing(crawled_small: pipeline.Workspace, tmp_path: Path) -> None:
    """Every site refused (sfj has unresolved URLs, the others were never crawled): `redirects --all -f nginx -o
    DIR` writes no file (not even the shared http settings), says nothing is ready, names each site once a line."""
    ws = crawled_small
    assert _cli(ws, "push", SITE)[0] == 0  # the article with personal data stays unresolved
    out = tmp_path / "redirects"
    code, output = _cli(ws, "redirects", "--all", "-f", "nginx", "-o", str(out))
    assert code == 1, output
    assert list(out.iterdir()) == []
    said = " ".join(output.split())
    assert "include" not in said and f"{SITE}: {SITE}:" not in said
    assert f"error: {SITE}: 5 redirected (301), 0 archived (410), 2 unresolved — no nginx config" in said
    assert "nothing written to" in said and "every site was refused (fgw, jyj, sfj); no server config is ready" in said
    code, output = _cli(ws, "redirects", "--all", "-f", "nginx", "-o", str(out), "--unresolved", "home")
    assert code == 1, output
    assert sorted(p.name for p in out.iterdir()) == ["00-consolidate-http.conf", f"{SITE}.conf"]
    said = " ".join(output.split())
    assert f"written: {SITE}.conf; not written (refused): fgw, jyj" in said and "include" in said
