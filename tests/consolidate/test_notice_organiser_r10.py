"""A site whose 主办单位 is unknown (organiser "" — what `fleet serve-samples` writes) gets notice and moved pages
that leave the organiser out, never an empty value ('主办单位：）', '请与联系', an empty signature), and `notice` says
the notice names none (round-10 leftovers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.workspace import Workspace
from consolidate.notice import render_notice
from tests.consolidate.test_checklist import write_config
from tests.consolidate.test_crawl_errors import SMALL_SITE  # noqa: F401 - served by conftest's small_site


@pytest.fixture
def unknown_organiser(small_site: str, tmp_path: Path) -> Workspace:
    """write_config's s0 pointed at a small legacy site, its organiser left empty, crawled."""
    ws = write_config(tmp_path, ["migrate"], extra="    crawl: {rate_per_host: 500}\n")
    text = ws.loaded.path.read_text(encoding="utf-8").replace("http://127.0.0.1:9/s0/", small_site)
    ws.loaded.path.write_text(text.replace("organiser: 测试市s0局", 'organiser: ""'), encoding="utf-8")
    ws = Workspace.open(ws.loaded.path, ws.store.url)
    assert ws.site("s0").organiser == ""
    pipeline.crawl(ws, ["s0"])
    return ws


def test_an_unknown_organiser_is_left_out_of_both_pages(unknown_organiser: Workspace) -> None:
    """No 主办单位 row or empty value on either page; the notice opens with the site's name, asks readers to
    contact 本网站 and is signed with the date alone; the English line has no dangling comma."""
    ws = unknown_organiser
    notice = render_notice(ws, "s0", "notice")
    moved = render_notice(ws, "s0", "moved")
    for page in (notice, moved):
        text = LexborHTMLParser(page).body.text()
        assert "主办单位：）" not in text and "主办单位：，" not in text and "<td></td>" not in page
        assert "<th>主办单位</th>" not in page
    assert "工作安排，“测试市s0局网站”（网站标识码：9900000000）将整合迁移" in notice and "主办的" not in notice
    assert "请与本网站联系" in notice and '<p class="sign"><br>' not in notice
    assert "（网站标识码：9900000000）" in moved and ", )" not in moved and "(测试市s0局网站)" in moved


def test_notice_says_the_organiser_is_unknown(unknown_organiser: Workspace, tmp_path: Path) -> None:
    """`consolidate notice` writes the page and notes the missing 主办单位 with where to fill it in."""
    ws = unknown_organiser
    result = CliRunner().invoke(app, ["notice", "s0", "-o", str(tmp_path / "n.html"), "-c", str(ws.loaded.path),
                                      "--db", ws.store.url], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "note: s0: 主办单位 (organiser) unknown, so the notice names none" in text, text
    assert "fill in sites[].organiser" in text
