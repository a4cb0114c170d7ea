"""The map stage on the crawled sample fleet: rules + suggestions decide every column; suggestions alone
find the synonym-named ones and leave stale, empty and ambiguous columns for review."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from consolidate import pipeline
from consolidate.mapping import map_site, stored_decisions

AS_OF = dt.date(2026, 11, 1)
EXPECTED = {  # the example migrations.yaml: (decision, target, decided_by)
    "fgw": {"信息公开 > 人事信息": ("drop", None, "migrations.yaml"),
            "信息公开 > 政策文件": ("migrate", "fgw-zcwj", "consolidate"),
            "信息公开 > 政策解读": ("migrate", "fgw-zcjd", "consolidate"),
            "信息公开 > 通知公告": ("migrate", "fgw-tzgg", "consolidate"),
            "办事服务 > 办事指南": ("migrate", "fgw-bszn", "consolidate"),
            "新闻中心 > 图片新闻": ("drop", None, "migrations.yaml"),
            "新闻中心 > 工作动态": ("migrate", "fgw-gzdt", "consolidate")},
    "jyj": {"办事指南": ("migrate", "jyj-bszn", "consolidate"), "招生考试": ("migrate", "jyj-zsks", "consolidate"),
            "政务公开 > 政策文件": ("migrate", "jyj-zcwj", "consolidate"),
            "教育动态": ("migrate", "jyj-jydt", "consolidate"), "教育督导": ("drop", None, "migrations.yaml"),
            "校园风采": ("migrate", "jyj-jydt", "migrations.yaml"), "通知公告": ("migrate", "jyj-tzgg", "consolidate")},
    "sfj": {"公示公告": ("migrate", "tzgg", "consolidate"), "普法宣传": ("migrate", "bmdt", "migrations.yaml"),
            "法律服务": ("migrate", "bszn", "migrations.yaml"), "法治动态": ("migrate", "bmdt", "consolidate")},
}


def _decisions(ws: pipeline.Workspace, site_id: str) -> dict[str, tuple]:
    return {c.path: (d.decision, d.target, d.decided_by) for c, d in map_site(ws, site_id, AS_OF)
            if "container" not in c.flags}


def test_every_column_gets_the_right_decision(crawled: pipeline.Workspace) -> None:
    """With the example config every legacy column is decided, by rule or confident suggestion."""
    for site_id, expected in EXPECTED.items():
        assert _decisions(crawled, site_id) == expected, site_id


def test_flags_follow_the_planted_defects(crawled: pipeline.Workspace) -> None:
    """Planted empty and stale columns carry their flags; section headings are containers."""
    flags = {(s.id, c.path): c.flags for s in crawled.config.sites for c, _ in map_site(crawled, s.id, AS_OF)}
    assert "empty" in flags[("fgw", "信息公开 > 人事信息")] and "empty" in flags[("jyj", "教育督导")]
    for key in (("fgw", "新闻中心 > 图片新闻"), ("jyj", "校园风采"), ("sfj", "普法宣传")):
        assert "stale" in flags[key], key
    assert flags[("fgw", "新闻中心 > 工作动态")] == [] and flags[("fgw", "新闻中心")] == ["container"]


def _bare_workspace(crawled: pipeline.Workspace, tmp_path: Path) -> pipeline.Workspace:
    """The same crawl under a config with no aliases and no mapping rules."""
    text = crawled.loaded.path.read_text(encoding="utf-8")
    text = re.sub(r", aliases: \[[^\]]*\]", "", text)
    text = re.sub(r"\n    mapping:.*?(?=\n\n|\Z)", "", text, flags=re.S)
    bare = tmp_path / "bare"
    shutil.copytree(crawled.dir, bare / ".consolidate")
    (bare / "migrations.yaml").write_text(text, encoding="utf-8")
    return pipeline.Workspace.open(bare / "migrations.yaml", db_url=f"sqlite:///{bare / '.consolidate' / 'state.db'}")


def test_suggestions_without_rules_or_aliases(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Synonyms map 公示公告; content backs the name matches; stale, empty and ambiguous columns await review."""
    ws = _bare_workspace(crawled, tmp_path)
    assert not ws.config.site("fgw").mapping
    sfj = {c.path: d for c, d in map_site(ws, "sfj", AS_OF)}
    assert (sfj["公示公告"].decision, sfj["公示公告"].target) == ("migrate", "tzgg")
    # 法治动态 names a news column and its articles are dated news: 政务动态 and its own child 部门动态 do not tie,
    # the more specific child takes it
    assert (sfj["法治动态"].decision, sfj["法治动态"].target) == ("migrate", "bmdt")
    assert "部门动态" in sfj["法治动态"].reason and "content agrees" in sfj["法治动态"].reason
    assert sfj["普法宣传"].decision == "unmapped"
    assert sfj["法律服务"].decision == "unmapped"  # no guide column under sfj's anchor: review
    fgw = {c.path: d for c, d in map_site(ws, "fgw", AS_OF)}
    # a stale news column whose name and dated items say news joins the news column (its articles 并入)
    pictures = fgw["新闻中心 > 图片新闻"]
    assert (pictures.decision, pictures.target) == ("migrate", "fgw-gzdt") and "stale" in pictures.reason
    assert (fgw["信息公开 > 人事信息"].decision, fgw["信息公开 > 人事信息"].suggested) == ("unmapped", "drop")
    jyj = {c.path: d for c, d in map_site(ws, "jyj", AS_OF)}
    assert jyj["校园风采"].decision == "unmapped"  # its name tells nothing: review
    assert jyj["教育督导"].suggested == "drop"
    stored = stored_decisions(ws, "fgw")
    assert stored["新闻中心 > 图片新闻"].target == "fgw-gzdt"  # the decision survives the store


def test_rerun_keeps_decided_at(crawled: pipeline.Workspace) -> None:
    """Mapping twice changes no decision time."""
    map_site(crawled, "fgw", AS_OF)
    with crawled.store.session() as session:
        from consolidate.core.store import ColumnMapping
        before = {m.column_path: m.decided_at for m in session.query(ColumnMapping).filter_by(site_id="fgw")}
    map_site(crawled, "fgw", AS_OF)
    with crawled.store.session() as session:
        after = {m.column_path: m.decided_at for m in session.query(ColumnMapping).filter_by(site_id="fgw")}
    assert before == after
