"""The interaction stage: letters, consultations, complaints, suggestions, surveys and interviews of the legacy sites.

The crawl stores each interaction record (crawlers/interaction.py) in `interaction_records`, beside the articles.
Here they are judged by the national rules — a letter unanswered more than three months within the past year is
a single veto (互动回应差); a reply later than 7 working days (15 for a complex case) is late, counted with
`programme.holidays` skipped — counted per site and per handling unit, and exported for the unified interaction
platform as `letters.jsonl` and an XLSX sheet with writers' names and contact details masked.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from consolidate.core.cells import xlsx_append
from consolidate.core.store import EventRow, InteractionRow, Resource
from consolidate.core.workdays import add_months, working_days_between
from consolidate.core.workspace import Workspace
from crawlers.interaction import REJECTED_WORDS, text_of_html
from exporters.common import write_atomic, write_if_changed
from mappers.triage import mask, mask_names, mask_text

LETTER_KINDS = ("letter", "consult", "complaint", "suggestion")  # the kinds a reply is due for
NO_UNIT = "（未注明）"
FINDING_LABELS = {
    "veto_unanswered": "超过3个月未回复（单项否决：互动回应差）",
    "unanswered_old": "超过3个月未回复（一年以前的来信）",
    "overdue": "逾期未回复",
    "late": "回复超期",
    "undated": "无来信日期，无法判断时限",
    "reply_undated": "已回复但无回复日期",
    "status_unknown": "页面未显示办理状态",
    "status_unrecognised": "办理状态无法识别",
}


def stored_records(ws: Workspace, site_id: str) -> list[InteractionRow]:
    """A site's interaction records, in URL order."""
    with ws.store.session() as session:
        rows = list(session.scalars(select(InteractionRow).where(InteractionRow.site_id == site_id)
                                    .order_by(InteractionRow.url)))
        session.expunge_all()
    return rows


def record_pages(ws: Workspace, site_id: str) -> dict[str, list[InteractionRow]]:
    """List page URL → the interaction records it shows: rows read off the page itself (`page#number`) and
    records with a page of their own linked from a list page (the crawl's referrer)."""
    rows = stored_records(ws, site_id)
    with ws.store.session() as session:
        resources = {r.url: (r.referrer, r.kind) for r in session.scalars(
            select(Resource).where(Resource.site_id == site_id, Resource.kind.in_(("list", "other", "page"))))}
    pages: dict[str, list[InteractionRow]] = {}
    for row in rows:
        page = row.url.split("#", 1)[0] if "#" in row.url else (resources.get(row.url) or (None, None))[0]
        if page and (resources.get(page) or (None, None))[1] == "list":
            pages.setdefault(page, []).append(row)
    return pages


def latest_date(rows: list[InteractionRow]) -> str | None:
    """The newest date received or replied of some records (ISO text), or None."""
    dates = [d for row in rows for d in (row.received, row.replied) if _date(d) is not None]
    return max(dates, key=lambda d: d[:10]) if dates else None


# --- the rules ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rules:
    """The national check's thresholds, configurable."""

    unanswered_months: int = 3  # unreplied longer than this: a veto when received within the window
    window_months: int = 12  # the veto looks at letters received in the past year
    reply_days: int = 7  # working days a reply is due within
    complex_days: int = 15  # working days for a complex case
    kinds: tuple[str, ...] = LETTER_KINDS


@dataclass
class LetterFinding:
    """One finding on one record."""

    url: str
    kind: str  # a FINDING_LABELS key
    veto: bool = False
    working_days: int | None = None  # days taken (late) or waited so far (overdue)
    beyond_complex: bool = False  # late even for a complex case
    reply_unit: str | None = None
    detail: str = ""


def judge(row: InteractionRow, as_of: dt.date, holidays: list[dt.date], rules: Rules = Rules()
          ) -> list[LetterFinding]:
    """The findings on one record at a date (surveys and interviews owe no reply: none)."""
    if row.kind not in rules.kinds:
        return []
    received, replied = _date(row.received), _date(row.replied)
    unit, status = row.reply_unit, status_of(row)
    if status == "refused":
        return []  # 不予受理: the office declined it, no reply owed (the status says so in every output)
    if status == "unknown":
        if row.status_text:
            return [LetterFinding(row.url, "status_unrecognised", reply_unit=unit,
                                  detail=f"the page shows the status {row.status_text!r}, neither replied nor "
                                         "unreplied")]
        return [LetterFinding(row.url, "status_unknown", reply_unit=unit, detail="the page shows no reply section")]
    if received is None:
        return [LetterFinding(row.url, "undated", reply_unit=unit, detail="no date received on the page")]
    if status == "replied":
        if replied is None:
            return [LetterFinding(row.url, "reply_undated", reply_unit=unit, detail="replied, date not shown")]
        days = working_days_between(received, replied, holidays)
        if days > rules.reply_days:
            beyond = days > rules.complex_days
            return [LetterFinding(row.url, "late", working_days=days, beyond_complex=beyond, reply_unit=unit,
                                  detail=f"replied after {days} working days (due within {rules.reply_days}"
                                         f"{f', {rules.complex_days} if complex' if not beyond else ''})")]
        return []
    if add_months(received, rules.unanswered_months) < as_of:
        if add_months(as_of, -rules.window_months) <= received:
            return [LetterFinding(row.url, "veto_unanswered", veto=True, reply_unit=unit,
                                  detail=f"received {received}, unanswered for more than {rules.unanswered_months} "
                                         f"months on {as_of}")]
        return [LetterFinding(row.url, "unanswered_old", reply_unit=unit,
                              detail=f"received {received}, before the {rules.window_months}-month window")]
    waited = working_days_between(received, as_of, holidays)
    if waited > rules.reply_days:
        return [LetterFinding(row.url, "overdue", working_days=waited, beyond_complex=waited > rules.complex_days,
                              reply_unit=unit, detail=f"unanswered after {waited} working days")]
    return []


def status_of(row: InteractionRow) -> str:
    """A record's status: as stored, except that a printed refusal (拒绝受理, 不予受理…) is `refused` even in a
    store written before that status existed."""
    words = "".join((row.status_text or "").split())
    return "refused" if row.status == "unknown" and REJECTED_WORDS.match(words) else row.status


def _date(value: str | None) -> dt.date | None:
    """The date part of an ISO date or date-time, or None."""
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


@dataclass
class LetterSummary:
    """Counts of one site's records and findings, in all and per handling unit."""

    site_id: str
    records: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    findings: Counter[str] = field(default_factory=Counter)
    vetoes: int = 0
    units: dict[str, Counter[str]] = field(default_factory=dict)  # unit → records/replied/unreplied/late/veto…
    found: list[LetterFinding] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)  # mailbox forms/templates whose records are not in the pages

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"site": self.site_id, "records": self.records, "kinds": dict(self.kinds),
                "statuses": dict(self.statuses), "findings": dict(self.findings), "vetoes": self.vetoes,
                "veto": self.vetoes > 0, "units": {unit: dict(c) for unit, c in sorted(self.units.items())},
                "forms": self.forms}


def summarise(ws: Workspace, site_id: str, as_of: dt.date | None = None, rules: Rules = Rules()) -> LetterSummary:
    """Judge every stored record of a site and count them per site and per unit."""
    when = as_of or dt.date.today()
    holidays = list(ws.config.programme.holidays)
    summary = LetterSummary(site_id)
    for row in stored_records(ws, site_id):
        summary.records += 1
        summary.kinds[row.kind] += 1
        if row.kind not in rules.kinds:
            continue  # surveys and interviews: counted by kind, no reply owed
        status = status_of(row)
        summary.statuses[status] += 1
        unit = summary.units.setdefault(row.reply_unit or NO_UNIT, Counter())
        unit["records"] += 1
        unit[status] += 1
        for finding in judge(row, when, holidays, rules):
            summary.found.append(finding)
            summary.findings[finding.kind] += 1
            unit[finding.kind] += 1
            summary.vetoes += finding.veto
    with ws.store.session() as session:
        summary.forms = sorted(set(session.scalars(select(EventRow.url).where(
            EventRow.site_id == site_id, EventRow.code == "interaction_form", EventRow.url.is_not(None)))))
    return summary


def letter_figures(ws: Workspace, site_id: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """The report's 互动交流 figures of a site: per handling unit, records, replied, refused (no reply owed),
    unreplied and status unknown (these four add up to the records), late replies and vetoes (unanswered over the
    limit), with the site's totals. Counts only, never writers' details."""
    summary = summarise(ws, site_id, as_of)
    rows = [[unit, counts["records"], counts["replied"], counts["refused"], counts["unreplied"], counts["unknown"],
             counts["late"], counts["veto_unanswered"]] for unit, counts in sorted(summary.units.items())]
    return {"rows": rows, "records": summary.records, "vetoes": summary.vetoes,
            "late": summary.findings.get("late", 0), "forms": len(summary.forms)}


# --- export -------------------------------------------------------------------------------------------------

def mask_contact(label: str, value: str) -> str:
    """A contact detail masked: personal numbers as the triage masks them, e-mail and addresses cut short."""
    masked = mask_text(value)
    if masked != value:
        return masked
    if "@" in value:
        local, _, domain = value.partition("@")
        return (local[:1] + "***@" + domain) if local else "***@" + domain
    return value[:3] + "*" * max(len(value) - 3, 3) if len(value) > 3 else "*" * len(value)


def masked_text(html: str | None, writer: str | None) -> str | None:
    """A question or reply with personal values and the writer's name masked."""
    if html is None:
        return None
    text = mask_text(html)
    return mask_names(text, [writer]) if writer and len(writer) >= 2 else text


def export_row(row: InteractionRow, findings: list[LetterFinding]) -> dict[str, Any]:
    """One record as exported: every field, the writer and contact details masked, its findings."""
    return {"site": row.site_id, "url": row.url, "kind": row.kind, "profile": row.profile,
            "column_path": list(row.column_path or []), "number": row.number, "subject": masked_text(row.subject,
                                                                                                   row.writer),
            "category": row.category, "writer": mask("name", row.writer) if row.writer else None,
            "contact": {label: mask_contact(label, value) for label, value in (row.contact or {}).items()},
            "received": row.received, "replied": row.replied, "reply_unit": row.reply_unit, "status": status_of(row),
            "status_text": row.status_text,
            "question_html": masked_text(row.question_html, row.writer),
            "reply_html": masked_text(row.reply_html, row.writer), "survey": _masked_data(row),
            "findings": [{"kind": f.kind, "label": FINDING_LABELS[f.kind], "veto": f.veto,
                          "working_days": f.working_days, "beyond_complex": f.beyond_complex, "detail": f.detail}
                         for f in findings],
            "content_hash": row.content_hash}


SHEET_COLUMNS = (("site", "站点"), ("kind", "类型"), ("number", "编号"), ("subject", "标题"), ("category", "分类"),
                 ("writer", "来信人（已遮盖）"), ("contact", "联系方式（已遮盖）"), ("received", "来信时间"),
                 ("status", "办理状态"), ("status_text", "原网站所示状态"), ("reply_unit", "回复单位"),
                 ("replied", "回复时间"),
                 ("question", "来信内容"), ("reply", "回复内容"), ("findings", "检查结果"), ("url", "原网址"))


def export_letters(ws: Workspace, site_ids: list[str], directory: Path, as_of: dt.date | None = None,
                   rules: Rules = Rules()) -> int:
    """Write letters.jsonl and letters.xlsx (one sheet 互动交流) for the sites, each only when its records changed
    (a folder re-exported unchanged is left as it was); the number of records written."""
    from openpyxl import Workbook

    when = as_of or dt.date.today()
    holidays = list(ws.config.programme.holidays)
    rows = [export_row(row, judge(row, when, holidays, rules)) for site_id in site_ids
            for row in stored_records(ws, site_id)]
    text = "".join(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n" for data in rows)
    directory.mkdir(parents=True, exist_ok=True)
    if not write_if_changed(directory / "letters.jsonl", text) and (directory / "letters.xlsx").exists():
        return len(rows)
    book = Workbook()
    sheet = book.active
    sheet.title = "互动交流"
    xlsx_append(sheet, [label for _, label in SHEET_COLUMNS])
    for data in rows:
        xlsx_append(sheet, [_cell(data, name) for name, _ in SHEET_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(directory / "letters.xlsx", buffer.getvalue())
    return len(rows)


def to_exporter(ws: Workspace, exporter: Any) -> int | None:
    """After a push: the letters of every configured site into an exporter that keeps them (the bundle folder:
    letters.jsonl and letters.xlsx, masked); None when the exporter takes no letters or there are none."""
    root = getattr(exporter, "root", None)
    if not exporter.capabilities.letter_files or not isinstance(root, Path):
        return None
    ids = [site.id for site in ws.config.sites]
    if not any(stored_records(ws, site_id) for site_id in ids) and not (root / "letters.jsonl").exists():
        return None
    return export_letters(ws, ids, root)


def _masked_data(row: InteractionRow) -> list[Any] | None:
    """A record's data as exported: survey counts as they are; an interview's turns with personal values masked."""
    if row.kind != "interview" or not row.survey:
        return row.survey
    return [{**turn, "text": mask_text(str(turn.get("text") or ""))} if isinstance(turn, dict) else turn
            for turn in row.survey]


def _cell(data: dict[str, Any], name: str) -> str | None:
    """A sheet cell of an exported record (HTML as text, lists joined)."""
    if name == "question":
        return text_of_html(data["question_html"]) or None
    if name == "reply":
        return text_of_html(data["reply_html"]) or None
    if name == "contact":
        return "；".join(f"{k}：{v}" for k, v in data["contact"].items()) or None
    if name == "findings":
        return "；".join(f["label"] + (f"（{f['working_days']}个工作日）" if f["working_days"] else "")
                        for f in data["findings"]) or None
    value = data.get(name)
    return None if value is None else str(value)
