"""Article-level routing: rules on an article's own fields that override its column's decision."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from consolidate.core.config import RoutingRule


class PortalTarget(BaseModel):
    """A portal column a site may route into: id, name and kind (built by the caller from the config)."""

    id: str
    name: str
    kind: str = "other"


def rule_matches(rule: RoutingRule, article: dict[str, Any]) -> bool:
    """True when every condition of the rule holds for the article's fields."""
    if rule.title_regex and not re.search(rule.title_regex, article.get("title") or ""):
        return False
    return not (rule.has_field and not str(article.get(rule.has_field) or "").strip())


def resolve_target(rule: RoutingRule, columns: Sequence[PortalTarget]) -> str | None:
    """The portal column id a rule points at among the given columns (first match), or None."""
    ids = {c.id for c in columns}
    if rule.target:
        return rule.target if rule.target in ids else None
    for column in columns:
        if rule.target_kind and column.kind == rule.target_kind:
            return column.id
        if rule.target_name_regex and re.search(rule.target_name_regex, column.name):
            return column.id
    return None


def route(article_fields: dict[str, Any], column_decision_target: str | None,
          rules: Iterable[RoutingRule] | RoutingContext) -> tuple[str | None, str]:
    """The article's target column and why: the first matching rule wins, else the column's decision."""
    context = rules if isinstance(rules, RoutingContext) else RoutingContext(list(rules), [])
    for rule in context.rules:
        if rule.only_migrated and column_decision_target is None:
            continue
        if not rule_matches(rule, article_fields):
            continue
        target = context.target_of(rule)
        if target is None or target == column_decision_target:
            continue
        return target, f"routing rule: {rule.name}"
    if column_decision_target is None:
        return None, "column not migrated"
    return column_decision_target, "column decision"


class RoutingContext:
    """Rules with the portal columns their kind/name targets resolve against (one site's)."""

    def __init__(self, rules: list[RoutingRule], columns: Sequence[PortalTarget]) -> None:
        self.rules = rules
        self.columns = list(columns)
        self._targets: dict[int, str | None] = {}

    def target_of(self, rule: RoutingRule) -> str | None:
        """The resolved target of a rule (cached); explicit ids pass through when no columns are known."""
        key = id(rule)
        if key not in self._targets:
            if rule.target and not self.columns:
                self._targets[key] = rule.target
            else:
                self._targets[key] = resolve_target(rule, self.columns)
        return self._targets[key]
