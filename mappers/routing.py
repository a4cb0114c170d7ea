"""Article-level routing: rules on an article's own fields that override its column's decision."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ArticleField = Literal["title", "doc_no", "index_no", "publisher", "source", "topic", "body_text"]


class RoutingRule(BaseModel):
    """Send matching articles to a portal column: `routing:` in migrations.yaml (top level or per site)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(description="A short label shown as the routing reason.")
    title_regex: str | None = None
    has_field: ArticleField | None = None  # the article has a non-empty value in this field (e.g. doc_no)
    target: str | None = None  # a portal column id …
    target_kind: str | None = None  # … or the site's column of this kind (e.g. policy) …
    target_name_regex: str | None = None  # … or the site's column whose name matches (e.g. 招标|采购)
    only_migrated: bool = True  # never bring back articles of a dropped or unmapped column

    @field_validator("title_regex", "target_name_regex")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        """Patterns must be valid regular expressions."""
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression {pattern!r}: {exc}") from exc
        return pattern

    @model_validator(mode="after")
    def _one_condition_one_target(self) -> RoutingRule:
        """At least one condition, and exactly one way to name the target."""
        if not (self.title_regex or self.has_field):
            raise ValueError("give title_regex and/or has_field")
        if sum(1 for t in (self.target, self.target_kind, self.target_name_regex) if t) != 1:
            raise ValueError("give exactly one of target, target_kind, target_name_regex")
        return self


DEFAULT_ROUTING: tuple[RoutingRule, ...] = (
    RoutingRule(name="招标采购信息进采购栏目", title_regex=r"招标|采购|中标|成交(结果)?公告|比选|询价",
                target_name_regex=r"招标|采购|招投标|公共资源交易"),
    RoutingRule(name="有发文字号的文件进政策文件", has_field="doc_no", target_kind="policy"),
)


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
