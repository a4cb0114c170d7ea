"""Article routing: procurement titles and documents with a 发文字号 override the column's decision."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from consolidate.core.config import DEFAULT_ROUTING, RoutingRule
from mappers.routing import PortalTarget, RoutingContext, route

COLUMNS = [PortalTarget(id="gzdt", name="工作动态", kind="news"), PortalTarget(id="zcwj", name="政策文件", kind="policy"),
           PortalTarget(id="zfcg", name="政府采购", kind="notice")]


def test_procurement_titles_go_to_the_procurement_column() -> None:
    """招标/采购/中标 in the title moves an article to the portal's procurement column."""
    context = RoutingContext(list(DEFAULT_ROUTING), COLUMNS)
    target, reason = route({"title": "临江市某项目中标结果公告"}, "gzdt", context)
    assert target == "zfcg" and "routing rule" in reason


def test_documents_with_a_doc_no_go_to_policy() -> None:
    """A 发文字号 moves a notice to 政策文件; without one the column decision stands."""
    context = RoutingContext(list(DEFAULT_ROUTING), COLUMNS)
    assert route({"title": "关于印发办法的通知", "doc_no": "临发改〔2024〕3号"}, "gzdt", context)[0] == "zcwj"
    assert route({"title": "关于开展检查的通知", "doc_no": ""}, "gzdt", context) == ("gzdt", "column decision")


def test_no_procurement_column_means_no_move() -> None:
    """Without a procurement column the rule cannot apply."""
    context = RoutingContext(list(DEFAULT_ROUTING), COLUMNS[:2])
    assert route({"title": "设备采购公告"}, "gzdt", context) == ("gzdt", "column decision")


def test_dropped_columns_stay_dropped_unless_a_rule_says_otherwise() -> None:
    """only_migrated keeps dropped articles out; a rule with only_migrated false brings them in."""
    context = RoutingContext(list(DEFAULT_ROUTING), COLUMNS)
    assert route({"title": "x", "doc_no": "临发改〔2024〕3号"}, None, context) == (None, "column not migrated")
    rescue = RoutingRule(name="文件都要", has_field="doc_no", target="zcwj", only_migrated=False)
    assert route({"title": "x", "doc_no": "〔2024〕3号"}, None, [rescue])[0] == "zcwj"


def test_rules_are_validated() -> None:
    """A rule needs a condition and exactly one target; regexes must compile."""
    with pytest.raises(ValidationError):
        RoutingRule(name="bad", target="zcwj")
    with pytest.raises(ValidationError):
        RoutingRule(name="bad", title_regex="(", target="zcwj")
    with pytest.raises(ValidationError):
        RoutingRule(name="bad", title_regex="采购", target="zcwj", target_kind="policy")
