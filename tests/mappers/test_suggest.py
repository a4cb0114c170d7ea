"""Suggestions: synonyms, Traditional text, fuzzy names, content evidence, thresholds and ambiguity."""

from __future__ import annotations

from consolidate.core.config import parse_config
from consolidate.demo import example_config_text
from mappers.columns import LegacyColumn, decide
from mappers.suggest import profile_articles
from mappers.synonyms import concept_of, kind_of_name, normalise, same_concept, to_simplified

CONFIG = parse_config(example_config_text())


def _one(site_id: str, column: LegacyColumn, threshold: float | None = None):
    return decide(CONFIG, CONFIG.site(site_id), [column], threshold)[0]


def test_synonym_groups_from_the_domain_notes() -> None:
    """The name families of portal-columns.md are one concept each; different functions are not."""
    assert same_concept("工作动态", "新闻动态") and same_concept("部门动态", "工作信息")
    assert same_concept("通知公告", "公告公示") and same_concept("政策文件", "规范性文件")
    assert same_concept("政策解读", "文件解读") and same_concept("办事指南", "服务指南")
    assert not same_concept("通知公告", "政策文件")
    assert concept_of("领导之窗") is not None and concept_of("无此栏目") is None


def test_traditional_names_fold_to_simplified() -> None:
    """Traditional column names compare equal to their Simplified forms."""
    assert to_simplified("工作動態") == "工作动态"
    assert normalise("辦事指南") == normalise("办事指南")
    assert same_concept("規範性文件", "政策文件")
    decision = _one("fgw", LegacyColumn("新聞中心 > 工作動態", "工作動態", article_count=3))
    assert (decision.decision, decision.target) == ("migrate", "fgw-gzdt")
    assert "Traditional" in decision.reason


def test_kind_from_the_name_suffix() -> None:
    """A name outside every group still tells its kind by its ending."""
    assert kind_of_name("法治动态") == "news" and kind_of_name("招聘公告") == "notice"
    assert kind_of_name("领导之窗") == "other" and kind_of_name("风采展示") is None


def test_synonym_match_is_applied_above_the_threshold() -> None:
    """动态信息 is not an alias of any fgw column but a synonym of 工作动态."""
    decision = _one("fgw", LegacyColumn("动态信息", "动态信息", article_count=5))
    assert (decision.decision, decision.target) == ("migrate", "fgw-gzdt")
    assert decision.confidence >= 0.85 and "synonym" in decision.reason


def test_fuzzy_and_contained_names() -> None:
    """最新通知公告 contains 通知公告; 政策性文件 is close to 政策文件 but left for review at 0.85."""
    contained = _one("fgw", LegacyColumn("最新通知公告", "最新通知公告", article_count=5))
    assert (contained.decision, contained.target) == ("migrate", "fgw-tzgg")
    near = _one("fgw", LegacyColumn("政策性文件", "政策性文件", article_count=5))
    assert near.decision == "unmapped" and near.target == "fgw-zcwj" and "suggestion" in near.reason


def test_threshold_is_configurable() -> None:
    """The same suggestion is applied when the threshold is lowered."""
    near = _one("fgw", LegacyColumn("政策性文件", "政策性文件", article_count=5), threshold=0.6)
    assert (near.decision, near.target) == ("migrate", "fgw-zcwj")


def test_content_of_the_articles_counts() -> None:
    """A column named 文件发布区 whose articles all carry a 发文字号 is suggested for 政策文件 (review)."""
    profile = profile_articles([{"title": f"关于印发某办法的通知{i}", "doc_no": f"临发改〔2024〕{i}号"}
                                for i in range(10)])
    assert profile.leading_kind()[0] == "policy"
    decision = _one("fgw", LegacyColumn("其他栏目", "其他栏目", article_count=10, profile=profile))
    assert decision.target == "fgw-zcwj" and "发文字号" in decision.reason
    assert decision.decision == "unmapped"  # content alone never passes the default threshold


def test_ambiguous_names_are_left_for_review() -> None:
    """Two sibling columns both claiming 法治动态 tie: nobody can tell which without a rule."""
    text = example_config_text().replace("{id: tzgg, name: 通知公告, kind: notice,",
                                         "{id: fzxw, name: 法治新闻, kind: news, aliases: [法治动态]}\n"
                                         "        - {id: tzgg, name: 通知公告, kind: notice,")
    tied = parse_config(text)
    decision = decide(tied, tied.site("sfj"), [LegacyColumn("法治动态", "法治动态", article_count=4)])[0]
    assert decision.decision == "unmapped" and decision.target is None
    assert decision.reason.startswith("ambiguous") and decision.reason_zh.startswith("无法区分")


def test_a_parent_and_its_child_never_tie() -> None:
    """法治动态 is news; sfj's anchor 政务动态 and its own child 部门动态 are both news: the child takes it, and
    names elsewhere in the portal are still recognised (规范性文件 → 政策文件, outside sfj's anchor: review)."""
    bare = parse_config(example_config_text().replace(", 法治动态", ""))
    news, policy = decide(bare, bare.site("sfj"), [LegacyColumn("法治动态", "法治动态", article_count=4),
                                                   LegacyColumn("规范性文件", "规范性文件", article_count=4)])
    assert news.target == "bmdt" and not news.reason.startswith("ambiguous")
    assert (policy.decision, policy.target) == ("unmapped", "zcwj")
    assert "outside this site's target" in policy.reason and "不在本站的目标范围内" in policy.reason_zh


def test_empty_and_stale_columns_are_proposed_not_applied() -> None:
    """An empty column is proposed for drop; a stale one for merge into the active column of its kind."""
    fresh = LegacyColumn("动态 > 工作动态", "工作动态", article_count=9, last_published="2026-10-30", kind="news")
    stale = LegacyColumn("动态 > 风采展示", "风采展示", article_count=4, last_published="2019-01-01", kind="news",
                         flags=["stale"])
    empty = LegacyColumn("公开 > 人事信息汇总", "人事信息汇总", flags=["empty"])
    decided = decide(CONFIG, CONFIG.site("fgw"), [fresh, stale, empty])
    assert decided[0].decision == "migrate"
    assert (decided[1].decision, decided[1].suggested, decided[1].merge_into) == ("unmapped", "merge", fresh.path)
    assert decided[1].target == "fgw-gzdt"
    assert (decided[2].decision, decided[2].suggested) == ("unmapped", "drop")


def test_a_signed_decision_is_offered_to_like_columns_of_other_sites() -> None:
    """The office signed 会员风采 → 部门动态 on one site: the same column elsewhere is offered that, with where it
    came from, but not applied; a signed target outside the site's scope is not offered."""
    from mappers.columns import Learned, learned_key

    learned = {learned_key("会员风采", None): Learned("migrate", "bmdt", "jspn", "会员风采", "王明", "2026-12-01")}
    column = LegacyColumn("会员风采", "会员风采", article_count=6)
    offered = decide(CONFIG, CONFIG.site("sfj"), [column], learned=learned)[0]
    assert (offered.decision, offered.suggested, offered.target) == ("unmapped", "migrate", "bmdt")
    assert "jspn" in offered.reason and "王明" in offered.reason_zh
    elsewhere = decide(CONFIG, CONFIG.site("fgw"), [column], learned=learned)[0]
    assert elsewhere.target != "bmdt"  # fgw's sub-site has no bmdt: never suggested outside its scope


def test_a_standard_column_the_portal_lacks_is_not_forced_onto_a_kin() -> None:
    """资料下载 is a 表格下载 column; the example portal has none: not 办事指南, and the reason says what is missing."""
    decision = _one("fgw", LegacyColumn("资料下载", "资料下载", article_count=5))
    assert decision.decision == "unmapped" and decision.target is None
    assert "表格下载" in decision.reason and "表格下载" in decision.reason_zh


def test_topic_sub_columns_and_missing_standard_columns_stay_suggestions() -> None:
    """Without a 专题专栏 column a topic's 新闻 is only suggested for 部门动态; 政府信息公开年度报告 is only suggested
    for the 政府信息公开 heading it contains: the portal lacks a 年报 column."""
    news = [{"title": f"学校活动{i}", "published": f"2020-05-1{i}"} for i in range(5)]
    topic = LegacyColumn("专题专栏 > 扫黑除恶 > 新闻", "新闻", article_count=5, profile=profile_articles(news))
    report = LegacyColumn("信息公开 > 政府信息公开年度报告", "政府信息公开年度报告", article_count=3)
    first, second = decide(CONFIG, CONFIG.site("sfj"), [topic, report])
    assert (first.decision, first.target) == ("unmapped", "bmdt") and "专题" in first.reason_zh
    third = decide(CONFIG, CONFIG.site("fgw"), [report])[0]
    assert third.decision == "unmapped" and "年报" in (third.reason_zh + second.reason_zh)


def test_news_rhythm_of_a_column_publishing_several_a_day_is_never_every_0_days() -> None:
    """Median gap under a day: the note says several a day; a slower column says every N days."""
    busy = profile_articles([{"title": f"我局召开工作会议{i}", "published": f"2024-03-0{1 + i // 3} 09:00"}
                             for i in range(9)])
    assert "约每 0 天" not in busy.notes_zh["news"] and "every 0 days" not in busy.notes["news"]
    assert "一天多篇" in busy.notes_zh["news"] and "3.0" in busy.notes_zh["news"]
    slow = profile_articles([{"title": f"我局召开工作会议{i}", "published": f"2024-03-{1 + 3 * i:02d}"}
                             for i in range(5)])
    assert "约每 3 天一篇" in slow.notes_zh["news"]
