"""临江市发展和改革委员会: a TRS WCM style site published as static GBK files."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import ClassVar

from consolidate.samplefleet import bodies
from consolidate.samplefleet import textgen as tg
from consolidate.samplefleet.body import Block, attr, esc, render_blocks, render_spam
from consolidate.samplefleet.flavour import LegacySite, Routes
from consolidate.samplefleet.model import ArticleSpec, FileSpec, Resource, SampleColumn, local_to_utc
from consolidate.samplefleet.plan import ColumnPlan, plan_site, truncate

IDENTITY = {"site_id": "fgw", "name": "临江市发展和改革委员会", "cms": "trs", "encoding": "gbk",
            "organiser": "临江市发展和改革委员会", "site_code": "3310820001", "icp": "浙ICP备05003301号",
            "psb": "浙公网安备33108202000101号", "server_header": "Apache"}
SECTIONS = [("新闻中心", "/xwzx/"), ("信息公开", "/xxgk/"), ("办事服务", "/bsfw/")]
PLANS = [
    (ColumnPlan("工作动态", ["新闻中心", "工作动态"], "news", 42, 1), "/xwzx/gzdt/", 18),
    (ColumnPlan("图片新闻", ["新闻中心", "图片新闻"], "news", 8, 1100, {"stale"}, date(2017, 3, 1)), "/xwzx/tpxw/", 16),
    (ColumnPlan("通知公告", ["信息公开", "通知公告"], "notice", 34, 6), "/xxgk/tzgg/", 15),
    (ColumnPlan("政策文件", ["信息公开", "政策文件"], "policy", 23, 40), "/xxgk/zcwj/", 20),
    (ColumnPlan("政策解读", ["信息公开", "政策解读"], "policy", 13, 45), "/xxgk/zcjd/", 16),
    (ColumnPlan("人事信息", ["信息公开", "人事信息"], "personnel", 0, 0, {"empty"}), "/xxgk/rsxx/", 15),
    (ColumnPlan("办事指南", ["办事服务", "办事指南"], "guide", 10, 120), "/bsfw/bszn/", 15),
]
DEAD_NAV = "/hdjl/index.html"
INDEX_PREFIX = "000014349"
MULTIPAGE_NUMBER = 67430
BRACKETS = ["〔〕", "[]", "﹝﹞", "〔〕"]
SOURCES = ["临江市发展和改革委员会", "临江市发展和改革委员会", "临江市发展和改革委员会", "市发改委综合处", "临江日报", None]
CSS = "body{margin:0;font:12px/1.8 宋体}.nav li{float:left}.subnav{position:absolute}.TRS_Editor p{text-indent:2em}\n"
COMMON_JS = (
    "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){\n"
    "  if(_nPageCount == null || _nPageCount<=1){ return; }\n"
    "  var nCurrIndex = _nCurrIndex || 0;\n"
    "  for(var i=0;i<_nPageCount;i++){ var n = i==0 ? _sPageName : _sPageName+'_'+i;\n"
    "    document.write(i==nCurrIndex ? '<span>'+(i+1)+'</span>' : '<a href=\"'+n+'.'+_sPageExt+'\">'+(i+1)+'</a>'); }\n"
    "}\n"
)


@dataclass(eq=False)
class TrsSite(LegacySite):
    """TRS WCM flavour: folders per column, index_N.html paging, t{date}_{id}.html articles."""

    per_page: dict[str, int] = field(default_factory=dict)

    CHARSET_LABEL = "GBK"
    ASSETS: ClassVar[dict[str, tuple[str, str]]] = {
        "/images/trs_web_style.css": ("text/css", CSS), "/js/common.js": ("application/javascript", COMMON_JS),
        "/wcm/app/js/count.js": ("application/javascript", "/* TRS WCM visit counter */\n")}
    LAUNCHED = datetime(2014, 1, 6, tzinfo=UTC)
    FIRST_NEWS = datetime(2014, 1, 6)
    DEAD_BODY = "/xxgk/tzgg/201312/t20131220_99871.html"

    # -- routes -----------------------------------------------------------------------
    def site_routes(self) -> Routes:
        """Section pages and every page of every column list."""
        routes: Routes = {folder + "index.html": partial(self.section_page, folder) for _, folder in SECTIONS}
        for column in self.columns:
            for number in range(self.page_count(column)):
                routes[self.list_path(column, number)] = partial(self.list_page, column, number)
        return routes

    def folder(self, column: SampleColumn) -> str:
        """Column folder, e.g. /xxgk/tzgg/."""
        return column.url_path.rsplit("/", 1)[0] + "/"

    def page_count(self, column: SampleColumn) -> int:
        """Number of list pages of a column (at least one)."""
        size = self.per_page[column.url_path]
        return max(1, -(-len(self.by_column[column.url_path]) // size))

    def list_path(self, column: SampleColumn, number: int) -> str:
        """index.html, index_1.html, ..."""
        return self.folder(column) + ("index.html" if number == 0 else f"index_{number}.html")

    # -- page furniture ----------------------------------------------------------------
    def head(self, title: str, extra: str = "", charset: str = "gb2312") -> str:
        """Document head."""
        return (
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
            '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
            f"<title>{esc(title)}</title>\n{extra}"
            '<link href="/images/trs_web_style.css" rel="stylesheet" type="text/css" />\n'
            '<script type="text/javascript" src="/js/common.js"></script>\n</head>\n<body>\n'
        )

    def header(self) -> str:
        """Logo, search box and the navigation with hidden drop-down menus."""
        items = ['<li><a href="/">网站首页</a></li>']
        for section, folder in SECTIONS:
            subs = "".join(f'<li><a href="{c.url_path}">{c.path[-1]}</a></li>' for c in self.columns if c.path[0] == section)
            items.append(f'<li class="nav-item" onmouseover="showMenu(this)"><a href="{folder}index.html">{section}</a>'
                         f'<ul class="subnav" style="display:none">{subs}</ul></li>')
        items.append(f'<li><a href="{DEAD_NAV}">互动交流</a></li>')
        return (
            f'<div class="header"><div class="logo">{self.name}</div>'
            '<form action="/search/" method="get" name="searchform"><input type="text" name="searchword" />'
            '<input type="submit" value="搜索" /></form></div>\n'
            f'<div class="nav"><ul>{"".join(items)}</ul></div>\n'
        )

    def footer(self) -> str:
        """Footer: 主办单位, 网站标识码, ICP and 公安备案."""
        return (
            '<div class="footer">\n'
            f"<p>主办单位：{self.organiser} &nbsp; 地址：临江市江滨路88号 &nbsp; 邮编：331000</p>\n"
            f'<p>网站标识码：{self.site_code} &nbsp; <a href="https://beian.miit.gov.cn/" target="_blank">{self.icp}</a>'
            f' &nbsp; <a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=33108202000101" '
            f'target="_blank">{self.psb}</a></p>\n'
            "<p>建议使用1024×768分辨率 IE8.0以上版本浏览器 &nbsp; 技术支持：拓尔思信息技术股份有限公司</p>\n"
            '</div>\n<!-- 本页面由TRS WCM发布 -->\n<script type="text/javascript" src="/wcm/app/js/count.js"></script>\n'
            "</body>\n</html>\n"
        )

    def page(self, title: str, content: str, extra_head: str = "", charset: str = "gb2312") -> str:
        """Assemble a complete page."""
        return self.head(title, extra_head, charset) + self.header() + content + self.footer()

    # -- pages --------------------------------------------------------------------------
    def home_box(self, column: SampleColumn, items: list[ArticleSpec]) -> str:
        """Latest items with short dates ([11-05]); empty columns have no box."""
        if not items:
            return ""
        lis = "".join(
            f'<li><a href=".{a.path}" title="{attr(a.title)}" target="_blank">{esc(truncate(a.title, 20, "…"))}</a>'
            f'<span class="date">[{a.published:%m-%d}]</span></li>' for a in items if a.published)
        return (f'<div class="box"><div class="box-title"><span>{column.path[-1]}</span>'
                f'<a href="{column.url_path}" class="more">更多&gt;&gt;</a></div><ul>{lis}</ul></div>')

    def home_page(self, content: str) -> str:
        """The homepage carries a planted hidden spam block."""
        return self.page(self.name, content + render_spam("display") + "\n")

    def section_page(self, folder: str) -> Resource:
        """A section (栏目组) page listing its columns."""
        section = next(name for name, path in SECTIONS if path == folder)
        boxes = []
        for column in (c for c in self.columns if c.path[0] == section):
            lis = "".join(f'<li><a href="..{a.path}" title="{attr(a.title)}">{esc(truncate(a.title, 24, "…"))}</a>'
                          f"<span>{a.published:%Y-%m-%d}</span></li>" for a in self.by_column[column.url_path][:5])
            boxes.append(f'<div class="box"><h2><a href="{column.url_path}">{column.path[-1]}</a></h2><ul>{lis}</ul></div>')
        crumb = f'<div class="position">当前位置：<a href="../">首页</a> &gt; <span>{section}</span></div>\n'
        content = '<div class="main">\n' + crumb + "\n".join(boxes) + "\n</div>\n"
        return self.html_resource(self.page(f"{section}_{self.name}", content), local_to_utc(self.newest()))

    def list_page(self, column: SampleColumn, number: int) -> Resource:
        """One page of a column list, paged by createPageHTML."""
        size = self.per_page[column.url_path]
        items = self.by_column[column.url_path][number * size:(number + 1) * size]
        section, name = column.path
        crumb = (f'<div class="position">当前位置：<a href="../../">首页</a> &gt; <a href="../">{section}</a>'
                 f" &gt; <span>{name}</span></div>\n")
        if items:
            lis = "\n".join(self.list_item(column, a) for a in items)
            listing = f'<ul class="list">\n{lis}\n</ul>\n'
        else:
            listing = '<div class="nodata">暂无信息</div>\n'
        pager = f'<div class="page"><script>createPageHTML({self.page_count(column)}, {number}, "index", "html");</script></div>\n'
        content = f'<div class="main">\n{crumb}<div class="column-title">{name}</div>\n{listing}{pager}</div>\n'
        moment = items[0].published if items else self.FIRST_NEWS
        return self.html_resource(self.page(f"{name}_{self.name}", content), local_to_utc(moment))

    def list_item(self, column: SampleColumn, article: ArticleSpec) -> str:
        """<li> of a list page; relative href, truncated text, full title attribute."""
        href = "." + article.path[len(self.folder(column)) - 1:]
        return (f'<li><a href="{href}" title="{attr(article.title)}" target="_blank">'
                f'{esc(truncate(article.title, 24, "…"))}</a><span>{article.published:%Y-%m-%d}</span></li>')

    def article_page(self, article: ArticleSpec, part: int) -> Resource:
        """One part of an article page."""
        section, name = article.column.path
        crumb = (f'<div class="position">当前位置：<a href="../../../">首页</a> &gt; <a href="../../">{section}</a>'
                 f' &gt; <a href="../">{name}</a></div>\n')
        title_html = (f'<div class="title">{esc(article.title)}</div>' if "divtitle" in article.flags
                      else f"<h1>{esc(article.title)}</h1>")
        parts = self.body_parts(article)
        content = (
            f'<div class="main">\n{crumb}<div class="article">\n{self.xxgk_table(article)}{title_html}\n'
            f'{self.info_line(article)}\n'
            f'<div class="TRS_Editor"><div class="TRS_Editor">\n{render_blocks(parts[part])}\n</div></div>\n'
            f"{self.multipage_script(article, part)}{self.attachment_block(article) if part == 0 else ''}"
            '<div class="tools"><a href="javascript:window.print()">打印本页</a> '
            '<a href="javascript:window.close()">关闭窗口</a></div>\n</div>\n</div>\n'
        )
        charset = "gbk" if "metagbk" in article.flags else "gb2312"
        html = self.page(f"{article.title}_{self.name}", content, self.article_meta(article), charset)
        return self.html_resource(html, article.modified())

    def article_meta(self, article: ArticleSpec) -> str:
        """TRS-ish <meta> tags on some articles."""
        if "meta" not in article.flags or article.published is None:
            return ""
        return (f'<meta name="ArticleTitle" content="{attr(article.title)}" />\n'
                f'<meta name="PubDate" content="{article.published:%Y-%m-%d %H:%M}" />\n'
                f'<meta name="ContentSource" content="{attr(article.source or self.name)}" />\n'
                f'<meta name="ColumnName" content="{article.column.path[-1]}" />\n')

    def info_line(self, article: ArticleSpec) -> str:
        """发布时间 / 信息来源 / 浏览次数 line."""
        assert article.published is not None
        shown = f"{article.published:%Y-%m-%d %H:%M}" if article.show_time else f"{article.published:%Y-%m-%d}"
        source = f" &nbsp; 信息来源：{esc(article.source)}" if article.source else ""
        hits = 37 + article.number % 900
        return f'<div class="info">发布时间：{shown}{source} &nbsp; 浏览次数：<script>document.write({hits})</script></div>'

    def xxgk_table(self, article: ArticleSpec) -> str:
        """信息公开 header table."""
        head = article.header
        if head is None:
            return ""
        written = date.fromisoformat(head["written"] or "")
        assert article.published is not None
        rows = [
            ("索引号：", head["index_no"], "主题分类：", head["topic"]),
            ("发布机构：", head["publisher"], "成文日期：", tg.cn_date(written, pad=True)),
            ("发文字号：", head["doc_no"] or "", "发布日期：", tg.cn_date(article.published.date(), pad=True)),
        ]
        cells = "".join(f'<tr><td class="lab">{a}</td><td>{esc(b or "")}</td><td class="lab">{c}</td><td>{esc(d or "")}</td></tr>'
                        for a, b, c, d in rows)
        title_row = f'<tr><td class="lab">标题：</td><td colspan="3">{esc(article.title)}</td></tr>'
        return f'<table class="xxgk_table" width="100%" border="0" cellspacing="1">{cells}{title_row}</table>\n'

    def multipage_script(self, article: ArticleSpec, part: int) -> str:
        """createPageHTML call of a multi-page article."""
        if not article.part_paths:
            return ""
        stem = article.path.rsplit("/", 1)[1].removesuffix(".html")
        return f'<div class="page"><script>createPageHTML({len(article.part_paths) + 1},{part},"{stem}","html");</script></div>\n'

    def attachment_block(self, article: ArticleSpec) -> str:
        """附件 block below the body."""
        if not article.attachments:
            return ""
        links = " ".join(f'<a href="{attr(spec.href)}">{esc(spec.name)}</a>' for spec in article.attachments)
        return f'<div class="fj">附件：{links}</div>\n'

    # -- bodies ---------------------------------------------------------------------------
    def article_body(self, article: ArticleSpec) -> list[list[Block]]:
        """Blocks per part: the multi-page article's three parts, or the shared single-part body."""
        if not article.part_paths:
            return super().article_body(article)
        images = [self.image_href(article, spec.path) for spec in article.images]
        return self.multipage_body(random.Random(article.body_key), tg.PROFILES["fgw"], article.body_date, images)

    def body_kind(self, article: ArticleSpec) -> str:
        """政策解读 articles are interpretations; the rest follow their column."""
        return "reading" if article.column.path[-1] == "政策解读" else article.column.kind

    def image_href(self, article: ArticleSpec, path: str) -> str:
        """Images in the article's own folder are written ./name."""
        return self.relative(article, path)

    def retouch(self, rng: random.Random, blocks: list[Block]) -> list[Block]:
        """Three bodies in ten start with a pasted <style> block."""
        if rng.random() < 0.3:
            blocks.insert(0, Block("style"))
        return blocks

    def multipage_body(self, rng: random.Random, prof: tg.Profile, day: date | None,
                       images: list[str]) -> list[list[Block]]:
        """Three parts; the picture sits in the second part."""
        first = [bodies.para(rng, prof, day) for _ in range(4)]
        second = [bodies.para(rng, prof, day)] + [Block("img", "图为规划编制座谈会现场", href=h) for h in images]
        second += [bodies.para(rng, prof, day) for _ in range(3)]
        third = [bodies.para(rng, prof, day) for _ in range(3)] + [bodies.signature(prof, day, False)]
        return [first, second, third]

    def relative(self, article: ArticleSpec, path: str) -> str:
        """href of a file as written in the article (./name when in the same folder)."""
        folder = article.path.rsplit("/", 1)[0] + "/"
        return "./" + path[len(folder):] if path.startswith(folder) else path


# -- building ------------------------------------------------------------------------------
def build_fgw(seed: int, articles: int | None, reference: date) -> TrsSite:
    """Build the 发改委 site."""
    site = TrsSite(**IDENTITY, reference_date=reference, seed=seed)
    site.per_page = {folder + "index.html": size for _, folder, size in PLANS}
    rng, moments = plan_site(site, [(plan, folder + "index.html") for plan, folder, _ in PLANS], articles)
    number = 100000
    for moment, column in moments:
        number += rng.randint(1, 9)
        site.articles.append(make_article(site, rng, column, moment, number))
    add_specials(site, rng)
    finish(site)
    return site


def make_article(site: TrsSite, rng: random.Random, column: SampleColumn, moment: datetime, number: int,
                 title: str | None = None) -> ArticleSpec:
    """One regular article with its files."""
    prof = tg.PROFILES["fgw"]
    name = column.path[-1]
    leader = column.kind == "news" and rng.random() < 0.25
    if title is None:
        title = tg.reading_title(rng, prof) if name == "政策解读" else tg.title_for(column.kind, rng, prof, moment.year, leader)
    folder = site.folder(column) + f"{moment:%Y%m}/"
    article = ArticleSpec(
        key=f"{site.seed}:fgw:{number}", column=column, path=f"{folder}t{moment:%Y%m%d}_{number}.html",
        title=title, published=moment, show_time=name not in ("办事指南", "图片新闻"),
        source=rng.choice(SOURCES), number=number, body_date=moment.date(),
    )
    article.flags = {flag for flag, chance in (("meta", 0.5), ("divtitle", 0.3), ("metagbk", 0.15)) if rng.random() < chance}
    if column.kind in ("notice", "policy") and rng.random() < 0.3:
        article.flags.add("table")
    if any(leader_name in title for leader_name in prof.leaders):
        article.flags.add("gbk")
    add_files(article, rng, folder, moment)
    return article


def add_files(article: ArticleSpec, rng: random.Random, folder: str, moment: datetime) -> None:
    """Images and attachments of an article, by column."""
    name = article.column.path[-1]
    chance_img = {"工作动态": 0.3, "图片新闻": 1.0, "政策解读": 0.25}.get(name, 0.0)
    if rng.random() < chance_img:
        kind = "png" if name == "政策解读" else rng.choice(["jpg", "jpg", "gif"])
        article.images.append(file_spec(folder, "W0", moment, article.number, 1, kind, ""))
    chance_att = {"通知公告": 0.5, "政策文件": 0.4, "办事指南": 0.6}.get(name, 0.0)
    if rng.random() < chance_att:
        for index, kind in enumerate(rng.sample(["pdf", "doc", "xls", "docx"], rng.randint(1, 3)), start=1):
            article.attachments.append(file_spec(folder, "P0", moment, article.number, index, kind,
                                                 attachment_name(rng, article.title, index, kind)))


def attachment_name(rng: random.Random, title: str, index: int, kind: str) -> str:
    """Link text of an attachment; sometimes without an extension."""
    theme = rng.choice(tg.PROFILES["fgw"].themes)
    if kind == "pdf":
        return f"{title}.pdf"
    label = {"doc": "申报表", "xls": "汇总表", "docx": "申请表"}[kind]
    return f"附件{index}：{theme}{label}" + ("" if rng.random() < 0.25 else f".{kind}")


def file_spec(folder: str, prefix: str, moment: datetime, number: int, index: int, kind: str, name: str) -> FileSpec:
    """A TRS-named file (W0/P0 + date + digits) in the article folder."""
    filename = f"{prefix}{moment:%Y%m%d}{number:06d}{index:03d}{(number * 7 + index) % 1000:03d}.{kind}"
    return FileSpec(path=folder + filename, kind=kind, key=f"fgw:{filename}", modified=local_to_utc(moment),
                    name=name, href="./" + filename)


def add_specials(site: TrsSite, rng: random.Random) -> None:
    """Multi-page article, republished story, spam and dead link carriers, GBK-only characters."""
    prof = tg.PROFILES["fgw"]
    gzdt = sorted((a for a in site.articles if a.column.path[-1] == "工作动态"), key=lambda a: a.number, reverse=True)
    column = gzdt[0].column
    site.articles.append(make_multipage(site, rng, column))
    original = next((a for a in gzdt if a.published and a.published.year <= 2021 and not a.images), gzdt[-1])
    fresh_moment = (gzdt[0].published or datetime(2026, 1, 1)) - timedelta(days=2, hours=1)
    number = max(a.number for a in site.articles) + 3
    copy = make_article(site, rng, column, fresh_moment, number, title=original.title)
    copy.body_key, copy.body_date, copy.images, copy.source = original.body_key, original.body_date, [], original.source
    site.articles.append(copy)
    site.planted["republished"] = [copy.path, original.path]
    gzdt[0].title = f"王喆带队赴江北区调研{rng.choice(prof.themes)}工作"
    gzdt[0].flags.add("gbk")
    gzdt[min(2, len(gzdt) - 1)].flags.add("spam")
    tzgg = sorted((a for a in site.articles if a.column.path[-1] == "通知公告"), key=lambda a: a.number, reverse=True)
    tzgg[min(1, len(tzgg) - 1)].flags.add("deadlink")
    force_attachments(tzgg[0])


def make_multipage(site: TrsSite, rng: random.Random, column: SampleColumn) -> ArticleSpec:
    """The three-part article t20151009_67430."""
    moment = datetime(2015, 10, 9, 9, 30)
    folder = site.folder(column) + "201510/"
    stem = f"t20151009_{MULTIPAGE_NUMBER}"
    article = ArticleSpec(
        key=f"{site.seed}:fgw:{MULTIPAGE_NUMBER}", column=column, path=f"{folder}{stem}.html",
        title="临江市国民经济和社会发展第十三个五年规划编制工作情况汇报", published=moment,
        source="临江市发展和改革委员会", number=MULTIPAGE_NUMBER, body_date=moment.date(),
        part_paths=[f"{folder}{stem}_1.html", f"{folder}{stem}_2.html"], flags={"multipage", "meta"},
    )
    article.images.append(file_spec(folder, "W0", moment, MULTIPAGE_NUMBER, 1, "jpg", ""))
    return article


def force_attachments(article: ArticleSpec) -> None:
    """Make the newest notice carry a pdf, a doc and an xls."""
    assert article.published is not None
    folder = article.path.rsplit("/", 1)[0] + "/"
    names = [f"{article.title}.pdf", "附件1：项目申报表.doc", "附件2：项目汇总表.xls"]
    article.attachments = [file_spec(folder, "P0", article.published, article.number, index, kind, name)
                           for index, (kind, name) in enumerate(zip(["pdf", "doc", "xls"], names, strict=True), start=1)]


def finish(site: TrsSite) -> None:
    """Index articles and files, assign 信息公开 metadata, record planted items."""
    site.articles.sort(key=lambda a: (a.published or datetime.min, a.number), reverse=True)
    site.group_by_column(site.articles)
    site.index_files()
    assign_headers(site)
    site.planted.update({
        "dead_links": [DEAD_NAV, site.DEAD_BODY],
        "spam_pages": ["/"] + [a.path for a in site.articles if "spam" in a.flags],
        "multipage": [a.path for a in site.articles if a.part_paths],
        "gbk_only_chars": sorted(a.path for a in site.articles if "gbk" in a.flags),
        "short_dates": ["/"],
        "hidden_menus": ["/"],
        **site.column_plants(),
        "charset_conflict": [], "undated": [], "foreign_script": [], "date_conflict": [],
    })


def assign_headers(site: TrsSite) -> None:
    """索引号 sequences per year, 发文字号 with varying brackets, 成文日期 a few days before publishing."""
    seq: dict[int, int] = {}
    policy_index = 0
    for article in sorted(site.articles, key=lambda a: (a.published or datetime.min, a.number)):
        if not article.column.url_path.startswith("/xxgk/") or article.published is None:
            continue
        rng = random.Random(article.key + ":head")
        year = article.published.year
        seq[year] = seq.get(year, 0) + rng.randint(1, 4)
        name = article.column.path[-1]
        doc = None
        if name == "政策文件":
            doc = tg.doc_no(rng, "临发改", year, BRACKETS[policy_index % len(BRACKETS)])
            policy_index += 1
        elif name == "通知公告" and rng.random() < 0.5:
            doc = tg.doc_no(rng, "临发改", year)
        publisher = "临江市人民政府办公室" if name == "政策文件" and rng.random() < 0.3 else site.organiser
        article.header = {
            "index_no": f"{INDEX_PREFIX}/{year}-{seq[year]:05d}", "topic": rng.choice(tg.TOPICS[:4] + tg.TOPICS[6:]),
            "publisher": publisher, "doc_no": doc,
            "written": (article.published.date() - timedelta(days=rng.randint(0, 8))).isoformat(),
        }
