"""Suggestions for a legacy column: its name, its breadcrumb path and its articles' content, against the portal
tree (each portal column recognised through the standard node it stands for). Every piece of evidence is kept,
in English and in Chinese, for the decision's reason."""

from __future__ import annotations

import datetime as dt
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import fuzz

from mappers.standard_tree import KIND_DEFAULTS, TOPIC_NODE, standard_nodes
from mappers.synonyms import concept_of, kind_of_name, normalise, standard_node_of

MIN_CONTENT = 3  # articles a column needs before its content counts for or against a name
CONTENT_SHARE = 0.6  # a kind needs this share of a column's articles to count as its content's kind
AGAINST_SHARE = 0.8  # another kind's share that counts against a name (when the name's own kind is rare)

# (kind, English note, Chinese note, pattern on the title; "doc_no"/"index_no" count a field instead)
CONTENT_SIGNALS: tuple[tuple[str, str, str, str], ...] = (
    ("policy", "with a 发文字号", "有发文字号", "doc_no"),
    ("policy", "titled as documents (办法/条例/印发/文号)", "标题为文件（办法、条例、印发、文号）",
     r"[〔\[［(（﹝]\d{4}[〕\]］)）﹞]\s*\d+\s*号|印发|转发|条例|办法|规定|细则|规则|实施意见|指导意见|决定$|^.{2,20}法$"),
    ("disclosure", "with a 信息公开 table (索引号)", "带信息公开表（索引号）", "index_no"),
    ("procurement", "titled 招标/采购/中标/成交 notices", "标题为招标、采购、中标、成交公告",
     r"(招标|采购|中标|成交|竞价|询价|比选|磋商|竞争性谈判|出让|挂牌|拍卖).{0,30}(公告|公示|结果|邀请|预告|信息)"
     r"|(中标|成交)候选人"),
    ("notice", "titled 通知/公告/公示", "标题含通知、公告、公示", r"通知|公告|公示|通告|启事"),
    ("interpretation", "titled 解读", "标题含解读", r"解读|一图读懂|图解|答记者问"),
    ("guide", "titled 指南/办理", "标题含指南、办理", r"指南|办理|须知|流程|手册"),
    ("personnel", "titled 任免/招聘/录用", "标题含任免、招聘、录用", r"任免|任职|免职|招聘|录用|拟聘|聘用|招考|遴选"),
    ("plan", "titled 规划/计划/总结", "标题含规划、计划、总结", r"规划|计划|总结"),
    ("single", "a single page (简介/概况/职能)", "单页（简介、概况、职能）",
     r"^(.{0,12}(简介|概况|职能|职责|欢迎辞|介绍|联系我们|联系方式))$"),
)
NOT_NEWS = ("policy", "procurement", "notice", "personnel", "guide", "interpretation", "single")


@dataclass
class ColumnProfile:
    """What a column's articles look like: their number, the share pointing at each kind, and notes."""

    articles: int = 0
    shares: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    notes_zh: dict[str, str] = field(default_factory=dict)
    page_title: str = ""  # the title of a column's only article (a single-page column is named by its page)
    family: int = 1  # columns pooled into this profile (a small column read with its like siblings)

    def leading_kind(self) -> tuple[str, float, str] | None:
        """(kind, share, what was counted) of the strongest content signal at or above CONTENT_SHARE."""
        kinds = [k for k in self.shares if k not in ("disclosure", "forms")]
        if not kinds:
            return None
        kind = max(kinds, key=lambda k: self.shares[k])
        share = self.shares[kind]
        return (kind, share, self.notes[kind]) if share >= CONTENT_SHARE else None

    def share(self, kind: str) -> float:
        """The share of articles showing a kind (0 when none do)."""
        return self.shares.get(kind, 0.0)

    def counts(self) -> bool:
        """True when there are enough articles for content to count."""
        return self.articles >= MIN_CONTENT

    def evidence(self, kind: str) -> tuple[str, str]:
        """(English, Chinese) of one kind's share, e.g. '80% of articles titled 通知/公告/公示'."""
        share = self.share(kind)
        whose, whose_zh = "", ""
        if self.family > 1:
            whose = f" of it and {self.family - 1} sibling column{'s' if self.family > 2 else ''}"
            whose_zh = f"（本栏目及 {self.family - 1} 个同级栏目）"
        return (f"{share:.0%} of {self.articles} article{'' if self.articles == 1 else 's'}{whose} "
                f"{self.notes.get(kind, kind)}",
                f"{self.articles} 篇{whose_zh}中 {share:.0%} {self.notes_zh.get(kind, kind)}")


def profile_summary(profile: ColumnProfile | None) -> tuple[str, str]:
    """(English, Chinese) of every content signal a column shows (20 % of its articles or more)."""
    if profile is None or not profile.articles:
        return "", ""
    shown = sorted((k for k, v in profile.shares.items() if v >= 0.2), key=lambda k: -profile.shares[k])
    en = "; ".join(f"{profile.share(k):.0%} {profile.notes[k]}" for k in shown)
    zh = "；".join(f"{profile.share(k):.0%} {profile.notes_zh[k]}" for k in shown)
    return (f"content of {profile.articles} article{'' if profile.articles == 1 else 's'}: "
            f"{en or 'no telling signal'}",
            f"{profile.articles} 篇文章的内容：{zh or '无明显特征'}")


def profile_articles(articles: Iterable[dict[str, Any]]) -> ColumnProfile:
    """Count content signals over a column's articles (dicts with title, doc_no, index_no, published,
    attachments — a count or a list)."""
    tally = ContentTally()
    for article in articles:
        tally.add(article)
    return tally.profile()


NEWS_PATTERNS = [signal for kind, _n, _z, signal in CONTENT_SIGNALS if kind in NOT_NEWS and
                 signal not in ("doc_no", "index_no")]  # titles that are no news item
FORM_TITLE = r"表|申请|下载|模板|范本|格式"  # forms: attachment-heavy items titled as forms (申请表, 样表, 下载)


@dataclass
class ContentTally:
    """A column's content signals counted one article at a time, so that a column of any size is profiled
    without its articles being held (only its publishing days are kept, once each with a count)."""

    articles: int = 0
    first_title: str = ""
    hits: list[int] = field(default_factory=lambda: [0] * len(CONTENT_SIGNALS))  # per CONTENT_SIGNALS row
    news: int = 0  # dated articles whose titles are not notices, documents, … (counted article by article)
    forms: int = 0
    days: Counter[dt.date] = field(default_factory=Counter)

    def add(self, article: dict[str, Any]) -> None:
        """Count one article (a dict as `profile_articles` takes)."""
        title = _title(article)
        if not self.articles:
            self.first_title = title
        self.articles += 1
        for number, (_kind, _note, _zh, signal) in enumerate(CONTENT_SIGNALS):
            if str(article.get(signal) or "").strip() if signal in ("doc_no", "index_no") else \
                    re.search(signal, title):
                self.hits[number] += 1
        day = _date(article.get("published"))
        if day is not None:
            self.days[day] += 1
            if not str(article.get("doc_no") or "").strip() and not any(re.search(p, title) for p in NEWS_PATTERNS):
                self.news += 1
        if _attachments(article) and re.search(FORM_TITLE, title):
            self.forms += 1

    def profile(self) -> ColumnProfile:
        """The column's profile: the share of each kind's signal, news with its rhythm, forms."""
        profile = ColumnProfile(articles=self.articles, page_title=self.first_title if self.articles == 1 else "")
        if not self.articles:
            return profile
        for (kind, note, note_zh, _signal), hits in zip(CONTENT_SIGNALS, self.hits, strict=True):
            if hits and hits / self.articles > profile.shares.get(kind, 0.0):
                profile.shares[kind], profile.notes[kind], profile.notes_zh[kind] = hits / self.articles, note, note_zh
        if self.news:
            rhythm, rhythm_zh = _rhythm(sorted(self.days.elements()))
            profile.shares["news"] = self.news / self.articles
            profile.notes["news"] = f"dated news items{rhythm}"
            profile.notes_zh["news"] = f"为带日期的新闻稿{rhythm_zh}"
        if self.forms:
            profile.shares["forms"] = self.forms / self.articles
            profile.notes["forms"] = "forms with attachments"
            profile.notes_zh["forms"] = "为带附件的表格"
        return profile


def _title(article: dict[str, Any]) -> str:
    """An article's title, width-folded."""
    return unicodedata.normalize("NFKC", article.get("title") or "").strip()


def _rhythm(dates: list[Any]) -> tuple[str, str]:
    """How often a column publishes, as the sheet says it (', one every 3 days' / '，约每 3 天一篇'); several a day
    is said as such, never 'every 0 days'."""
    gaps = [(b - a).days for a, b in zip(dates, dates[1:], strict=False)]
    if not gaps:
        return "", ""
    gap = statistics.median(gaps)
    if gap >= 1:
        return f", one every {gap:.0f} days", f"，约每 {gap:.0f} 天一篇"
    per_day = len(dates) / len(set(dates))
    return f", often several a day ({per_day:.1f} per publishing day)", f"，常一天多篇（每个发布日约 {per_day:.1f} 篇）"


def _attachments(article: dict[str, Any]) -> int:
    """How many attachments an article has (a count or a list)."""
    value = article.get("attachments")
    return value if isinstance(value, int) else len(value or [])


def _date(value: Any) -> dt.date | None:
    """A date from a stored publish date (ISO text, date or datetime), else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(value or ""))
    try:
        return dt.date(*(int(g) for g in match.groups())) if match else None
    except ValueError:
        return None


@dataclass
class Candidate:
    """A portal column a legacy column might go to, with a score and the evidence."""

    target_id: str
    label: str  # the portal column's path for reasons
    kind: str
    score: float
    why: str
    why_zh: str = ""
    in_scope: bool = True


@dataclass
class NamedTarget:
    """What the scorer needs of a portal column."""

    id: str
    name: str
    aliases: list[str]
    kind: str
    label: str
    ancestors: tuple[str, ...] = ()  # ids of the portal columns above it
    in_scope: bool = True  # False: recognised, but the site's content may not go there (target.column)
    standard: str | None = None  # the standard node it stands for
    synonyms: bool = True  # False: another portal column of the same node carries that node's synonyms

    def __post_init__(self) -> None:
        """Find the standard node from the name, then the aliases."""
        if self.standard is None:
            self.standard = standard_node_of(self.name, self.aliases)


def name_score(legacy_name: str, target: NamedTarget) -> tuple[float, str, str]:
    """How well a legacy name matches a portal column by name: (score 0–1, why, why in Chinese)."""
    raw, simple = _plain(legacy_name), normalise(legacy_name)
    unit = is_unit_name(legacy_name)
    best: tuple[float, str, str] = (0.0, "", "")
    for name, how, how_zh in _names(target):
        for score, why, why_zh in _scores_against(raw, simple, name, how, how_zh):
            if unit and score < 0.9:
                continue  # 政策法规科 is a section, not a 政策法规 column: only its exact name counts
            if score > best[0]:
                best = (score, why, why_zh)
    return best


UNIT_SUFFIX = re.compile(r"(科|室|处|股|办公室|中心|站|馆|所|队|局|委员会|委|办|台|院|校|分会|协会|村)$")


def is_unit_name(name: str) -> bool:
    """True for the name of an organisational unit (财务科, 招生办公室, 教育技术装备站), not of a function."""
    simple = normalise(name)
    collective = re.search(r"科室$|^(各|内设|下属|直属|所属)", simple)  # 内设科室 lists units; it is not one
    return bool(UNIT_SUFFIX.search(simple)) and not collective and standard_node_of(name, []) is None


def _names(target: NamedTarget) -> Iterable[tuple[str, str, str]]:
    """The portal column's names: its own, its aliases, its standard node's synonyms."""
    yield target.name, "name", "名称"
    for alias in target.aliases:
        yield alias, "alias", "别名"
    if target.standard and target.synonyms:
        for synonym in standard_nodes()[target.standard].synonyms:
            yield synonym, "standard synonym", "标准同义名"


def _scores_against(raw: str, simple: str, name: str, how: str, how_zh: str) -> Iterable[tuple[float, str, str]]:
    """Every name signal of one legacy name against one portal name, alias or synonym."""
    exact = {"name": (1.0, 0.95), "alias": (0.95, 0.93), "standard synonym": (0.92, 0.92)}[how]
    other = normalise(name)
    concept = concept_of(name)
    distinct = None not in (standard_node_of(simple, []), standard_node_of(name, [])) and \
        standard_node_of(simple, []) != standard_node_of(name, [])  # the standard tree tells them apart
    if concept is not None and how != "standard synonym" and not distinct and concept == concept_of(simple) \
            and simple != other:
        yield 0.9, f"synonym of {name} ({concept.key})", f"与“{name}”同义（{concept.key}）"
    if raw == _plain(name):
        yield exact[0], f"same {how} ({name})", f"与{how_zh}“{name}”相同"
    elif simple == other:
        yield exact[1], f"same {how} after Traditional → Simplified ({name})", f"繁简转换后与{how_zh}“{name}”相同"
    if other.isascii():
        return  # English names match whole (news is not newsletter)
    if len(other) >= 3 and other in simple and len(simple) > len(other):
        yield 0.86, f"name contains {name} ({how})", f"名称包含{how_zh}“{name}”"
    elif len(other) == 2 and simple.endswith(other) and len(simple) > 2:
        yield 0.78, f"name ends in {name} ({how})", f"名称以{how_zh}“{name}”结尾"
    if len(other) >= 3 and how != "standard synonym":
        ratio = fuzz.ratio(simple, other) / 100
        if ratio >= 0.75:
            yield round(0.84 * ratio, 3), f"close to {name} ({ratio:.0%})", f"与“{name}”相近（{ratio:.0%}）"


def _plain(name: str) -> str:
    """Width and spacing folded, no Traditional conversion (exact-name comparisons)."""
    return re.sub(r"[\s·・\-_/|()（）]+", "", unicodedata.normalize("NFKC", name or "")).lower()


def rank_targets(legacy_name: str, profile: ColumnProfile | None, targets: list[NamedTarget],
                 path: list[str] | None = None) -> list[Candidate]:
    """Portal columns ranked by name, breadcrumb path and content evidence; in-scope columns first."""
    targets = _one_carrier_per_node(targets)
    by_id = {t.id: t for t in targets}
    scored: dict[str, Candidate] = {}
    for target in targets:
        score, why, why_zh = name_score(legacy_name, target)
        if score >= 0.6:
            scored[target.id] = Candidate(target.id, target.label, target.kind, score, why, why_zh, target.in_scope)
    ancestors = [p for p in (path or [])[:-1] if p.strip()]
    topic = _topic_context(ancestors, targets, scored)
    _ancestor_function(ancestors, targets, scored)
    _kind_fallback(legacy_name, targets, scored)
    _page_named(profile, targets, scored)
    _content_only(profile, targets, scored)
    candidates = [_content_adjusted(c, profile, by_id[c.target_id]) for c in scored.values()]
    if not any(c.score >= 0.6 for c in candidates):  # the content refuted a guess from the path: it may say more
        refuted = {c.target_id: c for c in candidates}
        _content_only(profile, targets, refuted)
        candidates = list(refuted.values())
    if topic is not None:  # nothing but 专题专栏 is applied to a topic's sub-column
        _cap(candidates, lambda c: c.target_id != topic[0], *topic[1:])
    _missing_standard(legacy_name, targets, candidates)
    candidates = _prefer_specific(candidates, by_id, profile)
    candidates = _in_scope_kin(candidates, by_id)
    candidates = [c for c in candidates if c.score > 0]
    return sorted(candidates, key=lambda c: (not c.in_scope, -c.score))


def _one_carrier_per_node(targets: list[NamedTarget]) -> list[NamedTarget]:
    """Where several portal columns stand for one standard node (工作动态, and 图片新闻 beside it), only the one
    standing for it best (see `_standard_target`) recognises the node's synonyms; the others match by their own
    names and aliases, so they never tie with it over every news name."""
    carriers = {t.standard: _standard_target(targets, t.standard) for t in targets if t.standard}
    return [t if not t.standard or carriers[t.standard] is t else replace(t, synonyms=False) for t in targets]


def _standard_target(targets: list[NamedTarget], node: str) -> NamedTarget | None:
    """The portal column standing for a standard node (in scope first), or None."""
    matches = [t for t in targets if t.standard == node]
    named = normalise(standard_nodes()[node].name) if node in standard_nodes() else ""
    # a portal column named as the node (工作动态) stands for it before one carrying a synonym (图片新闻)
    return min(matches, key=lambda t: (not t.in_scope, normalise(t.name) != named, len(t.ancestors))) \
        if matches else None


def _put(scored: dict[str, Candidate], target: NamedTarget, score: float, why: str, why_zh: str) -> None:
    """Record a candidate unless a better one for the same column is there."""
    current = scored.get(target.id)
    if current is None or current.score < score:
        scored[target.id] = Candidate(target.id, target.label, target.kind, score, why, why_zh, target.in_scope)


def _is_topic_name(name: str) -> bool:
    """True for a 专题专栏 heading or a topic named as a 专栏/专题."""
    simple = normalise(name)
    return standard_node_of(name, []) == TOPIC_NODE or bool(re.search(r"(专栏|专题)$", simple))


def _topic_context(ancestors: list[str], targets: list[NamedTarget],
                   scored: dict[str, Candidate]) -> tuple[str, str, str] | None:
    """Under a 专题专栏 heading: a topic's sub-columns, or an unnamed topic itself, belong to 专题专栏 (offered
    at 0.9); returns (专题专栏 column id or '', why, why in Chinese) for capping every other candidate, or None."""
    heading = next((i for i, a in enumerate(ancestors) if _is_topic_name(a)), None)
    if heading is None:
        return None
    below = ancestors[heading + 1:]
    known = any(c.score >= 0.78 for c in scored.values())
    if not (below or not known):  # 专题专栏 > 通知公告 is a notice column filed under the heading
        return None
    where = " > ".join(ancestors[heading:])
    topic = _standard_target(targets, TOPIC_NODE)
    if topic is not None:
        _put(scored, topic, 0.9, f"part of the special topic {where} (专题专栏)", f"属于专题“{where}”（专题专栏）")
        return topic.id, "", ""
    return "", f"but it is part of the special topic {where} and the portal has no 专题专栏", \
        f"但它属于专题“{where}”，门户没有专题专栏"


def _cap(candidates: list[Candidate], which: Callable[[Candidate], bool], why: str, why_zh: str,
         limit: float = 0.7) -> None:
    """Keep the chosen candidates below the threshold (suggestions only), saying why when there is a reason."""
    for candidate in candidates:
        if which(candidate) and candidate.score > limit:
            candidate.score = limit
            if why:
                candidate.why += f"; {why}"
                candidate.why_zh += f"；{why_zh}"


def _missing_standard(name: str, targets: list[NamedTarget], candidates: list[Candidate]) -> None:
    """A name that is a standard column the portal lacks (政府信息公开年度报告 with no 年报 column) is only
    suggested for the kin its name contains (政府信息公开), never applied there."""
    node = standard_node_of(name, [])
    if node is None or _standard_target(targets, node) is not None or node in KIND_DEFAULTS.values():
        return  # the usual column of a kind (工作动态) has kin that serve (部门动态)
    label = standard_nodes()[node].name
    _cap(candidates, lambda c: not c.why.startswith(("same", "synonym")),
         f"its name is the standard column {label}, which this portal does not have",
         f"名称对应标准栏目“{label}”，门户中没有该栏目")


def _ancestor_function(ancestors: list[str], targets: list[NamedTarget], scored: dict[str, Candidate]) -> None:
    """A leaf with no function of its own (or only a 领域 topic, e.g. 政府采购 under 政策法规) takes the nearest
    ancestor's function."""
    leaf_best = max((c.score for c in scored.values()), default=0.0)
    leaf_nodes = {_standard_of(targets, c.target_id) for c in scored.values() if c.score >= 0.78}
    leaf_topic = bool(leaf_nodes) and all(_is_domain(n) for n in leaf_nodes)
    if leaf_best >= 0.78 and not leaf_topic:
        return
    between, facets = 0, []  # headings between the leaf and the ancestor; mere classifications (行业分类) aside
    for depth, ancestor in enumerate(reversed(ancestors)):
        best = max(((name_score(ancestor, t), t) for t in targets), key=lambda p: (p[0][0], p[1].in_scope),
                   default=None)
        if best is None or best[0][0] < 0.78 or best[1].standard == TOPIC_NODE:
            if is_classification(ancestor):
                facets.append(ancestor)
            else:
                between += 1
            continue
        target = best[1]
        if depth and target.standard in SINGLE_PAGE_NODES:
            continue  # a unit's own sub-columns (机构设置 > 科室 > 办公室 > X) are not its 机构职能 page
        if leaf_topic and target.kind in ("other", "notice"):
            return  # a 领域 topic under a heading without a function (政府信息公开), or a 领域 notice (招标公告)
            # under 通知公告, keeps its topic; under 政策法规 it is a policy column (documents on the topic)
        score = 0.8 if leaf_topic else 0.75 - 0.03 * between
        filed = f" ({'/'.join(facets)} only files it by topic)" if facets else ""
        filed_zh = f"（“{'/'.join(facets)}”仅作分类）" if facets else ""
        _put(scored, target, score, f"sits under {ancestor}{filed}, which is {target.label}",
             f"位于“{ancestor}”之下{filed_zh}，对应{target.label}")
        if leaf_topic:
            for candidate in scored.values():
                if candidate.target_id != target.id:
                    candidate.score = min(candidate.score, 0.7)
        return


def is_classification(name: str) -> bool:
    """True for a heading that only files its children by a facet (行业分类, 按主题, 主题分类): no function,
    so it neither gives one nor stands between a leaf and its ancestor's."""
    return bool(re.search(r"(分类|类别|类目)$|^按.{1,6}$", normalise(name)))


def has_own_function(name: str) -> bool:
    """True when a column's name says what it holds (工作动态, 通知, 办事指南); False for a bare topic
    (工程建设, or a 领域 such as 土地交易) or a unit."""
    node = standard_node_of(name, [])
    if node is not None:
        return not _is_domain(node)
    return kind_of_name(name) is not None and not is_unit_name(name)


def merge_profiles(profiles: list[ColumnProfile]) -> ColumnProfile:
    """Several columns' profiles read as one (shares weighted by their articles); `family` says how many."""
    total = sum(p.articles for p in profiles)
    merged = ColumnProfile(articles=total, family=len(profiles))
    if not total:
        return merged
    weight: dict[str, float] = {}
    for profile in profiles:
        for kind, share in profile.shares.items():
            part = share * profile.articles / total
            merged.shares[kind] = merged.shares.get(kind, 0.0) + part
            if part > weight.get(kind, -1.0):
                weight[kind] = part
                merged.notes[kind], merged.notes_zh[kind] = profile.notes[kind], profile.notes_zh[kind]
    if "news" in merged.shares:  # one column's rhythm is not the family's
        merged.notes["news"], merged.notes_zh["news"] = "dated news items", "为带日期的新闻稿"
    return merged


def _standard_of(targets: list[NamedTarget], target_id: str) -> str | None:
    """The standard node of a portal column id."""
    return next((t.standard for t in targets if t.id == target_id), None)


def _is_domain(node: str | None) -> bool:
    """True for a 26 领域 node (a topic, not a function)."""
    return node is not None and "zdly" in standard_nodes()[node].path[:-1]


def _kind_fallback(name: str, targets: list[NamedTarget], scored: dict[str, Candidate]) -> None:
    """A name in no group still tells its kind by its ending: the kind's usual column, or its only one."""
    if any(c.score >= 0.6 for c in scored.values()):
        return
    kind = kind_of_name(name)
    if kind in (None, "other"):
        return
    node = standard_node_of(name, [])
    if node is not None and _standard_target(targets, node) is None and KIND_DEFAULTS.get(kind) != node:
        return  # 资料下载 is a 表格下载 column: a portal without one has no home for it, 办事指南 is not one
    target = _kind_target(targets, kind)
    if target is not None:
        _put(scored, target, 0.76 if _strong_suffix(name, kind) else 0.6, f"name suggests a {kind} column",
             f"名称表明是{KIND_ZH.get(kind, kind)}类栏目")


def _strong_suffix(name: str, kind: str) -> bool:
    """Endings that say the kind plainly (动态/新闻/要闻 …), unlike 信息 or 服务."""
    return kind != "news" or bool(re.search(r"(动态|新闻|要闻|快讯|简讯|资讯)$", normalise(name)))


def _kind_target(targets: list[NamedTarget], kind: str) -> NamedTarget | None:
    """The portal column for a kind: the standard default node's, else the only most specific one of the kind."""
    default = _standard_target(targets, KIND_DEFAULTS.get(kind, ""))
    if default is not None:
        return default
    of_kind = [t for t in targets if t.kind == kind]
    leaves = [t for t in of_kind if not any(t.id in o.ancestors for o in of_kind)]
    return leaves[0] if len(leaves) == 1 else None


KIND_ZH = {"news": "新闻动态", "notice": "通知公告", "policy": "政策文件", "interpretation": "政策解读",
           "guide": "办事服务", "personnel": "人事信息", "plan": "规划计划", "procurement": "招标采购",
           "forms": "表格下载", "single": "单页", "disclosure": "信息公开", "other": "其他"}
SINGLE_PAGE_NODES = ("gkxx", "jgzn", "fzrxx")  # overview pages: a list of dated news is not one of them
CONTENT_NODES = {"procurement": "ggzyjy", "forms": "bgxz", "disclosure": "zfxxgk", "single": "gkxx"}


def _page_named(profile: ColumnProfile | None, targets: list[NamedTarget], scored: dict[str, Candidate]) -> None:
    """A column whose name and path say nothing and whose only item is one page is named by that page: a page
    titled as an overview column (联系我们, 领导简介, 机构设置) goes there."""
    if profile is None or not profile.page_title or any(c.score >= 0.6 for c in scored.values()):
        return
    title = profile.page_title
    pages = [t for t in targets if t.standard in SINGLE_PAGE_NODES]
    best = max(((name_score(title, t), t) for t in pages), key=lambda p: (p[0][0], p[1].in_scope), default=None)
    if best is None or best[0][0] < 0.9:
        return
    (_score, why, why_zh), target = best
    _put(scored, target, 0.86, f"its only page is titled {title}: {why}", f"其唯一页面题为“{title}”：{why_zh}")


def _content_only(profile: ColumnProfile | None, targets: list[NamedTarget], scored: dict[str, Candidate]) -> None:
    """When the name says nothing, the content's kind suggests a column (never enough on its own)."""
    if profile is None or any(c.score >= 0.6 for c in scored.values()):
        return
    lead = profile.leading_kind()
    if lead is None:
        return
    kind, share, _note = lead
    if kind == "news":
        return  # any dated list looks like news: that alone names no column
    node = CONTENT_NODES.get(kind)
    target = _standard_target(targets, node) if node else _kind_target(targets, kind)
    if target is not None:
        en, zh = profile.evidence(kind)
        _put(scored, target, min(0.8, 0.45 + 0.35 * share), f"content: {en}; {target.label} is a {kind} column",
             f"内容：{zh}；{target.label} 是{KIND_ZH.get(kind, kind)}类栏目")


def _target_kinds(target: NamedTarget) -> set[str]:
    """The content kinds that agree with a portal column."""
    kinds = {target.kind}
    node = target.standard
    if node in SINGLE_PAGE_NODES:
        kinds.add("single")
    if node == "ggzyjy":
        kinds |= {"procurement", "notice"}
    if node == "bgxz":
        kinds.add("forms")
    if node == "rsxx":
        kinds.add("notice")
    if target.kind == "policy":
        kinds.add("disclosure")
    return kinds


def _content_adjusted(candidate: Candidate, profile: ColumnProfile | None, target: NamedTarget) -> Candidate:
    """Raise a score when the articles' content agrees with the column, lower it when it plainly disagrees."""
    if profile is None or not profile.articles or "content:" in candidate.why:
        return candidate
    kinds = _target_kinds(target)
    agree = max(((profile.share(k), k) for k in kinds), default=(0.0, ""))
    if not profile.counts() and not (agree[1] == "single" and agree[0] >= 0.5) and \
            not (profile.articles >= 2 and agree[0] >= 1.0):
        return candidate  # too few articles to judge, unless a single page says what it is or all of them agree
    if agree[0] >= 0.5:
        en, zh = profile.evidence(agree[1])
        bonus = 0.1 if candidate.score < 0.85 else 0.04
        candidate.score = candidate.score if candidate.score >= 1.0 else min(0.99, candidate.score + bonus)
        candidate.why += f"; content agrees ({en})"
        candidate.why_zh += f"；内容相符（{zh}）"
        return candidate
    pages = target.standard in SINGLE_PAGE_NODES
    inherited = candidate.why.startswith("sits under")  # only the path speaks for it
    # dated items count against an overview page or a path-only guess, not against a page's own name (领导分工
    # holds one dated page per leader)
    against = [k for k in profile.shares if k not in kinds and profile.share(k) >= AGAINST_SHARE
               and k not in ("disclosure", "forms") and (k != "news" or inherited or (pages and candidate.score < 0.9))]
    if against and agree[0] < 0.2:
        en, zh = profile.evidence(against[0])
        candidate.score -= 0.2 if pages or inherited else 0.1
        candidate.why += f"; but content points elsewhere ({en})"
        candidate.why_zh += f"；但内容指向别处（{zh}）"
    return candidate


def _prefer_specific(candidates: list[Candidate], by_id: dict[str, NamedTarget],
                     profile: ColumnProfile | None) -> list[Candidate]:
    """A parent and its own child never tie: the best parent yields to its child of the same kind (the kind's
    usual column, or its only child of that kind) when the child's evidence holds."""
    if not candidates or (profile is not None and profile.articles == 0):
        return _drop_ancestor_ties(candidates, by_id)  # a section heading names the parent itself
    best = max(candidates, key=lambda c: (c.in_scope, c.score))
    parent = by_id[best.target_id]
    children = [t for t in by_id.values() if t.ancestors and t.ancestors[-1] == parent.id and t.kind == parent.kind
                and t.in_scope >= parent.in_scope]
    if not children or parent.kind == "other":
        return _drop_ancestor_ties(candidates, by_id)
    default = next((t for t in children if t.standard == KIND_DEFAULTS.get(parent.kind)), None)
    child = default or (children[0] if len(children) == 1 else None)
    if child is None:
        return _drop_ancestor_ties(candidates, by_id)
    holds = profile is None or not profile.counts() or profile.share(parent.kind) >= 0.3 or \
        profile.leading_kind() is None
    if not holds:
        return _drop_ancestor_ties(candidates, by_id)
    others = [c for c in candidates if c.target_id not in (child.id, parent.id)]
    moved = Candidate(child.id, child.label, child.kind, best.score,
                      f"{best.why}; {child.name} is the specific column under {parent.name}",
                      f"{best.why_zh}；取{parent.name}下更具体的“{child.name}”", child.in_scope)
    return _drop_ancestor_ties([moved, *others], by_id)


def _standard_kin(node_id: str, kind: str) -> list[str]:
    """Standard nodes that do a node's job for its kind: itself, its children of that kind, and its siblings of
    that kind under the same standard parent (部门动态 ~ 工作动态 ~ 要闻 under 政务动态), the kind's usual node first."""
    nodes = standard_nodes()
    node = nodes[node_id]
    family = [node_id, *node.children]
    if len(node.path) > 1:
        family += nodes[node.path[-2]].children
    kin = [n for n in dict.fromkeys(family) if nodes[n].kind == kind]
    usual = KIND_DEFAULTS.get(kind)
    return sorted(kin, key=lambda n: (n != node_id, n != usual))


def _in_scope_kin(candidates: list[Candidate], by_id: dict[str, NamedTarget]) -> list[Candidate]:
    """When only a column outside the site's target is recognised (the portal's 政务动态 > 部门动态 for a sub-site
    whose news column is 工作动态), offer the in-scope column standing for the same job, a little lower."""
    if not candidates or any(c.in_scope and c.score >= 0.6 for c in candidates):
        return candidates
    best = max(candidates, key=lambda c: c.score)
    node = by_id[best.target_id].standard
    if node is None or best.kind == "other":
        return candidates
    by_node = {t.standard: t for t in by_id.values() if t.in_scope and t.standard and t.kind == best.kind}
    kin = next((by_node[n] for n in _standard_kin(node, best.kind) if n in by_node), None)
    if kin is None:
        return candidates
    moved = Candidate(kin.id, kin.label, kin.kind, best.score - 0.05,
                      f"{best.why}; that column ({best.label}) is outside this site's target, where {kin.name} "
                      "does the same job", f"{best.why_zh}；该栏目（{best.label}）不在本站目标范围内，"
                      f"范围内同类栏目为“{kin.name}”", True)
    return [moved, *candidates]


def _drop_ancestor_ties(candidates: list[Candidate], by_id: dict[str, NamedTarget]) -> list[Candidate]:
    """Remove ancestors that tie with one of their own descendants (the descendant is the more specific)."""
    keep = []
    for candidate in candidates:
        tied = any(other.target_id != candidate.target_id and candidate.target_id in by_id[other.target_id].ancestors
                   and abs(other.score - candidate.score) < 0.03 for other in candidates)
        if not tied:
            keep.append(candidate)
    return keep


def is_ambiguous(candidates: list[Candidate], margin: float = 0.03) -> bool:
    """True when the two best in-scope candidates point at different columns with nearly the same score."""
    ranked = [c for c in candidates if c.in_scope]
    return len(ranked) >= 2 and ranked[0].score >= 0.6 and \
        ranked[0].score - ranked[1].score < margin and ranked[0].target_id != ranked[1].target_id

