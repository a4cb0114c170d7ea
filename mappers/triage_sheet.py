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
from consolidate.core.outputs import save_output
from mappers.sheet import SheetError, SignedChanges, cell_text, read_xlsx_rows
from mappers.sheet import say as sheet_say
from mappers.sheet_language import (
    LIST_SEPARATOR,
    SIGNATURE,
    fold,
    header_language,
    label_words,
    require_language,
    say,
    tallies,
)
from mappers.triage import KIND_LABELS, LINK, PERSONAL, REVIEW, VALIDITY

# (key, Chinese header, English header, required on import)
HEADERS: tuple[tuple[str, str, str, bool], ...] = (
    ("key", "编号", "Finding id", True),
    ("site", "网站", "Site", True),
    ("title", "文章标题", "Article title", False),
    ("url", "文章地址", "Article URL", False),
    ("location", "位置", "Where", False),
    ("category", "类别", "Category", False),
    ("kind", "类型", "Kind", False),
    ("excerpt", "内容（已遮盖）", "Excerpt (masked)", False),
    ("count", "次数", "Count", False),
    ("detail", "说明", "Detail", False),
    ("decision", "处理决定", "Decision", True),
    ("reason", "理由", "Reason", True),
    *SIGNATURE,
    ("signed_before", "原签署", "Signed before", False),  # the recorded signature: shown, never read back as one
)
DECISION_LABELS = {"zh": {"mask": "遮盖", "withhold": "不发布", "publish": "原样发布", "invalid": "标记失效"},
                   "en": {"mask": "mask", "withhold": "withhold", "publish": "publish as is",
                          "invalid": "mark invalid"}}
DECISION_WORDS = {**label_words(DECISION_LABELS),
                  **{k: k for k in DECISION_LABELS["zh"]},
                  "屏蔽": "mask", "脱敏": "mask", "撤下": "withhold", "不予发布": "withhold", "发布": "publish",
                  "失效": "invalid", "废止": "invalid"}
CATEGORY_LABELS = {"zh": {PERSONAL: "个人信息", VALIDITY: "有效性", LINK: "链接", REVIEW: "需人工查看"},
                   "en": {PERSONAL: "personal data", VALIDITY: "validity", LINK: "link", REVIEW: "needs a look"}}
ALLOWED = {PERSONAL: ("mask", "withhold", "publish"), VALIDITY: ("invalid", "withhold", "publish"),
           LINK: ("withhold", "publish"), REVIEW: ("withhold", "publish")}
KIND_TEXTS = {"zh": KIND_LABELS,
              "en": {"id_card": "ID card number", "mobile": "mobile number", "bank_card": "bank card number",
                     "name": "name", "repealed": "repealed / no longer valid", "expired": "validity period over",
                     "superseded": "replaced by a newer document", "private_link": "link to an intranet address",
                     "dead_link": "link to a closed site (no redirect)", "spam_link": "hidden spam link",
                     "unread_attachment": "attachment could not be read"}}
LOCATION_TEXTS = {"zh": {"title": "标题", "body": "正文", "attachment": "附件："},
                  "en": {"title": "title", "body": "body", "attachment": "attachment: "}}
SHEET_TITLES = {"zh": "发布前审查", "en": "Pre-publication review"}
SHEET_HINT = "import the sheet `consolidate triage --export` wrote, filled in and saved as .xlsx"
# What export and import say, in the sheet's language (read from its header row on import). The headline, the
# hint, a cell's place, a missing header, a bad date and the summary are the map sheet's messages (mappers.sheet).
MESSAGES: dict[str, dict[str, str]] = {
    "wrote": {"en": "wrote {path} ({count} findings) — the office fills in {decision}/{reason} and signs "
                    "{signer}/{signed_on} (a signed row shows who signed it under {signed_before}; a change, a "
                    "correction of one's own too, is signed anew), then `consolidate triage --import {name}`",
              "zh": "已写出 {path}（{count} 条发现）——请办公室填写“{decision}”“{reason}”，在“{signer}”签名并"
                    "填写“{signed_on}”（已签署的行，原签署人和日期见“{signed_before}”列；修改决定，包括更正自己签署"
                    "的决定，都要重新签名），然后运行 `consolidate triage --import {name}`"},
    "unknown_finding": {"en": "{cell}: {finding} of site {site} is not a recorded finding (run `consolidate "
                              "triage` again and export a fresh sheet)",
                        "zh": "{cell}：{finding}（网站 {site}）不是已记录的发现（请重新运行 `consolidate triage`，再"
                              "导出一份新表格）"},
    "empty": {"en": "(empty)", "zh": "空白"},
    "not_allowed": {"en": "{cell}: {word!r} is not one of {valid} for a {category} finding",
                    "zh": "{cell}：“{word}”不适用于{category}类发现（请填写 {valid}）"},
    "attachment_mask": {"en": "{cell}: an attachment cannot be masked in place; choose {withhold}, or replace the "
                              "file on the legacy site, crawl again and decide again",
                        "zh": "{cell}：附件无法就地遮盖；请选择“{withhold}”，或在原网站替换该文件后重新采集、重新决定"},
    "unsigned": {"en": "{cell}: a decision needs the name of who signed it",
                 "zh": "{cell}：填写了处理决定，需要审核人签名；请在这里写上您的姓名"},
    "office_signed": {"en": "{cell}: {finding} is decided and signed by {signer} ({decision}) and this unsigned row "
                            "says otherwise: if the sheet is older than that decision, export it again; to change "
                            "the decision, sign the row",
                      "zh": "{cell}：{finding} 已由{signer}签署决定（{decision}），这一未签名的行与之不同：如果表格早于"
                            "该决定，请重新导出；如要改变决定，请在该行签名"},
    "correction": {"en": " (correcting their decision of {day}: {decision})",
                   "zh": "（更正其 {day} 的决定：{decision}）"},
    "missing_rows": {"en": "  {count} of the {total} findings of the sheet's sites have no row in {name}: they stay "
                           "as they were ({undecided} of them undecided)",
                     "zh": "  {name} 中缺少表中网站的 {total} 条发现中的 {count} 条（没有对应的行）：它们保持原样（其中 "
                           "{undecided} 条仍待定）"},
    "publish_reason": {"en": "{cell}: {publish} needs the signer's reason",
                       "zh": "{cell}：“{publish}”需要写明审核人的理由"},
}


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
    signed_before: str = ""  # the office signature recorded ('李四 2026-12-07'), shown under 原签署


@dataclass
class SheetDecision:
    """A validated decision read from the sheet."""

    site: str
    key: str
    decision: str
    reason: str
    signer: str
    signed_on: dt.date | None
    corrects: bool = False  # the signer corrects a decision they signed before (kept in the reason)


@dataclass(frozen=True)
class RecordedDecision:
    """What the store holds for a finding, as import compares against it."""

    decision: str | None
    signer: str
    day: dt.date | None
    reason: str = ""


def location_label(location: str, lang: str = "zh") -> str:
    """Where a finding is, in a sheet language: 标题 / 正文 / 附件：name (title / body / attachment: name)."""
    texts = LOCATION_TEXTS.get(lang, LOCATION_TEXTS["en"])
    if location.startswith("attachment:"):
        return texts["attachment"] + location.split(":", 1)[1]
    return texts.get(location, location)


def header_text(key: str, lang: str) -> str:
    """One column's header in a sheet language ('处理决定' / 'Decision')."""
    return next(zh if lang == "zh" else en for k, zh, en, _ in HEADERS if k == key)


def write_triage_sheet(path: Path, rows: list[TriageRow], lang: str = "zh") -> Path:
    """Write the findings as an XLSX sheet in a language (zh or en: headers, labels, the decision drop-down);
    every cell a text cell."""
    require_language(lang)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLES[lang]
    decisions, categories = _labels(DECISION_LABELS, lang), _labels(CATEGORY_LABELS, lang)
    kinds = _labels(KIND_TEXTS, lang)
    xlsx_append(sheet, [header_text(key, lang) for key, _, _, _ in HEADERS])
    for row in rows:
        xlsx_append(sheet, [row.key, row.site, row.title, row.url, location_label(row.location, lang),
                            categories.get(row.category, row.category), kinds.get(row.kind, row.kind),
                            row.excerpt, str(row.count), row.detail, decisions.get(row.decision or "", ""),
                            row.reason, row.signer, row.signed_on, row.signed_before])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True)
    for index, width in enumerate((14, 8, 40, 40, 16, 10, 14, 24, 6, 30, 10, 30, 10, 12, 18), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    last = max(sheet.max_row, 2)
    choice = DataValidation(type="list", formula1='"' + ",".join(decisions.values()) + '"', allow_blank=True)
    sheet.add_data_validation(choice)
    choice.add(f"{get_column_letter(_index('decision') + 1)}2:{get_column_letter(_index('decision') + 1)}{last}")
    sheet.freeze_panes = "A2"
    return save_output(path, book.save)


def _labels(table: dict[str, dict[str, str]], lang: str) -> dict[str, str]:
    """A label table's labels in a sheet language (English for a language it has none in)."""
    return table.get(lang, table["en"])


def _index(key: str) -> int:
    """The column index of a header key."""
    return next(i for i, (k, _, _, _) in enumerate(HEADERS) if k == key)


def export_note(path: Path, count: int, lang: str) -> str:
    """What export says, in the sheet's language: the file, its findings, and what the office does next."""
    return say(MESSAGES, lang, "wrote", path=path, count=count, name=path,
               **{key: header_text(key, lang) for key in ("decision", "reason", "signer", "signed_on",
                                                          "signed_before")})


def import_summary(name: str, changes: list[SheetDecision], lang: str | None = None) -> str:
    """What an import recorded, in the sheet's language: rows changed, by decision and by signer; the rows that
    correct their signer's own decision; the findings the sheet has no row for (they stay as they were)."""
    lang = lang or getattr(changes, "lang", "zh")
    labels = _labels(DECISION_LABELS, lang)
    lines = [sheet_say(lang, "recorded", name=name, count=len(changes),
                       **tallies((labels[c.decision] for c in changes), (c.signer for c in changes), lang))
             if changes else sheet_say(lang, "no_changes", name=name)]
    corrected = [c.key for c in changes if c.corrects]
    if corrected:
        shown = LIST_SEPARATOR.get(lang, ", ").join(corrected[:5]) + (" …" if len(corrected) > 5 else "")
        lines.append(sheet_say(lang, "corrections", count=len(corrected), paths=shown))
    if isinstance(changes, SignedChanges) and changes.missing:
        lines.append(say(MESSAGES, lang, "missing_rows", name=name, count=len(changes.missing),
                         total=changes.columns, undecided=changes.undecided_missing))
    return "\n".join(lines)


Recorded = dict[tuple[str, str], RecordedDecision]  # (site, key) → the decision recorded on that finding
_CORRECTION_NOTE = re.compile(r"(?:（更正其 \d{4}-\d{2}-\d{2} 的决定：[^）]*）"
                              r"| \(correcting their decision of \d{4}-\d{2}-\d{2}: [^)]*\))$")


def office_text(reason: str) -> str:
    """A 理由 without the note of the decision it corrected (the import writes it; it is not the signer's text)."""
    return _CORRECTION_NOTE.sub("", reason.strip()).strip()


def read_triage_sheet(path: Path, known: dict[tuple[str, str], tuple[str, str]],
                      recorded: Recorded | None = None) -> SignedChanges:
    """Validate a filled-in sheet against the recorded findings ((site, key) → (category, location)) and the
    decisions recorded on them (a changed decision needs a signature written on the sheet: the export leaves the
    signature cells empty and shows the recorded one under 原签署); return its decisions and the language of its
    headers, with the findings of its sites it has no row for (`missing`), or raise SheetError naming every bad row
    in that language (nothing is imported then)."""
    table = read_xlsx_rows(path, None, "triage sheet", SHEET_HINT)
    if not table:
        raise SheetError([f"{path.name}: the sheet is empty (no header row)"])
    lang = header_language([cell_text(v) for v in table[0]],
                           {"zh": [zh for _, zh, _, _ in HEADERS], "en": [en for _, _, en, _ in HEADERS]})
    columns = _header(path.name, table[0], lang)
    where = {key: f"{cell_text(table[0][i])} ({get_column_letter(i + 1)})" for key, i in columns.items()}
    recorded = recorded or {}
    decisions, errors, seen = [], [], set()
    for number, values in enumerate(table[1:], start=2):
        cells = {k: cell_text(values[i]) if i < len(values) else "" for k, i in columns.items()}
        if not any(cells.values()):
            continue
        seen.add((cells["site"], cells["key"]))
        at = _Place(path.name, number, where, lang, prefills_signatures="signed_before" not in columns)
        decision, problem = _row(at, cells, known, recorded.get((cells["site"], cells["key"])))
        if problem:
            errors.append(problem)
        elif decision is not None:
            decisions.append(decision)
    if errors:
        raise SheetError(errors, lang)
    return _with_missing(SignedChanges(decisions, lang), seen, known, recorded)


def _with_missing(changes: SignedChanges, seen: set[tuple[str, str]], known: dict[tuple[str, str], Any],
                  recorded: Recorded) -> SignedChanges:
    """The changes, with the findings of the sheet's sites it has no row for (they stay as they were), how many of
    them are undecided, and how many findings those sites have."""
    sites = {site for site, _ in seen}
    findings = [k for k in known if k[0] in sites]
    changes.columns = len(findings)
    changes.missing = [key for site, key in findings if (site, key) not in seen]
    changes.undecided_missing = sum((recorded.get(k) or RecordedDecision(None, "", None)).decision is None
                                    for k in findings if k not in seen)
    return changes


@dataclass
class _Place:
    """A row of a sheet being read, and the language its problems are told in."""

    name: str
    number: int
    where: dict[str, str]
    lang: str
    prefills_signatures: bool = False  # exported before 原签署: a signed row came with its signature filled in

    def say(self, key: str, column: str, **values: Any) -> str:
        """A problem with one cell of this row, in the sheet's language."""
        cell = sheet_say(self.lang, "cell", name=self.name, row=self.number, column=self.where.get(column, column))
        return say(MESSAGES, self.lang, key, cell=cell, **values)

    def label(self, decision: str) -> str:
        """A decision as this sheet's drop-down names it."""
        return _labels(DECISION_LABELS, self.lang)[decision]


def _row(at: _Place, cells: dict[str, str], known: dict[tuple[str, str], tuple[str, str]],
         recorded: RecordedDecision | None) -> tuple[SheetDecision | None, str | None]:
    """One row's decision (None when left blank or as recorded and unsigned), or the problem with it."""
    found = known.get((cells["site"], cells["key"]))
    if found is None:
        empty = say(MESSAGES, at.lang, "empty")
        return None, at.say("unknown_finding", "key", finding=cells["key"] or empty, site=cells["site"] or empty)
    if not cells["decision"]:
        return None, None
    decision = DECISION_WORDS.get(cells["decision"].strip())
    category, location = found
    allowed = ALLOWED[category]
    if decision not in allowed:
        return None, at.say("not_allowed", "decision", word=cells["decision"],
                            valid=" / ".join(at.label(d) for d in allowed),
                            category=_labels(CATEGORY_LABELS, at.lang)[category])
    if decision == "mask" and location.startswith("attachment:"):
        return None, at.say("attachment_mask", "decision", withhold=at.label("withhold"))
    text = office_text(cells["reason"])
    changed = recorded is None or decision != recorded.decision or text != office_text(recorded.reason)
    if not cells["signer"]:
        return None, _unsigned(at, cells, recorded, changed)
    if decision == "publish" and not text:
        return None, at.say("publish_reason", "reason", publish=at.label("publish"))
    signed_on = _date(cells["signed_on"])
    problem = _date_problem(at, cells["signed_on"], signed_on)
    if problem:
        return None, problem
    assert isinstance(signed_on, dt.date)
    problem = _resigned(at, cells["signer"], signed_on, recorded, changed)
    if problem:
        return None, problem
    corrects = changed and _own_decision(recorded, cells["signer"])
    return SheetDecision(cells["site"], cells["key"], decision, _recorded_reason(at, text, recorded, cells["signer"],
                                                                                changed, corrects),
                         cells["signer"], signed_on, corrects), None


def _unsigned(at: _Place, cells: dict[str, str], recorded: RecordedDecision | None, changed: bool) -> str | None:
    """The problem of a row with a decision and no signature: none when it is the decision recorded (the export
    leaves a signed row's signature cells empty); naming the signed decision when it says otherwise."""
    if not changed:
        return None
    if recorded is not None and recorded.signer and recorded.decision:
        return at.say("office_signed", "decision", finding=cells["key"], signer=recorded.signer,
                      decision=at.label(recorded.decision))
    return at.say("unsigned", "signer")


def _own_decision(recorded: RecordedDecision | None, signer: str) -> bool:
    """True when the finding's recorded decision was signed by the person signing this row."""
    return recorded is not None and bool(recorded.decision) and signer == recorded.signer


def _recorded_reason(at: _Place, text: str, recorded: RecordedDecision | None, signer: str, changed: bool,
                     corrects: bool) -> str:
    """The 理由 to record: the recorded one when the row is unchanged under its own signer; with the decision it
    corrects (its day, what it was) when the signer corrects their own."""
    if not changed and recorded is not None and signer == recorded.signer:
        return recorded.reason
    if not corrects or recorded is None or recorded.decision is None:
        return text
    day = recorded.day.isoformat() if recorded.day else "-"
    return text + say(MESSAGES, at.lang, "correction", day=day, decision=at.label(recorded.decision))


def _date_problem(at: _Place, text: str, signed_on: dt.date | None | bool) -> str | None:
    """The problem of a signed row's 审核日期: not a date, empty (the sheet asks for it) or in the future."""
    cell = sheet_say(at.lang, "cell", name=at.name, row=at.number, column=at.where["signed_on"])
    if signed_on is False:
        return sheet_say(at.lang, "not_date", cell=cell, text=text)
    if signed_on is None:
        return sheet_say(at.lang, "no_date", cell=cell)
    today = dt.date.today()
    if isinstance(signed_on, dt.date) and signed_on > today:
        return sheet_say(at.lang, "future", cell=cell, day=signed_on.isoformat(), today=today.isoformat())
    return None


def _resigned(at: _Place, signer: str, signed_on: dt.date, recorded: RecordedDecision | None, changed: bool
              ) -> str | None:
    """The problem of a row that changes a signed decision: under that decision's own signature in a sheet that
    pre-filled signatures (exported before 原签署: a pre-filled signature cannot be told from a correction), or
    signed before that decision's day (a sheet older than it), whoever signs; None otherwise."""
    if not changed or recorded is None or not recorded.signer or recorded.decision is None:
        return None
    day = recorded.day
    if at.prefills_signatures and signer == recorded.signer and (day is None or signed_on <= day):
        cell = sheet_say(at.lang, "cell", name=at.name, row=at.number, column=at.where["signer"])
        return sheet_say(at.lang, "prefilled_signature", cell=cell, signer=signer,
                         day=day.isoformat() if day else "-")
    if day is not None and signed_on < day:
        cell = sheet_say(at.lang, "cell", name=at.name, row=at.number, column=at.where["signed_on"])
        return sheet_say(at.lang, "before_decision", cell=cell, day=signed_on.isoformat(), signer=recorded.signer,
                         recorded=day.isoformat())
    return None


def _date(text: str) -> dt.date | None | bool:
    """A signing date (YYYY-MM-DD, YYYY/MM/DD or YYYY年M月D日), None when blank, False when not a date."""
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    try:
        return dt.date(*map(int, match.groups())) if match else False
    except ValueError:
        return False


def _header(name: str, header: list[Any], lang: str) -> dict[str, int]:
    """Header key → column index, matching header text in either language; every required header must be there
    (SheetError in the sheet's language otherwise)."""
    known = {fold(text): key for key, zh, en, _ in HEADERS for text in (zh, en, key)}
    columns: dict[str, int] = {}
    for index, value in enumerate(header):
        key = known.get(fold(cell_text(value)))
        if key is not None:
            columns.setdefault(key, index)
    missing = [sheet_say(lang, "missing_column", name=name, zh=zh, en=en)
               for key, zh, en, required in HEADERS if required and key not in columns]
    if missing:
        raise SheetError(missing, lang)
    return columns
