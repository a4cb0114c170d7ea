"""Column decisions: explicit rules from migrations.yaml, then suggestions (applied above a threshold), else review."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from consolidate.core.config import Config, MappingRule, PortalColumn, Site, walk_columns
from mappers.standard_tree import TOPIC_NODE, node_label
from mappers.suggest import (
    KIND_ZH,
    Candidate,
    ColumnProfile,
    NamedTarget,
    has_own_function,
    is_ambiguous,
    merge_profiles,
    profile_summary,
    rank_targets,
)
from mappers.synonyms import kind_of_name, normalise, standard_node_of

DEFAULT_THRESHOLD = 0.85
SPECIAL_CONFIDENCE = 0.85  # a live column with no standard function kept as a 特色栏目 (config special_columns)
SPECIAL_LIVE_DAYS = 365  # a 特色栏目 idle longer is archived into 专题专栏 (the longest freshness limit: plans, 1 year)
SPECIAL_HINT = 0.5  # a candidate scoring this much hints at a standard function: not a 特色栏目, left for review
DECISIONS = ("migrate", "merge", "drop", "unmapped")


@dataclass
class LegacyColumn:
    """A legacy column as the mapper sees it."""

    path: str  # names joined by " > "
    name: str
    url: str | None = None
    article_count: int = 0
    last_published: str | None = None
    flags: list[str] = field(default_factory=list)  # empty | stale | container | no-column
    kind: str | None = None  # news, notice, policy … as estimated from its target, name or content
    profile: ColumnProfile | None = None
    record_count: int = 0  # interaction records (letters, complaints…) its pages show: content, not articles
    idle_days: int | None = None  # days from its newest item to the date staleness is judged at (None: no date)
    unlinked: int = 0  # entries its list pages show whose link goes nowhere (javascript:;): never fetched


@dataclass
class Decision:
    """One column's decision with its confidence and reason."""

    column_path: str
    decision: str  # migrate | merge | drop | unmapped
    target: str | None  # for merge: the resolved target; for unmapped: the suggested one, if any
    confidence: float
    reason: str
    decided_by: str = "consolidate"
    merge_into: str | None = None  # merge: the legacy column whose target this column shares
    suggested: str | None = None  # unmapped: the decision suggested for review
    reason_zh: str = ""  # the reason in Chinese (the zh sheet); empty for office decisions read back


@dataclass
class Learned:
    """A decision the office signed for a column of another site, offered for columns of the same name and kind."""

    decision: str  # migrate | drop (merges are site-specific and not offered)
    target: str | None
    site: str
    path: str
    signer: str
    signed_on: str = ""
    held: int | None = None  # articles the signed column held itself (not its sub-columns'); None: not known

    def was_empty(self) -> bool:
        """The signed column held no article: a drop of it says it was empty, not what such content is worth."""
        return self.held == 0

    def provenance(self) -> tuple[str, str]:
        """(English, Chinese) of where the decision comes from."""
        day = f" on {self.signed_on}" if self.signed_on else ""
        day_zh = f"，{self.signed_on}" if self.signed_on else ""
        return (f"signed by {self.signer} for {self.site}: {self.path}{day}",
                f"{self.signer} 已为站点 {self.site} 的“{self.path}”签署{day_zh}")


def own_articles(below: dict[str, int]) -> dict[str, int]:
    """Each column's own articles from the counts of the articles below it (its own and its sub-columns'): a heading
    whose sub-columns hold everything holds none itself, and a decision signed on it says nothing about content."""
    children: dict[str, int] = {}
    for path, count in below.items():
        if " > " in path:
            parent = path.rsplit(" > ", 1)[0]
            children[parent] = children.get(parent, 0) + count
    return {path: max(count - children.get(path, 0), 0) for path, count in below.items()}


def learned_key(name: str, kind: str | None) -> tuple[str, str]:
    """What fleet learning matches on: the column's normalised name and the kind its name implies."""
    return normalise(name), kind or "other"


@dataclass
class TargetColumn:
    """A portal column with its place in the tree."""

    column: PortalColumn
    path: list[str]
    subsite: str | None
    ancestors: tuple[str, ...] = ()  # ids of the columns above it


def target_columns(config: Config, site: Site) -> list[TargetColumn]:
    """The portal columns a site's content may go to: its sub-site's, else the portal's (under target.column)."""
    if site.target.subsite:
        sub = next(s for s in config.portal.subsites if s.id == site.target.subsite)
        return list(_walk(sub.columns, sub.id))
    columns = list(_walk(config.portal.columns))
    if site.target.column:
        anchor = next((c for c in columns if c.column.id == site.target.column), None)
        if anchor is not None:
            return [c for c in columns if c.path[: len(anchor.path)] == anchor.path]
    return columns


def _walk(columns: list[PortalColumn], subsite: str | None = None) -> Iterator[TargetColumn]:
    """The portal tree's one walk (core.config.walk_columns), as target columns with their paths."""
    for place in walk_columns(columns, subsite):
        yield TargetColumn(place.column, place.names, place.subsite, place.ancestors)


def recognised_targets(config: Config, site: Site) -> list[NamedTarget]:
    """Every portal column a legacy name is recognised against: the site's own (in scope), then the rest of the
    main portal tree (out of scope: suggested for review, never applied)."""
    own = target_columns(config, site)
    seen = {t.column.id for t in own}
    rest = [t for t in _walk(config.portal.columns) if t.column.id not in seen]
    return [named_target(t) for t in own] + [named_target(t, in_scope=False) for t in rest]


def normalise_name(name: str) -> str:
    """Compare column names without width, spacing or punctuation differences."""
    text = unicodedata.normalize("NFKC", name)
    return re.sub(r"[\s·・\-_/|()（）]+", "", text).lower()


def _with_evidence(column: LegacyColumn, decision: Decision) -> Decision:
    """Add what the column's content shows to a system decision's reason (both languages)."""
    if decision.decided_by != "consolidate" or "container" in column.flags:
        return decision
    en, zh = profile_summary(column.profile)
    if en and en not in decision.reason:
        decision.reason += f" [{en}]"
        decision.reason_zh += f"〔{zh}〕"
    return decision


def decide(config: Config, site: Site, columns: list[LegacyColumn], threshold: float | None = None,
           learned: dict[tuple[str, str], Learned] | None = None) -> list[Decision]:
    """A decision for every legacy column: rules first, then suggestions above the threshold, else review;
    a column left for review is offered what the office signed for a column of the same name and kind elsewhere,
    and a decided one only notes it: one site's signature never changes another site's decision."""
    targets = recognised_targets(config, site)
    limit = mapping_threshold(config) if threshold is None else threshold
    keep_special = getattr(config, "special_columns", "keep") == "keep"
    decisions = [_with_evidence(column, _decide_one(site.mapping, targets, column, columns, limit,
                                                    family_profile(column, columns), keep_special))
                 for column in columns]
    if learned:
        scope = {t.id for t in targets if t.in_scope}
        for index, (column, decision) in enumerate(zip(columns, decisions, strict=True)):
            offer = learned.get(learned_key(column.name, kind_of_name(column.name)))
            if offer is None or not (offer.target in scope or offer.decision == "drop"):
                continue
            if decision.decision == "unmapped":
                decisions[index] = _learned_decision(column, decision, offer)
            elif (decision.decision, decision.target) != (offer.decision, offer.target):
                _note_offer(column, decision, offer)
    resolve_merges(decisions)
    return decisions


def _decided(offer: Learned) -> str:
    """'migrate → zcwj', or 'drop' alone: a decision with no target names none (never '→ -')."""
    return f"{offer.decision} → {offer.target}" if offer.target else offer.decision


def _to_zh(offer: Learned) -> str:
    """'→ zcwj' after the Chinese verb, '' when the decision has no target."""
    return f"→ {offer.target}" if offer.target else ""


def _note_offer(column: LegacyColumn, decision: Decision, offer: Learned) -> None:
    """Name a signed decision of another site in a decided column's reason (both languages), keeping the decision:
    the office decides this site's columns in this site's sheet."""
    en, zh = offer.provenance()
    verb_zh = {"migrate": "迁移", "drop": "不迁移"}[offer.decision]
    if offer.was_empty() and (column.article_count or "container" in column.flags):
        decision.reason += f"; note: a column of the same name and kind, with no article, was decided " \
                           f"{_decided(offer)} ({en}): not applied here, this column holds articles"
        decision.reason_zh += f"；提示：同名同类栏目（无文章）已由{zh}为“{verb_zh}”{_to_zh(offer)}：本栏目有文章，不适用"
        return
    decision.reason += f"; note: a column of the same name and kind was decided {_decided(offer)} ({en}): not " \
                       f"applied here, another site's sheet never changes this site's decisions; sign this " \
                       f"site's sheet to follow it"
    decision.reason_zh += f"；提示：同名同类栏目已由{zh}为“{verb_zh}”{_to_zh(offer)}：其他站点的签署不改变本站的决定，" \
                          f"如需相同决定，请在本站表格中签署"


def _learned_decision(column: LegacyColumn, decision: Decision, offer: Learned) -> Decision:
    """The office's decision on a like column of another site, offered for review with its provenance."""
    en, zh = offer.provenance()
    verb_zh = {"migrate": "迁移", "drop": "不迁移"}[offer.decision]
    return Decision(column.path, "unmapped", offer.target, 0.8,
                    f"fleet: a column of the same name and kind ({column.name}) was decided "
                    f"{_decided(offer)} ({en}); confirm to apply here; before: {decision.reason}",
                    suggested=offer.decision,
                    reason_zh=f"全网学习：同名同类栏目已由{zh}为“{verb_zh}”{_to_zh(offer)}；"
                              f"确认后在本站适用；原判断：{decision.reason_zh}")


def mapping_threshold(config: Config) -> float:
    """The confidence a suggestion needs to be applied without review (config `mapping_threshold`)."""
    return float(getattr(config, "mapping_threshold", DEFAULT_THRESHOLD))


def family_profile(column: LegacyColumn, columns: list[LegacyColumn]) -> ColumnProfile | None:
    """The content a small column is judged by: its own, or — when it has too few articles to count and no
    function in its name — its own read together with its like siblings' (政策法规 > 行业分类 > 工程建设, 勘察设计 …
    one law each: the family shows what they all hold)."""
    own = column.profile
    if own is None or not own.articles or own.counts() or " > " not in column.path or \
            has_own_function(column.name):
        return own
    parent = column.path.rsplit(" > ", 1)[0]
    family = [c.profile for c in columns if c.profile is not None and c.profile.articles and " > " in c.path
              and c.path.rsplit(" > ", 1)[0] == parent and "no-column" not in c.flags
              and not has_own_function(c.name)]
    pooled = merge_profiles(family)
    return pooled if pooled.family > 1 and pooled.counts() else own


def _decide_one(rules: list[MappingRule], targets: list[NamedTarget], column: LegacyColumn,
                siblings: list[LegacyColumn], threshold: float, profile: ColumnProfile | None = None,
                keep_special: bool = True) -> Decision:
    """The decision for one column: a rule, else the best suggestion (applied only above the threshold); the
    suggestion reads `profile` (the column's content, or its family's) when given; `keep_special` keeps a live
    column with no standard function as a 特色栏目 (config `special_columns`)."""
    for index, rule in enumerate(rules):
        if rule_matches(rule, column):
            reason = rule.reason or f"rule {index + 1} in migrations.yaml ({_rule_text(rule)})"
            return Decision(column.path, rule.decision, rule.target, 1.0, reason, decided_by="migrations.yaml",
                            reason_zh=rule.reason or f"由配置规则决定（migrations.yaml 第 {index + 1} 条规则："
                                                     f"{_rule_text(rule)}）")
    if "no-column" in column.flags:
        return Decision(column.path, "unmapped", None, 0.0,
                        "articles found outside every column (no breadcrumb or list names one): decide them here, "
                        "or give them a column with a routing rule",
                        reason_zh="不属于任何栏目的文章（没有面包屑或列表页指明栏目）：请在此决定，或用路由规则指定栏目")
    path = column.path.split(" > ") if column.path else [column.name]
    candidates = rank_targets(column.name, profile or column.profile, targets, path)
    if "container" in column.flags:
        return _container_decision(column, candidates, threshold)
    if column.unlinked and not column.article_count and not column.record_count:
        return _unlinked_decision(column)
    if column.record_count and not column.article_count:
        return _interaction_decision(column)
    if "empty" in column.flags:
        return _review(column, Decision(column.path, "drop", None, 0.8,
                                        "empty column (空白栏目): nothing to migrate; propose drop (归并或关闭)",
                                        reason_zh="空白栏目：没有可迁移的内容，建议关闭（归并或关闭）"), threshold)
    if is_ambiguous(candidates):
        top = [c for c in candidates if c.in_scope][:3]
        names = ", ".join(f"{c.label} ({c.score:.2f})" for c in top)
        names_zh = "、".join(f"{c.label}（{c.score:.2f}）" for c in top)
        return Decision(column.path, "unmapped", None, 0.0, f"ambiguous: {names}; left for review",
                        reason_zh=f"无法区分：{names_zh}；请人工决定")
    best = candidates[0] if candidates else None
    if "stale" in column.flags and (best is None or best.score < threshold):
        merge = _stale_merge(column, siblings)
        if merge is not None:
            return _review(column, merge, threshold)
    if best is None or best.score < 0.6:
        topic = _topic(targets)
        if keep_special and topic is not None and _is_special_column(column, best):
            return _review(column, _special_column(column, topic), threshold)
        return _no_match(column, targets, best)
    if not best.in_scope:
        return Decision(column.path, "unmapped", best.target_id, best.score,
                        f"{best.why} → portal column {best.label}, outside this site's target "
                        "(target.column/subsite): confirm or change the target; left for review",
                        suggested="migrate",
                        reason_zh=f"{best.why_zh} → 门户栏目 {best.label}，但不在本站的目标范围内"
                                  "（target.column/subsite）：请确认或调整目标；待人工决定")
    reason, reason_zh = f"{best.why} → portal column {best.label}", f"{best.why_zh} → 门户栏目 {best.label}"
    if "stale" in column.flags:
        reason += "; stale column: its items join the portal column"
        reason_zh += "；长期未更新的栏目：其文章并入该门户栏目"
    return _review(column, Decision(column.path, "migrate", best.target_id, best.score, reason,
                                    reason_zh=reason_zh), threshold)


def _interaction_decision(column: LegacyColumn) -> Decision:
    """A column holding interaction records and no articles: its records go to the portal's interaction
    platform with the letters (push), not to a portal column; left for the office to confirm."""
    n = column.record_count
    return Decision(column.path, "unmapped", None, 0.9,
                    f"interaction column (互动交流): its {n} interaction record(s) go to the portal's interaction "
                    "platform with the letters, and its list pages redirect to them; suggestion: the interaction "
                    "platform, no portal column needed (map it only if it should also exist as a column)",
                    reason_zh=f"互动交流栏目：{n} 条互动记录（信件、投诉等）随信件迁移到统一互动交流平台，原列表页转向"
                              "互动交流页面；建议迁移至互动交流平台，无需对应门户栏目（如需保留为栏目请人工指定）")


def _topic(targets: list[NamedTarget]) -> NamedTarget | None:
    """The portal's 专题专栏 within this site's target, if it has one."""
    return next((t for t in targets if t.standard == TOPIC_NODE and t.in_scope), None)


def _is_special_column(column: LegacyColumn, best: Candidate | None) -> bool:
    """A 特色栏目: articles of its own and not even a weak hint of a standard function (nor a standard name the
    portal happens to lack)."""
    return bool(column.article_count) and not ({"empty", "container", "no-column"} & set(column.flags)) \
        and (best is None or best.score < SPECIAL_HINT) and standard_node_of(column.name) is None


def _special_column(column: LegacyColumn, topic: NamedTarget) -> Decision:
    """Keep a column with no standard function as a 特色栏目: its articles join the target's 专题专栏 `topic` (the
    guideline's reduced column set plus the department's special columns); a stale one gets no column of its own."""
    n, last = column.article_count, (column.last_published or "")[:10]
    if column.idle_days is None or column.idle_days > SPECIAL_LIVE_DAYS or "stale" in column.flags:
        idle, idle_zh = (f"stale (last item {last})", f"栏目长期未更新（最后一篇 {last}）") if last else \
            ("no dated item, so not known to be live", "没有带日期的文章，无法确认仍在更新")
        return Decision(column.path, "migrate", topic.id, SPECIAL_CONFIDENCE,
                        f"no standard function in its name, path or content; {idle}: its {n} article(s) join "
                        f"{topic.label} as a special column's archive, with no column of its own (归并); change it in "
                        "the sheet to drop it", reason_zh=f"名称、路径和内容都不对应标准栏目；{idle_zh}：其 {n} 篇"
                        f"文章并入{topic.label}，不单独建栏目（归并）；如不迁移请在签核表中修改")
    return Decision(column.path, "migrate", topic.id, SPECIAL_CONFIDENCE,
                    f"no standard function in its name, path or content; live (last item {last}): a special column "
                    f"(特色栏目) whose {n} article(s) go to {topic.label}; to keep its name as a column there, add a "
                    f"sub-column named {column.name} under {topic.label} and map again; change it in the sheet to "
                    "merge or close it", reason_zh=f"名称、路径和内容都不对应标准栏目；仍在更新（最后一篇 {last}）：作为"
                    f"特色栏目，其 {n} 篇文章迁入{topic.label}；如需保留栏目名称，请在{topic.label}下增设子栏目"
                    f"“{column.name}”后重新映射；如需归并或关闭请在签核表中修改")


def _no_match(column: LegacyColumn, targets: list[NamedTarget], best: Candidate | None) -> Decision:
    """No function recognised: offer 专题专栏 (a 特色栏目 that keeps its content) when the portal has one."""
    topic = _topic(targets)
    if topic is not None and column.article_count:
        return Decision(column.path, "unmapped", topic.id, 0.5,
                        f"no standard function in its name, path or content; keep it as a special column under "
                        f"{topic.label} (特色栏目), or merge/close it (归并或关闭); left for review",
                        suggested="migrate",
                        reason_zh=f"名称、路径和内容都不对应标准栏目；可作为特色栏目保留在{topic.label}下，"
                                  "或归并、关闭；待人工决定")
    node = standard_node_of(column.name)
    if best is None and node is not None and not any(t.standard == node for t in targets):
        label = node_label(node)
        return Decision(column.path, "unmapped", None, 0.0,
                        f"its name is the standard column {label}, which this portal does not have: add it to the "
                        "portal tree, or decide here", reason_zh=f"名称对应标准栏目“{label}”，但门户中没有该栏目："
                                                                 "请在门户栏目树中增加，或人工决定")
    if best is None and column.article_count:
        return _no_topic(column, targets)
    if best is not None:
        return Decision(column.path, "unmapped", best.target_id, best.score,
                        f"suggestion ({best.score:.2f}): {best.why} → portal column {best.label}; left for review",
                        suggested="migrate",
                        reason_zh=f"建议（{best.score:.2f}）：{best.why_zh} → 门户栏目 {best.label}；待人工决定")
    return Decision(column.path, "unmapped", None, 0.0, "no rule and no portal column of that name or kind",
                    reason_zh="没有配置规则，门户中也没有同名或同类栏目；待人工决定")


def _no_topic(column: LegacyColumn, targets: list[NamedTarget]) -> Decision:
    """No function recognised and no 专题专栏 in the site's target to keep it in as a 特色栏目: say where one is
    (outside the target) or that the portal has none, and leave it for review."""
    outside = next((t for t in targets if t.standard == TOPIC_NODE), None)
    if outside is not None:
        return Decision(column.path, "unmapped", outside.id, 0.5,
                        f"no standard function in its name, path or content; the portal's {outside.label} is outside "
                        "this site's target (target.column/subsite): add a 专题专栏 column to the target to keep it "
                        "there as a special column (特色栏目), or confirm this one, or merge/close it; left for review",
                        suggested="migrate",
                        reason_zh=f"名称、路径和内容都不对应标准栏目；门户的{outside.label}不在本站目标范围内"
                                  "（target.column/subsite）：请在目标范围内增设“专题专栏”以保留为特色栏目，或确认迁移到该"
                                  "栏目，或归并、关闭；待人工决定")
    return Decision(column.path, "unmapped", None, 0.0,
                    "no standard function in its name, path or content, and the portal has no 专题专栏 to keep it in "
                    "as a special column (特色栏目): add one to the portal tree (config special_columns), or decide here",
                    reason_zh="名称、路径和内容都不对应标准栏目，门户中也没有可保留特色栏目的“专题专栏”：请在门户栏目树中"
                              "增设，或人工决定")


def _review(column: LegacyColumn, suggestion: Decision, threshold: float) -> Decision:
    """Apply a suggestion at or above the threshold; below it, keep it as a suggestion (decision unmapped)."""
    if suggestion.confidence >= threshold:
        return suggestion
    verb = {"migrate": "migrate", "drop": "drop", "merge": "merge"}[suggestion.decision]
    verb_zh = {"migrate": "迁移", "drop": "不迁移", "merge": "合并"}[suggestion.decision]
    return Decision(column.path, "unmapped", suggestion.target, suggestion.confidence,
                    f"suggestion ({verb}, {suggestion.confidence:.2f} < {threshold:.2f}): {suggestion.reason}; "
                    "left for review", merge_into=suggestion.merge_into, suggested=suggestion.decision,
                    reason_zh=f"建议{verb_zh}（置信度 {suggestion.confidence:.2f}，低于 {threshold:.2f}）："
                              f"{suggestion.reason_zh}；待人工决定")


def _unlinked_decision(column: LegacyColumn) -> Decision:
    """A column whose lists show entries with no address and nothing fetched: the office must know, not a guess."""
    return Decision(column.path, "unmapped", None, 0.0,
                    f"its list pages show {column.unlinked} entries whose link goes nowhere (javascript:;, # or "
                    f"empty): their text cannot be fetched, so nothing of it is migrated; ask the department for the "
                    f"originals, then decide (drop, or migrate what they supply)",
                    reason_zh=f"列表页上有 {column.unlinked} 条信息的链接无效（javascript:;、# 或空链接），正文无法采集，"
                              f"因此未迁移任何内容：请向原单位索取原件后再决定（关闭，或迁移补充的内容）")


def _container_decision(column: LegacyColumn, candidates: list[Candidate], threshold: float) -> Decision:
    """A section heading: migrate only when it names a portal column; otherwise nothing of its own to move."""
    best = candidates[0] if candidates else None
    if best is not None and best.in_scope and best.score >= threshold and not is_ambiguous(candidates):
        return Decision(column.path, "migrate", best.target_id, best.score,
                        f"section heading; {best.why} → portal column {best.label}",
                        reason_zh=f"栏目组；{best.why_zh} → 门户栏目 {best.label}")
    return Decision(column.path, "drop", None, 1.0,
                    "section heading (栏目组): its content sits in its child columns; nothing of its own to migrate",
                    reason_zh="栏目组：内容都在其子栏目中，本身没有需要迁移的内容")


def _stale_merge(column: LegacyColumn, siblings: list[LegacyColumn]) -> Decision | None:
    """Propose merging a stale column into the freshest active column of the same kind (归并)."""
    if column.profile is not None and kind_of_name(column.name) != column.kind:
        return None  # the kind came from the content alone: too weak to fold the column into another
    peers = [c for c in siblings if c.path != column.path and c.kind == column.kind
             and column.kind not in (None, "other") and "no-column" not in c.flags
             and standard_node_of(c.name) is not None and not ({"stale", "empty", "container"} & set(c.flags)) and c.article_count]
    if not peers:
        return None
    peer = max(peers, key=lambda c: (c.last_published or "", c.article_count))
    last = (column.last_published or "?")[:10]
    return Decision(column.path, "merge", None, 0.7,
                    f"stale column (栏目不更新, last item {last}); propose merge into {peer.path} (归并)",
                    merge_into=peer.path,
                    reason_zh=f"栏目长期未更新（最后一篇 {last}，{KIND_ZH.get(column.kind or '', '')}类）；"
                              f"建议归并到“{peer.path}”")


def named_target(target: TargetColumn, in_scope: bool = True) -> NamedTarget:
    """A portal column as the scorer sees it."""
    return NamedTarget(target.column.id, target.column.name, list(target.column.aliases), target.column.kind,
                       " > ".join(target.path), tuple(target.ancestors), in_scope)


def resolve_merges(decisions: list[Decision]) -> None:
    """Give every merge the final target of the column it merges into (following chains); mark broken ones."""
    by_path = {d.column_path: d for d in decisions}
    for decision in decisions:
        if decision.merge_into is None:
            continue
        target = merge_target(decision.column_path, by_path)
        if decision.decision == "merge" and target is None:
            decision.reason += f" (cannot resolve: {decision.merge_into} is not migrated)"
        decision.target = target


def merge_target(path: str, by_path: dict[str, Decision]) -> str | None:
    """The portal column a merge chain ends in, or None (dropped, unmapped, missing or circular)."""
    seen = {path}
    current = by_path.get(path)
    while current is not None and current.merge_into:
        if current.merge_into in seen:
            return None
        seen.add(current.merge_into)
        current = by_path.get(current.merge_into)
    if current is None or current.decision not in ("migrate", "merge"):
        return None
    return current.target


def rule_matches(rule: MappingRule, column: LegacyColumn) -> bool:
    """True when an explicit rule applies to the column."""
    if rule.path is not None:
        return _path_key(rule.path) == _path_key(column.path)
    if rule.name is not None:
        return normalise_name(rule.name) == normalise_name(column.name)
    if rule.name_regex is not None:
        return re.search(rule.name_regex, column.name) is not None
    if rule.url_regex is not None:
        return column.url is not None and re.search(rule.url_regex, column.url) is not None
    return False


def _path_key(path: str) -> list[str]:
    """A path written with >, / or › as a list of normalised names."""
    return [normalise_name(p) for p in re.split(r"\s*[>/›»]\s*", path) if p.strip()]


def _rule_text(rule: MappingRule) -> str:
    """A short description of a rule's matcher."""
    for key in ("path", "name", "name_regex", "url_regex"):
        value = getattr(rule, key)
        if value:
            return f"{key}: {value}"
    return "rule"


def former_names(columns: Iterable[tuple[str, str | None, int]]) -> dict[str, str]:
    """Former path → current path of the columns re-found under a new title: of (path, list URL, articles) rows
    sharing a list URL at the same depth, one holding articles is the column now, the others holding none are the
    names it was crawled under before (a CMS republish renames a column; its list page stays)."""
    by_place: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for path, url, articles in columns:
        if url:
            by_place.setdefault((url, path.count(" > ")), []).append((path, articles))
    found: dict[str, str] = {}
    for rows in by_place.values():
        live = [path for path, articles in rows if articles]
        if len(live) == 1:
            found.update((path, live[0]) for path, articles in rows if not articles)
    return found
