"""The office's triage sheet: one row per finding (masked excerpts only), a decision and a signer per row, read
back and validated all or nothing. Every value is written as a text cell, never as a formula."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from consolidate.core.cells import xlsx_append
from consolidate.core.errors import ConsolidateError
from mappers.sheet import SheetError, cell_text, read_xlsx_rows
from mappers.triage import KIND_LABELS, LINK, PERSONAL, REVIEW, VALIDITY

# (key, header, required on import)
HEADERS: tuple[tuple[str, str, bool], ...] = (
    ("key", "编号", True),
    ("site", "网站", True),
    ("title", "文章标题", False),
    ("url", "文章地址", False),
    ("location", "位置", False),
    ("category", "类别", False),
    ("kind", "类型", False),
    ("excerpt", "内容（已遮盖）", False),
    ("count", "次数", False),
    ("detail", "说明", False),
    ("decision", "处理决定", True),
    ("reason", "理由", True),
    ("signer", "审核人", True),
    ("signed_on", "审核日期", False),
)
DECISION_LABELS = {"mask": "遮盖", "withhold": "不发布", "publish": "原样发布", "invalid": "标记失效"}
DECISION_WORDS = {**{v: k for k, v in DECISION_LABELS.items()}, **{k: k for k in DECISION_LABELS},
                  "屏蔽": "mask", "脱敏": "mask", "撤下": "withhold", "不予发布": "withhold", "发布": "publish",
                  "失效": "invalid", "废止": "invalid"}
CATEGORY_LABELS = {PERSONAL: "个人信息", VALIDITY: "有效性", LINK: "链接", REVIEW: "需人工查看"}
ALLOWED = {PERSONAL: ("mask", "withhold", "publish"), VALIDITY: ("invalid", "withhold", "publish"),
           LINK: ("withhold", "publish"), REVIEW: ("withhold", "publish")}
SHEET_TITLE = "发布前审查"
SHEET_HINT = "import the sheet `consolidate triage --export` wrote, filled in and saved as .xlsx"


@dataclass
class TriageRow:
    """One finding as the sheet shows it."""

    key: str
    site: str
    title: str
    url: str
    location: str
    category: str
    kind: str
    excerpt: str
    count: int
    detail: str
    decision: str | None
    reason: str
    signer: str
    signed_on: str


@dataclass
class SheetDecision:
    """A validated decision read from the sheet."""

    site: str
    key: str
    decision: str
    reason: str
    signer: str
    signed_on: dt.date | None


def location_label(location: str) -> str:
    """标题 / 正文 / 附件：name."""
    if location.startswith("attachment:"):
        return "附件：" + location.split(":", 1)[1]
    return {"title": "标题", "body": "正文"}.get(location, location)


def write_triage_sheet(path: Path, rows: list[TriageRow]) -> Path:
    """Write the findings as an XLSX sheet with a decision drop-down; every cell a text cell."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    xlsx_append(sheet, [header for _, header, _ in HEADERS])
    for row in rows:
        xlsx_append(sheet, [row.key, row.site, row.title, row.url, location_label(row.location),
                            CATEGORY_LABELS.get(row.category, row.category), KIND_LABELS.get(row.kind, row.kind),
                            row.excerpt, str(row.count), row.detail, DECISION_LABELS.get(row.decision or "", ""),
                            row.reason, row.signer, row.signed_on])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True)
    for index, width in enumerate((14, 8, 40, 40, 16, 10, 14, 24, 6, 30, 10, 30, 10, 12), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    last = max(sheet.max_row, 2)
    choice = DataValidation(type="list", formula1='"' + ",".join(DECISION_LABELS.values()) + '"', allow_blank=True)
    sheet.add_data_validation(choice)
    choice.add(f"{get_column_letter(_index('decision') + 1)}2:{get_column_letter(_index('decision') + 1)}{last}")
    sheet.freeze_panes = "A2"
    try:
        book.save(path)
    except OSError as exc:
        raise ConsolidateError(f"cannot write {path}: {exc.strerror or exc}",
                               hint="check the folder exists and is writable") from None
    return path


def _index(key: str) -> int:
    """The column index of a header key."""
    return next(i for i, (k, _, _) in enumerate(HEADERS) if k == key)


def read_triage_sheet(path: Path, known: dict[tuple[str, str], tuple[str, str]]) -> list[SheetDecision]:
    """Validate a filled-in sheet against the recorded findings ((site, key) → (category, location)); return its
    decisions, or raise SheetError naming every bad row (nothing is imported then)."""
    table = read_xlsx_rows(path, None, "triage sheet", SHEET_HINT)
    if not table:
        raise SheetError([f"{path.name}: the sheet is empty (no header row)"])
    columns = _header(path.name, table[0])
    decisions, errors = [], []
    for number, values in enumerate(table[1:], start=2):
        cells = {k: cell_text(values[i]) if i < len(values) else "" for k, i in columns.items()}
        if not any(cells.values()):
            continue
        decision, problem = _row(path.name, number, cells, known)
        if problem:
            errors.append(problem)
        elif decision is not None:
            decisions.append(decision)
    if errors:
        raise SheetError(errors)
    return decisions


def _row(name: str, number: int, cells: dict[str, str], known: dict[tuple[str, str], tuple[str, str]]
         ) -> tuple[SheetDecision | None, str | None]:
    """One row's decision (None when left blank), or the problem with it."""
    where = f"{name} row {number}"
    found = known.get((cells["site"], cells["key"]))
    if found is None:
        return None, f"{where}: 编号 {cells['key'] or '(empty)'} of site {cells['site'] or '(empty)'} is not a " \
                     "recorded finding (run `consolidate triage` again and export a fresh sheet)"
    if not cells["decision"]:
        return None, None
    decision = DECISION_WORDS.get(cells["decision"].strip())
    category, location = found
    allowed = ALLOWED[category]
    if decision not in allowed:
        return None, f"{where}, 处理决定: {cells['decision']!r} is not one of " \
                     f"{' / '.join(DECISION_LABELS[d] for d in allowed)} for a {CATEGORY_LABELS[category]} finding"
    if decision == "mask" and location.startswith("attachment:"):
        return None, f"{where}, 处理决定: an attachment cannot be masked in place; choose 不发布, or replace the " \
                     "file on the legacy site, crawl again and decide again"
    if not cells["signer"]:
        return None, f"{where}, 审核人: a decision needs the name of who signed it"
    if decision == "publish" and not cells["reason"]:
        return None, f"{where}, 理由: 原样发布 needs the signer's reason"
    signed_on, problem = _date(cells["signed_on"])
    if problem:
        return None, f"{where}, 审核日期: {problem}"
    return SheetDecision(cells["site"], cells["key"], decision, cells["reason"], cells["signer"], signed_on), None


def _date(text: str) -> tuple[dt.date | None, str | None]:
    """A signing date (YYYY-MM-DD, YYYY/MM/DD or YYYY年M月D日), or the problem."""
    if not text:
        return None, None
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    try:
        return (dt.date(*map(int, match.groups())), None) if match else (None, f"{text!r} is not a date")
    except ValueError:
        return None, f"{text!r} is not a date"


def _header(name: str, header: list[Any]) -> dict[str, int]:
    """Header key → column index; every required header must be there."""
    known = {text: key for key, zh, _ in HEADERS for text in (zh, key)}
    columns: dict[str, int] = {}
    for index, value in enumerate(header):
        key = known.get(cell_text(value))
        if key is not None:
            columns.setdefault(key, index)
    missing = [zh for key, zh, required in HEADERS if required and key not in columns]
    if missing:
        raise SheetError([f"{name} row 1: missing column {m} in the header row" for m in missing])
    return columns


