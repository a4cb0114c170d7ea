"""Records that look wrong on their face: push holds them for review, verify lists those already published.

A record whose body is empty (no text, no image, no attachment, no embedded media), whose title is the site's
name (a template heading taken for the article's), or whose date is in the future or before 1990 is an
extraction failure, whatever the CMS; publishing it would put an empty or wrong page on the portal. So is a page
whose "body" is nothing but page furniture: a rating, comment, search or login widget or a form, whose inputs and
scripts a stored body has lost and whose labels it kept (lgedu's SiteServer 满意度评价 page, titled with the office
it rates, reads `统计日期：2016-10-11 视力保护: 我要留言`): held as an empty body, its furniture quoted.

A picture page (a photo library's large-image view: TRS 图片库, a home-page photo scroller's 点击看大图 page) has
pictures and no text, and its "title" is the picture's file name (`DSC_0837`, `IMG_7110`, `61`, `微信图片_2019…`).
It is not an article as it stands: published, the portal would list news titled `DSC_0837`; dropped, the photo would
be lost unseen. It is held like the others, its images with it, until the office titles it elsewhere or decides its
URL (301 or 410). A picture page with a real title (图片新闻, a scanned certificate) is an article and is not held,
nor is one titled with a date or a name (2021.05.01, G20, APEC 2014): a short number or code is a file name only when
the page's own picture is named so. A picture page an earlier push published is not taken down (push leaves it;
verify lists it as held but published).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath as Path
from typing import Any
from urllib.parse import urlsplit

from consolidate.core.legacy_time import LEGACY_ZONE
from crawlers.text import normalize_space
from crawlers.urls import ATTACHMENT_EXTENSIONS, ATTACHMENT_URL_HINTS, AUDIO_EXTENSIONS, VIDEO_EXTENSIONS

FUTURE_SLACK = dt.timedelta(days=1)  # a clock or zone a day off is not an extraction error
EARLIEST_YEAR = 1990  # no government site published before this; an earlier date is an extraction error
HELD = "held for review"
EMPTY_BODY = "empty body"
SITE_TITLE = "title is the site name"
FUTURE_DATE = "date in the future"
EARLY_DATE = "date before 1990"
FILE_TITLE = "title is a file name"  # a picture page: images, no text, titled with a picture's file name
SAME_BODY = "same body, other title"  # one page carries another's text (a duplicate finder suspect): never merged
HELD_KINDS = (EMPTY_BODY, SITE_TITLE, FUTURE_DATE, EARLY_DATE, FILE_TITLE, SAME_BODY)
HELD_ZH = {EMPTY_BODY: "正文为空，待人工核对", SITE_TITLE: "标题与网站名称相同，待人工核对",
           FUTURE_DATE: "发布日期晚于今天，待人工核对", EARLY_DATE: "发布日期早于1990年，待人工核对",
           FILE_TITLE: "图片页，标题为图片文件名，待人工核对", SAME_BODY: "正文与另一篇文章相同而标题不同，待人工核对"}
MEDIA = re.compile(r"<(?:img|video|audio|source|iframe|embed|object)\b", re.IGNORECASE)
IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|bmp|tiff?|webp|heic)$", re.IGNORECASE)
# what a camera, a phone or a desktop names a picture: DSC_0837, DSCN0042, IMG_7110, PXL_20210501_…, Olympus
# P1010001/PB110222 (P, the month 1-9/A-C, then digits), 微信图片_2019…, Screenshot_…, 屏幕快照 …; a chat app's or a
# desktop's name may have lost its digits to a title cleaner, a camera's never has
CAMERA_NAME = re.compile(r"(?:DSC[NF]?|IMG|PICT?|MVIMG|PXL|VID|DJI|GOPR|CIMG|HPIM|SAM|MMEXPORT|WX_CAMERA)[ _-]?\d{3,}"
                         r"(?:[ _-]\d+)*|P[1-9A-C]\d{6}"
                         r"|(?:微信图片|微信截图|QQ图片|QQ截图|截图|屏幕截图|屏幕快照|Screenshot|扫描件)(?:[ _-]?\d+(?:[ ._:-]\d+)*)?"
                         r"|(?:图片|照片|相片)[ _-]?\d+", re.IGNORECASE)
# a generated name: digits (groups joined by - _ . or space) holding a run of 6 or more (a timestamp, an upload id),
# after at most a letter or two (TRS's W020150917…)
GENERATED_NAME = re.compile(r"(?:[A-Za-z]{1,2}[_-]?)?(?=[\d ._-]*\d{6})\d+(?:[ ._-]\d+)*")
# a day or a year is a title, never a file name: 2008, 2021.05.01, 2021-5-1, 20210501, 2021年5月1日, 2021年5月
DATE_TITLE = re.compile(r"(?:19|20)\d\d(?:(?:[ ./_-]|年)(?:0?[1-9]|1[0-2])(?:月|(?:(?:[ ./_-]|月)(?:0?[1-9]|[12]\d|3[01])日?)?)?"
                        r"|(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))?")
# a number (1-) or a lowercase code (apsb12) is a file name only when the page's picture is named so (its file or the
# name the photo library kept as its alt text); a capitalised code (G20, COVID-19, APEC 2014) is a name, never a file
SHORT_NAME = re.compile(r"\d{1,5}[_-]?|[a-z]{1,8}[_-]?\d{1,5}[_-]?")
# A file's name in a body's text: a video, audio or attachment by its extension (a video page's body is often only
# the name of its .mp4, the player gone); a link (<a href>) still in a published body is something a reader can follow
# (one to javascript:; or # is not).
FILE_NAME = re.compile(r"[^\s/\\<>\"'：:]+(?:" + "|".join(re.escape(e) for e in (*VIDEO_EXTENSIONS, *AUDIO_EXTENSIONS,
                                                                                 *ATTACHMENT_EXTENSIONS)) +
                       r")(?![\w.])", re.IGNORECASE)
LINK = re.compile(r"<a\b[^>]*\bhref\s*=\s*[\"']?(?!\s*(?:javascript:|#|[\"'>]))", re.IGNORECASE)  # javascript:;
# and # lead nowhere
IMG = re.compile(r"<img\b", re.IGNORECASE)
PLAYER = re.compile(r"<(?:video|audio|iframe|embed|object)\b", re.IGNORECASE)  # MEDIA but images
SOURCE = re.compile(r"<source\b", re.IGNORECASE)
# What a CMS leaves in a body's text around the files and media it served, once they are gone: a download label
# (附件下载：, 相关附件, 点击下载), a size note ((276.50 KB), 大小：82K), a media placeholder (视频, 点击播放, 您的浏览器不支持
# video 标签). Taken out with the file names, the list numbers and the title, what is left is what the page says.
LEFTOVER_LABELS = (r"(?:相关|下载|文件|附件)?附件(?:下载|列表|名称|一览)?\s*\d*", r"(?:文件|资料|视频)?下载(?:地址|链接|次数)?",
                   r"(?:单击|点击|双击)(?:此处|这里)?(?:下载|查看|播放|打开|浏览)?", r"(?:在线)?(?:视频|音频|播放器|播放)",
                   r"您的浏览器不支持[^。\n]*", r"(?:文件)?大小", r"(?:浏览|下载)次数\s*\d*")
SIZE_NOTE = re.compile(r"\d+(?:\.\d+)?\s*(?:[KMGT]i?B?|bytes?|字节)(?![A-Za-z])", re.IGNORECASE)
LABEL = re.compile("|".join(LEFTOVER_LABELS), re.IGNORECASE)
LIST_NUMBER = re.compile(r"(?<![\w.])\d{1,3}[.、)）]")
LOST_IMAGES = 2  # images lost (and no fewer than are kept) that made up a page: a scan, a gallery, a manual
SHORT_TEXT = 20  # characters (letters, digits, 汉字): fewer, beside the lost media that made up a page, is no article
ALT = re.compile(r"<img\b[^>]*?\balt\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
# Decoration is no content: a file-type icon a CMS puts inside or beside a file's link (eWebEditor's
# sysimage/icon16/pdf.gif, UEditor's fileTypeImages/icon_doc.gif), a spacer, a loading gif, an emoticon. An image is
# decoration when its declared size is at most DECOR_SIZE px (none larger), when its address says so (a path word
# below, or a file stem that is a file type: pdf.gif, icon_doc.png, xls16.gif), or when it sits inside a link to a
# file or right before one (or before a file's name, the link gone); a declared size above DECOR_SIZE keeps it.
DECOR_SIZE = 32
DECOR_WORD = re.compile(r"(?<![a-z])(?:icons?|ico|file[_-]?icons?|file[_-]?types?(?:[_-]?images?)?|spacer|blank|"
                        r"loading|loader|spinner|pixel|transparent|emotions?|emoji|emoticons?|smiley)(?![a-z])")
FILE_TYPES = "|".join(sorted({e.lstrip(".") for e in (*ATTACHMENT_EXTENSIONS, *VIDEO_EXTENSIONS, *AUDIO_EXTENSIONS)}
                             | {"word", "excel", "powerpoint", "file", "unknown"}, key=len, reverse=True))
FILE_TYPE_STEM = re.compile(rf"(?:(?:icon|ico|file|type|ext)[_-]?)?(?:{FILE_TYPES})(?:[_-]?(?:icon|ico|\d{{1,3}}))?",
                            re.IGNORECASE)
# A form's captcha is no picture whatever its size: its address names it (captcha, verifycode, yzm, code.jsp …)
CAPTCHA = re.compile(r"captcha|(?:verify|valid(?:ate)?|check|auth|rand|security|image|img)[_-]?code|(?<![a-z])yzm(?![a-z])"
                     r"|(?:^|/)code\.(?:jsp|aspx?|php|do|action)$", re.IGNORECASE)
IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
HREF = re.compile(r"\bhref\s*=\s*[\"']?([^\"'\s>]*)", re.IGNORECASE)
SRC = re.compile(r"\bsrc\s*=\s*[\"']?([^\"'\s>]*)", re.IGNORECASE)
SIZE = re.compile(r"(?<![\w-])(width|height)\s*(?:=\s*[\"']?|:\s*)(\d+(?:\.\d+)?)(?:px)?(?![\d.%])", re.IGNORECASE)
GAP = re.compile(r"(?:\s|&nbsp;|&#160;|\u00a0)*")
FILE_EXT = re.compile(r"\.(?:" + "|".join(e.lstrip(".") for e in (*ATTACHMENT_EXTENSIONS, *VIDEO_EXTENSIONS,
                                                                    *AUDIO_EXTENSIONS)) + r")$", re.IGNORECASE)

# What a page's template and its widgets put where an article's text would be: its tools (打印, 关闭, 视力保护, 字号),
# a comment box (我要留言, 暂无评论), a rating (满意度评价, 满意/基本满意/不满意), a search box (请输入关键字, 搜索) and a login
# (用户名, 密码, 验证码, 登录) — their inputs, buttons and scripts are gone from a stored body, their words stay — and
# a label with no value but a date, a time or a count (统计日期：2016-10-11, 浏览次数：12, 视力保护:). A body with
# nothing else is a widget or form page (SiteServer's 满意度评价 page titled with the department it rates), not an
# article. Longest first, so 不满意 goes before 满意.
WIDGET_WORDS = tuple(sorted({
    "打印本页", "打印", "关闭窗口", "关闭", "分享到", "分享", "收藏", "加入收藏", "字号", "字体", "大中小", "视力保护",
    "护眼模式", "背景色", "返回顶部", "返回", "我要纠错", "纠错", "默认",
    "我要留言", "我要评论", "发表评论", "发表留言", "网友评论", "最新评论", "热门评论", "热门留言", "暂无评论", "暂无留言",
    "评论加载中", "加载中", "正在加载", "请稍候", "点击加载更多评论", "加载更多", "请输入评论内容", "条评论", "已有",
    "评论", "留言", "回复", "发布", "提交", "重置", "取消", "确定", "验证码", "看不清", "换一张",
    "满意度评价", "满意度调查", "满意度", "非常满意", "比较满意", "基本满意", "很不满意", "不满意", "满意", "一般",
    "评价", "请评价", "投票", "查看结果", "查看投票结果", "支持", "反对",
    "站内搜索", "全站搜索", "高级搜索", "全文检索", "搜索", "检索", "请输入关键字", "请输入关键词", "关键字", "关键词",
    "热搜词", "本站", "全部",
    "用户登录", "用户名", "密码", "登录", "登陆", "注册", "忘记密码", "记住密码", "记住我", "退出"}, key=len, reverse=True))
WIDGET_WORD = re.compile("|".join(re.escape(w) for w in WIDGET_WORDS))
VALUELESS_LABEL = re.compile(r"[\u4e00-\u9fff]{2,8}\s*[:：]\s*(?:(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
                             r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?|\d{1,6}(?![\d-])\s*次?)?")  # a count, no phone
WIDGET_MAX_TEXT = 500  # characters: a longer body says something (a widget page's furniture runs to a line or two)


def face_problems(article: Any, site_names: list[str], today: dt.date | None = None) -> list[str]:
    """What looks wrong about a record on its face (English lines, as verify reports them)."""
    return [detail for _category, detail in _problems(article, site_names, today)]


def hold_reason(article: Any, site_names: list[str], today: dt.date | None = None) -> str | None:
    """The push skip reason of a record that must not be published before someone looks at it, else None:
    '<category>: held for review (<detail>; <中文>)'."""
    problems = _problems(article, site_names, today)
    if not problems:
        return None
    category, detail = problems[0]
    return f"{category}: {HELD} ({detail}; {HELD_ZH[category]})"


def same_body_hold(other_url: str, other_title: str) -> str:
    """The hold reason of an article whose body is the same as another's (`other_url`) under a clearly different
    title: which of the two pages carries the right title is for the office to say."""
    return f"{SAME_BODY}: {HELD} (the same text as {other_url}, titled {other_title!r}; {HELD_ZH[SAME_BODY]})"


def published_hold_reason(article: Any, published_html: str, carried_files: int, removed: str = "") -> str | None:
    """The hold reason of a record whose body as it would be published (the images and links the push takes out
    removed, `carried_files` attachments re-hosted) carries nothing — nothing but its title, the file names of a
    video or files it does not carry, a CMS's download labels and size notes, or a few words beside the images,
    video or files it lost — else None; `removed` says what was taken out."""
    text = article.body_text or ""
    names = [a.get("name") or "" for a in article.attachments or []]
    lost = lost_content(article, published_html, carried_files)
    if not bare(text, published_html, carried_files, title=article.title or "", names=names, lost=lost):
        return None
    found = FILE_NAME.findall(text)
    left = leftover_text(text, article.title or "", names)
    detail = _bare_detail(text, found, left, lost) + (f" — {removed}" if removed else "")
    return f"{EMPTY_BODY}: {HELD} ({detail}; {HELD_ZH[EMPTY_BODY]})"


def _bare_detail(text: str, found: list[str], left: str, lost: str) -> str:
    """What a bare body still shows, in words."""
    if found and not left:
        more = f" and {len(found) - 1} more" if len(found) > 1 else ""
        return f"only a file name left ({found[0]}{more}): the video or file it names is not carried"
    if left:
        return f"only {left!r} left of its text, having lost {lost}: what made up the page is not carried"
    if text.strip():
        return "nothing left but its title, download labels or size notes: what made up the page is not carried"
    return "empty body once what the legacy site could not serve is taken out"


def lost_content(article: Any, published_html: str, carried_files: int) -> str:
    """What of a record's body the published page lost, in words ('21 of 22 images', 'its 2 attachments'), or ''
    when it lost nothing that could have made up the page: most of its images (two or more, and more than it
    keeps: one picture lost beside a caption leaves the office's words, published with the 404 said), or every
    attachment of a page that keeps no picture (a photo page whose form had no address still shows its photos; a
    file-type icon or other decoration kept is no picture: `content_images`)."""
    before, after = len(IMG.findall(article.body_html or "")), len(IMG.findall(published_html or ""))
    gone, kept = before - after, content_images(published_html)  # a file-type icon kept is no picture kept
    lost = [f"{gone} of {before} images"] if gone >= LOST_IMAGES and gone > kept else []
    files = len(article.attachments or [])
    if files and not carried_files and not kept:
        lost.append(f"its {files} attachment{'s' if files > 1 else ''}" if files > 1 else "its attachment")
    return " and ".join(lost)


def bare(text: str, html: str, files: int, title: str = "", names: list[str] | None = None, lost: str = "") -> bool:
    """True when a body carries nothing a reader could see: no embedded media (decoration aside: a file-type icon is
    no picture), no file, no link, and no text but
    its title and what a CMS leaves when its media is gone (file names, download labels, size notes: a video page
    whose player is gone reads `报道.mp4`); or, when it `lost` the images or files that made up the page (no link,
    video or file left), fewer than SHORT_TEXT characters of its own (a scanned notice's `附件下载：… (276.50 KB)`)."""
    if files:
        return False
    left = leftover_text(text, title, names)
    if lost and len(left) < SHORT_TEXT and not LINK.search(html or "") and not PLAYER.search(html or ""):
        return True
    if PLAYER.search(html or "") or SOURCE.search(html or "") or content_images(html):
        return False
    return not text.strip() or (not LINK.search(html or "") and not left)


def content_images(html: str | None) -> int:
    """The images of a body that are content: every <img> but decoration (`is_decoration`)."""
    html = html or ""
    if not IMG.search(html):
        return 0
    anchors = [(m.span(), _href(m.group(1)), m.group(2)) for m in ANCHOR.finditer(html)]
    files = {href for _span, href, inner in anchors if href and _file_link(href, inner)}
    file_links = [span for span, href, inner in anchors if href in files or _file_link(href, inner)]
    return sum(1 for tag in IMG_TAG.finditer(html) if not is_decoration(html, tag, file_links))


def is_decoration(html: str, tag: re.Match[str], file_links: list[tuple[int, int]]) -> bool:
    """True for an <img> (`tag`, found in `html`) that is decoration, not content: small by its declared size, an
    icon or a captcha by its address, or inside or right before a file's link (`file_links`: their spans) or
    name."""
    src = SRC.search(tag.group(0))
    address = urlsplit(src.group(1) if src else "")
    if CAPTCHA.search(address.path) or CAPTCHA.search(address.query):
        return True
    sizes = [float(n) for _what, n in SIZE.findall(tag.group(0))]
    if sizes and max(sizes) > DECOR_SIZE:
        return False
    if sizes:
        return True
    path = address.path.lower()
    if DECOR_WORD.search(path) or FILE_TYPE_STEM.fullmatch(IMAGE_EXT.sub("", Path(path).name)):
        return True
    at, end = tag.start(), GAP.match(html, tag.end()).end()
    if any(start <= at < stop or start == end for start, stop in file_links):
        return True
    name = FILE_NAME.match(html, end)
    return name is not None and name.start() == end


def _href(attributes: str) -> str:
    """The address an <a>'s attributes link to ('' for none)."""
    found = HREF.search(attributes)
    return found.group(1) if found else ""


def _file_link(href: str, inner: str) -> bool:
    """True for a link to a file: its address ends in a file's extension or reads as a download, or its text is
    a file's name (an icon's own link to the same address is one too: `content_images`)."""
    if FILE_EXT.search(urlsplit(href).path) or ATTACHMENT_URL_HINTS.search(href):
        return True
    text = normalize_space(re.sub(r"<[^>]*>", " ", inner))
    return bool(text) and FILE_NAME.fullmatch(text.replace(" ", "")) is not None


def leftover_text(text: str, title: str = "", names: list[str] | None = None) -> str:
    """The letters, digits and 汉字 of a body's text once its title, the file names it mentions (`names` first,
    spaces and all), download labels, size notes and media placeholders are taken out."""
    for name in sorted({n for n in names or [] if n.strip()}, key=len, reverse=True):
        text = text.replace(name, " ")
    text = FILE_NAME.sub(" ", text)
    if normalize_space(title):
        text = _untitled(normalize_space(text), title)
    text = LABEL.sub(" ", SIZE_NOTE.sub(" ", LIST_NUMBER.sub(" ", text)))
    return re.sub(r"[\W_]+", "", text)


def is_held(reason: str | None) -> bool:
    """True for a skip reason that holds a record for review (nobody decided it: never archived)."""
    return HELD in (reason or "")


def _problems(article: Any, site_names: list[str], today: dt.date | None) -> list[tuple[str, str]]:
    """(category, detail) for each thing that looks wrong."""
    problems = []
    title = normalize_space(article.title or "")
    if title and any(title == normalize_space(name) for name in site_names if name):
        problems.append((SITE_TITLE, f"title is the site's name ({title})"))
    day = _date(article.published)
    today = today or dt.datetime.now(LEGACY_ZONE).date()  # the sites' own calendar day, not the server's
    if day is not None and day > today + FUTURE_SLACK:
        problems.append((FUTURE_DATE, f"date {article.published} is in the future"))
    elif day is not None and day.year < EARLIEST_YEAR:
        problems.append((EARLY_DATE, f"date {article.published} is before {EARLIEST_YEAR}"))
    if _empty(article):
        problems.append((EMPTY_BODY, "empty body and no attachment or image"))
    elif (widget := widget_text(article)) is not None:
        problems.append((EMPTY_BODY, f"empty body but page furniture ({widget[:60]!r}): a rating, comment, "
                                     "search or login widget or a form, not an article"))
    elif file_titled_picture(article):
        images = len(article.images or [])
        problems.append((FILE_TITLE, f"a picture page titled with a file name ({title}): {images} "
                                     f"image{'s' if images > 1 else ''} and no text"))
    return problems


def widget_text(article: Any) -> str | None:
    """The text of a body that is nothing but page furniture (`WIDGET_WORDS`, valueless labels, its title) — a
    rating, comment, search or login widget's leftovers, no picture, file, media or link a reader could follow —
    else None."""
    text, html = normalize_space(article.body_text or ""), article.body_html or ""
    if not text or len(text) > WIDGET_MAX_TEXT or article.attachments:
        return None
    untitled = _untitled(text, article.title or "")
    if not re.sub(r"[\W_]+", "", untitled) or _widget_left(untitled):  # its title alone is `bare`'s, at push
        return None
    if PLAYER.search(html) or SOURCE.search(html) or content_images(html):
        return None
    links = (inner for attrs, inner in ANCHOR.findall(html) if _href(attrs) and LINK.match(f"<a {attrs}>"))
    return None if any(_widget_left(inner) for inner in links) else text


def _untitled(text: str, title: str) -> str:
    """A text without its title."""
    return text.replace(normalize_space(title), " ") if normalize_space(title) else text


def _widget_left(text: str) -> str:
    """The letters, digits and 汉字 of a text (or an anchor's inner HTML) once page furniture and valueless labels
    are taken out."""
    text = normalize_space(re.sub(r"<[^>]*>", " ", text))
    return re.sub(r"[\W_]+", "", WIDGET_WORD.sub(" ", VALUELESS_LABEL.sub(" ", text)))


def file_titled_picture(article: Any) -> bool:
    """True for a picture page: pictures and no text or attachment, under a title that is a file name (a camera's
    `DSC_0837`, a generated number, the stem of one of its own images, or a short number its picture is named by)."""
    if (article.body_text or "").strip() or article.attachments or not article.images:
        return False
    return is_file_name(article.title or "", article.images, ALT.findall(article.body_html or ""))


def is_file_name(title: str, images: list[str] | None = None, alts: list[str] | None = None) -> bool:
    """True when a title is a file name rather than words: a camera's, a phone's or a desktop's picture name, a
    generated run of digits, the stem of one of `images`, or a short number or code that one of them (by its file
    stem or its `alts` text) is named by. A date or a year is never a file name."""
    text = normalize_space(title)
    stem = IMAGE_EXT.sub("", text).strip()
    if not stem or DATE_TITLE.fullmatch(stem):
        return False
    if stem != text or CAMERA_NAME.fullmatch(stem) or GENERATED_NAME.fullmatch(stem):
        return True
    names = {Path(urlsplit(url).path).stem.lower() for url in images or []} - {""}
    if stem.lower() in names:
        return True
    return bool(SHORT_NAME.fullmatch(stem)) and stem in names | {normalize_space(alt) for alt in alts or []}


def _empty(article: Any) -> bool:
    """No body text, no image, no attachment and no embedded media in the body."""
    if (article.body_text or "").strip() or article.attachments or article.images:
        return False
    return not MEDIA.search(article.body_html or "")


def _date(text: str | None) -> dt.date | None:
    """The day of a stored date (YYYY-MM-DD…), or None."""
    try:
        return dt.date.fromisoformat((text or "")[:10])
    except ValueError:
        return None
