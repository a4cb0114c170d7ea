"""Column decisions: explicit rules from migrations.yaml, then suggestions (applied above a threshold), else review."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from consolidate.config import Config, MappingRule, PortalColumn, Site
from mappers.suggest import Candidate, ColumnProfile, NamedTarget, is_ambiguous, rank_targets

DEFAULT_THRESHOLD = 0.85
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


@dataclass
class TargetColumn:
    """A portal column with its place in the tree."""

    column: PortalColumn
    path: list[str]
    subsite: str | None


def target_columns(config: Config, site: Site) -> list[TargetColumn]:
    """The portal columns a site's content may go to: its sub-site's, else the portal's (under target.column)."""
    if site.target.subsite:
        sub = next(s for s in config.portal.subsites if s.id == site.target.subsite)
        return list(_walk(sub.columns, [], sub.id))
    columns = list(_walk(config.portal.columns, [], None))
    if site.target.column:
        anchor = next((c for c in columns if c.column.id == site.target.column), None)
        if anchor is not None:
            return [c for c in columns if c.path[: len(anchor.path)] == anchor.path]
    return columns


def _walk(columns: list[PortalColumn], parents: list[str], subsite: str | None):
    """Depth-first walk of a column tree with paths."""
    for column in columns:
        path = [*parents, column.name]
        yield TargetColumn(column, path, subsite)
        yield from _walk(column.children, path, subsite)


def normalise_name(name: str) -> str:
    """Compare column names without width, spacing or punctuation differences."""
    text = unicodedata.normalize("NFKC", name)
    return re.sub(r"[\s·・\-_/|()（）]+", "", text).lower()


def decide(config: Config, site: Site, columns: list[LegacyColumn], threshold: float | None = None
           ) -> list[Decision]:
    """A decision for every legacy column: rules first, then suggestions above the threshold, else review."""
    targets = target_columns(config, site)
    limit = mapping_threshold(config) if threshold is None else threshold
    decisions = [_decide_one(site.mapping, targets, column, columns, limit) for column in columns]
    resolve_merges(decisions)
    return decisions


def mapping_threshold(config: Config) -> float:
    """The confidence a suggestion needs to be applied without review (config `mapping_threshold`)."""
    return float(getattr(config, "mapping_threshold", DEFAULT_THRESHOLD))


def _decide_one(rules: list[MappingRule], targets: list[TargetColumn], column: LegacyColumn,
                siblings: list[LegacyColumn], threshold: float) -> Decision:
    """The decision for one column: a rule, else the best suggestion (applied only above the threshold)."""
    for index, rule in enumerate(rules):
        if rule_matches(rule, column):
            reason = rule.reason or f"rule {index + 1} in migrations.yaml ({_rule_text(rule)})"
            return Decision(column.path, rule.decision, rule.target, 1.0, reason, decided_by="migrations.yaml")
    candidates = rank_targets(column.name, column.profile, [named_target(t) for t in targets])
    if "container" in column.flags:
        return _container_decision(column, candidates, threshold)
    if "empty" in column.flags:
        return _review(column, Decision(column.path, "drop", None, 0.8,
                                        "empty column (空白栏目): nothing to migrate; propose drop (归并或关闭)"),
                       threshold)
    if is_ambiguous(candidates):
        names = ", ".join(f"{c.label} ({c.score:.2f})" for c in candidates[:3])
        return Decision(column.path, "unmapped", None, 0.0, f"ambiguous: {names}; left for review")
    best = candidates[0] if candidates else None
    if "stale" in column.flags and (best is None or best.score < threshold):
        merge = _stale_merge(column, siblings)
        if merge is not None:
            return _review(column, merge, threshold)
    if best is None:
        return Decision(column.path, "unmapped", None, 0.0, "no rule and no portal column of that name")
    reason = f"{best.why} → portal column {best.label}"
    if "stale" in column.flags:
        reason += "; stale column: its items join the portal column"
    return _review(column, Decision(column.path, "migrate", best.target_id, best.score, reason), threshold)


def _review(column: LegacyColumn, suggestion: Decision, threshold: float) -> Decision:
    """Apply a suggestion at or above the threshold; below it, keep it as a suggestion (decision unmapped)."""
    if suggestion.confidence >= threshold:
        return suggestion
    verb = {"migrate": "migrate", "drop": "drop", "merge": "merge"}[suggestion.decision]
    return Decision(column.path, "unmapped", suggestion.target, suggestion.confidence,
                    f"suggestion ({verb}, {suggestion.confidence:.2f} < {threshold:.2f}): {suggestion.reason}; "
                    "left for review", merge_into=suggestion.merge_into, suggested=suggestion.decision)


def _container_decision(column: LegacyColumn, candidates: list[Candidate], threshold: float) -> Decision:
    """A section heading: migrate only when it names a portal column; otherwise nothing of its own to move."""
    best = candidates[0] if candidates else None
    if best is not None and best.score >= threshold and not is_ambiguous(candidates):
        return Decision(column.path, "migrate", best.target_id, best.score,
                        f"section heading; {best.why} → portal column {best.label}")
    return Decision(column.path, "drop", None, 1.0,
                    "section heading (栏目组): its content sits in its child columns; nothing of its own to migrate")


def _stale_merge(column: LegacyColumn, siblings: list[LegacyColumn]) -> Decision | None:
    """Propose merging a stale column into the freshest active column of the same kind (归并)."""
    peers = [c for c in siblings if c.path != column.path and c.kind == column.kind and column.kind
             and not ({"stale", "empty", "container"} & set(c.flags)) and c.article_count]
    if not peers:
        return None
    peer = max(peers, key=lambda c: (c.last_published or "", c.article_count))
    return Decision(column.path, "merge", None, 0.7,
                    f"stale column (栏目不更新, last item {(column.last_published or '?')[:10]}); propose merge into "
                    f"{peer.path} (归并)", merge_into=peer.path)


def named_target(target: TargetColumn) -> NamedTarget:
    """A portal column as the scorer sees it."""
    return NamedTarget(target.column.id, target.column.name, list(target.column.aliases), target.column.kind,
                       " > ".join(target.path))


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
