"""The office's report as tables (shared by every format), HTML with inline SVG charts, and XLSX."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from consolidate.core.cells import xlsx_append
from consolidate.core.errors import UsageError
from consolidate.core.legacy_time import LEGACY_ZONE
from consolidate.crawl_figures import CAUSE_WORDS, PROBLEMS
from consolidate.figures import FleetReport, ReconciliationLine, SiteDetails, SiteFigures
from consolidate.holds import HELD_ZH
from consolidate.triage import CATEGORY_NAMES as TRIAGE_CATEGORY_NAMES
from consolidate.triage import DECISION_NAMES as TRIAGE_DECISION_NAMES
from mappers.sheet import DECISION_LABELS
from mappers.triage import KIND_LABELS as TRIAGE_KIND_LABELS
from mappers.triage_sheet import CATEGORY_LABELS as TRIAGE_CATEGORY_LABELS
from mappers.triage_sheet import DECISION_LABELS as TRIAGE_DECISION_LABELS
from mappers.triage_sheet import KIND_TEXTS as TRIAGE_KIND_TEXTS

LANGS = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    "title": ("迁移报告", "Migration report"), "office": ("主办", "Run by"), "portal": ("门户", "Portal"),
    "generated_at": ("生成时间", "Generated"), "as_of": ("统计日期", "As of"),
    "site": ("站点", "Site"), "id": ("编号", "Id"), "name": ("网站名称", "Site name"),
    "disposition": ("处置方式", "Disposition"), "stage": ("阶段", "Stage"), "fetched": ("抓取页面", "Fetched"),
    "errors": ("抓取错误", "Errors"), "problem": ("错误类别", "Kind"), "skipped_urls": ("未抓取", "Not fetched"), "queued": ("待抓取", "Queued"),
    "bytes": ("字节数", "Bytes"), "cms": ("CMS", "CMS"), "cms_unknown": ("未识别", "not recognised"),
    "articles": ("文章", "Articles"),
    "columns": ("栏目", "Columns"), "unmapped": ("未映射栏目", "Unmapped columns"), "pushed": ("已迁移", "Pushed"),
    "skipped": ("跳过", "Skipped"), "failed": ("失败", "Failed"), "unaccounted": ("未核清", "Unaccounted"),
    "reconciled": ("核对", "Reconciled"), "next_step": ("下一步", "Next step"), "next_due": ("截止日期", "Due"),
    "behind": ("进度滞后", "Behind schedule"), "spam": ("清除暗链", "Hidden links removed"),
    "site_code": ("网站标识码", "Site code"), "home_url": ("网址", "Home URL"), "organiser": ("主办单位", "Organiser"),
    "supervisor": ("主管单位", "Supervisor"), "icp": ("ICP备案号", "ICP filing"), "psb": ("公安机关备案号", "PSB filing"),
    "badge": ("党政机关标识", "Government badge"), "contact": ("联系人", "Contact"), "phone": ("电话", "Phone"),
    "target": ("迁移去向", "Target"), "found_where": ("来源说明", "Where found"), "column_path": ("原栏目", "Legacy column"), "decision": ("决定", "Decision"),
    "confidence": ("置信度", "Confidence"), "reason": ("理由", "Reason"), "decided_by": ("决定人", "Decided by"),
    "files": ("附件/图片", "Files"), "target_columns": ("目标栏目", "Target columns"), "kind": ("对象", "Object"),
    "status": ("状态", "Status"), "count": ("数量", "Count"), "r301": ("301跳转", "301 redirects"),
    "r410": ("410已归档", "410 gone"), "runresolved": ("未定", "Unresolved"), "total": ("合计", "Total"),
    "coverage": ("覆盖率", "Coverage"), "step": ("步骤", "Step"), "source": ("依据", "Evidence"),
    "done_on": ("完成日期", "Done on"), "ref": ("备注/文号", "Reference"), "earliest": ("最早可办", "Earliest"),
    "due": ("截止日期", "Due"), "start_by": ("最迟启动", "Start by"), "blocked_by": ("受阻于", "Blocked by"),
    "overdue": ("逾期", "Overdue"), "crawled": ("抓取文章", "Crawled"), "ok": ("核对通过", "Reconciled"),
    "category": ("类别", "Category"), "message": ("说明", "Message"), "url": ("网址", "URL"),
    "yes": ("是", "yes"), "no": ("否", "no"), "none": ("—", "—"),
    "sites": ("站点数", "Sites"), "retention": ("保留比例", "Retention"), "retained": ("保留站点", "Retained"),
    "in_scope": ("纳入范围", "In scope"), "cap": ("上限", "Cap"), "allowed": ("允许保留", "Allowed"),
    "violation": ("超出保留上限", "Retention cap exceeded"), "chart_stages": ("各阶段站点数", "Sites by stage"),
    "chart_articles": ("各站点文章迁移情况", "Articles per site"), "fleet": ("站点总览", "Fleet"),
    "summary": ("概要", "Summary"), "value": ("数值", "Value"), "reconciliation_line": ("核对", "Reconciliation"),
    "audit_unavailable": ("审计结果暂无", "No audit findings available"),
    "rule": ("规则", "Rule"), "veto": ("否决项", "Veto"), "severity": ("严重程度", "Severity"),
    "evidence": ("证据", "Evidence"),
    "unresolved": ("未定", "Unresolved"), "lists": ("列表页", "List pages"), "column_homes": ("栏目首页", "Column homes"),
    "other_pages": ("其他页面", "Other pages"), "target_exporter": ("迁移目标", "Target"), "notes": ("说明", "Notes"),
    "disposition_url": ("去向", "Disposition"), "url_class": ("页面类别", "Class"), "hits": ("访问量", "Hits"),
    "urls": ("旧网址数", "Legacy URLs"), "article_pages": ("文章页", "Article pages"),
    "last_seen": ("最后见到", "Last seen"),
    "reply_unit": ("办理单位", "Handling unit"), "letters": ("信件数", "Letters"), "replied": ("已答复", "Replied"),
    "unreplied": ("未答复", "Unreplied"), "refused": ("不予受理", "Refused"),
    "status_unknown": ("状态不明", "Status unknown"), "late_replies": ("超期答复", "Late replies"),
    "veto_unanswered": ("超3个月未答复（否决）", "Unanswered over 3 months (veto)"),
    "loss": ("未迁移内容", "Not migrated"), "acknowledged_on": ("签认日期", "Acknowledged on"),
    "acknowledged_ref": ("签认依据", "Evidence"),
}
# What the office acknowledged as not migrated (checklist --accept-…), as the report names each kind
LOSS_KINDS: dict[str, tuple[str, str]] = {
    "unlinked_entries": ("链接无效的列表条目（正文未采集，未迁移）",
                         "list entries that link nowhere (text never fetched, not migrated)"),
    "missing_attachments": ("未随文章迁移的附件（旧页面无地址或未采集到）",
                            "attachments not on the portal pages (no address on the legacy page, or never fetched)"),
    "legacy_hotlinks": ("仍引用旧站图片或文件的页面", "pages still taking images or files from a legacy server"),
}
VALUES: dict[str, tuple[str, str]] = {
    "migrate": ("迁移后关停", "migrate"), "merge": ("并入门户栏目", "merge"), "retain": ("保留", "retain"),
    "close": ("直接关停", "close"), "configured": ("已登记", "configured"), "crawl failed": ("抓取失败", "crawl failed"),
    "crawled": ("已抓取", "crawled"),
    "mapped": ("已映射", "mapped"), "pushed": ("已推送", "pushed"), "done": ("已完成", "done"),
    "blocked": ("受阻", "blocked"), "waiting": ("等待中", "waiting"), "open": ("待办", "open"),
    "recorded": ("已登记凭证", "recorded"), "derived": ("系统推断", "derived"),
}
# Codes the data carries, in Chinese (the English text is the code itself, or its words): one word per thing,
# the same word as in the office's sheets (a column decision reads 不迁移 in the mapping sheet and here).
CODES_ZH: dict[str, dict[str, str]] = {
    "rule": {"empty_column": "空白栏目", "stale_column": "栏目不更新", "homepage_stale": "首页不更新",
             "undated_item": "发布日期缺失", "broken_link": "失效链接", "broken_attachment": "失效附件或图片",
             "spam_link": "暗链", "foreign_script": "外部脚本", "letter_unanswered": "互动回应差",
             "letter_late": "答复超期"},
    "severity": {"veto": "否决", "warning": "警告", "info": "提示"},
    "monitor": {"ok": "正常", "still_serving": "旧网址仍在服务", "wrong": "跳转地址错误", "broken": "新网址无法打开",
                "unreachable": "无法访问", "unmapped": "无对应新网址"},
    "ledger": {"migrated": "已迁移", "merged": "已合并", "redirected": "已跳转", "archived": "已归档（410）",
               "excluded": "已排除", "failed": "失败", "vanished": "旧站已删除", "unresolved": "未定",
               "unfetchable": "无法抓取", "interaction": "转互动平台"},
    "object": {"article": "文章", "column": "栏目", "file": "附件/图片", "verify": "核验", "suspect": "存疑记录",
               "letter": "互动信件"},
    "outcome": {"pushed": "已迁移", "updated": "已更新", "unchanged": "未变化", "skipped": "跳过", "failed": "失败",
                "removed": "已撤回", "ok": "一致", "mismatch": "不一致", "missing": "缺失", "suspect": "存疑",
                "unresolved": "未定", "not verified": "未核验", "title is the site's name": "标题与网站名称相同",
                "date in the future": "发布日期晚于今天", "date before 1990": "发布日期早于1990年",
                "empty body": "正文为空", "title is a file name": "标题为图片文件名", "rolled_back": "已回滚撤下"},
    "skip": {"column dropped": "栏目不迁移", "duplicate": "重复文章", "column not mapped": "栏目待定",
             "no title extracted": "未提取到标题", "undated": "无发布日期，待审核", "vanished": "旧站已删除",
             "no target": "无迁移去向", "withheld in triage": "审查决定不发布", "target column": "目标栏目不在门户中",
             "empty body": "正文为空，待人工核对", "title is the site name": "标题与网站名称相同，待人工核对",
             "date in the future": "发布日期晚于今天，待人工核对", "date before 1990": "发布日期早于1990年，待人工核对",
             "same body, other title": "正文与另一篇文章相同而标题不同，待人工核对",
             "title is a file name": "图片页，标题为图片文件名，待人工核对",
             "office": "办公室已为其网址决定 301 或 410",
             "personal data undecided": "未完成个人信息审查", "not pushed to this target yet": "尚未推送",
             "removed from the target by rollback": "已回滚撤下，待重新推送或决定"},
    "decided_by": {"consolidate": "系统建议", "migrations.yaml": "配置规则"},
    "target": {"subsite": "子站", "column": "栏目", "parent": "上级栏目"},
    "evidence": {"url": "网址", "date": "日期", "days": "天数", "count": "数量", "columns_of_rule": "本规则栏目数",
                 "links": "链接", "column": "栏目",
                 "status": "状态码", "referrer": "来源页", "scripts": "脚本", "unit": "办理单位", "examples": "例"},
}
AUDIT_ZH = {  # a finding's message in Chinese, from its rule and evidence
    "empty_column": "空白栏目：{column} 从未发布信息",
    "stale_column": "栏目不更新：{column} 已 {days} 天未更新（最近一条 {date}）",
    "homepage_stale": "首页不更新：首页链接的最新信息为 {date}，已 {days} 天",
    "undated_item": "信息缺少发布日期：{url}",
    "broken_link": "失效链接（HTTP {status}）：{url}",
    "broken_attachment": "失效附件或图片（HTTP {status}）：{url}",
    "spam_link": "暗链：{url} 上有隐藏的外部链接 {links}",
    "foreign_script": "外部脚本：{url} 加载了外部主机的脚本 {scripts}",
    "letter_unanswered": "互动回应差：{url} 的来信超过3个月未答复",
    "letter_late": "答复超期：{url} 的来信 {days} 个工作日后才答复",
}
# Repeated findings of one rule on one site are one report row per rule and kind (the evidence fields below name the
# kind; every other field varies per item); findings about a column stay one row each (each is a column to fix).
AUDIT_KIND_FIELDS = ("status", "scripts")
AUDIT_EXAMPLES = 3  # example URLs a grouped row shows (the xlsx's 审计发现明细 sheet and `messages` list them all)
AUDIT_GROUP = {  # a grouped row's message: (Chinese, English), from the rule, the kind fields and the count
    "broken_link": ("失效链接（HTTP {status}）：{count} 个", "broken links (HTTP {status}): {count}"),
    "broken_attachment": ("失效附件或图片（HTTP {status}）：{count} 个",
                          "broken attachments or images (HTTP {status}): {count}"),
    "foreign_script": ("外部脚本：{count} 个页面加载了外部主机的脚本 {scripts}",
                       "script injected from a foreign host on {count} pages: {scripts}"),
    "spam_link": ("暗链：{count} 个页面上有隐藏的外部链接", "hidden spam links (暗链) on {count} pages"),
    "undated_item": ("信息缺少发布日期：{count} 条", "items without a publish date (发布日期缺失): {count}"),
    "letter_unanswered": ("互动回应差：{count} 封来信超过3个月未答复",
                          "letters unanswered over 3 months (互动回应差): {count}"),
    "letter_late": ("答复超期：{count} 封来信答复超过时限", "replies later than the limit: {count}"),
}
DATE_HEADERS = ("next_due", "due", "done_on", "earliest", "start_by", "as_of", "last_seen")
NOWRAP_HEADERS = ("id", *DATE_HEADERS)  # HTML cells that never wrap: 编号, 截止日期 and the other dates
STAGE_ORDER = ("configured", "crawl failed", "crawled", "mapped", "pushed")
LEDGER_KINDS = ("migrated", "merged", "redirected", "archived", "excluded", "failed", "vanished", "unresolved",
                "unfetchable", "interaction")


@dataclass(frozen=True)
class Percent:
    """A ratio shown as a percentage: a percentage cell in XLSX, '95.0%' in HTML and Markdown."""

    ratio: float

    def __str__(self) -> str:
        return f"{self.ratio * 100:.1f}%"


def percent(ratio: Any) -> Percent | None:
    """A ratio as a Percent cell (None stays empty)."""
    return Percent(float(ratio)) if isinstance(ratio, int | float) and not isinstance(ratio, bool) else None


def day(text: Any) -> Any:
    """An ISO date text as a date cell; anything else unchanged."""
    if isinstance(text, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    return text


def local_time(stamp: Any) -> Any:
    """An ISO timestamp as the programme's wall-clock time (Asia/Shanghai), to the minute; else unchanged."""
    if not isinstance(stamp, str):
        return stamp
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(LEGACY_ZONE).replace(tzinfo=None, second=0, microsecond=0)


def local_time_text(stamp: Any, lang: str) -> str:
    """An ISO timestamp as the programme's wall-clock time, saying which: '2026-12-07 03:44 (北京时间)'."""
    moment = local_time(stamp)
    if not isinstance(moment, dt.datetime):
        return str(stamp)
    return f"{moment:%Y-%m-%d %H:%M} ({'北京时间' if lang == 'zh' else 'Beijing time'})"


def code(kind: str, word: Any, lang: str) -> Any:
    """A data code (rule, category, outcome…) in the language: Chinese words for zh, the code for en."""
    if lang != "zh" or not isinstance(word, str):
        return word
    return CODES_ZH[kind].get(word, word)


def decision_word(decision: Any, lang: str) -> Any:
    """A column decision in the same word the office's mapping sheet uses (迁移/合并/不迁移/待定)."""
    return DECISION_LABELS.get(lang, DECISION_LABELS["en"]).get(decision, decision) if lang == "zh" else decision


def skip_reason_text(reason: str | None, lang: str) -> str:
    """A push skip or failure reason category in the language (free text of a failure stays as it is)."""
    if not reason:
        return "—"
    if lang != "zh":
        return reason
    for english, chinese in CODES_ZH["skip"].items():
        if reason == english or reason.startswith(english):
            return chinese + reason[len(english):].replace("(removed from the portal)", "（已从门户撤回）")
    return reason


def audit_message(finding: dict[str, Any], lang: str) -> str:
    """A finding's message: the Chinese sentence from its rule and evidence for zh, the English one for en."""
    template = AUDIT_ZH.get(finding.get("rule", "")) if lang == "zh" else None
    if template is None:
        return str(finding.get("message", ""))
    facts = {k: (", ".join(map(str, v[:5])) if isinstance(v, list) else v) for k, v in finding.items()}
    facts.update((k, (", ".join(map(str, v[:5])) if isinstance(v, list) else v))
                 for k, v in (finding.get("evidence") or {}).items())
    try:
        return template.format_map({k: ("—" if v is None else v) for k, v in facts.items()})
    except (KeyError, IndexError, ValueError):
        return str(finding.get("message", ""))


@dataclass
class Section:
    """One table of the report: a sheet in XLSX, a table in HTML and Markdown."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


def check_lang(lang: str) -> str:
    """The language, or a clear error."""
    if lang not in LANGS:
        raise UsageError(f"unknown report language {lang!r}", hint=f"use one of: {', '.join(LANGS)}")
    return lang


def label(key: str, lang: str) -> str:
    """A column or heading label in the language."""
    zh, en = LABELS.get(key, (key, key))
    return zh if lang == "zh" else en


def value(word: Any, lang: str) -> Any:
    """A known enum value (disposition, stage, status) in the language; anything else unchanged."""
    if isinstance(word, bool):
        return label("yes" if word else "no", lang)
    if isinstance(word, str) and word in VALUES:
        return VALUES[word][0 if lang == "zh" else 1]
    return word


def step_label(step: dict[str, Any], lang: str) -> str:
    """A checklist step's label in the language."""
    return step["label_zh"] if lang == "zh" else step["label_en"]


# --- the tables ---------------------------------------------------------------------------------------------

def fleet_section(report: FleetReport, lang: str) -> Section:
    """One row per site: stage, counts, next step, due date, behind-schedule flag."""
    keys = ["id", "name", "disposition", "stage", "fetched", "errors", "articles", "columns", "unmapped", "pushed",
            "skipped", "failed", "unresolved", "unaccounted", "reconciled", "next_step", "next_due", "behind"]
    rows = [[f.id, f.name, value(f.disposition, lang), value(f.stage, lang), f.crawl.fetched, f.crawl.errors,
             f.articles, f.columns, f.mapping.unmapped, f.push.in_target, f.push.skipped, f.push.failed,
             f.reconciliation.unresolved, f.reconciliation.unaccounted,
             value(f.reconciliation.ok, lang) if f.crawl.fetched else label("none", lang),  # 0 = 0 proves nothing
             _next_step_label(f, lang), day(f.next_due), value(bool(f.behind), lang)] for f in report.sites]
    return Section("fleet", label("fleet", lang), [label(k, lang) for k in keys], rows)


def _next_step_label(figures: dict[str, Any], lang: str) -> str | None:
    """The next checklist step's label."""
    name = figures.next_step
    for step in (figures.checklist or {}).get("steps", []):
        if step["step"] == name:
            return step_label(step, lang)
    return name


def summary_section(report: FleetReport, lang: str) -> Section:
    """Programme facts, totals and the retention check as label/value rows."""
    totals, retention = report.totals, report.retention or {}
    rows: list[list[Any]] = [
        [label("title", lang), report.programme], [label("office", lang), report.office],
        [label("portal", lang), report.portal], [label("generated_at", lang), local_time(report.generated_at)],
        [label("as_of", lang), day(report.as_of)], [label("sites", lang), len(report.sites)],
        [label("articles", lang), totals.get("articles", 0)], [label("pushed", lang), totals.get("pushed", 0)],
        [label("skipped", lang), totals.get("skipped", 0)], [label("failed", lang), totals.get("failed", 0)],
        [label("unresolved", lang), totals.get("unresolved", 0)],
        [label("fetched", lang), totals.get("fetched", 0)], [label("errors", lang), totals.get("errors", 0)],
        *_error_kind_rows(totals, lang),
        [label("reconciled", lang), value(report.reconciled, lang)],
        *_acknowledged_rows(totals, lang),
    ]
    if retention:
        rows += [[label("retained", lang), retention["retained"]], [label("in_scope", lang), retention["in_scope"]],
                 [label("cap", lang), percent(retention["cap"])], [label("allowed", lang), retention["allowed"]],
                 [label("retention", lang), percent(retention["ratio"])],
                 [label("violation", lang), value(retention["violation"], lang)]]
    rows.append([label("behind", lang), ", ".join(report.behind_schedule) or label("none", lang)])
    return Section("summary", label("summary", lang), [label("summary", lang), label("value", lang)], rows)


def _acknowledged_rows(totals: dict[str, int], lang: str) -> list[list[Any]]:
    """The fleet's losses the office acknowledged, per kind present: '已签认未迁移：链接无效的列表条目… | 106'."""
    return [[f"已签认未迁移：{loss_name(kind, lang)}" if lang == "zh" else f"acknowledged, not migrated: "
             f"{loss_name(kind, lang)}", n] for kind in LOSS_KINDS if (n := totals.get(f"acknowledged_{kind}", 0))]


def _error_kind_rows(totals: dict[str, int], lang: str) -> list[list[Any]]:
    """The fleet's crawl errors per kind present, under the errors row: '其中失效图片 | 921'."""
    return [[f"其中{problem_name(p, lang)}" if lang == "zh" else f"of which {problem_name(p, lang).lower()}", n]
            for p in PROBLEMS if (n := totals.get(f"errors_{p}", 0))]


Rows = tuple[list[str], list[list[Any]]]  # a section's header keys and rows


def _inventory(sites: list[SiteFigures], lang: str) -> Rows | None:
    """The site register (网站清单): codes, filings, contact, disposition and target (full report only)."""
    if not all(f.details is not None for f in sites):
        return None
    return (["id", "name", "site_code", "home_url", "organiser", "supervisor", "icp", "psb", "badge", "contact",
             "phone", "disposition", "target", "found_where"],
            [[f.id, i["name"], i["site_code"], i["home_url"], i["organiser"], i["supervisor"], i["icp"], i["psb"],
              i["badge"], (i["contact"] or {}).get("name"), (i["contact"] or {}).get("phone"),
              value(i["disposition"], lang), _target_text(i["target"], lang), _found_where(i, lang)]
             for f in sites for i in [_details(f).inventory]])


FOUND_WHERE = {"config": ("登记于配置", "from the config"),
               "crawl": ("抓取时在旧站页面（页脚）读到", "read on the legacy site's pages (footer) by the crawl")}


def _found_where(inventory: dict[str, Any], lang: str) -> str:
    """Where the register's organiser, codes and filings came from: 'ICP备案号、公安机关备案号：抓取时在旧站页面（页脚）
    读到' (a field neither gave stays empty and unnamed), and the 主办单位 the pages name when it is not the config's."""
    sources = inventory.get("sources") or {}
    parts = []
    for origin, (zh, en) in FOUND_WHERE.items():
        keys = [label(k, lang) for k in ("organiser", "site_code", "icp", "psb") if sources.get(k) == origin]
        if keys:
            parts.append(f"{'、'.join(keys)}：{zh}" if lang == "zh" else f"{', '.join(keys)}: {en}")
    if inventory.get("crawl_organiser"):
        parts.append(f"页面所署主办单位：{inventory['crawl_organiser']}" if lang == "zh"
                     else f"the pages name the organiser {inventory['crawl_organiser']}")
    return ("；" if lang == "zh" else "; ").join(parts) or label("none", lang)


def _crawl(sites: list[SiteFigures], lang: str) -> Rows:
    """What the crawl fetched, per site (the CMS the pages showed, 未识别 when they showed none)."""
    return (["id", "fetched", "errors", "skipped_urls", "queued", "bytes", "cms", "articles", "columns", "spam"],
            [[f.id, f.crawl.fetched, f.crawl.errors, f.crawl.skipped, f.crawl.queued, f.crawl.bytes, _cms(f, lang),
              f.articles, f.columns, f.spam_links_removed] for f in sites])


def _cms(site: SiteFigures, lang: str) -> str | None:
    """The CMS the crawl recognised on the site's pages; 'not recognised' when it fetched pages and recognised none
    (a custom-built site), empty before any page was fetched."""
    if site.cms:
        return site.cms
    return label("cms_unknown", lang) if site.crawl.fetched else None


PROBLEM_WORDS = {  # a kind of crawl problem: (zh name, en name, zh meaning, en meaning); {causes}: its causes
    "dead_images": ("失效图片", "Dead images", "旧站答复已不存在的图片（{causes}）：旧站页面仍引用它们，在旧站上同样"
                    "打不开，是旧站自身的失效链接，不是抓取故障",
                    "images the legacy site answers it no longer has ({causes}): its pages still refer to them, they "
                    "are broken on the old site too — the old site's own dead links, not a crawl failure"),
    "dead_attachments": ("失效附件", "Dead attachments", "旧站答复已不存在的附件（{causes}）：旧站页面仍链接它们，在"
                         "旧站上同样打不开，是旧站自身的失效链接，不是抓取故障",
                         "attachments the legacy site answers it no longer has ({causes}): its pages still link "
                         "them, they are broken on the old site too — the old site's own dead links, not a crawl "
                         "failure"),
    "dead_pages": ("失效网页", "Dead pages", "旧站答复已不存在的网页（{causes}）：旧站的链接或分页指向它们，在旧站"
                   "上同样打不开，不是抓取故障",
                   "pages the legacy site answers it no longer has ({causes}): its links or page numbers point to "
                   "them, they are broken on the old site too — not a crawl failure"),
    "server_errors": ("服务器错误", "Server errors", "旧站服务器出错（{causes}），这些网址未能抓取；可能是暂时故障，"
                      "`consolidate crawl {site} --incremental` 会重试",
                      "the legacy server failed ({causes}) and these URLs were not fetched; possibly temporary: "
                      "`consolidate crawl {site} --incremental` tries them again"),
    "robots": ("robots.txt 无法读取", "robots.txt unreachable", "robots.txt 无法读取，按 RFC 9309 视为禁止抓取，"
               "这些网址未抓取；`consolidate crawl {site} --incremental` 会重试",
               "robots.txt could not be read, which RFC 9309 treats as disallowing everything: these URLs were not "
               "fetched; `consolidate crawl {site} --incremental` tries them again"),
    "other": ("其他", "Other", "其他原因未能抓取（{causes}），逐条见 `consolidate messages {site} --stage crawl`",
              "not fetched for other reasons ({causes}); `consolidate messages {site} --stage crawl` lists each"),
}
PAGE_KIND_WORDS = {"list": ("列表页", "list pages"), "article": ("文章页", "articles"), "page": ("其他网页", "other pages")}
CAUSE_ZH = {"timeout": "超时", "refused": "内网地址，拒绝抓取", "redirect loop": "重定向循环",
            "not processed": "未能处理", "unreadable": "响应无法读取", "connection": "连接失败",
            "robots": "robots.txt 无法读取"}


def _causes_text(causes: dict[str, int], lang: str) -> str:
    """A kind's causes in a few words: 'HTTP 404 × 921, HTTP 410 × 3' / '超时 × 2'."""
    def one(cause: str, n: int) -> str:
        if cause.isdigit():
            return f"HTTP {cause} × {n}"
        if lang == "zh":
            return f"{CAUSE_ZH.get(cause, cause)} × {n}"
        words = CAUSE_WORDS.get(cause, (cause, cause))
        return f"{n} {words[0] if n == 1 else words[1]}"
    return ("、" if lang == "zh" else ", ").join(one(c, n) for c, n in causes.items())


def _page_kinds_text(kinds: dict[str, int], lang: str) -> str:
    """Dead pages per kind: '列表页 1097、文章页 3' / 'list pages 1097, articles 3'."""
    words = [f"{PAGE_KIND_WORDS.get(k, (k, k))[0 if lang == 'zh' else 1]} {n}" for k, n in kinds.items()]
    return ("、" if lang == "zh" else ", ").join(words)


def problem_name(problem: str, lang: str) -> str:
    """A kind of crawl problem's name in the language."""
    zh, en, _, _ = PROBLEM_WORDS[problem]
    return zh if lang == "zh" else en


def _crawl_problems(sites: list[SiteFigures], lang: str) -> Rows:
    """What a site's crawl errors are, per kind of problem with what it means, and the total (the errors shown in
    the crawl table): the legacy site's own dead links read apart from what failed in the crawl."""
    rows: list[list[Any]] = []
    for f in sites:
        crawl = f.crawl
        for problem in PROBLEMS:
            count = crawl.problems.get(problem, 0)
            if count:
                meaning = PROBLEM_WORDS[problem][2 if lang == "zh" else 3]
                causes = _causes_text(crawl.problem_causes.get(problem, {}), lang)
                if problem == "dead_pages" and set(crawl.dead_pages) - {"page"}:  # list pages or articles among them
                    causes += ("；其中" if lang == "zh" else "; ") + _page_kinds_text(crawl.dead_pages, lang)
                rows.append([f.id, problem_name(problem, lang), count, meaning.format(causes=causes, site=f.id)])
        if crawl.errors:
            rows.append([f.id, label("total", lang), crawl.errors,
                         f"= {label('errors', lang)}" + ("（抓取情况表）" if lang == "zh" else " (Crawl table)")])
    return ["id", "problem", "count", "message"], rows


def _audit(sites: list[SiteFigures], lang: str) -> Rows | None:
    """The audit findings (full report only)."""
    return _audit_table(sites, lang) if all(f.details is not None for f in sites) else None


def _mapping(sites: list[SiteFigures], lang: str) -> Rows | None:
    """Every column decision with its reason (full report only)."""
    if not all(f.details is not None for f in sites):
        return None
    return (["id", "column_path", "decision", "target", "confidence", "reason", "decided_by"],
            [[f.id, d["column_path"], decision_word(d["decision"], lang), d["target"], percent(d["confidence"]),
              (d.get("reason_zh") or d["reason"]) if lang == "zh" else d["reason"],
              code("decided_by", d["decided_by"], lang)] for f in sites for d in _details(f).decisions])


def _push(sites: list[SiteFigures], lang: str) -> Rows:
    """Articles, files and columns in the target: the crawled articles = pushed + skipped + failed + unresolved
    (+ unaccounted, when a site has any), so that the row adds up as 数量核对 does."""
    unaccounted = any(f.reconciliation.unaccounted for f in sites)
    return (["id", "crawled", "pushed", "skipped", "failed", "unresolved", *(["unaccounted"] if unaccounted else []),
             "files", "target_columns"],
            [[f.id, f.reconciliation.crawled, f.push.in_target, f.push.skipped, f.push.failed,
              f.reconciliation.unresolved, *([f.reconciliation.unaccounted] if unaccounted else []), f.push.files,
              f.push.columns] for f in sites])


def _skip_reasons(sites: list[SiteFigures], lang: str) -> Rows:
    """Skipped, failed and unresolved articles per reason."""
    return (["id", "status", "reason", "count"],
            [[f.id, label(outcome, lang), skip_reason_text(reason, lang), n] for f in sites
             for outcome, key in (("skipped", "skip_reasons"), ("failed", "fail_reasons"),
                                  ("unresolved", "unresolved_reasons"))
             for reason, n in (getattr(f.push, key) or {}).items()])


def _triage(sites: list[SiteFigures], lang: str) -> Rows:
    """Personal-data and validity findings per decision (the figures carry the Chinese words; English for en)."""
    rows = [[f.id, *row] for f in sites for row in f.triage["rows"]]
    if lang != "zh":
        rows = [[cell if not isinstance(cell, str) else TRIAGE_WORDS_EN.get(cell, cell) for cell in row] for row in rows]
    return ["id", "category", "kind", "decision", "count"], rows


def _triage_words_en() -> dict[str, str]:
    """The triage figures' Chinese words (category, kind, decision) → the English of the triage sheet."""
    words = {TRIAGE_CATEGORY_NAMES[c]: TRIAGE_CATEGORY_LABELS["en"][c] for c in TRIAGE_CATEGORY_NAMES}
    words.update((TRIAGE_KIND_LABELS[k], TRIAGE_KIND_TEXTS["en"][k]) for k in TRIAGE_KIND_LABELS
                 if k in TRIAGE_KIND_TEXTS["en"])
    words.update((zh, TRIAGE_DECISION_LABELS["en"][d]) for d, zh in TRIAGE_DECISION_NAMES.items()
                 if d in TRIAGE_DECISION_LABELS["en"])
    return {**words, TRIAGE_DECISION_NAMES[None]: "undecided",
            "未审查即发布（--allow-untriaged）": "published untriaged (--allow-untriaged)"}


TRIAGE_WORDS_EN = _triage_words_en()


def _letters(sites: list[SiteFigures], lang: str) -> Rows | None:
    """Letters per handling unit (only when a site has any)."""
    if not any(f.letters["rows"] for f in sites):
        return None
    return (["id", "reply_unit", "letters", "replied", "refused", "unreplied", "status_unknown", "late_replies",
             "veto_unanswered"],
            [[f.id, *row] for f in sites for row in f.letters["rows"]])


def _verification(sites: list[SiteFigures], lang: str) -> Rows:
    """Push-map statuses per kind of object and verify's verdicts."""
    return (["id", "kind", "status", "count"],
            [[f.id, code("object", kind, lang), code("outcome", status, lang), n] for f in sites
             for kind, counts in f.verification.items() for status, n in counts.items()])


def _redirects(sites: list[SiteFigures], lang: str) -> Rows:
    """URL-map decisions and their coverage."""
    return (["id", "r301", "r410", "runresolved", "total", "coverage"],
            [[f.id, f.redirects["301"], f.redirects["410"], f.redirects["unresolved"], f.redirects.get("total"),
              percent(f.redirects.get("coverage"))] for f in sites])


def _monitor(sites: list[SiteFigures], lang: str) -> Rows:
    """The last post-cutover monitor run per category."""
    return (["id", "category", "count"],
            [[f.id, code("monitor", category, lang), n] for f in sites for category, n in sorted(f.monitor.items())])


def _checklist(sites: list[SiteFigures], lang: str) -> Rows | None:
    """Every shutdown checklist step (once the fleet report has worked the checklist out)."""
    if not all(f.checklist is not None for f in sites):
        return None
    return (["id", "step", "status", "source", "done_on", "ref", "earliest", "due", "start_by", "blocked_by",
             "overdue"],
            [[f.id, step_label(s, lang), value(s["status"], lang), value(s["source"], lang), day(s["done_on"]),
              s["ref"], day(s["earliest"]), day(s["due"]), day(s["start_by"]),
              ", ".join(_step_names(f, s["blocked_by"], lang)), value(s["overdue"], lang)]
             for f in sites for s in (f.checklist or {})["steps"]])


def loss_name(kind: str, lang: str) -> str:
    """An acknowledged loss's kind in the report's language."""
    names = LOSS_KINDS.get(kind)
    return (names[0] if lang == "zh" else names[1]) if names else kind


def _acknowledged(sites: list[SiteFigures], lang: str) -> Rows | None:
    """What the office acknowledged as not migrated, per site and kind: how many, when, and its evidence."""
    if not all(f.checklist is not None for f in sites):
        return None
    return (["id", "loss", "count", "acknowledged_on", "acknowledged_ref"],
            [[f.id, loss_name(a["kind"], lang), a["count"], day(a["done_on"]), a["ref"]]
             for f in sites for a in (f.checklist or {}).get("acknowledged") or []])


def _reconciliation(sites: list[SiteFigures], lang: str) -> Rows:
    """The reconciliation line per exporter target."""
    return (["id", "target_exporter", "crawled", "pushed", "skipped", "failed", "unresolved", "unaccounted", "ok",
             "notes"],
            [[f.id, target or label("none", lang), r.crawled, r.pushed, r.skipped, r.failed, r.unresolved,
              r.unaccounted, value(r.ok, lang), "; ".join(r.notes or [])]
             for f in sites for target, r in [(t.target, t.reconciliation) for t in f.targets]
             or [(None, f.reconciliation)]])


def _pages(sites: list[SiteFigures], lang: str) -> Rows:
    """Fetched pages by class, with why a page is counted as other."""
    return (["id", "fetched", "article_pages", "lists", "column_homes", "other_pages", "reason"],
            [[f.id, p.get("fetched"), p.get("article"), p.get("list"), p.get("column_home"), p.get("other"),
              "; ".join((f"{page_reason_text(why, lang)}（{n} 页）" if lang == "zh" else f"{why} ({n})")
                        for why, n in (p.get("other_reasons") or {}).items())]
             for f in sites for p in [f.reconciliation.pages or {}]])


def _ledger(sites: list[SiteFigures], lang: str) -> Rows:
    """Legacy URLs per disposition."""
    return (["id", "urls", "disposition_url", "count"],
            [[f.id, f.ledger["urls"], code("ledger", kind, lang), f.ledger.get(kind, 0)] for f in sites
             for kind in LEDGER_KINDS if f.ledger.get(kind)])


def _vanished(sites: list[SiteFigures], lang: str) -> Rows | None:
    """Articles gone from the legacy site (full report only)."""
    if not all(f.details is not None for f in sites):
        return None
    return (["id", "url", "last_seen", "reason"],
            [[f.id, v["url"], day(v["last_seen"]), _vanished_reason(v, lang)] for f in sites
             for v in _details(f).vanished])


STILL_PUBLISHED = re.compile(r"still on the portal at (\S+) until")


def _vanished_reason(entry: dict[str, Any], lang: str) -> str:
    """Why a gone article is listed, in the report's language (the ledger's reason is English)."""
    if lang != "zh":
        return str(entry["reason"])
    still = STILL_PUBLISHED.search(str(entry["reason"]))
    text = f"旧站已删除（最后一次见到：{day(entry['last_seen']) or '不详'}）"
    return text + (f"；门户上仍在 {still.group(1)}，待 `push --sync` 撤下" if still else "")


def _errors(sites: list[SiteFigures], lang: str) -> Rows:
    """The first errors recorded per site, and a line saying how many more there are and where they are listed."""
    rows = []
    for f in sites:
        rows += [[f.id, e["message"], e["url"]] for e in f.errors]
        if f.errors_total > len(f.errors):
            more = f.errors_total - len(f.errors)
            rows.append([f.id, f"……另有 {more} 条错误（共 {f.errors_total} 条），全部见 `consolidate messages {f.id}`"
                         if lang == "zh" else f"… and {more} more errors ({f.errors_total} in all): "
                                              f"`consolidate messages {f.id}` lists every one", ""])
    return ["id", "message", "url"], rows


@dataclass(frozen=True)
class SectionSpec:
    """A per-site table of the report: its key, its titles in Chinese and English, and what builds its rows (None:
    the report lacks the data, the section is left out)."""

    key: str
    zh: str
    en: str
    build: Callable[[list[SiteFigures], str], Rows | None]

    def title(self, lang: str) -> str:
        """The title in the language."""
        return self.zh if lang == "zh" else self.en


SITE_SECTIONS: list[SectionSpec] = [
    SectionSpec("inventory", "网站清单", "Inventory", _inventory),
    SectionSpec("crawl", "抓取情况", "Crawl", _crawl),
    SectionSpec("crawl_problems", "抓取错误分类", "Crawl errors by kind", _crawl_problems),
    SectionSpec("audit", "审计发现", "Audit findings", _audit),
    SectionSpec("mapping", "栏目映射决定", "Mapping decisions", _mapping),
    SectionSpec("push", "迁移结果", "Push outcome", _push),
    SectionSpec("skip_reasons", "跳过与失败原因", "Skip and failure reasons", _skip_reasons),
    SectionSpec("triage", "个人信息与有效性", "Personal data and validity", _triage),
    SectionSpec("letters", "互动交流（信件答复）", "Interaction records (letters and replies)", _letters),
    SectionSpec("verification", "迁移核验", "Verification", _verification),
    SectionSpec("redirects", "跳转覆盖", "Redirect coverage", _redirects),
    SectionSpec("monitor", "切换后监测", "Post-cutover monitor", _monitor),
    SectionSpec("acknowledged", "已签认的未迁移内容", "Losses the office acknowledged", _acknowledged),
    SectionSpec("checklist", "关停检查清单", "Shutdown checklist", _checklist),
    SectionSpec("reconciliation", "数量核对", "Reconciliation", _reconciliation),
    SectionSpec("pages", "页面分类核对", "Fetched pages by class", _pages),
    SectionSpec("ledger", "旧网址去向", "Legacy URL ledger", _ledger),
    SectionSpec("vanished", "旧站已删除的文章", "Articles gone from the legacy site", _vanished),
    SectionSpec("errors", "错误", "Errors", _errors),
]


def site_sections(report: FleetReport, lang: str) -> list[Section]:
    """The per-site tables, each with a site column, in SITE_SECTIONS order; those whose data the report lacks
    are left out."""
    sections = []
    for spec in SITE_SECTIONS:
        built = spec.build(report.sites, lang)
        if built is not None:
            headers, rows = built
            sections.append(Section(spec.key, spec.title(lang), [label(h, lang) for h in headers], rows))
    return sections


def _details(figures: SiteFigures) -> SiteDetails:
    """The site's full-report details (the sections that read them check they are there)."""
    assert figures.details is not None
    return figures.details


def _target_text(target: dict[str, Any], lang: str) -> str:
    """A site's target as one short text."""
    return ", ".join(f"{code('target', k, lang)}: {v}" for k, v in target.items()) or "—"


def _audit_table(sites: list[SiteFigures], lang: str, every: bool = False) -> Rows:
    """Audit findings of every site: a site column plus the union of the findings' fields; repeated findings of
    one rule and kind are one row with their count and a few example URLs (every finding with `every`)."""
    shown = {f.id: (_details(f).audit["findings"] if every else grouped_findings(_details(f).audit["findings"], lang))
             for f in sites}
    fields: list[str] = []
    for findings in shown.values():
        for finding in findings:
            fields.extend(k for k in finding if k not in fields and k not in ("site", "site_id", "grouped"))
    if not fields:
        notes = [[f.id, _details(f).audit["note"] or label("none", lang)] for f in sites]
        return ["id", "message"], notes
    rows = [[site_id, *[_audit_cell(finding, k, lang) for k in fields]] for site_id, findings in shown.items()
            for finding in findings]
    return ["id", *fields], rows


def grouped_findings(findings: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Findings with the same page twice (`/` and `/index.html`) once, and each rule's findings of one kind (HTTP
    status, scripts) one finding — its message says how many, its evidence the count and the first URLs; findings
    about a column stay one each. Order of first appearance."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    seen: set[tuple[Any, ...]] = set()
    for finding in findings:
        evidence = finding.get("evidence") or {}
        if "column" in evidence:
            groups[(id(finding),)] = [finding]
            continue
        key = (finding.get("rule"), finding.get("severity"), tuple(_cell(evidence.get(k)) for k in AUDIT_KIND_FIELDS))
        page = (*key, _folder_form(evidence["url"])) if isinstance(evidence.get("url"), str) else (id(finding),)
        if page not in seen:
            seen.add(page)
            groups.setdefault(key, []).append(finding)
    return [_group(members, lang) if len(members) > 1 else _alone(members[0]) for members in groups.values()]


def _alone(finding: dict[str, Any]) -> dict[str, Any]:
    """A finding shown on its own row: a per-page finding's count is that of the row, 1 (the rule's count on the
    site, e.g. every dead link, would read as this link's); a column's keeps its count (the veto's threshold)."""
    evidence = finding.get("evidence") or {}
    if "count" not in evidence or "column" in evidence:
        return finding
    return {**finding, "evidence": {**evidence, "count": 1}}


def _folder_form(url: str) -> str:
    """One page's URLs alike: 'http://x/a/index.html' → 'http://x/a/' (a URL with a query stays as it is)."""
    return url if "?" in url else re.sub(r"/(?:index|default)\.[A-Za-z]{2,5}$", "/", url)


def _group(members: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """One finding standing for several of one rule and kind."""
    first = members[0]
    evidence = first.get("evidence") or {}
    kinds = {k: evidence[k] for k in AUDIT_KIND_FIELDS if k in evidence}
    urls = [m["evidence"]["url"] for m in members if isinstance((m.get("evidence") or {}).get("url"), str)]
    facts = {"count": len(members), "status": "—" if lang == "zh" else "error",
             **{k: _cell(v) for k, v in kinds.items() if v is not None}}
    templates = AUDIT_GROUP.get(first.get("rule", ""))
    if templates is not None:
        message = templates[0 if lang == "zh" else 1].format_map(facts)
    else:
        message = f"{code('rule', first.get('rule'), lang)}：{len(members)} 处" if lang == "zh" else \
            f"{first.get('rule')}: {len(members)} findings"
    return {**first, "message": message, "grouped": True,
            "evidence": {"count": len(members), **kinds, "examples": urls[:AUDIT_EXAMPLES]}}


VETOES_EN = {"空白栏目": "empty columns", "栏目不更新": "columns not updated", "首页不更新": "home page not updated",
             "严重问题": "serious problems", "互动回应差": "poor interaction response"}  # the national veto items


def _audit_cell(finding: dict[str, Any], key: str, lang: str) -> Any:
    """One cell of an audit finding, in the language."""
    item = finding.get(key)
    if key == "message":
        return item if finding.get("grouped") else audit_message(finding, lang)
    if key in ("rule", "severity"):
        return code(key, item, lang)
    if key == "veto" and lang != "zh":
        return f"{VETOES_EN[item]} ({item})" if item in VETOES_EN else item
    if isinstance(item, dict):
        if "column" in item and "count" in item:  # the rule's count on the site (the veto's threshold), not the row's
            item = {("columns_of_rule" if k == "count" else k): v for k, v in item.items()}
        return "; ".join(f"{code('evidence', k, lang)}={_cell(v)}" for k, v in item.items())
    return day(_cell(item)) if key == "date" else _cell(item)


def _step_names(figures: SiteFigures, names: list[str], lang: str) -> list[str]:
    """Checklist step codes as their labels in the language (conditions such as '3 articles failed' too)."""
    labels = {s["step"]: step_label(s, lang) for s in (figures.checklist or {}).get("steps", [])}
    return [labels.get(n) or condition_text(n, lang) for n in names]


# What keeps a checklist step from being done (consolidate/checklist.py content_blockers, triage review_blockers):
# a pattern of the English condition → its Chinese sentence, with the pattern's groups.
CONDITIONS_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), chinese) for pattern, chinese in (
    (r"^(\d+) article-holding columns? undecided$", "{0} 个有文章的栏目未定迁移去向"),
    (r"^(\d+) columns? undecided whose lists show only entries that link nowhere \((\d+) entr(?:ies|y).*`consolidate map "
     r"(\S+)`$", "{0} 个栏目的列表只有链接无效的条目（共 {1} 条，正文无法采集）且未定去向：请向原单位索取原件后在 "
                  "`consolidate map {2}` 中决定"),
    (r"^(\d+) articles? held for review \((?P<held>.*)\)$", "{0} 篇文章待人工核对（{1}）"),
    (r"^(\d+) articles? held for review \((?P<held>.*?)\): each is a held_for_review line of `consolidate messages "
     r"(\S+) .*$",
     "{0} 篇文章待人工核对（{1}）：逐篇见 `consolidate messages {2} --stage push` 中的 "
     "held_for_review；原页面修正后重新采集，或在 `consolidate redirects {2} -f csv` 导出的表中为其网址决定 301 或 410，"
     "再用 `consolidate redirects {2} --import` 导入"),
    (r"^(\d+) articles? unresolved$", "{0} 篇文章去向未定"),
    (r"^(\d+) articles? unresolved(?: \((?P<reasons>.*?)\))?: .*`consolidate urls list (\S+) .*$",
     "{0} 篇文章去向未定{1}：逐篇原因见 `consolidate urls list {2} --disposition unresolved`（尚未推送到该目标："
     "`consolidate push {2}`；栏目未定去向：`consolidate map {2}`）"),
    (r"^(\d+) problems? verify found on published records.*$",
     "{0} 处已发布记录核验存疑（见 consolidate messages --stage verify；此前已发布、标题为图片文件名的图片页仍留在门户上"
     "（待核对但已发布）：在门户上改标题，或为其网址决定 301 或 410）"),
    (r"^(\d+) articles? failed$", "{0} 篇文章迁移失败"),
    (r"^(\d+) files? or columns? failed to push$", "{0} 个附件、图片或栏目推送失败"),
    (r"^(\d+) legacy URLs? with ≥ (\d+) logged hits unresolved$", "{0} 个访问量 ≥ {1} 的旧网址去向未定"),
    (r"^(\d+) pushed articles? not verified clean since the last push$", "{0} 篇已推送文章在最近一次推送后未核验通过"),
    (r"^(\d+) personal-data findings? undecided$", "{0} 处个人信息发现未决定"),
    (r"^(\d+) personal-data findings? undecided: `consolidate triage (\S+) .*$",
     "{0} 处个人信息发现未决定：用 `consolidate triage {1} --export triage-{1}.xlsx` 导出决定表，填好后用 "
     "`consolidate triage --import triage-{1}.xlsx` 导入"),
    (r"^crawl not finished: (\d+) URLs? still queued \((.*?)\); .*`consolidate crawl (\S+)`$",
     "采集未完成：仍有 {0} 个网址待采集（{1}），上次采集因页数上限停止或被中断：运行 `consolidate crawl {2}` 继续"),
    (r"^(\d+) list (?:entries link|entry links) nowhere(?P<where>.*?): their text was never fetched.*`consolidate checklist (\S+) "
     r"--accept-unlinked.*$",
     "{0} 条列表条目链接无效{1}，正文从未采集，未能迁移：`consolidate messages {2} --stage crawl` 按列表页列出；请向原单位"
     "索取原件并在门户手工发布，再用 `consolidate checklist {2} --accept-unlinked --ref 依据` 确认"),
    (r"^(\d+) attachments? on (\d+) pages? not on the portal .*?(?:; (\d+) acknowledged on (\S+), more found since)?\. "
     r".*`consolidate checklist (\S+) --accept-missing-files.*$",
     "{0} 个附件（{1} 个页面）未迁移到门户（原页面上没有地址，或未能采集）：`consolidate messages {4} --stage push` "
     "逐个列出（attachment_missing）；请向原单位索取文件，在门户页面上手工补上，再用 "
     "`consolidate checklist {4} --accept-missing-files --ref 依据` 确认"),
    (r"^crawl failed, nothing fetched: (.*); check home_url .*`consolidate crawl (\S+)` again$",
     "采集失败，未取得任何页面：{0}；请核对 home_url、确认旧站服务器可访问，再运行 `consolidate crawl {1}`"),
    (r"^not crawled yet: run `consolidate crawl (\S+)`.*$",
     "尚未采集：运行 `consolidate crawl {0}`（未经本工具迁移的网站：用 `consolidate checklist {0} --done 步骤 --ref 依据` "
     "登记办公室的凭证）"),
    (r"^no articles extracted$", "未提取到文章"),
    (r"^nothing pushed$", "尚未推送"),
    (r"^verify not run$", "尚未核验（consolidate verify）"),
    (r"^reconciliation does not add up: (.*)$", "数量核对不一致：{0}"),
    (r"^triage not run on the current content (.*)$", "尚未对当前内容做发布前审查 {0}"),
))


def condition_text(text: str, lang: str) -> str:
    """A checklist condition in the language: a known one in Chinese for zh, anything else as it is."""
    if lang != "zh":
        return text
    for pattern, chinese in CONDITIONS_ZH:
        match = pattern.match(text)
        if match:
            reasons, held = pattern.groupindex.get("reasons"), pattern.groupindex.get("held")
            where = pattern.groupindex.get("where")
            return chinese.format(*(_reasons_zh(group) if index == reasons else _held_zh(group) if index == held
                                    else _where_zh(group) if index == where
                                    else group for index, group in enumerate(match.groups(), 1)))
    return text


WHERE_ZH = ((r"(\d+) more in other columns", "其他栏目 {0} 条"), (r"(\d+) on list pages of no column", "不属于任何栏目的列表页 {0} 条"),
            (r"(\d+) on the home page or other pages that are not lists", "首页等非列表页 {0} 条"))


def _where_zh(where: str) -> str:
    """' (图片新闻 11, 3 more in other columns, 32 on the home page …)' of entries that link nowhere in Chinese."""
    if not where:
        return ""
    parts = []
    for part in where.strip().removeprefix("(").removesuffix(")").split(", "):
        for pattern, chinese in WHERE_ZH:
            if match := re.fullmatch(pattern, part):
                part = chinese.format(*match.groups())
                break
        parts.append(part)
    return f"（{'，'.join(parts)}）"


def _held_zh(kinds: str) -> str:
    """'2 same body, other title; 1 empty body' as 正文与另一篇文章相同而标题不同 2，正文为空 1 (a kind not known as is)."""
    parts = []
    for part in kinds.split("; "):
        count, _, kind = part.partition(" ")
        label = HELD_ZH.get(kind)
        parts.append(f"{label.removesuffix('，待人工核对')} {count}" if label and count.isdigit() else part)
    return "，".join(parts)


def _reasons_zh(counted: str | None) -> str:
    """'57 column not mapped, 93 not pushed to this target yet' as （栏目待定 57，尚未推送 93）; none: ''."""
    if not counted:
        return ""
    counted, _, held = counted.partition("; ")
    parts = [re.match(r"(\d+) (.+)", part) for part in counted.split(", ")]
    if not all(parts):
        return f"（{counted}）"
    note = re.match(r"(\d+) of them held for review", held)
    return ("（" + "，".join(f"{skip_reason_text(p.group(2), 'zh')} {p.group(1)}" for p in parts if p)
            + (f"；其中 {note.group(1)} 篇待人工核对，见上一条" if note else "") + "）")


# Why a fetched page is in its class (crawlers/discover.py classify, crawlers/crawler.py page_kind, the ledger's
# fallbacks): a pattern of the English reason → its Chinese sentence; a group named `why` is the page's shape (its
# figures) and `inner` another reason, both rendered in turn.
PAGE_REASONS_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), chinese) for pattern, chinese in (
    (r"(?P<inner>.+); no article could be extracted from it", "{inner}；未能从中提取文章"),
    (r"(?P<inner>.+); lists (?P<n>\d+) interaction record\(s\), kept in interaction_records",
     "{inner}；列出 {n} 条互动信件，已存入互动记录"),
    (r"neither an article \(no title over an info line\) nor a list \(no rows\): (?P<why>.*)",
     "既不是文章（标题下没有信息行）也不是列表（没有列表行）：{why}"),
    (r"URL shape (?P<rule>[^:,]+), not contradicted by the page: (?P<why>.*)", "网址形态 {rule}，页面结构相符：{why}"),
    (r"URL shape (?P<rule>[^:,]+): (?P<why>.*)", "网址形态 {rule}：{why}"),
    (r"URL looks like an article \((?P<rule>[^)]*)\) but the page is a list: (?P<why>.*)",
     "网址形态像文章（{rule}），但页面是列表：{why}"),
    (r"URL looks like a list \((?P<rule>[^)]*)\) but the page is an article: (?P<why>.*)",
     "网址形态像列表（{rule}），但页面是文章：{why}"),
    (r"title and info line over a text: (?P<why>.*)", "标题和信息行下有正文：{why}"),
    (r"a column folder's page with list rows: (?P<why>.*)", "栏目目录页，有列表行：{why}"),
    (r"a column folder's page without list rows: (?P<why>.*)", "栏目目录页，没有列表行：{why}"),
    (r"list rows: (?P<why>.*)", "列表行：{why}"),
    (r"a single-page column: breadcrumb and (?P<n>\d+) chars of paragraphs, no list rows: (?P<why>.*)",
     "单页栏目：有当前位置导航和 {n} 字段落，没有列表行：{why}"),
    (r"a further page of the article (?P<url>.+)", "文章 {url} 的后续页"),
    (r"a further page of a multi-page article, joined into its first page", "多页文章的后续页，已并入第一页"),
    (r"a continuation page of a paginated article", "分页文章的后续页"),
    (r"the site's home page", "网站首页"),
    (r"page could not be analysed \((?P<error>[^)]*)\)", "页面无法分析（{error}）"),
    (r"no HTML could be parsed", "无法解析 HTML"),
    (r"not analysed", "未分析"),
    (r"a sitemap naming (?P<n>\d+) URLs", "网站地图，列出 {n} 个网址"),
    (r"a Hanweb dataproxy answer \(XML records\)", "大汉 dataproxy 接口返回的 XML 记录"),
    (r"Hanweb datastore records \((?P<n>\d+)\)", "大汉 datastore 记录（{n} 条）"),
    (r"a JSON feed of (?P<n>\d+) entries", "JSON 数据接口，{n} 条"),
    (r"linked as an entry of a list page \((?P<inner>.*)\)", "列表页中的条目链接（{inner}）"),
    (r"an empty list page: a pager script or 暂无信息 and no rows \((?P<inner>.*)\)",
     "空列表页：有分页脚本或“暂无信息”，没有列表行（{inner}）"),
    (r"interaction form, no record: (?P<what>.*)", "互动交流表单，没有信件：{what}"),
    (r"a mailbox form \(写信/查询\): no record in the page", "信箱表单（写信/查询）：页面中没有信件"),
    (r"a mailbox template whose values a script fills \((?P<n>\d+) placeholders\); its records are not in the page",
     "由脚本填值的信箱模板（{n} 个占位符）：页面中没有信件"),
    (r"an interaction record \((?P<kind>[^,]*), (?P<status>[^)]*)\): kept in interaction_records",
     "互动信件（{kind}，{status}）：已存入互动记录"),
    (r"classed (?P<cls>\S+) by the crawler", "抓取时分类为 {cls}"),
    (r"stored by the crawl as '(?P<kind>[^']*)'", "抓取时存为 {kind}"),
))
PAGE_KINDS_ZH = {"article": "文章页", "list": "列表页", "column-home": "栏目首页", "home": "首页", "other": "其他页面",
                 "part": "文章后续页", "image": "图片", "attachment": "附件", "file": "文件"}
PAGE_SHAPE = re.compile(r"(?P<info>\d+) info line\(s\) \((?P<repeat>\d+) with one label\), (?P<text>\d+) chars of text, "
                        r"(?P<rows>\d+) list rows, (?P<dates>\d+) date-only lines, (?P<dated>\d+) dated rows"
                        r"(?P<pager>, a list pager)?")


def page_reason_text(reason: str, lang: str) -> str:
    """Why a page is in its class, in the language: a known reason in Chinese for zh (its figures kept), anything
    else as it is."""
    return reason if lang != "zh" else _page_reason_zh(reason)


def _page_reason_zh(text: str) -> str:
    """A page-class reason, or the page shape a reason quotes, in Chinese."""
    shape = PAGE_SHAPE.fullmatch(text)
    if shape is not None:
        f = shape.groupdict()
        return (f"信息行 {f['info']} 行（同一标签最多 {f['repeat']} 行），正文 {f['text']} 字，列表行 {f['rows']} 行，"
                f"纯日期行 {f['dates']} 行，带日期的行 {f['dated']} 行" + ("，有列表分页" if f["pager"] else ""))
    for pattern, chinese in PAGE_REASONS_ZH:
        match = pattern.fullmatch(text)
        if match is not None:
            return chinese.format_map({k: _page_reason_zh(v) if k in ("why", "inner") else
                                       PAGE_KINDS_ZH.get(v, v) if k in ("cls", "kind") else v
                                       for k, v in match.groupdict().items()})
    return text


def _cell(item: Any) -> Any:
    """A value a table cell can hold."""
    if item is None or isinstance(item, str | int | float | bool | dt.date | Percent):
        return item
    if isinstance(item, (list, tuple)):
        return ", ".join(str(x) for x in item)
    if isinstance(item, dict):
        return "; ".join(f"{k}={_cell(v)}" for k, v in item.items())
    return str(item)


def all_sections(report: FleetReport, lang: str) -> list[Section]:
    """Summary, fleet, then the per-site tables."""
    return [summary_section(report, lang), fleet_section(report, lang), *site_sections(report, lang)]


# --- HTML ---------------------------------------------------------------------------------------------------

def _svg_bars(title: str, bars: list[tuple[str, list[tuple[int, str, str]]]], legend: list[tuple[str, str]]
              ) -> Markup:
    """A horizontal (stacked) bar chart as inline SVG; each segment is (value, colour, name)."""
    label_w, bar_w, row_h, top = 200, 420, 30, 34 + (22 if legend else 0)
    peak = max((sum(v for v, _c, _n in segs) for _l, segs in bars), default=0) or 1
    height = top + row_h * len(bars) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{label_w + bar_w + 90}" '
             f'height="{height}" viewBox="0 0 {label_w + bar_w + 90} {height}" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>",
             f'<text x="0" y="20" class="chart-title">{escape(title)}</text>']
    for i, (name, colour) in enumerate(legend):
        x = i * 120
        parts.append(f'<rect x="{x}" y="32" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="43" class="legend">{escape(name)}</text>')
    for row, (name, segments) in enumerate(bars):
        y = top + row * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end">{escape(name)}</text>')
        x = float(label_w)
        for amount, colour, seg_name in segments:
            width = bar_w * amount / peak
            if amount:
                parts.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{width:.1f}" height="{row_h - 10}" '
                             f'fill="{colour}"><title>{escape(seg_name)}: {amount}</title></rect>')
            x += width
        total = sum(v for v, _c, _n in segments)
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 19}" class="value">{total}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stage_chart(report: FleetReport, lang: str) -> Markup:
    """Sites per stage."""
    stages = report.stages
    bars = [(str(value(s, lang)), [(stages.get(s, 0), "#2f6fb3", str(value(s, lang)))]) for s in STAGE_ORDER
            if s != "crawl failed" or stages.get(s)]  # a bar of its own only when a site's crawl failed
    return _svg_bars(label("chart_stages", lang), bars, [])


def articles_chart(report: FleetReport, lang: str) -> Markup:
    """Articles per site, split into pushed, skipped, failed and unaccounted."""
    colours = [("pushed", "#2e8b57"), ("skipped", "#e0a526"), ("failed", "#c0392b"), ("unresolved", "#7f8c8d")]
    bars = []
    for f in report.sites:
        r = f.reconciliation
        segments = [(r.pushed, colours[0][1], label("pushed", lang)),
                    (r.skipped, colours[1][1], label("skipped", lang)),
                    (r.failed, colours[2][1], label("failed", lang)),
                    (r.unresolved, colours[3][1], label("unresolved", lang))]
        bars.append((f.name, segments))
    return _svg_bars(label("chart_articles", lang), bars, [(label(k, lang), c) for k, c in colours])


def render_html(report: FleetReport, lang: str = "zh") -> str:
    """A self-contained HTML page: summary, inline SVG charts, the fleet table and every section."""
    check_lang(lang)
    env = Environment(loader=PackageLoader("consolidate", "templates"), autoescape=select_autoescape(["html"]))
    nowrap = {label(k, lang) for k in NOWRAP_HEADERS}
    return env.get_template("report.html").render(
        r=report, lang=lang, L=lambda k: label(k, lang), V=lambda v: value(v, lang),
        RT=lambda line: reconciliation_text(line, lang), NOWRAP=nowrap,
        NUM=lambda cell: isinstance(cell, int | float | Percent) and not isinstance(cell, bool),
        generated=local_time_text(report.generated_at, lang),
        summary=summary_section(report, lang), fleet=fleet_section(report, lang),
        sections=site_sections(report, lang), charts=[stage_chart(report, lang), articles_chart(report, lang)],
    )


# --- XLSX ---------------------------------------------------------------------------------------------------

def display_width(text: Any) -> int:
    """Columns a text takes in a spreadsheet: CJK and other wide characters count as 2."""
    if isinstance(text, dt.datetime):
        return 16
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text if text is not None
                                                                                         else ""))


def render_xlsx(report: FleetReport, lang: str = "zh") -> bytes:
    """A workbook with one sheet per section: bold frozen headers, auto filters, widths fitting Chinese text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    check_lang(lang)
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for section in _with_audit_items(all_sections(report, lang), report, lang):
        sheet = book.create_sheet(_sheet_title(section.title, used))
        sheet.append(section.headers)
        for row in section.rows:
            xlsx_append(sheet, [_xlsx_value(v) for v in row])  # a legacy title '=…' stays text, not a formula
            _format_cells(sheet[sheet.max_row], row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="F2E6D9")
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for index, header in enumerate(section.headers, start=1):
            widest = max([display_width(header), *(display_width(r[index - 1]) for r in section.rows)])
            sheet.column_dimensions[get_column_letter(index)].width = min(widest + 2, 80)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _with_audit_items(sections: list[Section], report: FleetReport, lang: str) -> list[Section]:
    """The sections with every audit finding, one row each, after the grouped 审计发现 (when the report has them)."""
    keys = [s.key for s in sections]
    if "audit" not in keys:
        return sections
    headers, rows = _audit_table(report.sites, lang, every=True)
    items = Section("audit_items", "审计发现明细" if lang == "zh" else "Audit findings, every item",
                    [label(h, lang) for h in headers], rows)
    at = keys.index("audit") + 1
    return [*sections[:at], items, *sections[at:]]


def _xlsx_value(item: Any) -> Any:
    """What a cell stores: a percentage's ratio, a date or datetime as such, other values as table cells."""
    if isinstance(item, Percent):
        return item.ratio
    return _cell(item)


def _format_cells(cells: Any, row: list[Any]) -> None:
    """Number formats: percentages as percentages, dates as dates (Excel sorts and filters them as such)."""
    for cell, item in zip(cells, row, strict=False):
        if isinstance(item, Percent):
            cell.number_format = "0.0%"
        elif isinstance(item, dt.datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(item, dt.date):
            cell.number_format = "yyyy-mm-dd"


def _sheet_title(title: str, used: set[str]) -> str:
    """A unique sheet title within Excel's 31 characters and allowed set."""
    clean = "".join("_" if ch in '[]:*?/\\' else ch for ch in title)[:31] or "sheet"
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:28]}_{n}"
        n += 1
    used.add(candidate)
    return candidate


# --- Markdown -----------------------------------------------------------------------------------------------

def markdown_table(section: Section) -> list[str]:
    """A section as a Markdown table (pipes in cells escaped)."""
    def cell(item: Any) -> str:
        if isinstance(item, dt.datetime):
            return f"{item:%Y-%m-%d %H:%M}"
        return "" if item is None else str(_cell(item)).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(section.headers) + " |", "|" + "---|" * len(section.headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in section.rows]
    return lines


# --- JSON and Markdown --------------------------------------------------------------------------------------

def reconciliation_text(line: ReconciliationLine, lang: str = "zh") -> str:
    """One target's line, e.g. '文章 130 = 已迁移 120 + 跳过 5 + 失败 0 + 未定 5 — 是'."""
    pages = line.pages or {}
    text = (f"{label('articles', lang)} {line.crawled} = {label('pushed', lang)} {line.pushed} + "
            f"{label('skipped', lang)} {line.skipped} + {label('failed', lang)} {line.failed} + "
            f"{label('unresolved', lang)} {line.unresolved} — {value(line.ok, lang)}")
    if pages:
        text += (f"; {label('fetched', lang)} {pages['fetched']} = {label('articles', lang)} {pages['article']} + "
                 f"{label('lists', lang)} {pages['list']} + {label('column_homes', lang)} {pages['column_home']} + "
                 f"{label('other_pages', lang)} {pages['other']}")
    if line.notes:
        text += f" ({'; '.join(line.notes)})"
    return text


def render_json(report: FleetReport) -> str:
    """The report as JSON."""
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2)


def render_markdown(report: FleetReport, lang: str = "zh") -> str:
    """The report as Markdown an office can paste into a memo."""
    check_lang(lang)
    totals = report.totals
    lines = [f"# {report.programme} — {label('title', lang)}", "",
             f"{label('office', lang)}: {report.office} · {label('portal', lang)}: {report.portal} · "
             f"{label('generated_at', lang)}: {local_time_text(report.generated_at, lang)}", "",
             f"**{label('reconciliation_line', lang)}**: {label('articles', lang)} {totals.get('articles', 0)} = "
             f"{label('pushed', lang)} {totals.get('pushed', 0)} + {label('skipped', lang)} "
             f"{totals.get('skipped', 0)} + {label('failed', lang)} {totals.get('failed', 0)} + "
             f"{label('unresolved', lang)} {totals.get('unresolved', 0)}", ""]
    for figures in report.sites:
        for t in figures.targets:
            lines += [f"- {figures.id} → {t.target or '—'}: {reconciliation_text(t.reconciliation, lang)}"]
    lines.append("")
    retention = report.retention or {}
    if retention.get("violation"):
        lines += [f"**{label('violation', lang)}**: {retention['message']}", ""]
    if report.behind_schedule:
        lines += [f"**{label('behind', lang)}**: {', '.join(report.behind_schedule)}", ""]
    for section in all_sections(report, lang):
        lines += [f"## {section.title}", ""]
        lines += markdown_table(section) if section.rows else ["—"]
        lines.append("")
    return "\n".join(lines)
