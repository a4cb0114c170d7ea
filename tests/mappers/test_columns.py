"""Column decisions: rules first, then exact name/alias matches; ambiguity is left for review."""

from __future__ import annotations

from consolidate.core.config import parse_config
from consolidate.demo import example_config_text
from mappers.columns import LegacyColumn, decide, normalise_name, target_columns

CONFIG = parse_config(example_config_text())


def _decide(site_id: str, *columns: LegacyColumn):
    return decide(CONFIG, CONFIG.site(site_id), list(columns))


def test_rules_win_over_name_matches() -> None:
    """A drop rule on 人事信息 beats nothing; a path rule matches with any separator style."""
    people, pictures = _decide("fgw", LegacyColumn("信息公开 > 人事信息", "人事信息"),
                               LegacyColumn("新闻中心 > 图片新闻", "图片新闻"))
    assert (people.decision, people.target, people.decided_by) == ("drop", None, "migrations.yaml")
    assert pictures.decision == "drop" and "图片新闻" not in (pictures.target or "")


def test_exact_name_and_alias_within_the_subsite() -> None:
    """Names match the site's own sub-site columns, aliases at slightly lower confidence."""
    name, alias = _decide("fgw", LegacyColumn("新闻中心 > 工作动态", "工作动态"),
                          LegacyColumn("信息公开 > 规范性文件", "规范性文件"))
    assert (name.decision, name.target, name.confidence) == ("migrate", "fgw-gzdt", 1.0)
    assert (alias.decision, alias.target) == ("migrate", "fgw-zcwj")
    assert alias.confidence < 1.0


def test_merge_site_maps_into_portal_columns_under_its_anchor() -> None:
    """sfj merges into 政务动态: 公示公告 → tzgg by alias; 法律服务 by rule to bszn."""
    notices, services, unknown = _decide("sfj", LegacyColumn("公示公告", "公示公告"),
                                         LegacyColumn("法律服务", "法律服务"), LegacyColumn("领导之窗", "领导之窗"))
    assert (notices.decision, notices.target) == ("migrate", "tzgg")
    assert (services.decision, services.target) == ("migrate", "bszn")
    assert unknown.decision == "unmapped" and unknown.target is None
    assert {t.column.id for t in target_columns(CONFIG, CONFIG.site("sfj"))} == {"zwdt", "bmdt", "tzgg"}


def test_width_and_spacing_do_not_matter() -> None:
    """Full-width letters and stray spaces normalise away."""
    assert normalise_name(" 通知 公告 ") == normalise_name("通知公告")
    assert normalise_name("ＡＢＣ") == "abc"


def test_a_column_of_entries_that_link_nowhere_is_left_for_the_office() -> None:
    """No article was fetchable: never an automatic drop or migrate, even under a portal column's name; the
    reason gives the count in both languages. With articles beside such entries, the usual decision stands."""
    only_dead = LegacyColumn("新闻中心 > 工作动态", "工作动态", unlinked=34, flags=["unlinked"])
    mixed = LegacyColumn("新闻中心 > 工作动态", "工作动态", article_count=5, unlinked=3, flags=["unlinked"])
    dead, live = _decide("fgw", only_dead)[0], _decide("fgw", mixed)[0]
    assert (dead.decision, dead.target, dead.confidence) == ("unmapped", None, 0.0)
    assert "34 entries whose link goes nowhere" in dead.reason and "34 条信息的链接无效" in dead.reason_zh
    assert (live.decision, live.target) == ("migrate", "fgw-gzdt")
