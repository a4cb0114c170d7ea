"""Checks before republishing: personal data, repealed or expired documents, links that will die or leak.

Pure functions over text, tables and HTML; the stage (consolidate/triage.py) feeds them articles and attachment
texts and records the findings. A finding never carries the full value it found: only a masked excerpt (first 6 /
last 4 of an ID number, first 3 / last 4 of a mobile, last 4 of a card, the surname of a name).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

PERSONAL = "personal"
VALIDITY = "validity"
LINK = "link"
REVIEW = "review"  # something nobody could read (an attachment in a format no library here reads)

KIND_LABELS = {
    "id_card": "身份证号", "mobile": "手机号", "bank_card": "银行卡号", "name": "姓名",
    "repealed": "已废止/失效", "expired": "已过有效期", "superseded": "已被新文件替代",
    "private_link": "内网/私有地址链接", "dead_link": "关停网站链接（无跳转）", "spam_link": "暗链",
    "unread_attachment": "附件无法读取",
}
KIND_CATEGORY = {"id_card": PERSONAL, "mobile": PERSONAL, "bank_card": PERSONAL, "name": PERSONAL,
                 "repealed": VALIDITY, "expired": VALIDITY, "superseded": VALIDITY,
                 "private_link": LINK, "dead_link": LINK, "spam_link": LINK, "unread_attachment": REVIEW}

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PROVINCES = frozenset(("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
                        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
                        "65", "71", "81", "82", "83", "91"))
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_EDGE_L, _EDGE_R = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
ID18_RE = re.compile(_EDGE_L + r"([1-9]\d{5}(?:18|19|20)\d{2}" + _DATE + r"\d{3}[0-9Xx])" + _EDGE_R)
ID15_RE = re.compile(_EDGE_L + r"([1-9]\d{5}\d{2}" + _DATE + r"\d{3})" + _EDGE_R)
MOBILE_RE = re.compile(_EDGE_L + r"(?:\+?86[-\s]?)?(1[3-9]\d[-\s]?\d{4}[-\s]?\d{4})" + _EDGE_R)
CARD_RE = re.compile(_EDGE_L + r"([3-6]\d{3}(?:[-\s]?\d{4}){2,3}(?:[-\s]?\d{1,3})?)" + _EDGE_R)
_ENOUGH_DIGITS = re.compile(r"\d{3}[-\s]?\d{4}")  # nothing personal can hide in a text without such a run
_SEPARATORS = re.compile(r"[-\s]")

NAME_HEADERS = ("姓名", "名字", "户主", "户主姓名", "申请人", "联系人", "负责人", "法定代表人", "法人代表", "持卡人",
                "收款人", "领款人", "学生姓名", "家长姓名", "监护人", "考生姓名", "人员姓名", "救助对象", "受助人")
_SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
                      "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
                      "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童"
                      "凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项"
                      "连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲"
                      "虞敖巩明佘池查麻苑迟邝")
NAME_RE = re.compile(r"[\u4e00-\u9fff]{2,4}(?:[·•][\u4e00-\u9fff]{1,8})?")
_NOT_NAMES = frozenset(("合计", "总计", "小计", "备注", "汉族", "已婚", "未婚", "本人", "户主", "配偶", "子女", "父亲",
                        "母亲", "合格", "通过", "正常"))


@dataclass
class Hit:
    """One personal value found in a text: its kind, the value, and where it sits."""

    kind: str
    value: str
    start: int
    end: int


@dataclass
class Finding:
    """One thing to decide about an article: where, what kind, a masked excerpt (never the value), how often."""

    kind: str
    location: str  # "title" | "body" | "attachment:<name>"
    excerpt: str
    detail: str = ""
    count: int = 1

    @property
    def category(self) -> str:
        """personal | validity | link | review."""
        return KIND_CATEGORY[self.kind]


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of an ID number."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def valid_id18(value: str) -> bool:
    """True for an 18-digit 身份证号 with a known province, a real birth date and a correct check digit."""
    if len(value) != 18 or value[:2] not in _PROVINCES or not value[:17].isdigit():
        return False
    return _real_date(value[6:14]) and id_check_digit(value[:17]) == value[17].upper()


def valid_id15(value: str) -> bool:
    """True for a 15-digit (pre-1999) 身份证号: a known province and a real 19YY birth date."""
    return len(value) == 15 and value.isdigit() and value[:2] in _PROVINCES and _real_date("19" + value[6:12])


def _real_date(yyyymmdd: str) -> bool:
    """True for a calendar date between 1890 and today."""
    try:
        day = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return dt.date(1890, 1, 1) <= day <= dt.date.today()


def luhn_valid(digits: str) -> bool:
    """True when a digit string passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def personal_hits(text: str) -> list[Hit]:
    """ID numbers (valid check digit or valid old 15-digit), mobiles and Luhn-valid card numbers in a text."""
    if not text or not _ENOUGH_DIGITS.search(text):
        return []
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern, check in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span(1)
            value = _SEPARATORS.sub("", match.group(1))
            if any(s < end and start < e for s, e in taken) or not check(value):
                continue
            hits.append(Hit(kind, value, start, end))
            taken.append((start, end))
    return sorted(hits, key=lambda h: h.start)


def _card_like(value: str) -> bool:
    """A bank card number: 16–19 digits passing Luhn that is not an ID number."""
    return 16 <= len(value) <= 19 and luhn_valid(value) and not valid_id18(value)


_PATTERNS = (("id_card", ID18_RE, valid_id18), ("bank_card", CARD_RE, _card_like),
             ("id_card", ID15_RE, valid_id15), ("mobile", MOBILE_RE, lambda v: len(v) == 11))


def mask(kind: str, value: str) -> str:
    """The masked form of a value: ID first 6 / last 4, mobile first 3 / last 4, card last 4, name the surname."""
    if kind == "id_card":
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if kind == "mobile":
        return value[:3] + "****" + value[-4:]
    if kind == "bank_card":
        return "*" * (len(value) - 4) + value[-4:]
    if kind == "name":
        return value[0] + "*" * (len(value) - 1)
    return "*" * len(value)


def personal_findings(text: str, location: str) -> list[Finding]:
    """Findings for the personal values of a text, one per (kind, masked excerpt) with its count."""
    counts = Counter((h.kind, mask(h.kind, h.value)) for h in personal_hits(text))
    return [Finding(kind, location, excerpt, count=n) for (kind, excerpt), n in counts.items()]


def mask_text(text: str, wanted: set[tuple[str, str]] | None = None) -> str:
    """The text with personal values masked: all of them, or those whose (kind, masked excerpt) is wanted."""
    hits = personal_hits(text)
    if not hits:
        return text
    parts, last = [], 0
    for hit in hits:
        masked = mask(hit.kind, hit.value)
        if wanted is None or (hit.kind, masked) in wanted:
            parts.extend((text[last:hit.start], masked))
            last = hit.end
    parts.append(text[last:])
    return "".join(parts)


def mask_names(text: str, names: Iterable[str]) -> str:
    """The text with each of the given names replaced by its masked form (longest first)."""
    for name in sorted(set(names), key=len, reverse=True):
        text = text.replace(name, mask("name", name))
    return text


_LABELLED_NAME = re.compile(r"(?:" + "|".join(sorted(NAME_HEADERS, key=len, reverse=True))
                            + r")\s*[:：]\s*([\u4e00-\u9fff]{2,4}(?:[·•][\u4e00-\u9fff]{1,8})?)")
_SENTENCE = re.compile(r"[^\n。；;]+")


def labelled_names(text: str) -> list[str]:
    """Names given with a label (姓名：/联系人：/申请人：…) in a sentence that also holds a personal value."""
    if not text or not _ENOUGH_DIGITS.search(text):
        return []
    names = []
    for sentence in _SENTENCE.finditer(text):
        part = sentence.group(0)
        if _LABELLED_NAME.search(part) and personal_hits(part):
            names += [m.group(1) for m in _LABELLED_NAME.finditer(part) if m.group(1) not in _NOT_NAMES]
    return names


def names_beside(tables: list[list[list[str]]], text: str) -> list[str]:
    """Names standing next to personal values: in table rows, and labelled in the same sentence of the text."""
    return [n for table in tables for n in table_names(table)] + labelled_names(text)


def table_names(rows: list[list[str]]) -> list[str]:
    """Names standing next to personal values in a table: the name column's cell (by a 姓名-like header), else a
    cell of the same row that reads as a Chinese name with a common surname."""
    names: list[str] = []
    name_col: int | None = None
    for row in rows:
        cells = [" ".join((c or "").split()) for c in row]
        header = _name_column(cells)
        if header is not None:
            name_col = header
            continue
        if not any(personal_hits(c) for c in cells):
            continue
        name = _row_name(cells, name_col)
        if name:
            names.append(name)
    return names


def _name_column(cells: list[str]) -> int | None:
    """The index of a 姓名-like header cell in a header row, else None."""
    for i, cell in enumerate(cells):
        if cell.replace(" ", "") in NAME_HEADERS:
            return i
    return None


def _row_name(cells: list[str], name_col: int | None) -> str | None:
    """The name cell of a row holding personal values."""
    if name_col is not None and name_col < len(cells) and _looks_like_name(cells[name_col], loose=True):
        return cells[name_col].replace(" ", "")
    for cell in cells:
        if _looks_like_name(cell, loose=False):
            return cell
    return None


def _looks_like_name(cell: str, loose: bool) -> bool:
    """A cell holding one Chinese personal name (any 2–4 characters under a name header; else a common surname)."""
    cell = cell.replace(" ", "")
    if not NAME_RE.fullmatch(cell) or cell in _NOT_NAMES:
        return False
    return loose or (cell[0] in _SURNAMES and len(cell) <= 3)


def name_findings(names: list[str], location: str) -> list[Finding]:
    """One finding per masked name (with its count)."""
    counts = Counter(mask("name", n) for n in names)
    return [Finding("name", location, excerpt, detail="与个人信息同行", count=n) for excerpt, n in counts.items()]


def html_tables(html: str) -> list[list[list[str]]]:
    """The tables of an HTML fragment as rows of cell texts."""
    if not html or "<t" not in html.lower():
        return []
    tree = LexborHTMLParser(html)
    tables = []
    for table in tree.css("table"):
        rows = [[cell.text(separator=" ", strip=True) for cell in tr.css("td, th")] for tr in table.css("tr")]
        tables.append([r for r in rows if r])
    return tables


# --- validity --------------------------------------------------------------------------------------------------

_REPEAL_VERB = r"(?:废止|失效|作废|停止执行|不再执行)"
_MARKER = re.compile(r"[（(【\[]\s*(?:已\s*)?(?:废止|失效|作废)\s*[）)】\]]|^\s*(?:已废止|已失效)|(?:已废止|已失效)\s*$")
# "本办法…已废止": the words must be about this document ("本/该/此 + document word"), with no other document
# (《…》, a 文号 〔…〕, 原…) and no 同时 between them: "本办法施行后，原《…》同时废止" repeals another one.
_THIS_REPEALED = re.compile(r"(?:本|该|此)(?:件|文件|文|通知|办法|规定|意见|细则|决定|方案|政策|公告|规范性文件)"
                            r"(?:(?!同时|施行)[^。；;《〔\[原]){0,24}?(?:已|予以|宣布|决定)?" + _REPEAL_VERB)
_VALIDITY_LABEL = re.compile(r"有\s*效\s*性\s*[:：]\s*(失效|废止|已失效|已废止|有效|现行有效)")
_CN_DATE = r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?"
_VALID_UNTIL = re.compile(r"有效期(?:至|到|截止(?:到|至)?)\s*" + _CN_DATE)
_VALID_RANGE = re.compile(r"有效期(?:为|自)?\s*" + _CN_DATE + r"\s*(?:起\s*)?(?:至|到|—|-|－|~)\s*" + _CN_DATE)
_VALID_YEARS = re.compile(r"有效期(?:为|暂定)?\s*([一二两三四五六七八九十\d]{1,2})\s*年")
_CN_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def validity_findings(title: str, text: str, validity: str | None, written: str | None, published: str | None,
                      as_of: dt.date) -> list[Finding]:
    """Repealed or expired: a 有效性 of 失效/废止, words saying so in the title or body, a 有效期 before `as_of`."""
    findings: list[Finding] = []
    label = validity or _label_validity(text)
    if label and ("失效" in label or "废止" in label):
        findings.append(Finding("repealed", "body", label, detail=f"有效性：{label}"))
    for where, content in (("title", title or ""), ("body", text or "")):
        match = _repealed_words(content, where == "body")
        if match:
            findings.append(Finding("repealed", where, _around(content, match), detail=f"写明“{match.group(0).strip()}”"))
    until = _valid_until(text or "", written or published)
    if until is not None and until < as_of:
        findings.append(Finding("expired", "body", until.isoformat(), detail=f"有效期至 {until.isoformat()}"))
    return findings


def _repealed_words(content: str, body: bool) -> re.Match[str] | None:
    """Words saying this document is repealed: a （已废止）-style mark (in a body, not one right after another
    document's 《name》 or 文号), or 本办法…废止/停止执行 in a body."""
    for match in _MARKER.finditer(content):
        if not body or not re.search(r"[》号〕\]]\s*$", content[max(0, match.start() - 3):match.start()]):
            return match
    return _THIS_REPEALED.search(content) if body else None


def _label_validity(text: str) -> str | None:
    """The value of a 有效性：label in the text, if any."""
    match = _VALIDITY_LABEL.search(text or "")
    return match.group(1) if match else None


def _around(text: str, match: re.Match[str], width: int = 12) -> str:
    """A short excerpt around a match (validity words carry no personal data)."""
    return mask_text(" ".join(text[max(0, match.start() - width):match.end() + width].split()))


_OTHER_THING = re.compile(r"(?:证|证件|证书|成绩|资格|执照|许可|卡|码|密码|账号|期限|合同|协议|报价|投标)\s*(?:的)?\s*$")
_OWN_TERM = re.compile(r"施行|实施|印发之日|发布之日|公布之日|起执行|(?:本|该)(?:文件|通知|办法|规定|意见|细则|决定|方案|政策|公告|规范性文件)")


def _valid_until(text: str, issued: str | None) -> dt.date | None:
    """The date a document says it is valid until: an explicit date, a range's end, or N years from issue. The
    words must be about the document (not a 证件/成绩/许可 of which a document speaks); N years need the document's
    own start (施行/印发之日/本办法…) in the words just before."""
    for match in [*_VALID_RANGE.finditer(text), *_VALID_UNTIL.finditer(text)]:
        if not _OTHER_THING.search(text[max(0, match.start() - 8):match.start()]):
            return _date(*match.groups()[-3:])
    start = _iso_date(issued)
    for years in _VALID_YEARS.finditer(text) if start is not None else ():
        before = text[max(0, years.start() - 40):years.start()]
        count = _cn_number(years.group(1))
        if not count or _OTHER_THING.search(before[-8:]) or not _OWN_TERM.search(before):
            continue
        try:
            return start.replace(year=start.year + count)
        except ValueError:  # 29 February
            return start.replace(year=start.year + count, day=28)
    return None


def _date(year: str, month: str, day: str) -> dt.date | None:
    """A date from its parts, or None when not a real date."""
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _iso_date(text: str | None) -> dt.date | None:
    """The date part of an ISO date or date-time."""
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _cn_number(text: str) -> int:
    """1–99 from digits or Chinese numerals (五, 十, 二十)."""
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + _CN_NUMBERS.get(text[1:], 0)
    if len(text) == 2 and text[1] == "十":
        return _CN_NUMBERS.get(text[0], 0) * 10
    return _CN_NUMBERS.get(text, 0)


# --- supersession ----------------------------------------------------------------------------------------------

_DOC_NO = re.compile(r"^(?P<series>.*?)[〔\[［(（【]\s*(?P<year>\d{4})\s*[〕\]］)）】]\s*(?:第\s*)?(?P<num>\d+)\s*号?$")
_TITLE_NOISE = re.compile(r"[\s《》“”\"'（）()〔〕\[\]【】]|(?:\d{4}年)?(?:修订|修正|修改)(?:版|稿)?|试行|暂行")


@dataclass
class DocInfo:
    """What supersession needs of one document."""

    url: str
    title: str
    doc_no: str | None
    date: str | None  # written or published, ISO
    text: str


def doc_series(doc_no: str | None) -> tuple[str, int, int] | None:
    """(series, year, number) of a 发文字号 such as 临发改〔2019〕12号; None when it has no such shape."""
    if not doc_no:
        return None
    match = _DOC_NO.match("".join(doc_no.split()))
    if not match or not match.group("series"):
        return None
    return match.group("series"), int(match.group("year")), int(match.group("num"))


def _title_key(title: str) -> str:
    """A title with spacing, quotes, brackets and revision marks removed, for comparing versions."""
    return _TITLE_NOISE.sub("", title or "")


def superseded(docs: list[DocInfo]) -> dict[str, tuple[str, str]]:
    """Older documents → (newer URL, why): a newer document of the same 文号 series and the same title, or a
    newer document that names the older one's 文号 next to 废止/停止执行/代替."""
    out: dict[str, tuple[str, str]] = {}
    numbered = [(d, doc_series(d.doc_no)) for d in docs]
    by_key: dict[tuple[str, str], list[tuple[DocInfo, tuple[str, int, int]]]] = {}
    for doc, series in numbered:
        if series and doc.title:
            by_key.setdefault((series[0], _title_key(doc.title)), []).append((doc, series))
    for group in by_key.values():
        group.sort(key=lambda pair: (pair[1][1], pair[1][2]))
        newest = group[-1]
        for doc, series in group[:-1]:
            if series[1:] != newest[1][1:]:
                out[doc.url] = (newest[0].url, f"同一文号系列的新版本 {newest[0].doc_no}")
    _named_repeals(numbered, docs, out)
    return out


def _named_repeals(numbered: list[tuple[DocInfo, tuple[str, int, int] | None]], docs: list[DocInfo],
                   out: dict[str, tuple[str, str]]) -> None:
    """Documents whose 文号 a later document names beside 废止/停止执行/代替/同时失效."""
    compact_no = {_compact_no(d.doc_no): d for d, s in numbered if s}
    if not compact_no:
        return
    for doc in docs:
        if not doc.text or "号" not in doc.text:
            continue
        for sentence in re.split(r"[。；;\n]", doc.text):
            if not re.search(r"废止|停止执行|不再执行|同时失效|代替|替代", sentence):
                continue
            for match in re.finditer(r"[\u4e00-\u9fff]{1,12}[〔\[［(（【]\s*\d{4}\s*[〕\]］)）】]\s*第?\s*\d+\s*号", sentence):
                older = compact_no.get(_compact_no(match.group(0)))
                if older is not None and older.url != doc.url and older.url not in out \
                        and (older.date or "") <= (doc.date or "9999"):
                    out[older.url] = (doc.url, f"被 {doc.doc_no or doc.title} 明文废止或替代")


def _compact_no(doc_no: str | None) -> str:
    """A 文号 with brackets unified and spaces removed, for matching mentions."""
    text = "".join((doc_no or "").split())
    text = re.sub(r"[\[［(（【]", "〔", text)
    return re.sub(r"[\]］)）】]", "〕", text).replace("第", "")


# --- links -----------------------------------------------------------------------------------------------------

_LOCAL_SUFFIXES = (".local", ".lan", ".localdomain", ".intranet", ".internal", ".corp", ".home", ".gov.intra")


def private_host(host: str) -> bool:
    """True for an address only an intranet reaches: private/loopback/link-local IPs, localhost, bare names."""
    host = (host or "").strip("[]").lower().rstrip(".")
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or "." not in host or host.endswith(_LOCAL_SUFFIXES)
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved


def body_links(html: str) -> Iterator[str]:
    """href and src values of a body, as written."""
    if not html or ("href" not in html and "src" not in html):
        return
    tree = LexborHTMLParser(html)
    for node in tree.css("a[href], img[src], iframe[src], embed[src]"):
        value = node.attributes.get("href") or node.attributes.get("src")
        if value:
            yield value.strip()


def host_of(url: str) -> str:
    """The lower-cased host of an absolute URL ('' when none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
