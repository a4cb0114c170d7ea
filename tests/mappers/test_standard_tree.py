"""The standard portal tree as shipped data: legacy names other CMSs give their columns land on the right node, by
name, path and content — including the bad suggestions of issue 15."""

from __future__ import annotations

import re

import pytest

from consolidate.core.config import parse_config
from consolidate.demo import example_config_text
from mappers.columns import LegacyColumn, decide
from mappers.standard_tree import DOMAINS, standard_nodes, tree_yaml
from mappers.suggest import profile_articles
from mappers.synonyms import normalise, standard_node_of


def _standard_config():
    """The example programme with the standard tree as its portal and no sub-sites or rules."""
    text = example_config_text()
    head, rest = text.split("\n  columns:\n", 1)
    rest = rest[rest.index("\n  # Department sub-sites"):]
    text = head + "\n  columns:\n" + tree_yaml(4) + rest
    text = re.sub(r"\n    target: \{[^}]*\}", "", text)
    return parse_config(re.sub(r"\n    mapping:.*?(?=\n\n|\Z)", "", text, flags=re.S))


CONFIG = _standard_config()
NEWS = [{"title": f"局领导调研第{i}季度工作", "published": f"2020-0{i % 9 + 1}-1{i % 9}"} for i in range(8)]
NOTICES = [{"title": f"关于第{i}批项目的公示", "published": f"2020-0{i % 9 + 1}-1{i % 9}"} for i in range(6)]
TENDERS = [{"title": f"某某项目{i}采购公告", "published": "2020-05-01"} for i in range(6)]
PAGE = [{"title": "科室简介", "published": "2020-05-01"}]


def _decide(path: str, articles: list[dict]):
    """One column decided against the standard tree."""
    column = LegacyColumn(path, path.rsplit(" > ", 1)[-1], article_count=len(articles),
                          profile=profile_articles(articles))
    return decide(CONFIG, CONFIG.site("fgw"), [column])[0]


def test_the_data_is_consistent() -> None:
    """26 领域, unique ids, and no synonym naming two nodes."""
    assert len(DOMAINS) == 26
    seen: dict[str, str] = {}
    for node in standard_nodes().values():
        for synonym in node.synonyms:
            assert seen.setdefault(normalise(synonym), node.id) == node.id, synonym
    assert standard_node_of("規範性文件") == "zcwj"  # Traditional folds


@pytest.mark.parametrize(("path", "articles", "target", "automatic"), [
    ("业务要闻", NEWS, "yw", True),  # a plain news column: no tie between 政务动态 and its children
    ("中心动态", NEWS, "gzdt", True),
    ("林业信息", NEWS, "gzdt", False),  # 信息 says little: suggested, not applied
    ("政府采购", TENDERS, "ggzyjy", True),  # not a 狱务公开 column, not 通知公告
    ("人员招录", NOTICES, "rsxx", True),
    ("政策法规 > 工程交易", [{"title": "关于印发《工程建设项目招标办法》的通知", "published": "2020-01-01"}] * 3,
     "zcwj", True),  # a 领域 topic under 政策法规 is a policy column
    ("机关简介", PAGE, "gkxx", True),  # not 通知公告
    ("资料下载", [], "bgxz", True),  # not 办事指南
    ("机构设置 > 内设科室 > 财务科", PAGE, "jgzn", True),  # a section's own page
    ("通知公告 > 招标公告", TENDERS, "ggzyjy", True),  # a 领域 notice keeps its 领域 under 通知公告
    ("招标投标 > 中标公告", TENDERS, "ggzyjy", True),
    ("互动交流 > 局长信箱", [], "ldxx", True),
    ("党建工作", NEWS, "ztzl", True),  # no standard function: kept as a 特色栏目 (config special_columns)
    ("专题专栏 > 扫黑除恶专项斗争 > 工作动态", NEWS, "ztzl", True),  # part of a special topic
    ("会员风采", NEWS, "ztzl", True),
])
def test_legacy_names_land_on_the_standard_node(path: str, articles: list[dict], target: str,
                                                automatic: bool) -> None:
    decision = _decide(path, articles)
    assert decision.target == target, decision.reason
    assert (decision.decision == "migrate") is automatic, decision.reason
    assert decision.reason_zh and not re.search(r"[A-Za-z]{5,}", decision.reason_zh), decision.reason_zh


def test_special_columns_review_leaves_them_for_the_office() -> None:
    """With `special_columns: review` a column with no standard function is only suggested (专题专栏)."""
    config = CONFIG.model_copy(update={"special_columns": "review"})
    column = LegacyColumn("会员风采", "会员风采", article_count=len(NEWS), profile=profile_articles(NEWS))
    decision = decide(config, config.site("fgw"), [column])[0]
    assert (decision.decision, decision.target, decision.suggested) == ("unmapped", "ztzl", "migrate")


def test_a_stale_special_column_joins_the_topic_column_without_a_column_of_its_own() -> None:
    """A stale column with no standard function: its articles join 专题专栏 and the reason says it gets no column
    of its own (归并), so the portal gains no stale column."""
    column = LegacyColumn("研究课题", "研究课题", article_count=len(NEWS), profile=profile_articles(NEWS),
                          last_published="2019-03-01", flags=["stale"])
    decision = decide(CONFIG, CONFIG.site("fgw"), [column])[0]
    assert (decision.decision, decision.target) == ("migrate", "ztzl")
    assert "2019-03-01" in decision.reason and "不单独建栏目" in decision.reason_zh


def test_a_weak_hint_of_a_function_stays_for_review() -> None:
    """Under 政策法规 a nameless-function column hints at 政策文件: not sure enough to keep it as a 特色栏目."""
    column = LegacyColumn("政策法规 > 律师信息", "律师信息", article_count=len(PAGE) * 6,
                          profile=profile_articles(PAGE * 6))
    decision = decide(CONFIG, CONFIG.site("fgw"), [column])[0]
    assert decision.decision == "unmapped", decision.reason


def test_a_section_heading_names_the_parent_itself() -> None:
    """新闻中心 as a heading (no articles of its own) is 政务动态; as a list of news items it is 工作动态."""
    from mappers.suggest import ColumnProfile

    heading = LegacyColumn("新闻中心", "新闻中心", flags=["container"], profile=ColumnProfile())
    leaf = LegacyColumn("新闻中心", "新闻中心", article_count=len(NEWS), profile=profile_articles(NEWS))
    assert decide(CONFIG, CONFIG.site("fgw"), [heading])[0].target == "zwdt"
    assert decide(CONFIG, CONFIG.site("fgw"), [leaf])[0].target == "gzdt"


def test_english_and_traditional_names() -> None:
    """English sub-sites' columns match whole words only; Traditional names fold to Simplified."""
    assert _decide("News", NEWS).target == "gzdt"
    assert _decide("Newsletter", NEWS).target != "gzdt" or _decide("Newsletter", NEWS).decision == "unmapped"
    assert _decide("通知公告 > 招標公告", TENDERS).target == "ggzyjy"
    assert _decide("規範性文件", []).target == "zcwj"


TRAINING = [{"title": f"关于举办第{i}期业务培训班的通知", "published": f"2020-0{i + 1}-05"} for i in range(5)]
LAW = [{"title": "中华人民共和国建筑法", "published": "2013-07-22"}]


def _decide_all(columns: list[tuple[str, list[dict]]]):
    """Several columns of one site decided together (siblings see each other), by path."""
    legacy = [LegacyColumn(p, p.rsplit(" > ", 1)[-1], article_count=len(a), profile=profile_articles(a))
              for p, a in columns]
    return {c.path: d for c, d in zip(legacy, decide(CONFIG, CONFIG.site("fgw"), legacy), strict=True)}


def test_a_news_column_holding_some_notices_is_still_news() -> None:
    """培训动态 with news and training notices half and half: its news is counted item by item, so the name's
    kind is backed by half of its content and the column is decided; a notice column stays a notice column."""
    profile = profile_articles(NEWS[:5] + TRAINING)
    assert profile.share("news") == 0.5 and profile.share("notice") == 0.5
    decision = _decide("价格培训 > 培训动态", NEWS[:5] + TRAINING)
    assert (decision.decision, decision.target) == ("migrate", "gzdt") and "content agrees" in decision.reason
    assert _decide("通知公告", NOTICES + NEWS[:2]).target == "tzgg"


def test_a_single_page_column_is_named_by_its_page() -> None:
    """A column whose name says nothing (业务板块, a unit's name) and whose only item is a page titled 联系我们 is
    an overview page; a name with a function of its own, or an item titled as news, is not overruled."""
    for name in ("业务板块", "张家港市分中心"):
        decision = _decide(name, [{"title": "联系我们", "published": "2018-05-17"}])
        assert (decision.decision, decision.target) == ("migrate", "gkxx"), decision.reason
        assert "联系我们" in decision.reason_zh and "唯一页面" in decision.reason_zh
    assert _decide("工作动态", [{"title": "联系我们", "published": "2018-05-17"}]).target == "gzdt"
    assert _decide("业务板块", NEWS[:1]).target == "ztzl"  # a news item: not an overview page, a 特色栏目


def test_small_columns_are_read_with_their_like_siblings() -> None:
    """政策法规 > 行业分类 > 工程建设, 勘察设计 … one law each: too few to judge alone, but together they are
    documents, so each goes to 政策文件 (行业分类 only files them by topic); the same leaves holding news are not
    applied, and a lone one-law leaf stays a suggestion."""
    laws = _decide_all([(f"政策法规 > 行业分类 > {n}", LAW) for n in ("工程建设", "勘察设计", "基础建设", "招标投标")])
    for path, decision in laws.items():
        assert (decision.decision, decision.target) == ("migrate", "zcwj"), (path, decision.reason)
        assert "sibling columns" in decision.reason and "同级栏目" in decision.reason_zh
        assert "行业分类 only files it by topic" in decision.reason and "仅作分类" in decision.reason_zh
    news = _decide_all([(f"政策法规 > 行业分类 > {n}", NEWS[i:i + 1]) for i, n in enumerate(("工程建设", "勘察设计",
                                                                                          "基础建设"))])
    assert all(d.decision == "unmapped" for d in news.values())
    alone = _decide_all([("政策法规 > 行业分类 > 工程建设", LAW)])["政策法规 > 行业分类 > 工程建设"]
    assert (alone.decision, alone.target) == ("unmapped", "zcwj")


def test_classification_headings_and_named_portal_columns() -> None:
    """行业分类/按主题 only file their children; a portal column named 工作动态 stands for that node before one
    carrying its synonym (图片新闻), so news of unknown names goes to 工作动态."""
    from mappers.suggest import NamedTarget, is_classification, rank_targets

    assert is_classification("行业分类") and is_classification("按主题") and is_classification("主题分类")
    assert not is_classification("分类信息") and not is_classification("政策法规")
    targets = [NamedTarget("tpxw", "图片新闻", [], "news", "图片新闻"), NamedTarget("gzdt", "工作动态", [], "news",
                                                                                 "工作动态")]
    assert rank_targets("法治动态", None, targets)[0].target_id == "gzdt"
    assert _decide("图片新闻", [{"title": "局领导调研", "published": None}] * 3).target == "gzdt"


def test_content_that_refutes_the_path_still_suggests() -> None:
    """信息公开 > 按主题分类 > 教育 holding documents: 信息公开 (a heading) is refuted by the content, which then
    suggests 政策文件 for review rather than leaving only a 特色栏目 offer."""
    doc = [{"title": "关于印发某某管理办法的通知", "published": "2020-01-01"}]
    topics = _decide_all([(f"信息公开 > 按主题分类 > {n}", doc) for n in ("教育", "卫生", "交通")])
    for decision in topics.values():
        assert (decision.decision, decision.target) == ("unmapped", "zcwj"), decision.reason


EXAMPLE = parse_config(example_config_text().replace("# - {id: fgw-ztzl", "- {id: fgw-ztzl"))  # its 特色栏目 on


def _decide_in(config, site_id: str, path: str, articles: list[dict], **fields):
    """One column of a site decided under a given config."""
    column = LegacyColumn(path, path.rsplit(" > ", 1)[-1], article_count=len(articles),
                          profile=profile_articles(articles), **fields)
    return decide(config, config.site(site_id), [column])[0]


def test_an_out_of_scope_match_yields_to_the_in_scope_column_doing_the_same_job() -> None:
    """新闻中心 is the standard 政务动态, whose portal column (政务动态 > 部门动态) is outside sub-site fgw: the
    sub-site's own 工作动态 does the same job and is chosen."""
    decision = _decide_in(EXAMPLE, "fgw", "新闻中心", NEWS, idle_days=3)
    assert (decision.decision, decision.target) == ("migrate", "fgw-gzdt"), decision.reason
    assert "不在本站目标范围内" in decision.reason_zh


def test_special_columns_are_judged_live_by_their_dates_whatever_their_kind() -> None:
    """A column with no standard function is live only with an item in the last year; an old or undated one is
    archived into 专题专栏 with no column of its own, and the reason says which."""
    live = _decide_in(EXAMPLE, "fgw", "会员风采", NEWS, idle_days=30, last_published="2026-11-01")
    old = _decide_in(EXAMPLE, "fgw", "会员风采", NEWS, idle_days=900, last_published="2024-06-01")
    undated = _decide_in(EXAMPLE, "fgw", "会员风采", NEWS)
    assert {d.target for d in (live, old, undated)} == {"fgw-ztzl"}
    assert "仍在更新" in live.reason_zh and "不单独建栏目" not in live.reason_zh
    assert "2024-06-01" in old.reason_zh and "不单独建栏目" in old.reason_zh
    assert "无法确认仍在更新" in undated.reason_zh and "不单独建栏目" in undated.reason_zh


def test_a_special_column_outside_a_target_without_a_topic_column_is_left_for_review() -> None:
    """sfj merges into the portal's 政务动态, which has no 专题专栏, and the portal has none either: nothing is
    guessed, and the reason says to add one."""
    decision = _decide_in(EXAMPLE, "sfj", "会员风采", NEWS, idle_days=3)
    assert (decision.decision, decision.target) == ("unmapped", None)
    assert "专题专栏" in decision.reason_zh and "增设" in decision.reason_zh
    portal = EXAMPLE.model_copy(deep=True)
    portal.portal.columns.append(type(portal.portal.columns[0])(id="ztzl", name="专题专栏"))
    outside = _decide_in(portal, "sfj", "会员风采", NEWS, idle_days=3)
    assert (outside.decision, outside.target) == ("unmapped", "ztzl")
    assert "不在本站目标范围内" in outside.reason_zh


def test_an_office_drop_elsewhere_leaves_a_kept_special_column_decided_and_noted() -> None:
    """The office closed 会员风采 on another site: here the system's 特色栏目 guess stays (another site's signature
    never reopens a decided column, round 9), its reason naming that drop; a like column stays automatic too."""
    from mappers.columns import Learned, learned_key

    learned = {learned_key("会员风采", None): Learned("drop", None, "jspn", "会员风采", "王明", "2026-12-01")}
    columns = [LegacyColumn(name, name, article_count=len(NEWS), profile=profile_articles(NEWS), idle_days=3)
               for name in ("会员风采", "研究课题")]
    offered, untouched = decide(EXAMPLE, EXAMPLE.site("fgw"), columns, learned=learned)
    assert (offered.decision, offered.target, offered.suggested) == ("migrate", "fgw-ztzl", None)
    assert "jspn" in offered.reason and "其他站点的签署不改变本站的决定" in offered.reason_zh
    assert (untouched.decision, untouched.target) == ("migrate", "fgw-ztzl")
