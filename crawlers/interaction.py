"""Interaction records (互动交流): letters, consultations, complaints, suggestions, surveys and interviews.

Their pages are not articles: a letter has a subject, a writer (personal data), a date received, a category, a
handling unit, a reply and its date, and a status. The rules below are data — label names, vendor URL patterns,
status words — so the next CMS is one more entry, not new code. A page is a record only when its labelled fields
say so (a question and a reply section, or a question and its date); a mailbox form or a script template
(`{$T.content}`) is recognised as a form and yields no record, never an invented one. Unknown values stay None.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin

import nh3
from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawlers.urls import canonical_url

KINDS = ("letter", "consult", "complaint", "suggestion", "survey", "interview")
STATUSES = ("replied", "unreplied", "refused", "unknown")

# Field → the labels vendors print before its value (compared without spaces and trailing colons).
LABELS: dict[str, tuple[str, ...]] = {
    "subject": ("信件标题", "信件名称", "来信标题", "信件主题", "来信主题", "留言标题", "留言主题", "咨询标题", "咨询主题",
                "投诉标题", "投诉主题", "建议标题", "问题标题", "标题", "主题"),
    "question": ("来信内容", "信件内容", "留言内容", "咨询内容", "投诉内容", "建议内容", "问题内容", "问题描述", "诉求内容",
                 "具体内容", "内容"),
    "received": ("来信时间", "来信日期", "写信时间", "写信日期", "提交时间", "提交日期", "留言时间", "留言日期", "咨询时间",
                 "咨询日期", "投诉时间", "提问时间", "发信时间", "发件时间", "收信时间", "登记时间"),
    "replied": ("回复时间", "回复日期", "答复时间", "答复日期", "办理时间", "办理日期", "办结时间", "办结日期", "处理时间",
                "反馈时间"),
    "reply_unit": ("回复单位", "回复部门", "回复机构", "答复单位", "答复部门", "办理单位", "办理部门", "处理单位", "处理部门",
                   "承办单位", "承办部门", "受理单位", "受理部门"),
    "reply": ("回复内容", "答复内容", "回复意见", "答复意见", "办理结果", "处理结果", "处理意见", "办理意见", "反馈内容",
              "回复"),
    "category": ("信件分类", "信件类型", "信件类别", "来信类型", "来信类别", "留言类型", "留言类别", "诉求类型", "类型", "类别",
                 "分类"),
    "status": ("处理状态", "办理状态", "回复状态", "信件状态", "状态"),
    "number": ("受理编号", "信件编号", "来信编号", "留言编号", "编号", "查询编号", "查询码", "查询号"),
    "writer": ("来信人", "写信人", "留言人", "提问人", "咨询人", "投诉人", "建议人", "发信人", "姓名", "网友", "署名"),
    "contact": ("联系电话", "电话", "手机", "手机号码", "联系方式", "电子邮件", "电子邮箱", "邮箱", "联系地址", "通讯地址",
                "地址", "证件号码", "身份证号", "身份证号码", "邮政编码"),
}


def least_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words holding none of the others, shortest first: a text holds one of the words exactly when it holds one
    of these (and a short word, often found early, is searched first)."""
    return tuple(sorted((word for word in dict.fromkeys(words) if not any(other != word and other in word
                                                                         for other in words)), key=len))


_QUICK = least_words(LABELS["question"])  # (内容, 问题描述): a page without a question label and one of a reply or
_QUICK_TOO = re.compile("|".join((*LABELS["received"], *LABELS["replied"], *LABELS["reply_unit"], *LABELS["reply"],
                                  "{$", "{{", "<textarea", "<TEXTAREA")))  # date (or a template/form) is not parsed
_LABEL_OF = {label: name for name, labels in LABELS.items() for label in labels}
_MAX_LABEL = max(len(label) for label in _LABEL_OF)

# Vendor profiles: URL patterns of their mailbox detail and list pages. A profile only names the vendor of a
# record and lets two labelled groups suffice; it never makes a page a record on its own.
PROFILES: tuple[dict[str, Any], ...] = (
    {"name": "hanweb-jact", "url": r"/jact/(?:front/)?(?:mail|letter|consult|message)\w*\.do",
     "list": r"/jact/(?:front/)?\w*list\w*\.do"},
    {"name": "trs-wcm-app", "url": r"/wcm/app/\w+/(?:\w+/)*\w*(?:detail|view|show|read)\w*\.(?:jsp|do)",
     "list": r"/wcm/app/\w+/(?:\w+/)*\w*(?:list|query|search)\w*\.(?:jsp|do)"},
    {"name": "kaipuyun", "url": r"/(?:interaction|hdjl|ucap)/(?:\w+/)*\w*(?:detail|view|show|content)\w*",
     "list": r"/(?:interaction|hdjl|ucap)/(?:\w+/)*\w*list\w*"},
    {"name": "generic-query", "url": r"(?:(?:letter|mail|xinx|liuyan|zixun|consult|complain|tousu|advice|jianyi)\w*"
                                     r"\.(?:jsp|do|aspx?|php|html?)\?(?:\w+=[^&]*&)*\w*id="
                                     r"|[?&](?:m|mod|app|module|c)=(?:guestbook|liuyan|message|mail|letter|consult)"
                                     r"&(?:\w+=[^&]*&)*\w*id=)",
     "list": r"(?:letter|mail|xinx|liuyan|zixun)\w*(?:list|query)\w*\.(?:jsp|do|aspx?|php|html?)"
             r"|[?&](?:m|mod|app|module|c)=(?:guestbook|liuyan|message|mail|letter|consult)&"},
)

KIND_WORDS: tuple[tuple[str, str], ...] = (  # first match wins: category value, then subject, column, title
    ("survey", "网上调查|问卷调查|民意调查|调查问卷|征集调查"), ("interview", "在线访谈|访谈实录|嘉宾访谈"),
    ("complaint", "投诉|举报|求决"), ("consult", "咨询|问询|询问"), ("suggestion", "建议|意见征集|献策"),
    ("letter", "信箱|来信|写信|留言|感谢|其他|其它"))
REJECTED_WORDS = re.compile(r"^(?:拒绝受理|不予受理|不受理|已退回|退回|无效信件|重复信件)$")  # a decision, not a reply
# Headers of a table listing letters (a column of rows: number, subject, dates, status), beside LABELS' own.
LIST_HEADERS: dict[str, tuple[str, ...]] = {
    "received": ("受理时间", "受理日期", "来信日期", "时间", "日期"), "status": ("信件状态", "办件状态", "办理情况", "状态"),
    "reply_unit": ("办理单位", "处理单位", "回复单位", "受理单位"), "category": ("类别", "类型", "信件类型")}
_LIST_QUICK = ("信件", "来信", "留言", "办件", "诉求", "咨询", "投诉")  # words a page listing letters holds
_LIST_NEEDS = ("状态", "受理时间", "来信时间", "回复", "答复", "办结")  # one of them too
REPLIED_WORDS = re.compile(r"^(?:已回复|已答复|已办结|办结|已处理|处理完毕|已反馈|回复完毕|已办理)$")
UNREPLIED_WORDS = re.compile(r"^(?:未回复|待回复|未答复|待答复|暂未回复|尚未回复|暂无回复|暂无答复|未办结|待办理|办理中|"
                             r"处理中|正在办理|正在处理|受理中|已受理|待处理|未处理|新办件|新信件|待受理|未受理|已转办|转办中|交办中)$")
PLACEHOLDER = re.compile(r"\{\$?[A-Za-z_][\w.]*\}|\{\{[^}]*\}\}|\$\{[^}]*\}|<%[=#]?[^%]*%>|\[\$\w+\$\]")
_DATE = re.compile(r"((?:19|20)\d\d)\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?"
                   r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?")
_VOTES = re.compile(r"(\d+)\s*票")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_COLONS = " \t\r\n\u3000:：*＊【】[]"
_CELL_TAGS = ("td", "th", "dt", "dd", "span", "strong", "b", "label", "em", "p", "div", "li", "h3", "h4", "font")
_HTML_TAGS = {"p", "br", "table", "tbody", "tr", "td", "th", "ul", "ol", "li", "strong", "b", "em", "span", "div",
              "a", "img"}
_HTML_ATTRS = {"a": {"href"}, "img": {"src", "alt"}, "td": {"colspan", "rowspan"}}
# Interviews (在线访谈): a transcript of turns, each a paragraph opening with its speaker ('主持人：…', '[嘉宾]…',
# '【张局长】…'). The host and netizens ask (问), everyone else answers (答). The header labels name the topic,
# the date and the guests.
INTERVIEW_TERMS = ("在线访谈", "访谈实录", "文字实录", "访谈直播", "嘉宾访谈", "访谈主题", "访谈嘉宾")
INTERVIEW_WORDS = re.compile("|".join(INTERVIEW_TERMS))


def covering_pairs(terms: tuple[str, ...]) -> tuple[str, ...]:
    """Two-character pieces, every term holding one (greedily the piece most terms not yet held hold): a text holding
    none of them holds none of the terms."""
    if not all(terms):
        return ("",)  # an empty term is in every text
    pieces: list[str] = []
    left = list(terms)
    while left:
        counts: dict[str, int] = {}
        for term in left:
            for piece in dict.fromkeys(term[i:i + 2] for i in range(max(len(term) - 1, 1))):
                counts[piece] = counts.get(piece, 0) + 1
        best = max(counts, key=lambda piece: counts[piece])
        pieces.append(best)
        left = [term for term in left if best not in term]
    return tuple(pieces)


_INTERVIEW_HINTS = covering_pairs(INTERVIEW_TERMS)  # (访谈, 文字): a page holding neither is searched no further
INTERVIEW_LABELS: dict[str, tuple[str, ...]] = {
    "subject": ("访谈主题", "访谈题目", "访谈标题"), "received": ("访谈时间", "访谈日期", "直播时间", "时间"),
    "guests": ("访谈嘉宾", "出席嘉宾", "参加嘉宾", "做客嘉宾")}
HOST_SPEAKERS = re.compile(r"^(?:主持人|主持)$")  # not 记者: a 答记者问 article is an article, not an interview
_HOST_MARK = re.compile(r"主持人?\s*(?:</[a-z]+>\s*)?[:：\]】〕］]")  # a host's turn somewhere in the page
ASKING_SPEAKERS = re.compile(r"^(?:网友|网民|市民|群众)(?:\S{0,8})?$")
_TURN = re.compile(r"^\s*(?:[\[【〔［]\s*([^\]】〕］:：\n]{1,16}?)\s*[\]】〕］]\s*[:：]?"
                   r"|([\u4e00-\u9fff·A-Za-z0-9（）()“”‘’「」]{1,16}?)\s*[:：])\s*(.*)$", re.S)
_NOT_SPEAKER = re.compile(r"时间|日期|主题|题目|地点|来源|访谈嘉宾|出席嘉宾|参加嘉宾|做客嘉宾|简介|背景|作者|点击|浏览|发布")
_BLOCKS = "p, li, dd, div, td, h4, h5, h6"


@dataclass
class InteractionRecord:
    """One letter, consultation, complaint, suggestion, survey or interview; unknown fields None."""

    url: str
    site: str | None = None
    kind: str = "letter"
    subject: str | None = None
    number: str | None = None
    category: str | None = None
    writer: str | None = None  # personal data: kept for the office, masked in every export
    contact: dict[str, str] = field(default_factory=dict)  # label → value; personal data too
    received: str | None = None  # ISO date or date-time, as printed
    replied: str | None = None
    reply_unit: str | None = None
    question_html: str | None = None
    reply_html: str | None = None
    status: str = "unknown"
    status_text: str | None = None  # the status as printed (已办结, 拒绝受理…)
    source: str = "detail"  # detail: the record's own page | list: a row of a list page (fewer fields)
    survey: list[dict[str, Any]] | None = None  # [{question, options: [{option, votes, percent}]}]
    profile: str = "generic"
    column_path: list[str] = field(default_factory=list)
    content_hash: str = ""

    def compute_hash(self) -> str:
        """Hash of what an office calls the record (subject, dates, question, reply, status)."""
        digest = hashlib.sha256()
        for part in (self.kind, self.subject, self.received, self.replied, self.reply_unit, self.question_html,
                     self.reply_html, self.status, repr(self.survey)):
            digest.update((part or "").encode("utf-8") + b"\x00")
        self.content_hash = digest.hexdigest()
        return self.content_hash

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for the store and parser processes)."""
        return asdict(self)


@dataclass
class Detection:
    """What an interaction page is: a record, a form or template without one, or a list of records."""

    kind: str  # record | form | list
    profile: str
    reason: str
    record: InteractionRecord | None = None


def _holds_any(text: str, words: tuple[str, ...]) -> bool:
    """True when the text holds one of the words (_holds each: quicker than one pattern's scan of a page)."""
    return any(_holds(text, word) for word in words)


def _holds(text: str, word: str) -> bool:
    """word in text, searched only when the text holds each of its characters (a look for one character is a
    memchr, several times quicker than a search for a word of two or more; most pages lack some character of the
    rarer words)."""
    return all(char in text for char in word) and word in text


def vendor_profile(url: str, which: str = "url") -> str | None:
    """The vendor profile whose detail (or list) URL pattern the URL matches, or None."""
    for profile in PROFILES:
        if re.search(profile[which], url or "", re.IGNORECASE):
            return str(profile["name"])
    return None


def detect(html: str, url: str, site: str | None = None) -> Detection | None:
    """An interaction record, form or template on this page, or None when the page is none of them."""
    if not html or not ((_holds_any(html, _QUICK) and _QUICK_TOO.search(html))
                        or (_holds(html, "调查") and ("票" in html or "%" in html))
                        or (_holds_any(html, _INTERVIEW_HINTS) and INTERVIEW_WORDS.search(html)
                            and _HOST_MARK.search(html))):
        return None
    tree = LexborHTMLParser(html)
    body = tree.body
    if body is None:
        return None
    fields, placeholders = labelled_fields(body)
    profile = vendor_profile(url) or "generic"
    title = _title(tree)
    survey = survey_results(body) if title and re.search(r"调查|问卷|投票|征集", title) else []
    if survey:
        record = InteractionRecord(url, site, "survey", subject=title, survey=survey, profile=profile)
        record.received = iso_date(fields.get("received"))
        record.compute_hash()
        return Detection("record", profile, f"a survey with {len(survey)} question(s) and counts", record)
    interview = interview_record(tree, body, url, site, profile, title)
    if interview is not None:
        return Detection("record", profile, f"an interview transcript of {len(interview.survey or [])} turns",
                         interview)
    groups = {name for name in fields if name in ("question", "reply", "reply_unit", "replied", "received")}
    if placeholders >= 3 and len(groups) <= 1:
        return Detection("form", profile, f"a mailbox template whose values a script fills ({placeholders} "
                                          f"placeholders); its records are not in the page")
    if "question" not in fields or not _is_record(groups, profile):
        if _is_form(body, fields):
            return Detection("form", profile, "a mailbox form (写信/查询): no record in the page")
        return None
    record = build_record(fields, url, site, profile, title)
    record.compute_hash()
    return Detection("record", profile, f"labelled fields {', '.join(sorted(groups))} ({profile})", record)


def _is_record(groups: set[str], profile: str) -> bool:
    """Whether the labelled groups found make a record: a question with a reply section or a date received
    and one more (two suffice on a vendor's mailbox URL)."""
    reply_side = groups & {"reply", "reply_unit", "replied"}
    need = 2 if profile != "generic" else 3
    return "question" in groups and (bool(reply_side) or "received" in groups) and len(groups) >= need


def _is_form(body: LexborNode, fields: dict[str, str]) -> bool:
    """A page with a letter-writing or query form: a textarea or inputs beside mailbox labels."""
    labels = len(set(fields) & {"question", "subject", "writer", "contact", "number"})
    return labels >= 2 and body.css_first("textarea, input[type=text], input:not([type])") is not None


def labelled_fields(body: LexborNode) -> tuple[dict[str, str], int]:
    """Field name → value HTML for every labelled value on the page (first wins), and how many values were
    script placeholders. A label is a cell or element whose whole text is a known label (colon optional)
    followed by its value in the next cell, or text 'label：value' within one element."""
    found: dict[str, str] = {}
    placeholders = 0
    for node in body.css(",".join(_CELL_TAGS)):
        raw = node.text(deep=True, separator="", strip=True)
        if not raw or len(raw) > 400:
            continue
        label = _label(raw)
        if label is not None:
            value = _next_value(node)
        else:
            label, value = _inline(node, raw)
            if label is not None and _LABEL_OF[label] == "contact":
                continue  # contact details inline are the site's own (footer address, phone): only cell pairs
        if label is None or value is None:
            continue
        if PLACEHOLDER.search(value):
            placeholders += 1
            continue
        name = _LABEL_OF[label]
        if name == "contact":
            found.setdefault(f"contact:{label}", value)
        found.setdefault(name, value)
    return found, placeholders


def _label(raw: str) -> str | None:
    """The known label a cell's whole text is (spaces and colons ignored), or None."""
    key = re.sub(r"\s+", "", raw).strip(_COLONS)
    return key if len(key) <= _MAX_LABEL and key in _LABEL_OF else None


def _inline(node: LexborNode, raw: str) -> tuple[str | None, str | None]:
    """'label：value' inside one leaf-ish element (no child element holding the label), else (None, None)."""
    match = re.match(r"^\s*([\u4e00-\u9fff]{2,6})\s*[:：]\s*(.+)$", raw, re.S)
    if match is None or match.group(1) not in _LABEL_OF:
        return None, None
    for child in node.iter():
        if child.tag not in ("-text", "br", "font", "a") and match.group(1) in (child.text(deep=True) or ""):
            return None, None  # the label is in a child element: that element is read on its own
    value = match.group(2)
    return match.group(1), _escape(value.strip())


def _next_value(node: LexborNode) -> str | None:
    """The value after a label element: the next sibling element's HTML (dd after dt, td after td)."""
    sibling = node.next
    while sibling is not None and sibling.tag in ("-text", "-comment") and not (sibling.text() or "").strip():
        sibling = sibling.next
    if sibling is None:
        return None
    if sibling.tag == "-text":
        return _escape(sibling.text().strip(_COLONS))
    if sibling.tag in ("script", "style"):
        return None
    if _label(sibling.text(deep=True, separator="", strip=True) or "") is not None:
        return ""  # the next cell is another label: this one is empty
    return sibling.inner_html or ""


def _escape(text: str) -> str:
    """Plain text as HTML."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clean_html(value: str | None) -> str | None:
    """Value HTML reduced to safe markup, None when it holds no text."""
    if value is None:
        return None
    cleaned = nh3.clean(value, tags=_HTML_TAGS, attributes=_HTML_ATTRS, link_rel=None).strip()
    return cleaned if text_of_html(cleaned) else None


def text_of_html(value: str | None) -> str:
    """The text of an HTML fragment, spaces collapsed."""
    if not value:
        return ""
    node = LexborHTMLParser(f"<div>{value}</div>").body
    text = node.text(deep=True, separator=" ") if node is not None else value
    return re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip()


def iso_date(value: str | None) -> str | None:
    """The first date (with its time when given) in a value, as ISO text; None when there is none."""
    match = _DATE.search(text_of_html(value))
    if match is None:
        return None
    year, month, day, hour, minute, second = match.groups()
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    date = f"{year}-{int(month):02d}-{int(day):02d}"
    if hour is None:
        return date
    return f"{date}T{int(hour):02d}:{int(minute):02d}:{int(second or 0):02d}"


def build_record(fields: dict[str, str], url: str, site: str | None, profile: str, title: str | None
                 ) -> InteractionRecord:
    """The record of a page's labelled fields."""
    plain = {name: text_of_html(value) for name, value in fields.items()}
    reply_html = clean_html(fields.get("reply"))
    status_text = plain.get("status") or ""
    if reply_html is not None and UNREPLIED_WORDS.match(text_of_html(reply_html)):
        status_text, reply_html = status_text or text_of_html(reply_html), None
    record = InteractionRecord(
        url, site, subject=plain.get("subject") or title or None, number=plain.get("number") or None,
        category=plain.get("category") or None, writer=plain.get("writer") or None,
        contact={name.split(":", 1)[1]: plain[name] for name in plain if name.startswith("contact:") and plain[name]},
        received=iso_date(fields.get("received")), replied=iso_date(fields.get("replied")),
        reply_unit=plain.get("reply_unit") or None, question_html=clean_html(fields.get("question")),
        reply_html=reply_html, profile=profile)
    record.status = reply_status(status_text, record, "reply" in fields or "replied" in fields)
    record.status_text = status_text or None
    record.kind = record_kind(record.category, record.subject, title, url)
    return record


def reply_status(status_text: str, record: InteractionRecord, reply_shown: bool) -> str:
    """replied | unreplied | refused | unknown: the printed status first, then a reply's presence; a page that
    shows no reply section at all says nothing."""
    words = re.sub(r"\s+", "", status_text)
    if REJECTED_WORDS.match(words):
        return "refused"  # 不予受理: a decision, no reply owed (status_text keeps the words printed)
    if REPLIED_WORDS.match(words):
        return "replied"
    if UNREPLIED_WORDS.match(words):
        return "unreplied"
    if record.reply_html or record.replied:
        return "replied"
    return "unreplied" if reply_shown else "unknown"


def record_kind(category: str | None, subject: str | None, title: str | None, url: str) -> str:
    """The record's kind from its category, else its subject or page title; 'letter' when none says."""
    for text in (category, subject, title):
        for kind, words in KIND_WORDS:
            if text and re.search(words, text):
                return kind
    return "letter"


def survey_results(body: LexborNode) -> list[dict[str, Any]]:
    """A survey's questions with options and counts (rows of 'option … N票 … P%'); [] when there are none."""
    text = body.text(deep=True, separator="\n") or ""
    if not re.search(KIND_WORDS[0][1], text):
        return []
    questions: list[dict[str, Any]] = []
    for table in body.css("table"):
        if len(table.css("table")) > 1:  # the table itself counts: an outer layout table is skipped
            continue
        options = []
        for row in table.css("tr"):
            cells = [c.text(deep=True, separator=" ", strip=True) for c in row.css("td, th")]
            joined = " ".join(cells)
            votes = _VOTES.search(joined)
            if not cells or votes is None or not cells[0] or _VOTES.fullmatch(cells[0]):
                continue
            percent = _PERCENT.search(joined)
            options.append({"option": cells[0], "votes": int(votes.group(1)),
                            "percent": float(percent.group(1)) if percent else None})
        if len(options) >= 2:
            caption = table.css_first("caption, th")
            question = caption.text(strip=True) if caption is not None and not _VOTES.search(caption.text()) else None
            questions.append({"question": question or None, "options": options})
    return questions


def interview_record(tree: LexborHTMLParser, body: LexborNode, url: str, site: str | None, profile: str,
                     title: str | None) -> InteractionRecord | None:
    """An interview (kind interview) when the page calls itself one and holds a transcript with a host's turn
    and a guest's turn; its turns are kept as data in `survey` ([{speaker, role, text}]), the transcript as
    `question_html`, the topic and date from the header labels. None otherwise."""
    header = _interview_header(body)
    named = " ".join(node.text(strip=True) for node in tree.css("title, h1, h2, h3"))
    if not (INTERVIEW_WORDS.search(named) or {"subject", "guests"} & set(header)):
        return None  # the page must call itself an interview (its title or 访谈 labels), not only link to one
    turns = transcript(body)
    roles = {turn["role"] for turn in turns}
    if len(turns) < 3 or "host" not in roles or "guest" not in roles:
        return None
    record = InteractionRecord(url, site, "interview", subject=header.get("subject") or title, profile=profile,
                               received=iso_date(header.get("received")), survey=turns)
    record.category = header.get("guests") or None  # who answered, as the page names them (officials, public)
    record.question_html = "".join(f"<p><strong>{_escape(t['speaker'])}：</strong>{_escape(t['text'])}</p>"
                                   for t in turns)
    record.compute_hash()
    return record


def transcript(body: LexborNode) -> list[dict[str, str]]:
    """The turns of a transcript in page order: [{speaker, role (host|guest), text}]. A paragraph opening with
    a speaker starts a turn; a paragraph without one beside it continues it; a speaker must be the host, a
    netizen, or speak at least twice (so 'label：value' lines are no turns)."""
    candidates: list[tuple[str, str, Any]] = []  # (speaker, text, parent) per block, speaker '' = continuation
    for node in body.css(_BLOCKS):
        if len(node.css(_BLOCKS)) > 1:
            continue  # a container: its blocks are read on their own (css() matches the node itself too)
        for line in (node.text(deep=True, separator="\n") or "").split("\n"):
            line = line.replace("\u3000", " ").strip()
            if line:
                match = _TURN.match(line)
                speaker = (match.group(1) or match.group(2) or "").strip() if match else ""
                text = match.group(3).strip() if match else line
                candidates.append((speaker, text if speaker else line, node.parent))
    counts: dict[str, int] = {}
    for speaker, _, _ in candidates:
        counts[speaker] = counts.get(speaker, 0) + 1
    turns: list[dict[str, str]] = []
    last_parent = None
    for speaker, text, parent in candidates:
        if speaker and not _NOT_SPEAKER.search(speaker) and (HOST_SPEAKERS.match(speaker)
                                                             or ASKING_SPEAKERS.match(speaker) or counts[speaker] >= 2):
            turns.append({"speaker": speaker, "role": "host" if HOST_SPEAKERS.match(speaker)
                          or ASKING_SPEAKERS.match(speaker) else "guest", "text": text})
            last_parent = parent
        elif turns and parent == last_parent:
            turns[-1]["text"] = f"{turns[-1]['text']}\n{text if not speaker else speaker + '：' + text}".strip()
        else:
            last_parent = None  # another part of the page: what follows no turn continues none
    return [t for t in turns if t["text"]]


def _interview_header(body: LexborNode) -> dict[str, str]:
    """The interview's topic, date and guests from 'label：value' lines."""
    found: dict[str, str] = {}
    for node in body.css(",".join(_CELL_TAGS)):
        raw = (node.text(deep=True, separator="", strip=True) or "").replace("\u3000", " ")
        if not raw or len(raw) > 200:
            continue
        match = re.match(r"^\s*([\u4e00-\u9fff]{2,4})\s*[:：]\s*(.+)$", raw, re.S)
        if match is None:
            continue
        for name, labels in INTERVIEW_LABELS.items():
            if match.group(1) in labels:
                found.setdefault(name, match.group(2).strip())
    return found


def _title(tree: LexborHTMLParser) -> str | None:
    """The page's heading (h1/h2/h3) or <title>, trimmed at a site-name separator."""
    for selector in ("h1", "h2", "h3", "title"):
        node = tree.css_first(selector)
        text = node.text(strip=True) if node is not None else ""
        if text:
            return re.split(r"\s*[-_|—]\s*", text)[0] or None
    return None


def route(info: Any, text: str, url: str, site: str | None, kind: str) -> tuple[str, dict[str, Any] | None]:
    """The kind a crawled page is stored as once interaction pages are recognised, and what to keep of it:
    an article or unclassed page holding a record becomes an 'other' page whose record is kept apart
    ({"record": …}); a mailbox form or template is an 'other' page noted as such ({"form": reason}); lists,
    homes and everything else are left as they were."""
    if kind in ("list", "column-home", "home", "article", "other") and _holds_any(text or "", _LIST_NEEDS) \
            and _holds_any(text or "", _LIST_QUICK):  # the rarer words first (信件, 咨询… are in many menus)
        rows = list_records(text, url, site)
        if rows:
            for row in rows:
                _in_column(row, info.breadcrumb)
            if kind == "article":
                kind, info.page_class = "other", "other"
            info.reason = f"{info.reason}; lists {len(rows)} interaction record(s), kept in interaction_records"
            return kind, {"rows": [row.to_dict() for row in rows]}
    if kind not in ("article", "other"):
        return kind, None
    found = detect(text, url, site)
    if found is None:
        return kind, None
    if found.kind == "form":
        info.page_class, info.reason = "other", f"interaction form, no record: {found.reason}"
        return "other", {"form": found.reason}
    assert found.record is not None
    _in_column(found.record, info.breadcrumb)
    info.page_class = "other"
    info.reason = f"an interaction record ({found.record.kind}, {found.record.status}): kept in interaction_records"
    return "other", {"record": found.record.to_dict()}


def list_records(html: str, url: str, site: str | None = None) -> list[InteractionRecord]:
    """The letters a list page shows as table rows (header cells naming a subject and a date received or a
    status): each a record of what the row says, keyed by its detail link, or by the page and its number when
    the row links nowhere (javascript:;). [] when no table of the page lists letters."""
    tree = LexborHTMLParser(html)
    if tree.body is None:
        return []
    found: list[InteractionRecord] = []
    title = _title(tree)
    for table in tree.body.css("table"):
        if len(table.css("table")) > 1:
            continue
        rows = table.css("tr")
        columns = _list_columns(rows[0]) if rows else {}
        if "subject" not in columns or not ({"received", "status"} & set(columns)) or len(columns) < 3:
            continue
        found += [record for row in rows[1:] if (record := _list_row(row, columns, url, site, title)) is not None]
    return found


def _list_columns(row: LexborNode) -> dict[str, int]:
    """Field name → column index of a header row whose cells are letter labels."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(row.css("td, th")):
        key = re.sub(r"\s+", "", cell.text(deep=True, separator="", strip=True)).strip(_COLONS)
        name = _LABEL_OF.get(key) or next((n for n, labels in LIST_HEADERS.items() if key in labels), None)
        if name in ("subject", "received", "replied", "status", "number", "reply_unit", "category"):
            columns.setdefault(name, index)
    return columns


def _list_row(row: LexborNode, columns: dict[str, int], page_url: str, site: str | None, title: str | None
              ) -> InteractionRecord | None:
    """The record one list row shows (its kind from its category, subject or the page's title), or None for a
    row without a subject."""
    cells = row.css("td, th")
    if len(cells) <= max(columns.values()):
        return None
    link = cells[columns["subject"]].css_first("a")
    subject = (link.attributes.get("title") if link is not None else None) or \
        cells[columns["subject"]].text(deep=True, separator=" ", strip=True)
    if not subject:
        return None
    values = {name: cells[index].text(deep=True, separator=" ", strip=True) for name, index in columns.items()}
    href = (link.attributes.get("href") or "").strip() if link is not None else ""
    number = values.get("number") or None
    if href and not href.lower().startswith(("javascript:", "#", "mailto:")):
        target = canonical_url(urljoin(page_url, href)) or urljoin(page_url, href)
    else:
        target = f"{page_url.split('#', 1)[0]}#{number or hashlib.sha1(subject.encode()).hexdigest()[:12]}"
    status_text = re.sub(r"\s+", "", values.get("status") or "")
    record = InteractionRecord(target, site, subject=subject.strip(), number=number,
                               category=values.get("category") or None, received=iso_date(values.get("received")),
                               replied=iso_date(values.get("replied")), reply_unit=values.get("reply_unit") or None,
                               status_text=status_text or None, source="list",
                               profile=vendor_profile(page_url, "list") or vendor_profile(target) or "generic")
    record.status = reply_status(status_text, record, False) if status_text else "unknown"
    record.kind = record_kind(record.category, record.subject, title, target)
    record.compute_hash()
    return record


def _in_column(record: InteractionRecord, column: list[str] | None) -> None:
    """File a record in its page's column; a record nothing else names the kind of takes its column's
    (企业投诉平台 → complaint), never the other way round."""
    record.column_path = list(column or [])
    if record.kind == "letter" and not record.category:
        record.kind = record_kind(None, None, " ".join(record.column_path), record.url)
        record.compute_hash()
