"""Column decisions: explicit rules from migrations.yaml, then exact name/alias matches on the portal tree."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from consolidate.config import Config, MappingRule, PortalColumn, Site

AUTO_APPLY_THRESHOLD = 0.9


@dataclass
class LegacyColumn:
    """A legacy column as the mapper sees it."""

    path: str  # names joined by " > "
    name: str
    url: str | None = None
    article_count: int = 0
    last_published: str | None = None
    flags: list[str] = field(default_factory=list)


@dataclass
class Decision:
    """One column's decision with its confidence and reason."""

    column_path: str
    decision: str  # migrate | drop | unmapped
    target: str | None
    confidence: float
    reason: str
    decided_by: str = "consolidate"


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


def decide(config: Config, site: Site, columns: list[LegacyColumn]) -> list[Decision]:
    """A decision for every legacy column: rules first, then exact name/alias matches, else unmapped."""
    targets = target_columns(config, site)
    return [_decide_one(site.mapping, targets, column) for column in columns]


def _decide_one(rules: list[MappingRule], targets: list[TargetColumn], column: LegacyColumn) -> Decision:
    """The decision for one column."""
    for index, rule in enumerate(rules):
        if _rule_matches(rule, column):
            reason = rule.reason or f"rule {index + 1} in migrations.yaml ({_rule_text(rule)})"
            return Decision(column.path, rule.decision, rule.target, 1.0, reason, decided_by="migrations.yaml")
    matches = _name_matches(targets, column.name)
    if len(matches) == 1:
        target, how = matches[0]
        return Decision(column.path, "migrate", target.column.id, 1.0 if how == "name" else 0.95,
                        f"same {how} as portal column {' > '.join(target.path)}")
    if len(matches) > 1:
        names = ", ".join(" > ".join(t.path) for t, _ in matches)
        return Decision(column.path, "unmapped", None, 0.0, f"ambiguous: matches {names}; left for review")
    return Decision(column.path, "unmapped", None, 0.0, "no rule and no portal column of that name")


def _rule_matches(rule: MappingRule, column: LegacyColumn) -> bool:
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


def _name_matches(targets: list[TargetColumn], name: str) -> list[tuple[TargetColumn, str]]:
    """Portal columns whose name or an alias equals the legacy name."""
    wanted = normalise_name(name)
    found = [(t, "name") for t in targets if normalise_name(t.column.name) == wanted]
    if found:
        return found
    return [(t, "alias") for t in targets if any(normalise_name(a) == wanted for a in t.column.aliases)]
