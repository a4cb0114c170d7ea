"""What government column names mean: synonym groups, Traditional → Simplified, and the kind a name implies."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Kinds match PortalColumn.kind in consolidate/core/config.py.
KINDS = ("news", "notice", "policy", "interpretation", "guide", "personnel", "plan", "other")


@dataclass(frozen=True)
class Concept:
    """One government column function and the names legacy sites give it."""

    key: str
    kind: str
    names: tuple[str, ...]


CONCEPTS: tuple[Concept, ...] = (
    Concept("work-news", "news", ("工作动态", "部门动态", "工作信息", "新闻动态", "动态信息", "工作简讯", "工作快讯",
                                  "单位动态", "本局动态", "本委动态", "机关动态", "政务信息")),
    Concept("headlines", "news", ("要闻", "今日要闻", "头条新闻", "重要新闻", "要闻动态", "新闻要闻", "时政要闻")),
    Concept("gov-news", "news", ("政务动态", "政务要闻", "新闻中心", "新闻发布", "新闻资讯")),
    Concept("local-news", "news", ("基层动态", "县区动态", "区县动态", "乡镇动态", "部门信息")),
    Concept("picture-news", "news", ("图片新闻", "图片报道", "视频新闻", "图说", "影像")),
    Concept("notices", "notice", ("通知公告", "公示公告", "公告公示", "通知通告", "公告通知", "通告公告", "公告栏",
                                  "最新公告", "公示", "公告", "通知")),
    Concept("policy-docs", "policy", ("政策文件", "文件通知", "规范性文件", "政策法规", "文件发布", "法规文件",
                                      "政府文件", "文件资料", "部门文件", "法律法规", "政策法规文件")),
    Concept("interpretation", "interpretation", ("政策解读", "文件解读", "解读回应", "图解政策", "政策问答",
                                                 "解读")),
    Concept("responses", "interpretation", ("回应关切", "热点回应", "舆情回应")),
    Concept("guides", "guide", ("办事指南", "服务指南", "办事须知", "服务事项", "办事流程", "审批事项")),
    Concept("forms", "guide", ("表格下载", "下载中心", "资料下载", "文档下载", "表格下载区")),
    Concept("online-services", "guide", ("在线办事", "网上办事", "网上办理", "便民服务")),
    Concept("personnel", "personnel", ("人事信息", "人事任免", "干部任免", "人事动态", "任前公示", "人事招考",
                                       "招录信息", "人事招聘")),
    Concept("plans", "plan", ("规划计划", "发展规划", "工作计划", "计划总结", "规划信息", "工作总结")),
    Concept("leaders", "other", ("领导信息", "领导之窗", "领导分工", "负责人信息", "领导简介", "班子成员")),
    Concept("organisation", "other", ("机构职能", "机构概况", "部门职能", "单位简介", "机构设置", "本局概况",
                                      "概况信息", "部门概况", "单位概况")),
    Concept("disclosure", "other", ("政府信息公开", "信息公开", "政务公开", "信息公开目录", "公开目录")),
    Concept("disclosure-guide", "other", ("信息公开指南", "政府信息公开指南", "公开指南")),
    Concept("disclosure-rules", "other", ("信息公开制度", "政府信息公开制度", "公开制度")),
    Concept("annual-report", "other", ("信息公开年报", "政府信息公开年报", "年度报告", "公开年报")),
    Concept("on-request", "other", ("依申请公开", "申请公开")),
    Concept("procurement", "notice", ("招标采购", "政府采购", "招投标", "采购公告", "招标公告", "招标信息",
                                      "采购信息", "公共资源交易")),
    Concept("interviews", "other", ("在线访谈", "访谈直播", "网上访谈")),
    Concept("mailbox", "other", ("领导信箱", "局长信箱", "主任信箱", "书记信箱", "市长信箱", "咨询投诉",
                                 "网上信访")),
    Concept("consultation", "other", ("民意征集", "意见征集", "征求意见", "网上调查", "调查征集")),
)

# Suffixes that give a column's kind when its name is in no group (e.g. 法治动态, 教育动态).
KIND_SUFFIXES: tuple[tuple[str, str], ...] = (
    (r"(动态|新闻|要闻|简讯|快讯|资讯|信息)$", "news"),
    (r"(公告|公示|通知|通告)$", "notice"),
    (r"(文件|法规|规章)$", "policy"),
    (r"(解读|回应)$", "interpretation"),
    (r"(指南|服务|下载|须知)$", "guide"),
    (r"(任免|人事|招聘|招考)$", "personnel"),
    (r"(规划|计划|总结)$", "plan"),
)

_PUNCTUATION = re.compile(r"[\s·・\-_/|()（）\[\]【】<>《》「」“”\"'、,，.。:：;；!！?？]+")

# A fallback for when OpenCC is not installed: Traditional characters seen in column names.
_FALLBACK_T2S = str.maketrans(
    "動態務聞規範則領導獻資訊與開辦處項關係導論審覽類網頁錄黨組織檔專題區縣鄉鎮鄰辭職權時業會員歡觀點熱點舉報諮詢"
    "見議調標採購財預決結論計劃設機構職稱簡圖說視頻訪談線傳輸環經濟發展農衛執監督",
    "动态务闻规范则领导献资讯与开办处项关系导论审览类网页录党组织档专题区县乡镇邻辞职权时业会员欢观点热点举报咨询"
    "见议调标采购财预决结论计划设机构职称简图说视频访谈线传输环经济发展农卫执监督",
)


@lru_cache(maxsize=1)
def _converter():
    """OpenCC's Traditional → Simplified converter, or None when OpenCC is not installed."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    """Traditional Chinese → Simplified (OpenCC when installed, else a small built-in table)."""
    converter = _converter()
    if converter is not None:
        return converter.convert(text)
    return text.translate(_FALLBACK_T2S)


@lru_cache(maxsize=4096)
def normalise(name: str) -> str:
    """A name for comparison: NFKC width folding, Simplified, no spaces or punctuation, lower case."""
    text = unicodedata.normalize("NFKC", name or "")
    return _PUNCTUATION.sub("", to_simplified(text)).lower()


@lru_cache(maxsize=1)
def _concept_index() -> dict[str, Concept]:
    """Normalised name → concept."""
    return {normalise(name): concept for concept in CONCEPTS for name in concept.names}


def concept_of(name: str) -> Concept | None:
    """The concept a column name belongs to (after Traditional → Simplified), or None."""
    return _concept_index().get(normalise(name))


@lru_cache(maxsize=1)
def _standard_index() -> dict[str, str]:
    """Normalised synonym → standard node id (the first node naming it wins)."""
    from mappers.standard_tree import standard_nodes

    index: dict[str, str] = {}
    for node in standard_nodes().values():
        for synonym in node.synonyms:
            index.setdefault(normalise(synonym), node.id)
    return index


def standard_node_of(name: str, aliases: list[str] | tuple[str, ...] = ()) -> str | None:
    """The standard portal node a column name (else one of its aliases) stands for, or None."""
    for text in (name, *aliases):
        node = _standard_index().get(normalise(text))
        if node is not None:
            return node
    return None


def kind_of_name(name: str) -> str | None:
    """The kind a column name implies: its concept's kind, its standard node's, else its suffix's, else None."""
    concept = concept_of(name)
    if concept is not None:
        return concept.kind
    node = standard_node_of(name)
    if node is not None:
        from mappers.standard_tree import standard_nodes

        kind = standard_nodes()[node].kind
        if kind != "other":
            return kind
    simplified = normalise(name)
    for pattern, kind in KIND_SUFFIXES:
        if re.search(pattern, simplified):
            return kind
    return None


def same_concept(a: str, b: str) -> bool:
    """True when two names are synonyms (same concept)."""
    first, second = concept_of(a), concept_of(b)
    return first is not None and first == second
