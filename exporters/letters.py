"""Interaction records (letters, consultations, complaints, suggestions, surveys, interviews) as a portal shows
them: the Q&A layout (问/答 sections) of one record, its fields, and the static preview's 互动交流 pages.

What reaches this module is already masked (consolidate/interaction.py `export_row`): writers' names and contact
details never leave the store unmasked. Links inside a letter are unwrapped (their text kept) and images dropped:
a letter's legacy links have no new home, and no link to the legacy host may survive a push.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any

import nh3

from consolidate.core.legacy_time import display_time, legacy_instant
from exporters.base import TargetRef
from exporters.common import write_if_changed

LAYOUT_VERSION = "qa2"  # bumped when the Q&A layout changes: the next push rewrites every letter once
KIND_ZH = {"letter": "来信", "consult": "咨询", "complaint": "投诉", "suggestion": "建议", "survey": "网上调查",
           "interview": "在线访谈"}
STATUS_ZH = {"replied": "已回复", "unreplied": "未回复", "refused": "不予受理", "unknown": "未显示办理状态"}
NO_REPLY = {"unreplied": "尚未答复。", "refused": "不予受理，无需答复。", "unknown": "原网站页面未显示答复。"}
LETTER_META = ("consolidate_letter_kind", "consolidate_letter_received", "consolidate_letter_replied",
               "consolidate_letter_reply_unit", "consolidate_letter_status", "consolidate_letter_number",
               "consolidate_letter_category")
_TEXT_TAGS = {"p", "br", "table", "tbody", "tr", "td", "th", "ul", "ol", "li", "strong", "b", "em", "span", "div"}
STATIC_DIR = "hudong"  # the preview's 互动交流 pages: hudong/<site>/index.html and one page per record


@dataclass
class ExportLetter:
    """One interaction record ready for a target, personal data already masked."""

    source_key: str  # "letter:<site>:<url hash>"
    source_url: str
    site_id: str
    site_name: str
    subsite: str | None
    kind: str
    subject: str
    number: str | None
    category: str | None
    writer: str | None  # masked
    received: str | None
    replied: str | None
    reply_unit: str | None
    status: str
    status_text: str | None
    question_html: str | None  # masked
    reply_html: str | None  # masked
    survey: list[Any] | None
    content_hash: str
    contact: dict[str, str] = field(default_factory=dict)  # masked


def letter_from_export(data: dict[str, Any], key: str, site_name: str, subsite: str | None) -> ExportLetter:
    """An ExportLetter from a masked export row (consolidate.interaction.export_row)."""
    subject = data.get("subject") or f"{KIND_ZH.get(data['kind'], '来信')}{data.get('number') or ''}"
    body_hash = hashlib.sha256(repr(sorted((k, repr(v)) for k, v in data.items() if k != "findings"))
                               .encode("utf-8")).hexdigest()
    return ExportLetter(
        source_key=key, source_url=data["url"], site_id=data["site"], site_name=site_name, subsite=subsite,
        kind=data["kind"], subject=subject, number=data.get("number"), category=data.get("category"),
        writer=data.get("writer"), received=data.get("received"), replied=data.get("replied"),
        reply_unit=data.get("reply_unit"), status=data.get("status") or "unknown", status_text=data.get("status_text"),
        question_html=data.get("question_html"), reply_html=data.get("reply_html"), survey=data.get("survey"),
        content_hash=f"{body_hash[:32]}/{LAYOUT_VERSION}", contact=dict(data.get("contact") or {}))


def plain_markup(fragment: str | None) -> str:
    """A letter's HTML reduced to text markup: links unwrapped (text kept), images and everything active gone."""
    return nh3.clean(fragment or "", tags=_TEXT_TAGS, attributes={"td": {"colspan", "rowspan"}}, link_rel=None)


def field_rows(letter: ExportLetter) -> list[tuple[str, str]]:
    """The record's fields as (label, value) in reading order, those present only."""
    rows = [("类型", KIND_ZH.get(letter.kind, letter.kind)), ("编号", letter.number), ("分类", letter.category),
            ("来信人", letter.writer), ("来信时间", display_time(letter.received)),
            ("办理状态", status_label(letter.status, letter.status_text)),
            ("答复单位", letter.reply_unit), ("答复时间", display_time(letter.replied))]
    if letter.kind in ("survey", "interview"):
        rows = [(label if label != "来信时间" else "时间", value) for label, value in rows
                if label in ("类型", "编号", "来信时间")]
    return [(label, value) for label, value in rows if value]


def qa_html(letter: ExportLetter) -> str:
    """The body of a record in the Q&A layout: a field table, then 问 (the letter) and 答 (the reply); a survey's
    results or an interview's transcript in their place for those kinds."""
    cells = "".join(f'<tr><th scope="row">{html.escape(k)}</th><td>{html.escape(v)}</td></tr>'
                    for k, v in field_rows(letter))
    parts = [f'<table class="consolidate-letter-fields"><tbody>{cells}</tbody></table>']
    if letter.kind == "survey":
        parts.append(_survey_html(letter.survey or []))
    elif letter.kind == "interview":
        parts.append(_transcript_html(letter))
    else:
        parts.append(_section("question", "问", plain_markup(letter.question_html) or "<p>（原网站页面未显示来信内容）</p>"))
        answer = plain_markup(letter.reply_html) or f"<p>（{no_reply_text(letter)}）</p>"
        parts.append(_section("answer", "答", answer))
    return f'<div class="consolidate-letter qa">{"".join(parts)}</div>'


def status_label(status: str, status_text: str | None) -> str:
    """The status a reader sees: as the legacy page printed it, else ours in Chinese."""
    return status_text or STATUS_ZH.get(status, status)


def no_reply_text(letter: ExportLetter) -> str:
    """The 答 section of a record without a reply: why there is none (a printed status is quoted, never hidden)."""
    if letter.status == "unknown" and letter.status_text:
        return f"原网站页面显示办理状态为“{letter.status_text}”，未显示答复。"
    return NO_REPLY.get(letter.status, "尚未答复。")


def _section(css: str, label: str, inner: str) -> str:
    """One 问 or 答 section."""
    return f'<section class="qa-{css}"><h2 class="qa-label">{label}</h2><div class="qa-text">{inner}</div></section>'


def _survey_html(questions: list[Any]) -> str:
    """A survey's questions with options, votes and percentages as tables."""
    tables = []
    for question in questions:
        rows = "".join(f"<tr><td>{html.escape(str(o.get('option') or ''))}</td><td>{o.get('votes', '')}票</td>"
                       f"<td>{'' if o.get('percent') is None else str(o['percent']) + '%'}</td></tr>"
                       for o in question.get("options") or [])
        caption = f"<caption>{html.escape(question['question'])}</caption>" if question.get("question") else ""
        tables.append(f'<table class="survey">{caption}<tbody>{rows}</tbody></table>')
    return _section("survey", "调查结果", "".join(tables) or "<p>（原网站页面未显示调查结果）</p>")


def _transcript_html(letter: ExportLetter) -> str:
    """An interview's transcript: each host turn a 问, each guest turn a 答 (the speaker named)."""
    turns = [t for t in letter.survey or [] if isinstance(t, dict) and t.get("text")]
    if not turns:
        return _section("transcript", "访谈实录", plain_markup(letter.question_html) or "<p>（无实录）</p>")
    out = []
    for turn in turns:
        css, label = ("question", "问") if turn.get("role") == "host" else ("answer", "答")
        speaker = html.escape(str(turn.get("speaker") or ""))
        out.append(_section(css, label, f"<p><strong>{speaker}：</strong>{html.escape(str(turn['text']))}</p>"))
    return f'<div class="qa-transcript">{"".join(out)}</div>'


# --- WordPress ----------------------------------------------------------------------------------------------

def wordpress_payload(letter: ExportLetter, site_zone: tzinfo, key_meta: str) -> dict[str, Any]:
    """The REST body of a consolidate_letter post: dated by its date received (in the site's zone), fields as
    meta, the Q&A layout as content, comments closed. An undated record carries no date (never 'now' invented
    by us: WordPress stamps it, and the meta received stays empty)."""
    payload: dict[str, Any] = {
        "title": letter.subject, "content": qa_html(letter), "status": "publish", "comment_status": "closed",
        "ping_status": "closed",
        "meta": {key_meta: letter.source_key, "consolidate_source_url": letter.source_url,
                 "consolidate_site_id": letter.site_id, "consolidate_content_hash": letter.content_hash,
                 **dict(zip(LETTER_META, (letter.kind, letter.received or "", letter.replied or "",
                                          letter.reply_unit or "", letter.status, letter.number or "",
                                          letter.category or ""), strict=True))}}
    moment = legacy_instant(letter.received)
    if moment is not None:
        payload["date"] = moment.astimezone(site_zone).isoformat(timespec="seconds")
        payload["date_gmt"] = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return payload


# --- the static preview -------------------------------------------------------------------------------------

def static_path(letter_key: str, site_id: str) -> str:
    """Where a record's page is written, relative to the preview root (a pure function of its key)."""
    return f"{STATIC_DIR}/{site_id}/{hashlib.sha1(letter_key.encode()).hexdigest()[:12]}.html"


def put_static(exporter: Any, letter: ExportLetter) -> TargetRef:
    """Write a record's page in the static preview and note it in the manifest (its site's index is rendered
    when the push finishes)."""
    path = static_path(letter.source_key, letter.site_id)
    page = exporter.env.get_template("letter.html").render(
        l=letter, portal=exporter.context.portal, programme=exporter.context.programme_name, root="../../",
        body=qa_html(letter), kind=KIND_ZH.get(letter.kind, letter.kind))
    write_if_changed(exporter.root / path, page)
    exporter._set("letters", letter.source_key, {
        "path": path, "title": letter.subject, "site": letter.site_id, "site_name": letter.site_name,
        "kind": letter.kind, "received": letter.received, "status": letter.status, "status_text": letter.status_text,
        "reply_unit": letter.reply_unit, "hash": letter.content_hash})
    return TargetRef(target_id=path, url=exporter.base_url + path)


def render_static_indexes(exporter: Any) -> None:
    """One 互动交流 page per site listing its records, newest first."""
    folder = exporter.root / STATIC_DIR
    by_site: dict[str, list[dict[str, Any]]] = {d.name: [] for d in folder.iterdir() if d.is_dir()} \
        if folder.is_dir() else {}  # a site whose letters were all rolled back gets an empty page, not a stale one
    for entry in exporter.manifest.get("letters", {}).values():
        by_site.setdefault(entry["site"], []).append(entry)
    for site_id, entries in by_site.items():
        entries.sort(key=lambda e: (e.get("received") or "", e.get("title") or ""), reverse=True)
        page = exporter.env.get_template("letters.html").render(
            letters=[{**e, "href": e["path"].rsplit("/", 1)[-1], "kind_zh": KIND_ZH.get(e["kind"], e["kind"]),
                      "status_zh": status_label(e["status"], e.get("status_text"))} for e in entries],
            site_name=(entries[0].get("site_name") if entries else None) or site_id, portal=exporter.context.portal,
            programme=exporter.context.programme_name, root="../../")
        write_if_changed(exporter.root / STATIC_DIR / site_id / "index.html", page)


def static_site_links(exporter: Any) -> list[dict[str, Any]]:
    """The sites with records in the preview: name, their 互动交流 page and how many records it lists."""
    sites: dict[str, dict[str, Any]] = {}
    for entry in exporter.manifest.get("letters", {}).values():
        site = sites.setdefault(entry["site"], {"site_name": entry.get("site_name") or entry["site"], "count": 0,
                                                "path": f"{STATIC_DIR}/{entry['site']}/index.html"})
        site["count"] += 1
    return [sites[key] for key in sorted(sites)]
