"""Mailbox columns (领导信箱/咨询/投诉/建议, 网上调查) of the sample sites: letters answered on time, late, beyond
the complex-case limit, unanswered (recent, overdue, past three months, older than a year) and a survey, served
as query-string list and detail pages in each vendor's style (TRS `wcm/app`, Hanweb `jact`, a generic
guestbook), with the truth of every field for the tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial

from consolidate.samplefleet.body import esc
from consolidate.samplefleet.model import Resource, SampleSite

PER_PAGE = 4


@dataclass
class LetterSpec:
    """One letter of a sample mailbox, with the truth the extraction must find."""

    number: str
    kind: str  # letter | consult | complaint | suggestion
    category: str  # as printed: 咨询 / 投诉 / 建议 / 其他
    subject: str
    writer: str
    phone: str
    received: date
    question: str
    replied: date | None = None
    reply_unit: str | None = None
    reply: str | None = None
    path: str = ""  # the letter's own page; "" for a letter only its list row shows (a javascript:; link)

    @property
    def status(self) -> str:
        """replied | unreplied."""
        return "replied" if self.reply else "unreplied"


@dataclass
class SurveySpec:
    """A 网上调查 with one question and its counts."""

    path: str
    subject: str
    question: str
    options: list[tuple[str, int, float]] = field(default_factory=list)


@dataclass
class Layout:
    """How a vendor serves its mailbox: list and detail URLs (query strings) and the detail markup."""

    profile: str
    list_url: Callable[[int], str]
    detail_url: Callable[[str], str]
    style: str  # table | dl | inline


LAYOUTS = {
    "trs": Layout("trs-wcm-app", lambda page: f"/wcm/app/govmail/list.jsp?page={page}",
                  lambda number: f"/wcm/app/govmail/detail.jsp?id={number}", "table"),
    "hanweb": Layout("hanweb-jact", lambda page: f"/jact/front/maillist.do?sysid=6&page={page}",
                     lambda number: f"/jact/front/mailpubdetail.do?sysid=6&objectid={number}", "dl"),
    "phpcms": Layout("generic-query", lambda page: f"/index.php?m=guestbook&c=index&a=init&page={page}",
                     lambda number: f"/index.php?m=guestbook&c=index&a=show&id={number}", "inline"),
}
MAILBOX_COLUMN = ["互动交流", "领导信箱"]


def letters_for(site: SampleSite) -> list[LetterSpec]:
    """The site's letters: fixed dates around the fleet's reference date 2026-11-01 so every rule is met once."""
    unit = site.organiser
    prefix = {"fgw": "1", "jyj": "2", "sfj": "3"}.get(site.site_id, "9")
    rows = [
        ("consult", "咨询", "关于项目备案材料的咨询", "张伟", "13812345678", date(2026, 9, 1), date(2026, 9, 8)),
        ("complaint", "投诉", "小区噪音扰民问题", "李娜", "13987654321", date(2026, 9, 14), date(2026, 9, 25)),
        ("suggestion", "建议", "建议增设公交站点", "王芳", "15011112222", date(2026, 9, 28), date(2026, 10, 9)),
        ("consult", "咨询", "补贴申领进度咨询", "刘洋", "18633334444", date(2026, 7, 1), date(2026, 7, 31)),
        ("letter", "其他", "反映道路破损情况", "陈静", "13755556666", date(2026, 6, 15), None),
        ("consult", "咨询", "询问证书办理时限", "杨明", "13677778888", date(2025, 8, 20), None),
        ("complaint", "投诉", "投诉窗口服务态度", "赵磊", "13599990000", date(2026, 10, 12), None),
        ("suggestion", "建议", "关于优化办事流程的建议", "黄敏", "13411112233", date(2026, 10, 28), None),
        ("letter", "其他", "反映供暖不足问题", "周强", "13322223333", date(2026, 5, 20), None),  # list row only
    ]
    letters = []
    for i, (kind, category, subject, writer, phone, received, replied) in enumerate(rows, 1):
        number = f"{prefix}{i:03d}"
        reply = (f"您好，您反映的“{subject}”已收悉，经核实已按规定办理。感谢您的来信！" if replied else None)
        letters.append(LetterSpec(number, kind, category, subject, writer, phone, received,
                                  f"{subject}。本人{writer}，联系电话{phone}，请相关部门予以答复。", replied,
                                  unit if replied else None, reply))
    return letters


def add_mailbox(site: SampleSite, flavour: str) -> None:
    """Give a site its mailbox column: list pages, letter pages and a survey, as extra routes."""
    layout = LAYOUTS[flavour]
    letters = letters_for(site)
    for letter in letters[:-1]:
        letter.path = layout.detail_url(letter.number)
    survey = SurveySpec(layout.detail_url("survey").replace("govmail", "survey").replace("mail", "survey"),
                        "2026年政务服务满意度网上调查", "您对本单位政务服务是否满意？",
                        [("非常满意", 120, 60.0), ("基本满意", 60, 30.0), ("不满意", 20, 10.0)])
    site.letters, site.survey = letters, survey  # type: ignore[attr-defined]
    pages = max(1, -(-len(letters) // PER_PAGE))
    routes: dict[str, Callable[[], Resource]] = {}
    for page in range(1, pages + 1):
        routes[layout.list_url(page)] = partial(_list_page, site, layout, letters, page, pages)
    first = layout.list_url(1)
    routes[first.replace("&page=1", "").replace("?page=1", "")] = routes[first]  # the column's own address
    for letter in letters[:-1]:
        routes[letter.path] = partial(_letter_page, site, layout, letter)
    routes[survey.path] = partial(_survey_page, site, survey)
    site.extra_routes.update(routes)


def _page(site: SampleSite, title: str, content: str) -> str:
    """A plain mailbox page of the site, with the breadcrumb of the mailbox column."""
    charset = site.encoding
    crumbs = " &gt; ".join(["<a href=\"/\">首页</a>", *MAILBOX_COLUMN])
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{esc(title)}-{esc(site.name)}</title></head><body>"
            f'<div class="top"><a href="/">{esc(site.name)}</a></div>'
            f'<div class="position">当前位置：{crumbs}</div>'
            f'<div class="main">{content}</div>'
            f'<div class="footer"><p>主办单位：{esc(site.organiser)} 联系电话：0576-88000000 '
            f"地址：临江市江滨路88号</p></div></body></html>")


def _list_page(site: SampleSite, layout: Layout, letters: list[LetterSpec], page: int, pages: int) -> Resource:
    """One list page of the mailbox: a table of subjects, dates and statuses, with a query-string pager."""
    rows = "".join(
        f'<tr><td>{letter.number}</td><td><a href="{esc(letter.path or "javascript:;")}" target="_blank">'
        f"{esc(letter.subject)}</a></td><td>{letter.category}</td><td>{letter.received.isoformat()}</td>"
        f"<td>{'已回复' if letter.reply else '未回复'}</td></tr>"
        for letter in letters[(page - 1) * PER_PAGE: page * PER_PAGE])
    pager = " ".join(f'<a href="{esc(layout.list_url(n))}">{n}</a>' if n != page else f"<span>{n}</span>"
                     for n in range(1, pages + 1))
    content = (f'<h2>{MAILBOX_COLUMN[-1]}</h2><table class="list"><tr><th>编号</th><th>信件标题</th><th>类别</th><th>来信时间</th>'
               f'<th>状态</th></tr>{rows}</table><div class="pager">共{len(letters)}条 {pager}</div>'
               f'<p class="survey"><a href="{esc(site.survey.path)}">网上调查</a></p>')  # type: ignore[attr-defined]
    return site.html_resource(_page(site, MAILBOX_COLUMN[-1], content), datetime(2026, 10, 30, tzinfo=UTC))


def _letter_page(site: SampleSite, layout: Layout, letter: LetterSpec) -> Resource:
    """A letter's page in the layout's style."""
    fields = [("信件编号", esc(letter.number)), ("信件标题", esc(letter.subject)), ("信件类型", letter.category),
              ("来信人", esc(letter.writer)), ("联系电话", letter.phone), ("来信时间", letter.received.isoformat()),
              ("来信内容", f"<p>{esc(letter.question)}</p>"),
              ("处理状态", "已回复" if letter.reply else "未回复"),
              ("回复单位", esc(letter.reply_unit or "")), ("回复时间", letter.replied.isoformat() if letter.replied
                                                            else ""),
              ("回复内容", f"<p>{esc(letter.reply)}</p>" if letter.reply else "暂未回复")]
    if layout.style == "table":
        body = "".join(f'<tr><th width="15%">{label}：</th><td>{value}</td></tr>' for label, value in fields)
        content = f'<table class="letter" border="1">{body}</table>'
    elif layout.style == "dl":
        content = "<dl class=\"mail\">" + "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in fields) \
                  + "</dl>"
    else:
        content = "".join(f'<div class="row"><span class="lab">{label}：</span>{value}</div>'
                          for label, value in fields)
    modified = datetime.combine(letter.replied or letter.received, datetime.min.time(), UTC)
    return site.html_resource(_page(site, letter.subject, content), modified)


def _survey_page(site: SampleSite, survey: SurveySpec) -> Resource:
    """The survey's results page."""
    rows = "".join(f"<tr><td>{esc(option)}</td><td>{votes}票</td><td>{percent:.1f}%</td></tr>"
                   for option, votes, percent in survey.options)
    content = (f"<h2>{esc(survey.subject)}</h2><p>网上调查结果</p>"
               f'<table class="vote"><caption>{esc(survey.question)}</caption>{rows}</table>')
    return site.html_resource(_page(site, survey.subject, content), datetime(2026, 10, 1, tzinfo=UTC))
