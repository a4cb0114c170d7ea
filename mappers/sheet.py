"""The office's sign-off sheet of column decisions: write it (xlsx or csv), read it back and validate every cell."""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from consolidate.core.cells import csv_row, from_csv_text, xlsx_append
from consolidate.core.csvfile import csv_rows
from consolidate.core.errors import ConsolidateError, InputFileError, UsageError
from consolidate.core.outcomes import SYSTEM_DECIDERS
from consolidate.core.outputs import save_output
from mappers.sheet_language import LIST_SEPARATOR, SIGNATURE, label_words, tallies
from mappers.sheet_language import fold as _fold
from mappers.sheet_language import header_language as language_of
from mappers.sheet_language import say as say_in

# (key, Chinese header, English header, required on import)
HEADERS: tuple[tuple[str, str, str, bool], ...] = (
    ("path", "栏目路径", "Column path", True),
    ("name", "栏目名称", "Column name", False),
    ("articles", "文章数", "Articles", False),
    ("last", "最后更新", "Last update", False),
    ("flags", "标记", "Flags", False),
    ("decision", "决定", "Decision", True),
    ("target", "目标栏目", "Target column", True),
    ("merge_into", "合并到", "Merge into", False),
    ("confidence", "置信度", "Confidence", False),
    ("reason", "理由", "Reason", False),
    *SIGNATURE,
    ("comment", "意见", "Comment", False),
    ("signed_before", "原签署", "Signed before", False),  # the recorded signature: shown, never read back as one
)
DECISION_LABELS = {"zh": {"migrate": "迁移", "merge": "合并", "drop": "不迁移", "unmapped": "待定"},
                   "en": {"migrate": "migrate", "merge": "merge", "drop": "drop", "unmapped": "unmapped"}}
DECISION_WORDS = {**label_words(DECISION_LABELS),
                  "关闭": "drop", "不迁移（仅归档）": "drop", "仅归档": "drop", "": "unmapped"}
FLAG_LABELS = {"empty": "空白栏目", "stale": "长期未更新", "container": "栏目组", "no-column": "无栏目",
               "unlinked": "条目链接无效"}
SHEET_TITLES = {"zh": "栏目映射", "en": "Column mapping"}
RULE_NOTE = {"zh": "由配置规则决定", "en": "decided by a rule in migrations.yaml"}
EDITABLE = ("decision", "target", "merge_into", "signer", "signed_on", "comment")
LOCKED_FILL = PatternFill("solid", fgColor="D9D9D9")  # grey: decided by a rule, protected
TODO_FILL = PatternFill("solid", fgColor="FFF2CC")  # yellow: waiting for the office's decision
GUIDE_TITLES = {"zh": "填写说明", "en": "How to fill in"}
GUIDE = {
    "zh": ("只需处理“决定”为“待定”的黄色行：选择 迁移/合并/不迁移，迁移时选择目标栏目，合并时选择“合并到”。",
           "灰色行由 migrations.yaml 中的配置规则决定，已锁定；如需改变，请修改配置规则。",
           "其余行已由系统按名称、路径和内容自动决定，理由见“理由”列；如不同意，可直接修改并签名。",
           "每一处修改都要填写“审核人”；“审核日期”写签名当天（不能晚于今天，也不能早于网站采集日期）。",
           "已签署的行，原来的签署人和日期见“原签署”列（只读），“审核人”“审核日期”留空；更正自己签署过的决定，也在"
           "“审核人”写上姓名、在“审核日期”写上签名当天。",
           "填好后运行 consolidate map 站点 --import 文件名；有错误时会指出行号和应如何修改，且不会导入任何内容。"),
    "en": ("Only the yellow rows (decision 'unmapped') need a decision: migrate (with a target), merge (with a column"
           " to merge into) or drop.",
           "Grey rows are decided by a rule in migrations.yaml and locked; change the rule to change them.",
           "The other rows were decided from name, path and content (see Reason); change and sign them if you"
           " disagree.",
           "Every change needs Signed by; Signed on is the day you sign (not in the future, not before the crawl).",
           "A signed row shows who signed it and when under Signed before (read only) and leaves Signed by and Signed"
           " on empty; to correct a decision you signed yourself, write your name and the day you sign there too.",
           "Then run consolidate map SITE --import FILE; errors name the row and what to do, and nothing is"
           " imported."),
}
LISTS_SHEET = "lists"
# What import says, in the sheet's language (the language of its header row): errors and the summary alike.
MESSAGES: dict[str, dict[str, str]] = {
    "problems": {"en": "{count} problem(s) in the sheet; nothing was imported:",
                 "zh": "表格中有 {count} 处问题，未导入任何内容："},
    "more": {"en": "… and {count} more", "zh": "…… 另有 {count} 处"},
    "fix_hint": {"en": "fix the cells named above and import the whole sheet again",
                 "zh": "修改上面指出的单元格，然后重新导入整张表格"},
    "cell": {"en": "{name} row {row}, column {column}", "zh": "{name} 第 {row} 行，{column} 列"},
    "header_twice": {"en": "{name} row 1, column {column}: the header appears twice (also column {other})",
                     "zh": "{name} 第 1 行，{column} 列：表头重复（另见 {other} 列）"},
    "missing_column": {"en": "{name} row 1: missing column {en} ({zh}) in the header row",
                       "zh": "{name} 第 1 行：表头缺少“{zh}”列（{en}）"},
    "fleet_workbook": {"en": "{name} is a fleet workbook (a summary sheet, then one sheet per site)",
                       "zh": "{name} 是整个网站群的工作簿（一张汇总表，每个网站一张表）"},
    "fleet_hint": {"en": "import it for every site at once: consolidate map --all --import FILE",
                   "zh": "一次导入所有网站：consolidate map --all --import 文件名"},
    "other_site": {"en": "{name} is the mapping sheet of site {other}, not of {site}; nothing was imported",
                   "zh": "{name} 是网站 {other} 的栏目映射表，不是网站 {site} 的；未导入任何内容"},
    "other_site_hint": {"en": "import it into its site: consolidate map {other} --import {name}",
                        "zh": "导入到它所属的网站：consolidate map {other} --import {name}"},
    "unknown_site_hint": {"en": "site {other} is not in migrations.yaml: export this site's sheet with consolidate "
                                "map {site} --export FILE",
                          "zh": "网站 {other} 不在 migrations.yaml 中：请用 consolidate map {site} --export 文件名 "
                                "导出本网站的表格"},
    "paths_of_other": {"en": "{name}: {unknown} of its {count} column paths are not columns of site {site}; all are "
                             "columns of site {other}; nothing was imported",
                       "zh": "{name}：表中 {count} 个栏目路径有 {unknown} 个不是网站 {site} 的栏目，而全部是网站 {other} 的"
                             "栏目；未导入任何内容"},
    "paths_of_none": {"en": "{name}: {unknown} of its {count} column paths are not columns of site {site}; nothing was "
                            "imported",
                      "zh": "{name}：表中 {count} 个栏目路径有 {unknown} 个不是网站 {site} 的栏目；未导入任何内容"},
    "export_hint": {"en": "is it another site's sheet? export this site's with consolidate map {site} --export FILE",
                    "zh": "是否是其他网站的表格？请用 consolidate map {site} --export 文件名 导出本网站的表格"},
    "path_empty": {"en": "{cell}: empty; every filled row needs its column path",
                   "zh": "{cell}：为空；填写的每一行都要有栏目路径"},
    "unknown_path": {"en": "{cell}: unknown column path {path!r} (not a column of this site); keep the path as "
                           "exported, or export the sheet again",
                     "zh": "{cell}：栏目路径“{path}”不是本网站的栏目；请保留导出时的路径，或重新导出表格"},
    "duplicate_row": {"en": "{cell}: duplicate row for {path!r} (first on row {first})",
                      "zh": "{cell}：“{path}”重复（第一次出现在第 {first} 行）"},
    "unknown_decision": {"en": "{cell}: unknown decision {word!r} (use {valid})",
                         "zh": "{cell}：无法识别的决定“{word}”（请填写 {valid}）"},
    "several_targets": {"en": "{cell}: {text!r} names several portal columns ({ids}); give the id",
                        "zh": "{cell}：“{text}”对应多个门户栏目（{ids}）；请填写栏目编号"},
    "unknown_target": {"en": "{cell}: unknown target column {text!r} (choose one from the dropdown)",
                       "zh": "{cell}：未知的目标栏目“{text}”（请从下拉列表中选择）"},
    "unknown_merge": {"en": "{cell}: unknown column path {path!r}; choose the column from the dropdown",
                      "zh": "{cell}：未知的栏目路径“{path}”；请从下拉列表中选择栏目"},
    "office_signed": {"en": "{cell}: {path!r} is decided and signed by {signer} ({decision}) and this unsigned row "
                            "says otherwise: if the sheet is older than that decision, export it again; to change "
                            "the decision, sign the row",
                      "zh": "{cell}：“{path}”已由{signer}签署决定（{decision}），这一未签名的行与之不同：如果表格早于"
                            "该决定，请重新导出；如要改变决定，请在该行签名"},
    "rule_row": {"en": "{cell}: {path!r} is decided by a rule in migrations.yaml (the grey rows); put the row "
                       "back as exported, or change the rule there",
                 "zh": "{cell}：“{path}”由 migrations.yaml 中的配置规则决定（灰色行）；请恢复为导出时的内容，或修改"
                       "配置规则"},
    "signed_undecided": {"en": "{cell}: a signed row needs a decision ({valid}), not {word!r}",
                         "zh": "{cell}：签名的行要填写决定（{valid}），而不是“{word}”"},
    "migrate_target": {"en": "{cell}: migrate needs a target column; choose one from the dropdown",
                       "zh": "{cell}：迁移要填写目标栏目；请从下拉列表中选择"},
    "merge_into": {"en": "{cell}: merge needs the legacy column to merge into; choose it from the dropdown",
                   "zh": "{cell}：合并要填写合并到哪个原栏目；请从下拉列表中选择"},
    "merge_self": {"en": "{cell}: a column cannot merge into itself", "zh": "{cell}：栏目不能合并到它自己"},
    "unsigned": {"en": "{cell}: the row changes the decision but nobody signed it; write your name here",
                 "zh": "{cell}：该行改变了决定，但没有人签名；请在这里写上您的姓名"},
    "prefilled_signature": {"en": "{cell}: the row changes the decision but carries that decision's own signature "
                                  "({signer}, {day}); this sheet was exported before the Signed before column, when "
                                  "the export pre-filled a signed row's signature, so a pre-filled signature cannot be "
                                  "told from a correction {signer} signed: export the sheet again (it leaves the "
                                  "signature cells empty and shows the recorded one under Signed before), then change "
                                  "and sign the row there",
                            "zh": "{cell}：该行改变了决定，签名却与原决定的签名相同（{signer}，{day}）；这张表格导出时还没有"
                                  "“原签署”列，已签署的行预填了原签名，无法分辨这一签名是预填的还是{signer}本人更正时所"
                                  "签：请重新导出表格（新表格的签名栏留空，原签名见“原签署”列），在其中修改并签名"},
    "before_decision": {"en": "{cell}: {day} is before the decision this row changes was recorded ({signer}, "
                              "{recorded}): if the sheet is older than that decision, export it again; otherwise "
                              "write the day you signed",
                        "zh": "{cell}：{day} 早于该行所改变的决定的记录日期（{signer}，{recorded}）：如果表格早于该"
                              "决定，请重新导出；否则请填写签名当天的日期"},
    "merged_cells": {"en": "{name}: the sheet has merged cells ({ranges}); a merged range keeps its value in its first "
                           "cell only and the other rows read as blank: unmerge them and fill in every row, then "
                           "import again",
                     "zh": "{name}：表格中有合并单元格（{ranges}）；合并单元格只有第一个单元格有内容，其余各行读作空白："
                           "请取消合并单元格，在每一行分别填写后重新导入"},
    "not_date": {"en": "{cell}: not a date {text!r} (write it as 2026-11-20)",
                 "zh": "{cell}：“{text}”不是日期（请写成 2026-11-20）"},
    "no_date": {"en": "{cell}: empty; a signed row needs the day it was signed (write it as 2026-11-20)",
                "zh": "{cell}：为空；签名的行要填写签名当天的日期（请写成 2026-11-20）"},
    "future": {"en": "{cell}: {day} is in the future; write the day you signed (today is {today})",
               "zh": "{cell}：{day} 晚于今天；请填写签名当天的日期（今天是 {today}）"},
    "before_crawl": {"en": "{cell}: {day} is before the site was crawled ({crawled}); a decision is signed after "
                           "the crawl it rests on: write the day you signed",
                     "zh": "{cell}：{day} 早于网站采集日期（{crawled}）；决定在采集之后签署：请填写签名当天的日期"},
    "not_migrated": {"en": "{cell}: {path!r} is not migrated, so there is nothing to merge into",
                     "zh": "{cell}：“{path}”不迁移，无法合并到它"},
    "no_changes": {"en": "{name}: no changes", "zh": "{name}：无改动"},
    "missing_rows": {"en": "  {count} of the site's {total} columns have no row in {name}: they stay as they were "
                           "({undecided} of them undecided)",
                     "zh": "  {name} 中缺少本网站 {total} 个栏目中的 {count} 个（没有对应的行）：它们保持原样（其中 "
                           "{undecided} 个仍待定）"},
    "site_missing_rows": {"en": "  {site}: {count} of its {total} columns have no row: they stay as they were "
                                "({undecided} undecided)",
                          "zh": "  {site}：{total} 个栏目中缺少 {count} 个（没有对应的行），保持原样（其中 {undecided}"
                                " 个仍待定）"},
    "corrections": {"en": "  of them {count} correct(s) the signer's own earlier decision (kept in the reason: "
                          "{paths})",
                    "zh": "  其中 {count} 行是签署人更正自己先前的决定（原决定记在理由中：{paths}）"},
    "recorded": {"en": "{name}: recorded {count} signed decision(s) ({decisions}; signed by {signers})",
                 "zh": "{name}：已记录 {count} 行签署决定（{decisions}；签署人：{signers}）"},
    "site_recorded": {"en": "  {site}: {count} ({decisions}; signed by {signers})",
                      "zh": "  {site}：{count} 行（{decisions}；签署人：{signers}）"},
    "site_unchanged": {"en": "  {site}: no changes", "zh": "  {site}：无改动"},
    "waiting": {"en": "{count} column(s) on other sites now wait for you (a signed decision is offered there for "
                      "a column of the same name and kind):",
                "zh": "其他站点有 {count} 个栏目因此转为待您决定（同名同类栏目的签署决定已推荐给它们）："},
    "waiting_column": {"en": "  {site}: {path} ({articles} articles; offered from {offer})",
                       "zh": "  {site}：{path}（{articles} 篇文章；推荐自 {offer}）"},
    "waiting_hint": {"en": "  run `consolidate map {site} --unmapped` to confirm or change them",
                     "zh": "  请运行 `consolidate map {site} --unmapped` 确认或修改"},
}
MAX_XLSX_BYTES = 32_000_000  # uncompressed: a sheet of 50,000 columns is < 20 MB; a zip bomb is far more
MAX_XLSX_CELLS = 1_000_000  # read from the first visible sheet (14 columns × 70,000 rows)
SHEET_HINT = "import the sheet `consolidate map --export` wrote, filled in; or save it again as .xlsx or .csv"
SITE_PROPERTY = "consolidate-site"  # the workbook's custom property naming the site a per-site sheet is of


class SheetError(ConsolidateError):
    """The sheet cannot be imported; `errors` names each bad row and cell. Nothing was changed."""

    exit_code = 2

    def __init__(self, errors: list[str], lang: str = "en") -> None:
        more = len(errors) - 50
        shown = "\n".join(errors[:50]) + ("\n" + say(lang, "more", count=more) if more > 0 else "")
        super().__init__(say(lang, "problems", count=len(errors)) + "\n" + shown, hint=say(lang, "fix_hint"))
        self.errors = errors
        self.lang = lang


def say(lang: str, key: str, **values: Any) -> str:
    """A message of the import in a sheet language (English when the language is not one of the sheet's)."""
    return say_in(MESSAGES, lang, key, **values)


class SignedChanges(list):
    """The validated, signed changes of a sheet (a list of OfficeDecision) and the language of its headers, in
    which what the import recorded is told; with `missing`, the site's columns the sheet has no row for (they
    stay as they were), `undecided_missing` of them undecided, of `columns` in all."""

    def __init__(self, changes: Any = (), lang: str = "en") -> None:
        super().__init__(changes)
        self.lang = lang
        self.missing: list[str] = []
        self.undecided_missing = 0
        self.columns = 0


def import_summary(name: str, changes: list[OfficeDecision], lang: str | None = None) -> str:
    """What an import recorded, in one line in the sheet's language: rows changed, by decision and by signer."""
    lang = lang or getattr(changes, "lang", "zh")
    lines = [say(lang, "recorded", name=name, count=len(changes), **_tallies(changes, lang)) if changes
             else say(lang, "no_changes", name=name)]
    lines += _corrections(changes, lang)
    if getattr(changes, "missing", None):
        lines.append(say(lang, "missing_rows", name=name, count=len(changes.missing), total=changes.columns,
                         undecided=changes.undecided_missing))
    return "\n".join(lines)


def _corrections(changes: list[OfficeDecision], lang: str) -> list[str]:
    """The line saying which changes correct their signer's own earlier decision (none: no line)."""
    paths = [c.path for c in changes if c.corrects]
    if not paths:
        return []
    shown = LIST_SEPARATOR[lang].join(paths[:5]) + (" …" if len(paths) > 5 else "")
    return [say(lang, "corrections", count=len(paths), paths=shown)]


def fleet_import_summary(name: str, by_site: dict[str, list[OfficeDecision]]) -> str:
    """What a fleet import recorded: one line for the workbook, then a line per site (counts, never the table)."""
    langs = [getattr(c, "lang", None) for c in by_site.values()]
    lang = next((x for x in langs if x), "zh")
    changes = [c for site in by_site.values() for c in site]
    lines = [import_summary(name, changes, lang)]
    for site, site_changes in by_site.items():
        lines.append(say(lang, "site_recorded", site=site, count=len(site_changes), **_tallies(site_changes, lang))
                     if site_changes else say(lang, "site_unchanged", site=site))
        if getattr(site_changes, "missing", None):
            lines.append(say(lang, "site_missing_rows", site=site, count=len(site_changes.missing),
                             total=site_changes.columns, undecided=site_changes.undecided_missing))
    return "\n".join(lines)


def _tallies(changes: list[OfficeDecision], lang: str) -> dict[str, str]:
    """Decisions ('迁移 3、不迁移 2') and signers ('张敏 5 行' / '张敏 5') of some changes, in a language."""
    labels = DECISION_LABELS.get(lang, DECISION_LABELS["en"])
    return tallies((labels.get(c.decision, c.decision) for c in changes), (c.signer for c in changes), lang)


@dataclass
class SheetRow:
    """One legacy column as the sheet shows it."""

    path: str
    name: str
    articles: int
    last: str
    flags: list[str]
    decision: str
    target: str | None
    merge_into: str | None
    confidence: float
    reason: str
    signer: str = ""
    signed_on: str = ""
    comment: str = ""
    reason_zh: str = ""  # the reason in Chinese (the zh sheet shows it when set)
    locked: bool = False  # decided by a rule in migrations.yaml: greyed and protected
    signed_before: str = ""  # the office signature recorded ('李四 2026-12-07'), shown under 原签署

    @property
    def office_signed(self) -> bool:
        """True when the office has signed this row's decision."""
        return bool(self.signed_before or self.signer)


@dataclass
class TargetChoice:
    """A portal column offered in the target dropdown."""

    id: str
    label: str  # e.g. 市发展和改革委员会 > 工作动态

    @property
    def cell(self) -> str:
        """How the column appears in the sheet: id, a space, its path."""
        return f"{self.id} {self.label}"


@dataclass
class OfficeDecision:
    """A validated, signed change from the sheet."""

    row: int
    path: str
    decision: str
    target: str | None
    merge_into: str | None
    signer: str
    signed_on: dt.date | None
    comment: str
    corrects: bool = False  # the signer corrects a decision they signed before


@dataclass
class CurrentDecision:
    """What the store holds for a column, as import compares against it."""

    decision: str
    target: str | None
    merge_into: str | None
    decided_by: str
    decided_on: dt.date | None = None  # the day the store recorded it (the sheet pre-fills it as 审核日期)


@dataclass
class _Cells:
    """One data row read from a sheet: values by key, and where each key's column is."""

    number: int
    values: dict[str, str] = field(default_factory=dict)


def write_sheet(path: Path, rows: list[SheetRow], targets: list[TargetChoice], lang: str = "zh",
                crawled_on: dt.date | None = None, site: str | None = None) -> Path:
    """Write the sheet as .xlsx (dropdowns, hidden lists, frozen header; the site's id in the workbook's
    properties, so that it is not imported into another site) or .csv, by the file's suffix."""
    if lang not in DECISION_LABELS:
        raise UsageError(f"unknown sheet language {lang!r}", hint="use --lang zh or --lang en")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        _write_csv(path, rows, targets, lang)
    elif suffix == ".xlsx":
        _write_xlsx(path, rows, targets, lang, crawled_on, site)
    else:
        raise UsageError(f"{path.name}: the sheet must be .xlsx or .csv", hint="e.g. --export mapping.xlsx")
    return path


def header_text(key: str, lang: str) -> str:
    """One column's header in a sheet language ('决定' / 'Decision')."""
    return next(zh if lang == "zh" else en for k, zh, en, _ in HEADERS if k == key)


def _header_texts(lang: str) -> list[str]:
    """The header row in a language."""
    return [zh if lang == "zh" else en for _, zh, en, _ in HEADERS]


def _row_values(row: SheetRow, targets: dict[str, TargetChoice], lang: str) -> list[Any]:
    """One sheet row's cell values, in header order."""
    target = targets[row.target].cell if row.target in targets else (row.target or "")
    flags = ", ".join(FLAG_LABELS.get(f, f) if lang == "zh" else f for f in row.flags)
    reason = (row.reason_zh or row.reason) if lang == "zh" else row.reason
    if row.locked and not reason.startswith(RULE_NOTE[lang]):
        reason = f"{RULE_NOTE[lang]}：{reason}" if lang == "zh" else f"{RULE_NOTE[lang]}: {reason}"
    name = "（无栏目的文章）" if lang == "zh" and not row.path else row.name
    return [row.path, name, row.articles, row.last, flags, DECISION_LABELS[lang][row.decision], target,
            row.merge_into or "", round(row.confidence, 2), reason, row.signer, row.signed_on, row.comment,
            row.signed_before]


def _write_csv(path: Path, rows: list[SheetRow], targets: list[TargetChoice], lang: str) -> None:
    """CSV with a BOM so that spreadsheet programs read the Chinese text."""
    by_id = {t.id: t for t in targets}
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(_header_texts(lang))
        for row in rows:
            writer.writerow(csv_row(_row_values(row, by_id, lang)))  # '=…' stays text, not a formula


def _write_xlsx(path: Path, rows: list[SheetRow], targets: list[TargetChoice], lang: str,
                crawled_on: dt.date | None = None, site: str | None = None) -> None:
    """A workbook a clerk can fill in: dropdowns for decision, target and merge, sign-off columns."""
    book = Workbook()
    if site:
        book.custom_doc_props.append(StringProperty(name=SITE_PROPERTY, value=site))
    _add_site_sheet(book, book.active, SHEET_TITLES[lang], LISTS_SHEET, rows, targets, lang, crawled_on)
    _guide_sheet(book, lang)
    save_output(path, book.save)


@dataclass
class SiteSheet:
    """One site's part of a fleet workbook."""

    site: str
    name: str
    rows: list[SheetRow]
    targets: list[TargetChoice]
    crawled_on: dt.date | None = None


SUMMARY_HEADERS = {"zh": ("站点", "网站名称", "栏目数", "文章数", "配置规则决定", "自动决定", "办公室已签", "待定栏目",
                          "待定文章"),
                   "en": ("Site", "Name", "Columns", "Articles", "By rule", "Automatic", "Signed", "Undecided",
                          "Undecided articles")}


FLEET_SUMMARY_FIRST = {headers[0].strip().lower() for headers in SUMMARY_HEADERS.values()}  # 站点 / Site


def write_fleet_sheet(path: Path, sites: list[SiteSheet], lang: str = "zh") -> Path:
    """One workbook for the whole fleet: a summary sheet, then one sheet per site (titled by its id)."""
    if lang not in DECISION_LABELS:
        raise UsageError(f"unknown sheet language {lang!r}", hint="use --lang zh or --lang en")
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"{path.name}: the fleet workbook must be .xlsx", hint="e.g. --export fleet.xlsx")
    book = Workbook()
    summary = book.active
    summary.title = "汇总" if lang == "zh" else "Summary"
    summary.append(list(SUMMARY_HEADERS[lang]))
    for site in sites:
        rows = site.rows
        undecided = [r for r in rows if r.decision == "unmapped"]
        xlsx_append(summary, [site.site, site.name, len(rows), sum(r.articles for r in rows),
                              sum(r.locked for r in rows), sum(not r.locked and not r.office_signed and
                                                               r.decision != "unmapped" for r in rows),
                              sum(r.office_signed for r in rows), len(undecided), sum(r.articles for r in undecided)])
        sheet = book.create_sheet(site.site[:31])
        _add_site_sheet(book, sheet, site.site[:31], f"lists_{site.site}"[:31], rows, site.targets, lang,
                        site.crawled_on)
    for index in range(1, len(SUMMARY_HEADERS[lang]) + 1):
        summary.cell(row=1, column=index).font = Font(bold=True)
        summary.column_dimensions[get_column_letter(index)].width = 14
    _guide_sheet(book, lang)
    save_output(path, book.save)
    return path


def _add_site_sheet(book: Any, sheet: Any, title: str, lists_title: str, rows: list[SheetRow],
                    targets: list[TargetChoice], lang: str, crawled_on: dt.date | None) -> None:
    """Fill one site's mapping sheet with its hidden lists sheet behind the dropdowns."""
    sheet.title = title
    sheet.append(_header_texts(lang))
    by_id = {t.id: t for t in targets}
    for row in rows:
        xlsx_append(sheet, _row_values(row, by_id, lang))  # strings as string cells, never formulas
    _style_header(sheet)
    lists = book.create_sheet(lists_title)
    lists.sheet_state = "hidden"
    _fill_lists(lists, targets, [r.path for r in rows], lang)
    last = max(len(rows) + 200, 500)
    _validate(sheet, "decision", f'"{",".join(DECISION_LABELS[lang].values())}"', last, lang)
    ref = lists_title if re.fullmatch(r"\w+", lists_title, re.A) else f"'{lists_title}'"  # lists-1 needs quotes
    _validate(sheet, "target", f"={ref}!$A$2:$A${len(targets) + 1}", last, lang)
    _validate(sheet, "merge_into", f"={ref}!$D$2:$D${len(rows) + 1}", last, lang)
    _validate_dates(sheet, crawled_on, last, lang)
    _guide_rows(sheet, rows, last)


def _guide_rows(sheet: Any, rows: list[SheetRow], last: int) -> None:
    """Grey and lock rule-decided rows, mark undecided rows yellow; the sheet is protected without a password so
    that only the office's cells (decision, target, merge, signer, date, comment) of other rows can change."""
    editable = {_index(key) for key in EDITABLE}
    for number, row in enumerate(rows, start=2):
        for index in range(1, len(HEADERS) + 1):
            cell = sheet.cell(row=number, column=index)
            if row.locked:
                cell.fill = LOCKED_FILL
            elif index in editable:
                cell.protection = Protection(locked=False)
        if row.decision == "unmapped" and not row.locked:
            sheet.cell(row=number, column=_index("decision")).fill = TODO_FILL
    for number in range(len(rows) + 2, last + 1):  # room for rows added by hand
        for index in editable:
            sheet.cell(row=number, column=index).protection = Protection(locked=False)
    sheet.protection.sheet = True
    for option in ("formatCells", "formatColumns", "formatRows", "autoFilter", "sort"):
        setattr(sheet.protection, option, False)


def _guide_sheet(book: Any, lang: str) -> None:
    """A visible sheet of instructions after the mapping sheet."""
    guide = book.create_sheet(GUIDE_TITLES[lang], 1)
    for number, line in enumerate(GUIDE[lang], start=1):
        guide.cell(row=number, column=1, value=f"{number}. {line}")
    guide.column_dimensions["A"].width = 120


def _validate_dates(sheet: Any, crawled_on: dt.date | None, last: int, lang: str) -> None:
    """审核日期 must be a date between the crawl and today."""
    letter = get_column_letter(_index("signed_on"))
    start = crawled_on or dt.date(2000, 1, 1)
    rule = DataValidation(type="date", operator="between", allow_blank=True, showErrorMessage=True,
                          formula1=f"DATE({start.year},{start.month},{start.day})", formula2="TODAY()")
    rule.error = (f"审核日期应在网站采集日期（{start.isoformat()}）和今天之间" if lang == "zh"
                  else f"the sign-off date lies between the crawl ({start.isoformat()}) and today")
    rule.add(f"{letter}2:{letter}{last}")
    sheet.add_data_validation(rule)


def _style_header(sheet: Any) -> None:
    """Bold shaded header, frozen below it, readable widths."""
    widths = {"path": 28, "name": 14, "decision": 10, "target": 30, "merge_into": 24, "reason": 60,
              "signer": 10, "signed_on": 12, "comment": 30, "signed_before": 18}
    for index, (key, *_rest) in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(key, 10)
    sheet.freeze_panes = "B2"


def _fill_lists(lists: Any, targets: list[TargetChoice], paths: list[str], lang: str) -> None:
    """The hidden sheet behind the dropdowns: target cells, ids, names; decisions; legacy column paths."""
    lists.append(["目标栏目" if lang == "zh" else "target", "id", "name", "合并到" if lang == "zh" else "merge into"])
    for index in range(max(len(targets), len(paths))):
        target = targets[index] if index < len(targets) else None
        xlsx_append(lists, [target.cell if target else None, target.id if target else None,
                            target.label if target else None, paths[index] if index < len(paths) else None])


def _validate(sheet: Any, key: str, formula: str, last: int, lang: str) -> None:
    """A dropdown on one column below the header."""
    letter = get_column_letter(_index(key))
    rule = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
    rule.error = "请从下拉列表中选择" if lang == "zh" else "choose a value from the list"
    rule.add(f"{letter}2:{letter}{last}")
    sheet.add_data_validation(rule)


def _index(key: str) -> int:
    """1-based position of a header key in the written sheet."""
    return next(i for i, (k, *_rest) in enumerate(HEADERS, start=1) if k == key)


# ---------------------------------------------------------------- reading


@dataclass
class SheetTable:
    """A sheet as read: header key → 'header text (letter)', the non-empty data rows, the headers' language, and
    the site the workbook says it is of (None: a CSV, a fleet workbook's sheet, or a sheet written before)."""

    where: dict[str, str]
    rows: list[_Cells]
    lang: str
    site: str | None = None


def read_sheet(path: Path, sheet_name: str | None = None) -> tuple[dict[str, str], list[_Cells]]:
    """The header map (key → 'header text (letter)') and the non-empty data rows of a sheet file (of its sheet
    `sheet_name` in a fleet workbook, else of its first visible sheet)."""
    table = read_sheet_table(path, sheet_name)
    return table.where, table.rows


def read_sheet_table(path: Path, sheet_name: str | None = None) -> SheetTable:
    """A sheet file (its sheet `sheet_name` in a fleet workbook, else its first visible sheet) with the language
    of its header row; header errors are told in that language."""
    if not path.exists():
        raise InputFileError(f"{path}: no such file", hint="give the path of the filled-in sheet")
    table, site = (_read_csv(path), None) if path.suffix.lower() == ".csv" else _read_xlsx(path, sheet_name)
    if not table:
        raise SheetError([f"{path.name}: the sheet is empty (no header row)"])
    lang = header_language(table[0])
    columns, errors = _map_header(path.name, table[0], lang)
    if errors and sheet_name is None and _fold(cell_text(table[0][0] if table[0] else "")) in FLEET_SUMMARY_FIRST:
        raise InputFileError(say(lang, "fleet_workbook", name=path.name), hint=say(lang, "fleet_hint"))
    if errors:
        raise SheetError(errors, lang)
    where = {key: f"{cell_text(table[0][i])} ({get_column_letter(i + 1)})" for key, i in columns.items()}
    rows = []
    for number, values in enumerate(table[1:], start=2):
        cells = _Cells(number, {key: cell_text(values[i]) if i < len(values) else "" for key, i in columns.items()})
        if any(cell_text(v) for v in values):
            rows.append(cells)
    return SheetTable(where, rows, lang, site)


def header_language(header: list[Any]) -> str:
    """The language of a header row: zh when more of its cells are the Chinese headers than the English ones
    (a fleet summary's 站点/Site counts too); en when none is known."""
    return language_of([cell_text(value) for value in header],
                       {"zh": [zh for _, zh, _en, _ in HEADERS] + [SUMMARY_HEADERS["zh"][0]],
                        "en": [en for _, _zh, en, _ in HEADERS] + [SUMMARY_HEADERS["en"][0]]})


def _read_csv(path: Path) -> list[list[Any]]:
    """All rows of a CSV file (UTF-8 with or without BOM, else GB18030 as Excel saves it in China)."""
    return [[from_csv_text(cell) for cell in row] for _line, row in csv_rows(path)]


def _read_xlsx(path: Path, sheet_name: str | None = None) -> tuple[list[list[Any]], str | None]:
    """All rows of the named (else the first visible) worksheet of a column-mapping sheet, within the caps, and
    the site the workbook names (None when it names none)."""
    return _xlsx_rows(path, sheet_name, "column-mapping workbook or CSV", SHEET_HINT)


def read_xlsx_rows(path: Path, sheet_name: str | None, what: str, hint: str) -> list[list[Any]]:
    """All rows of the named (else the first visible) worksheet, within the unpacked-size and cell caps (a zip or
    cell bomb is refused before it costs memory); `what` names the kind of sheet in errors."""
    return _xlsx_rows(path, sheet_name, what, hint)[0]


def _xlsx_rows(path: Path, sheet_name: str | None, what: str, hint: str) -> tuple[list[list[Any]], str | None]:
    """read_xlsx_rows, with the workbook's SITE_PROPERTY (None when it has none). A file that is no workbook at
    all is an input error naming what was expected, not a problem in a sheet."""
    _check_xlsx_size(path, what, hint)
    site = None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        site = next((str(p.value) for p in book.custom_doc_props.props if p.name == SITE_PROPERTY), None)
        if sheet_name is not None and sheet_name not in book.sheetnames:
            return [], site
        sheet = book[sheet_name] if sheet_name is not None else \
            next((s for s in book.worksheets if s.sheet_state == "visible"), book.worksheets[0])
        sheet.reset_dimensions()  # the stored dimension may be wrong (or huge): read the rows that are there
        rows, cells = [], 0
        for row in sheet.iter_rows(values_only=True):
            cells += max(len(row), 1)  # an empty row counts too: a far row number must not cost nothing
            if cells > MAX_XLSX_CELLS:
                raise InputFileError(f"{path.name}: more than {MAX_XLSX_CELLS:,} cells; not a {what}", hint=hint)
            rows.append(list(row))
        merged = [r for r in _merged_ranges(sheet) if int(re.sub(r"^[A-Z]+", "", r.split(":")[-1])) >= 2]
        book.close()
    except InputFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise InputFileError(f"{path.name}: not a {what} (not a readable .xlsx workbook: {type(exc).__name__}: "
                             f"{exc}); nothing was imported", hint=hint) from None
    if merged:  # only the first cell of a merge holds its value: the rows below it would read as blank
        lang = "zh" if re.search(r"[\u4e00-\u9fff]", "".join(cell_text(v) for v in (rows or [[]])[0])) else "en"
        shown = ", ".join(merged[:5]) + (f" (+{len(merged) - 5})" if len(merged) > 5 else "")
        raise SheetError([say(lang, "merged_cells", name=f"{path.name} [{sheet_name}]" if sheet_name else path.name,
                              ranges=shown)], lang)
    return rows, site


def _merged_ranges(sheet: Any) -> list[str]:
    """The merged-cell ranges of a worksheet opened read-only ('F19:F58'), read from its XML part (a read-only
    worksheet does not parse them); none when the part cannot be read."""
    try:
        with sheet.parent._archive.open(sheet._worksheet_path) as part:  # noqa: SLF001 - no public reader
            data = part.read()
    except (AttributeError, KeyError, OSError, ValueError):
        return []
    return [m.decode() for m in re.findall(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"', data)]


def _check_xlsx_size(path: Path, what: str, hint: str) -> None:
    """Refuse a workbook whose parts would unpack to more than MAX_XLSX_BYTES (checked before any is read)."""
    if not path.is_file():
        raise InputFileError(f"{path}: no such file", hint=hint)
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(f"{path.name}: not a {what} (not an .xlsx workbook: {exc}); nothing was imported",
                             hint=hint) from None
    if size > MAX_XLSX_BYTES:
        raise InputFileError(f"{path.name}: unpacks to {size / 1e6:,.0f} MB, over the {MAX_XLSX_BYTES / 1e6:.0f} MB "
                             f"limit of a {what} (a damaged file or a zip bomb); nothing was imported", hint=hint)


def _map_header(name: str, header: list[Any], lang: str = "en") -> tuple[dict[str, int], list[str]]:
    """Header key → column index, matching header text in either language; missing required headers."""
    known = {_fold(text): key for key, zh, en, _ in HEADERS for text in (zh, en, key)}
    columns: dict[str, int] = {}
    errors = []
    for index, value in enumerate(header):
        key = known.get(_fold(cell_text(value)))
        if key is None:
            continue
        if key in columns:
            errors.append(say(lang, "header_twice", name=name,
                              column=f"{cell_text(value)} ({get_column_letter(index + 1)})",
                              other=get_column_letter(columns[key] + 1)))
        columns.setdefault(key, index)
    for key, zh, en, required in HEADERS:
        if required and key not in columns:
            errors.append(say(lang, "missing_column", name=name, zh=zh, en=en))
    return columns, errors


def cell_text(value: Any) -> str:
    """A cell's value as stripped text (dates as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# ---------------------------------------------------------------- validation


@dataclass
class SheetContext:
    """What import validates against: the site's columns, decisions, rules and portal columns."""

    current: dict[str, CurrentDecision]
    rule_paths: set[str]
    target_ids: set[str]
    target_names: dict[str, list[str]]  # column name → ids, for cells that give a name only
    crawled_on: dt.date | None = None  # a sign-off date before the crawl is an error
    today: dt.date | None = None  # … and so is one after today (default: the real today)


def validate_rows(name: str, where: dict[str, str], rows: list[_Cells], context: SheetContext, lang: str = "en"
                  ) -> SignedChanges:
    """The signed changes of a sheet; SheetError naming every bad row and cell, in the sheet's language (`lang`,
    from its headers), when anything is wrong."""
    at = _Place(name, where, lang, prefills_signatures="signed_before" not in where)
    errors: list[str] = []
    seen: dict[str, int] = {}
    parsed: list[tuple[_Cells, str, str | None, str | None]] = []
    for cells in rows:
        problem = _row_problems(at, cells, context, seen)
        if problem is None:
            continue
        if isinstance(problem, list):
            errors.extend(problem)
            continue
        parsed.append((cells, *problem))
    changes = SignedChanges(lang=lang)
    for cells, decision, target, merge_into in parsed:
        row_errors, change = _row_change(at, cells, decision, target, merge_into, context)
        errors.extend(row_errors)
        if change is not None:
            changes.append(change)
    errors.extend(_merge_problems(at, changes, context))
    if errors:
        raise SheetError(errors, lang)
    changes.columns = len(context.current)
    changes.missing = [path for path in context.current if path not in seen]
    changes.undecided_missing = sum(context.current[path].decision == "unmapped" for path in changes.missing)
    return changes


@dataclass
class _Place:
    """Where in which sheet, and in what language its problems are told."""

    name: str  # the file, with its sheet in a fleet workbook: 'fleet.xlsx [fgw]'
    where: dict[str, str]  # header key → 'header text (letter)'
    lang: str
    prefills_signatures: bool = False  # exported before 原签署: a signed row came with its signature filled in

    def say(self, key: str, cells: _Cells, column: str, **values: Any) -> str:
        """A problem of one cell: 'mapping.xlsx row 7, column 决定 (C): …' (第 7 行 in a zh sheet)."""
        cell = say(self.lang, "cell", name=self.name, row=cells.number, column=self.where.get(column, column))
        return say(self.lang, key, cell=cell, **values)

    def decision(self, decision: str) -> str:
        """A decision word as the sheet writes it."""
        return DECISION_LABELS.get(self.lang, DECISION_LABELS["en"]).get(decision, decision)

    def valid_decisions(self) -> str:
        """The decision words an office may write ('迁移/合并/不迁移' in a zh sheet)."""
        zh, en = ("/".join(DECISION_LABELS[lang][d] for d in ("migrate", "merge", "drop")) for lang in ("zh", "en"))
        return zh if self.lang == "zh" else f"{en} or {zh}"


def _row_problems(at: _Place, cells: _Cells, context: SheetContext, seen: dict[str, int]
                  ) -> list[str] | tuple[str, str | None, str | None] | None:
    """Errors of one row, or its parsed (decision, target, merge_into)."""
    values = cells.values
    path = values.get("path", "")
    if not path and "" not in context.current:  # "" is the row of articles with no column
        return [at.say("path_empty", cells, "path")]
    if path not in context.current:
        return [at.say("unknown_path", cells, "path", path=path)]
    if path in seen:
        return [at.say("duplicate_row", cells, "path", path=path, first=seen[path])]
    seen[path] = cells.number
    errors = []
    word = values.get("decision", "")
    decision = DECISION_WORDS.get(word) or DECISION_WORDS.get(word.lower())
    if decision is None:
        every = "/".join(DECISION_LABELS[at.lang if at.lang in DECISION_LABELS else "en"].values())
        errors.append(at.say("unknown_decision", cells, "decision", word=word, valid=every))
    target, target_error = _parse_target(values.get("target", ""), context)
    if target_error:
        errors.append(at.say(target_error[0], cells, "target", **target_error[1]))
    merge_into = values.get("merge_into", "") or None
    if merge_into is not None and merge_into not in context.current:
        errors.append(at.say("unknown_merge", cells, "merge_into", path=merge_into))
    if errors:
        return errors
    assert decision is not None
    return decision, target, merge_into


def _parse_target(text: str, context: SheetContext) -> tuple[str | None, tuple[str, dict[str, str]] | None]:
    """A target cell ('id' or 'id name…' or a unique column name) → (id, error as a message key and values)."""
    if not text:
        return None, None
    first = text.split()[0]
    if first in context.target_ids:
        return first, None
    ids = context.target_names.get(text, [])
    if len(ids) == 1:
        return ids[0], None
    if len(ids) > 1:
        return None, ("several_targets", {"text": text, "ids": ", ".join(ids)})
    return None, ("unknown_target", {"text": text})


def _row_change(at: _Place, cells: _Cells, decision: str, target: str | None, merge_into: str | None,
                context: SheetContext) -> tuple[list[str], OfficeDecision | None]:
    """The signed change a valid row asks for (None when it changes nothing), or its errors."""
    values = cells.values
    path = values["path"]
    current = context.current[path]
    signer = values.get("signer", "")
    changed = _differs(current, decision, target, merge_into)
    resigned = bool(signer) and signer != current.decided_by
    if path in context.rule_paths and not changed:
        return [], None  # a grey row signed as it stands: nothing to record, nothing wrong
    if not changed and not resigned:
        return [], None
    if not signer and current.decided_by not in SYSTEM_DECIDERS:  # an office decision the sheet predates
        decided = at.decision(current.decision) + (f" → {current.target}" if current.target else "")
        return [at.say("office_signed", cells, "decision", path=path, signer=current.decided_by,
                       decision=decided)], None
    errors = []
    if path in context.rule_paths:
        errors.append(at.say("rule_row", cells, "decision", path=path))
    if decision == "unmapped" and signer:
        errors.append(at.say("signed_undecided", cells, "decision", valid=at.valid_decisions(),
                             word=values.get("decision", "")))
    if decision == "migrate" and not target:
        errors.append(at.say("migrate_target", cells, "target"))
    if decision == "merge" and not merge_into:
        errors.append(at.say("merge_into", cells, "merge_into"))
    if decision == "merge" and merge_into == path:
        errors.append(at.say("merge_self", cells, "merge_into"))
    signed_on, date_error = _parse_date(values.get("signed_on", ""))
    prefilled = at.prefills_signatures and _old_signature(current, signer, signed_on)
    if not signer:
        errors.append(at.say("unsigned", cells, "signer"))
    elif changed and decision != "unmapped" and prefilled:
        errors.append(at.say("prefilled_signature", cells, "signer", signer=signer,
                             day=current.decided_on.isoformat() if current.decided_on else "-"))
    date_error = date_error or _undated(signer, signed_on) or _date_problem(signed_on, context) or \
        _before_decision(signed_on, current, changed and not prefilled)
    if date_error:
        errors.append(at.say(date_error[0], cells, "signed_on", **date_error[1]))
    if errors:
        return errors, None
    return [], OfficeDecision(cells.number, path, decision, target if decision == "migrate" else None,
                              merge_into if decision == "merge" else None, signer, signed_on,
                              values.get("comment", ""), corrects=changed and _own_decision(current, signer))


def _own_decision(current: CurrentDecision, signer: str) -> bool:
    """True when the decision a row changes was signed by the office person signing the change."""
    return current.decided_by not in SYSTEM_DECIDERS and signer == current.decided_by


def _old_signature(current: CurrentDecision, signer: str, signed_on: dt.date | None) -> bool:
    """True when a row of a sheet that pre-filled signatures (exported before 原签署) carries the signature of the
    office decision it would change: the same signer, with no date or a date not after the day it was recorded."""
    if current.decided_by in SYSTEM_DECIDERS or signer != current.decided_by:
        return False
    return signed_on is None or current.decided_on is None or signed_on <= current.decided_on


def _before_decision(signed_on: dt.date | None, current: CurrentDecision, changed: bool
                     ) -> tuple[str, dict[str, str]] | None:
    """A change signed before the office decision it replaces was recorded (a sheet older than that decision)."""
    if not changed or signed_on is None or current.decided_on is None or current.decided_by in SYSTEM_DECIDERS:
        return None
    if signed_on >= current.decided_on:
        return None
    return "before_decision", {"day": signed_on.isoformat(), "signer": current.decided_by,
                               "recorded": current.decided_on.isoformat()}


def _differs(current: CurrentDecision, decision: str, target: str | None, merge_into: str | None) -> bool:
    """True when the sheet asks for something other than what the store holds."""
    if decision != current.decision:
        return True
    if decision == "migrate":
        return target != current.target
    if decision == "merge":
        return merge_into != current.merge_into
    return False


def _parse_date(text: str) -> tuple[dt.date | None, tuple[str, dict[str, str]] | None]:
    """A sign-off date in YYYY-MM-DD, YYYY/M/D or YYYY年M月D日 form (else an error: message key and values)."""
    if not text:
        return None, None
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?", text)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups())), None
        except ValueError:
            pass
    return None, ("not_date", {"text": text})


def _undated(signer: str, signed_on: dt.date | None) -> tuple[str, dict[str, str]] | None:
    """A signed row with no sign-off date, as an error: the sheet asks for the day it was signed."""
    return ("no_date", {}) if signer and signed_on is None else None


def _date_problem(signed_on: dt.date | None, context: SheetContext) -> tuple[str, dict[str, str]] | None:
    """A sign-off date in the future or before the crawl, as an error (message key and values)."""
    if signed_on is None:
        return None
    today = context.today or dt.date.today()
    if signed_on > today:
        return "future", {"day": signed_on.isoformat(), "today": today.isoformat()}
    if context.crawled_on is not None and signed_on < context.crawled_on:
        return "before_crawl", {"day": signed_on.isoformat(), "crawled": context.crawled_on.isoformat()}
    return None


def _merge_problems(at: _Place, changes: list[OfficeDecision], context: SheetContext) -> list[str]:
    """Merges must end in a migrated column once the sheet's own changes are applied."""
    final = {path: (c.decision, c.target, c.merge_into) for path, c in context.current.items()}
    final.update({c.path: (c.decision, c.target, c.merge_into) for c in changes})
    errors = []
    for change in changes:
        if change.decision != "merge":
            continue
        seen, current = {change.path}, change.merge_into
        while current is not None and final[current][0] == "merge" and current not in seen:
            seen.add(current)
            current = final[current][2]
        if current is None or current in seen or final[current][0] != "migrate":
            errors.append(at.say("not_migrated", _Cells(change.row), "merge_into", path=change.merge_into))
    return errors
