"""The office's report stays readable on real sites: the reasons a page is in its class read in Chinese (with their
figures) in the Chinese report and as the crawler wrote them in the English one; a site's thousand dead links are
one row per rule and kind with a few examples (the xlsx keeps every finding); one page under two URLs is one row."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from consolidate import pipeline
from consolidate import report as report_module
from consolidate.report import fleet_report
from consolidate.report_formats import (
    _audit_table,
    code,
    grouped_findings,
    page_reason_text,
    render_markdown,
    render_xlsx,
)
from crawlers.crawler import page_kind
from crawlers.discover import ARTICLE_TEXT, LIST_ROWS, SINGLE_PAGE_TEXT, PageInfo, PageShape, classify
from mappers.audit import broken_link_findings, defect_findings
from mappers.audit import finding as audit_finding

ASCII_WORD = re.compile(r"[A-Za-z]{2,}")
HOME = "http://www.example.gov.cn/"


def _classifier_reasons() -> list[str]:
    """A reason from every branch of the crawler's page classifier, and the crawler's wrappers around them."""
    bare, listy = PageShape(), PageShape(items=LIST_ROWS, dated_rows=LIST_ROWS, list_pager=True)
    article = PageShape(info_lines=1, info_repeat=1, text=ARTICLE_TEXT + 10)
    cases = [
        (HOME + "news/detail.html", bare, []),  # neither an article nor a list
        (HOME + "news/list.html", listy, []),  # list rows
        (HOME + "news/", listy, []),  # a column folder's page with list rows
        (HOME + "news/a.html", article, []),  # title and info line over a text
        (HOME + "about/intro.html", PageShape(prose=SINGLE_PAGE_TEXT + 5), ["首页", "简介"]),  # single-page column
        (HOME + "about/", bare, ["首页", "简介"]),  # a column folder's page without list rows
        (HOME + "login.html", bare, []),  # URL shape … (a login page)
        (HOME, bare, []),  # the site's home page
        (HOME + "news/a_2.html", PageShape(part_of=HOME + "news/a.html"), []),  # a further page of the article
    ]
    reasons = [classify(url, "generic", shape, crumbs)[2] for url, shape, crumbs in cases]
    linked = PageInfo(cms="generic", kind="other", reason=reasons[0])
    page_kind(linked, "", "article")  # an 'other' page a list links as an entry
    empty = PageInfo(cms="generic", kind="other", reason=reasons[0], breadcrumb=["首页", "通知"])
    page_kind(empty, "暂无信息", "list")  # an empty list page
    return [*reasons, linked.reason, empty.reason, f"{linked.reason}; no article could be extracted from it",
            "a further page of a multi-page article, joined into its first page", "stored by the crawl as 'other'",
            "a mailbox form (写信/查询): no record in the page",  # crawlers.interaction.detect
            "a mailbox template whose values a script fills (4 placeholders); its records are not in the page"]


def _chinese_only(text: str) -> str:
    """The text without its URLs and URL-rule names (which stay as they are)."""
    text = re.sub(r"https?://\S+?(?=[）)；;]|$| )", "", text)
    return re.sub(r"网址形态(?:像(?:文章|列表))?（?\s?[\w-]+", "", text)


def test_every_page_class_reason_reads_in_chinese_with_its_figures() -> None:
    """Each reason the classifier writes is a Chinese sentence for zh, its figures kept; unchanged for en."""
    reasons = _classifier_reasons()
    assert len(set(reasons)) == len(reasons) >= 14
    for reason in reasons:
        chinese = page_reason_text(reason, "zh")
        assert not ASCII_WORD.search(_chinese_only(chinese)), (reason, chinese)
        assert re.findall(r"\d+", _chinese_only(reason)) == re.findall(r"\d+", _chinese_only(chinese)), chinese
        assert page_reason_text(reason, "en") == reason
    shape = PageShape(info_lines=2, info_repeat=1, text=12, items=3, date_lines=4, dated_rows=5, list_pager=True)
    assert page_reason_text(classify(HOME + "x/y.html", "generic", shape, [])[2], "zh").endswith(
        "信息行 2 行（同一标签最多 1 行），正文 12 字，列表行 3 行，纯日期行 4 行，带日期的行 5 行，有列表分页")


def test_an_unknown_reason_stays_as_it_is() -> None:
    """A reason no pattern knows is shown as written, never dropped or half-translated."""
    assert page_reason_text("something new: 3 things", "zh") == "something new: 3 things"


def _site_findings(site: str = "jspn") -> list[dict[str, Any]]:
    """A real site's shape: six empty columns, a thousand dead images and links, a foreign script on the home
    page read under `/` and `/index.html`."""
    columns = [audit_finding(site, "empty_column", "veto", "空白栏目", f"empty column {n}", url=f"{HOME}c{n}/",
                             column=f"栏目{n}", count=6) for n in range(6)]
    broken = [(f"{HOME}images/{n}.jpg", "image", 404, HOME) for n in range(1000)]
    broken += [(f"{HOME}list_{n}.html", "list", 404, HOME) for n in range(300)] + [(f"{HOME}x.html", "page", 500, HOME)]
    scripts = [type("Defect", (), {"url": url, "scripts": ["https://evil.example.com/kb.js"], "spam": []})()
               for url in (HOME, HOME + "index.html")]
    return columns + broken_link_findings(site, broken) + defect_findings(site, scripts, {})


def test_repeated_findings_are_one_row_per_rule_and_kind() -> None:
    """1301 dead URLs are three rows (images 404, links 404, links 500) with their counts and three examples;
    each empty column keeps its row; the home page under two URLs is one foreign-script row."""
    findings = _site_findings()
    rows = grouped_findings(findings, "zh")
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_rule.setdefault(row["rule"], []).append(row)
    assert len(by_rule["empty_column"]) == 6
    images = next(r for r in by_rule["broken_attachment"])
    assert images["evidence"]["count"] == 1000 and len(images["evidence"]["examples"]) == 3
    assert images["message"] == "失效附件或图片（HTTP 404）：1000 个"
    links = {r["evidence"]["status"]: r["evidence"]["count"] for r in by_rule["broken_link"]}
    assert links == {404: 300, 500: 1}
    scripts = by_rule["foreign_script"]
    assert len(scripts) == 1 and scripts[0]["evidence"]["url"] == HOME
    english = {r["message"] for r in grouped_findings(findings, "en")}
    assert "broken attachments or images (HTTP 404): 1000" in english


def test_the_report_shows_groups_and_the_xlsx_keeps_every_finding(crawled: pipeline.Workspace,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """审计发现 has a row per group in every format; the workbook's 审计发现明细 sheet has every finding."""
    findings = _site_findings("fgw")
    monkeypatch.setattr(report_module, "site_findings", lambda ws, site_id: findings)
    report = fleet_report(crawled, ["fgw"], details=True)
    sites = report.sites
    headers, rows = _audit_table(sites, "zh")
    assert len(rows) == 6 + 3 + 1 and "grouped" not in headers
    assert len(_audit_table(sites, "zh", every=True)[1]) == len(findings)
    book = load_workbook(io.BytesIO(render_xlsx(report, "zh")))
    at = book.sheetnames.index("审计发现")
    assert book.sheetnames[at + 1] == "审计发现明细"
    assert book["审计发现明细"].max_row == len(findings) + 1 and book["审计发现"].max_row == len(rows) + 1
    markdown = render_markdown(report, "zh")
    audit = markdown.split("## 审计发现", 1)[1].split("\n## ", 1)[0]
    assert audit.count("\n| fgw |") == len(rows) and "失效链接（HTTP 404）：300 个" in audit
    assert "| fgw | 失效附件或图片 |  | 警告 | 失效附件或图片（HTTP 404）：1000 个 | 数量=1000; 状态码=404; 例=" in audit
    english = render_markdown(report, "en").split("## Audit findings", 1)[1].split("\n## ", 1)[0]
    assert "broken links (HTTP 404): 300" in english and english.count("\n| fgw |") == len(rows)
    column_rows = [line for line in audit.splitlines() if "栏目0" in line]
    assert column_rows and "本规则栏目数=6" in column_rows[0] and "数量=6" not in column_rows[0]
    assert "| empty columns (空白栏目) |" in english and "columns_of_rule=6" in english


def test_a_site_pushed_but_not_verified_reads_in_chinese() -> None:
    """迁移核验's 'not verified' (pushed, verify not run yet) has its Chinese word."""
    assert code("outcome", "not verified", "zh") == "未核验" and code("outcome", "not verified", "en") == "not verified"


def test_the_error_list_says_how_many_more_and_where() -> None:
    """Twenty errors are listed, then one line counts the rest and names the command that lists them all; a site
    with all its errors listed gets no such line."""
    from types import SimpleNamespace

    from consolidate.report_formats import _errors

    errors = [{"message": f"HTTP 404 #{n}", "url": f"{HOME}{n}.html"} for n in range(20)]
    many = SimpleNamespace(id="jspn", errors=errors, errors_total=456)
    few = SimpleNamespace(id="fgw", errors=errors[:2], errors_total=2)
    for lang, words in (("en", "… and 436 more errors (456 in all): `consolidate messages jspn`"),
                        ("zh", "……另有 436 条错误（共 456 条），全部见 `consolidate messages jspn`")):
        _, rows = _errors([many, few], lang)  # type: ignore[list-item]
        assert len(rows) == 23 and rows[20][0] == "jspn" and rows[20][1].startswith(words)
        assert [r[0] for r in rows[21:]] == ["fgw", "fgw"]


def test_rollback_words_read_in_chinese() -> None:
    """After a rollback, the unresolved reason and the files' status read in Chinese in the zh report."""
    from consolidate.report_formats import code, skip_reason_text

    for chinese in (skip_reason_text("removed from the target by rollback", "zh"), code("outcome", "rolled_back", "zh")):
        assert chinese and not ASCII_WORD.search(chinese), chinese


def test_the_personal_data_table_reads_in_english_for_en() -> None:
    """The triage figures carry Chinese words; the en report shows the triage sheet's English, zh keeps them."""
    from types import SimpleNamespace

    from consolidate.report_formats import _triage

    site = SimpleNamespace(id="zjgztb", triage={"rows": [["个人信息", "银行卡号", "原样发布", 1],
                                                        ["有效性", "已过有效期", "待定", 2]]})
    assert _triage([site], "en")[1] == [["zjgztb", "personal data", "bank card number", "publish as is", 1],
                                        ["zjgztb", "validity", "validity period over", "undecided", 2]]
    assert _triage([site], "zh")[1][0] == ["zjgztb", "个人信息", "银行卡号", "原样发布", 1]
