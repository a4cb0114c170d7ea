"""临江市司法局: a small PHPCMS style site (GB2312), every page behind /index.php query strings."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import ClassVar
from urllib.parse import parse_qs

from consolidate.samplefleet import textgen as tg
from consolidate.samplefleet.body import Block, attr, esc, render_blocks
from consolidate.samplefleet.flavour import LegacySite, Routes
from consolidate.samplefleet.model import ArticleSpec, FileSpec, Resource, SampleColumn, local_to_utc
from consolidate.samplefleet.plan import ColumnPlan, plan_site, truncate

PLANS = [
    (ColumnPlan("法治动态", ["法治动态"], "news", 20, 2), 9),
    (ColumnPlan("公示公告", ["公示公告"], "notice", 12, 10), 10),
    (ColumnPlan("法律服务", ["法律服务"], "guide", 7, 90), 11),
    (ColumnPlan("普法宣传", ["普法宣传"], "news", 6, 1100, {"stale"}, date(2015, 5, 1)), 12),
]
PER_PAGE = 10
ORG = "临江市司法局"
DEAD_NAV = "/index.php?m=guestbook&c=index&a=init"
SOURCES = [ORG, ORG, "本站", "临江市法律援助中心", None]
UNDATED_TITLE = "法律援助申请须知"
IDENTITY = {"site_id": "sfj", "name": ORG, "cms": "phpcms", "encoding": "gb2312", "organiser": ORG,
            "site_code": "3310820025", "icp": "浙ICP备12034567号", "psb": "浙公网安备33108202000388号",
            "server_header": "Apache/2.2.15 (CentOS)"}


def lists_url(catid: int, page: int | None = None) -> str:
    """PHPCMS list URL (page omitted for the column entry link)."""
    return f"/index.php?m=content&c=index&a=lists&catid={catid}" + (f"&page={page}" if page else "")


def show_url(catid: int, number: int) -> str:
    """PHPCMS article URL."""
    return f"/index.php?m=content&c=index&a=show&catid={catid}&id={number}"


def href(url: str) -> str:
    """URL as written in an attribute (& escaped)."""
    return attr(url)


@dataclass(eq=False)
class PhpcmsSite(LegacySite):
    """PHPCMS flavour: index.php?m=content&c=index&a=lists|show; the query string is the page identity."""

    cat_ids: dict[str, int] = field(default_factory=dict)

    HOME_PATHS = ("/", "/index.php")
    HOME_ITEMS = 6
    ASSETS: ClassVar[dict[str, tuple[str, str]]] = {
        "/statics/css/reset.css": ("text/css", "body{margin:0;font-size:12px}.content p{line-height:2}\n"),
        "/statics/js/jquery.min.js": ("application/javascript", "/* jQuery stub for the sample fleet */\n"),
    }
    LAUNCHED = datetime(2013, 9, 1, tzinfo=UTC)
    FIRST_NEWS = datetime(2015, 5, 1)
    DEAD_BODY = "/html/2012/fzdt_0312/35.html"
    DEAD_CITATION = ("原文见", "《关于开展法律援助便民服务的通知》", "。")

    def canonical(self, path: str, query: str) -> str:
        """index.php queries normalised to the linked parameter order; other params ignored."""
        if path != "/index.php" or not query:
            return super().canonical(path, query)
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        if params.get("m") != "content" or params.get("c") != "index":
            return f"{path}?{query}"
        if params.get("a") == "show" and params.get("catid", "").isdigit() and params.get("id", "").isdigit():
            return show_url(int(params["catid"]), int(params["id"]))
        if params.get("a") == "lists" and params.get("catid", "").isdigit():
            page = params.get("page")
            return lists_url(int(params["catid"]), int(page) if page and page.isdigit() else None)
        return f"{path}?{query}"

    # -- routes ------------------------------------------------------------------------------
    def site_routes(self) -> Routes:
        """The lists (entry and numbered pages) and the logo."""
        routes: Routes = {"/statics/images/logo.gif": self.logo}
        for column in self.columns:
            catid = self.cat_ids[column.url_path]
            routes[lists_url(catid)] = partial(self.list_page, column, 1)
            for page in range(1, self.page_count(column) + 1):
                routes[lists_url(catid, page)] = partial(self.list_page, column, page)
        return routes

    def logo(self) -> Resource:
        """Site logo (a real GIF)."""
        return self.file_resource(FileSpec("/statics/images/logo.gif", "gif", "sfj:logo", self.LAUNCHED))

    def page_count(self, column: SampleColumn) -> int:
        """Number of list pages (at least one)."""
        return max(1, -(-len(self.by_column[column.url_path]) // PER_PAGE))

    # -- furniture -------------------------------------------------------------------------------
    def page(self, title: str, content: str) -> str:
        """A full page."""
        nav = "".join(f'<li><a href="{href(c.url_path)}">{c.path[-1]}</a></li>' for c in self.columns)
        return (
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">\n'
            '<head>\n<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />\n'
            f"<title>{esc(title)}</title>\n"
            f'<meta name="keywords" content="{ORG},法律援助,人民调解" />\n'
            '<link href="/statics/css/reset.css" rel="stylesheet" type="text/css" />\n'
            '<script type="text/javascript" src="/statics/js/jquery.min.js"></script>\n</head>\n<body>\n'
            f'<div class="header"><a href="/"><img src="/statics/images/logo.gif" alt="{ORG}" /></a></div>\n'
            f'<div class="nav"><ul><li><a href="/">首页</a></li>{nav}<li><a href="{href(DEAD_NAV)}">在线咨询</a></li>'
            f'<li class="more"><a href="javascript:;">更多</a><ul style="display:none">'
            f'<li><a href="{href(self.columns[-1].url_path)}">{self.columns[-1].path[-1]}</a></li></ul></li></ul></div>\n'
            f"{content}"
            '<div class="footer">\n'
            f"<p>主办单位：{self.organiser} &nbsp; 地址：临江市府前路12号</p>\n"
            f'<p><a href="https://beian.miit.gov.cn/" target="_blank">{self.icp}</a> &nbsp; {self.psb}'
            f" &nbsp; 网站标识码：{self.site_code}</p>\n"
            "<p>Powered by PHPCMS V9</p>\n</div>\n</body>\n</html>\n"
        )

    def crumb(self, column: SampleColumn) -> str:
        """Breadcrumb."""
        return (f'<div class="crumbs"><a href="/">首页</a><span> &gt; </span>'
                f'<a href="{href(column.url_path)}">{column.path[-1]}</a></div>\n')

    # -- pages -----------------------------------------------------------------------------------
    def home_box(self, column: SampleColumn, items: list[ArticleSpec]) -> str:
        """Latest list of a column (every column has a box)."""
        lis = "".join(self.list_item(a, 22) for a in items)
        return (f'<div class="box"><h2>{column.path[-1]}<a href="{href(column.url_path)}">更多</a></h2>'
                f'<ul class="list">{lis}</ul></div>')

    def list_item(self, article: ArticleSpec, limit: int) -> str:
        """A list entry: date (when the article has one) then the link."""
        day = f'<span class="rt">{article.published:%Y-%m-%d}</span>' if article.published else ""
        return (f'<li>{day}<a href="{href(article.path)}" target="_blank" title="{attr(article.title)}">'
                f"{esc(truncate(article.title, limit, '...'))}</a></li>")

    def list_page(self, column: SampleColumn, number: int) -> Resource:
        """One page of a column list with a PHPCMS pager."""
        items = self.by_column[column.url_path][(number - 1) * PER_PAGE:number * PER_PAGE]
        lis = "\n".join(self.list_item(a, 30) for a in items)
        content = (f'<div class="main">\n{self.crumb(column)}<ul class="list lh24 f14">\n{lis}\n</ul>\n'
                   f"{self.pager(column, number)}</div>\n")
        dated = [a.published for a in items if a.published]
        moment = local_to_utc(max(dated)) if dated else datetime(2015, 5, 1, tzinfo=UTC)
        return self.html_resource(self.page(f"{column.path[-1]} - {self.name}", content), moment)

    def pager(self, column: SampleColumn, number: int) -> str:
        """下一页 / numbered page links."""
        catid, count = self.cat_ids[column.url_path], self.page_count(column)
        total = len(self.by_column[column.url_path])
        links = [f'<a class="a1">{total}条</a>',
                 f'<a href="{href(lists_url(catid, max(1, number - 1)))}" class="a1">上一页</a>']
        shown = sorted({1, count, *range(max(1, number - 4), min(count, number + 4) + 1)})
        for previous, page in zip([0, *shown], shown, strict=False):
            if page - previous > 1:
                links.append("...")
            links.append(f"<span>{page}</span>" if page == number else f'<a href="{href(lists_url(catid, page))}">{page}</a>')
        links.append(f'<a href="{href(lists_url(catid, min(count, number + 1)))}" class="a1">下一页</a>')
        return f'<div id="pages" class="text-c">{" ".join(links)}</div>\n'

    def article_page(self, article: ArticleSpec, part: int) -> Resource:
        """An article page (one part); the planted one is served with a lying charset header."""
        shown = f"发布时间：{article.published:%Y-%m-%d %H:%M:%S} &nbsp; " if article.published else ""
        source = f"来源：{esc(article.source)} &nbsp; " if article.source else ""
        content = (
            f'<div class="main">\n{self.crumb(article.column)}<div id="Article">\n<h1 class="title">{esc(article.title)}</h1>\n'
            f'<div class="info">{shown}{source}点击：<span id="hits"></span></div>\n'
            f'<div class="content">\n{render_blocks(self.body_parts(article)[part])}\n</div>\n'
            f"{self.attachment_block(article)}{self.prev_next(article)}</div>\n</div>\n"
        )
        content_type = "text/html; charset=utf-8" if "charset_conflict" in article.flags else None
        html = self.page(f"{article.title} - {self.name}", content)
        return self.html_resource(html, article.modified(), content_type)

    def attachment_block(self, article: ArticleSpec) -> str:
        """附件 links below the content."""
        if not article.attachments:
            return ""
        links = "<br />".join(f'<a href="{attr(s.href)}" target="_blank">{esc(s.name)}</a>' for s in article.attachments)
        return f'<div class="attachments">附件下载：<br />{links}</div>\n'

    def prev_next(self, article: ArticleSpec) -> str:
        """上一篇 / 下一篇 links within the column."""
        items = self.by_column[article.column.url_path]
        index = items.index(article)
        newer = items[index - 1] if index > 0 else None
        older = items[index + 1] if index + 1 < len(items) else None

        def link(other: ArticleSpec | None) -> str:
            return f'<a href="{href(other.path)}">{esc(other.title)}</a>' if other else "没有了"

        return f'<div class="pre-next"><p>上一篇：{link(newer)}</p><p>下一篇：{link(older)}</p></div>\n'

    # -- bodies ----------------------------------------------------------------------------------
    def retouch(self, rng: random.Random, blocks: list[Block]) -> list[Block]:
        """Some paragraphs not indented with ideographic spaces get &nbsp; runs instead."""
        for block in blocks:
            if block.kind == "p" and not block.text.startswith(tg.IDEO_SPACE) and rng.random() < 0.3:
                block.text = tg.NBSP * 4 + block.text
        return blocks


# -- building ----------------------------------------------------------------------------------
def build_sfj(seed: int, articles: int | None, reference: date) -> PhpcmsSite:
    """Build the 司法局 site."""
    site = PhpcmsSite(**IDENTITY, reference_date=reference, seed=seed)
    site.cat_ids = {lists_url(catid): catid for _, catid in PLANS}
    rng, moments = plan_site(site, [(plan, lists_url(catid)) for plan, catid in PLANS], articles, seconds=True)
    for number, (moment, column) in enumerate(moments, start=1):
        site.articles.append(make_article(site, rng, column, moment, number))
    add_undated(site, rng)
    finish(site)
    return site


def make_article(site: PhpcmsSite, rng: random.Random, column: SampleColumn, moment: datetime | None,
                 number: int, title: str | None = None) -> ArticleSpec:
    """One article with its files."""
    prof = tg.PROFILES["sfj"]
    catid = site.cat_ids[column.url_path]
    year = moment.year if moment else 2019
    article = ArticleSpec(
        key=f"{site.seed}:sfj:{number}", column=column, path=show_url(catid, number),
        title=title or tg.title_for(column.kind, rng, prof, year), published=moment, show_time=True,
        source=rng.choice(SOURCES), number=number, body_date=moment.date() if moment else None,
    )
    if column.kind == "notice" and rng.random() < 0.3:
        article.flags.add("table")
    if moment is not None:
        add_files(article, rng, moment)
    return article


def add_files(article: ArticleSpec, rng: random.Random, moment: datetime) -> None:
    """Uploads under /uploadfile/YYYY/MMDD/."""
    folder = f"/uploadfile/{moment:%Y}/{moment:%m%d}/"
    if article.column.kind == "news" and rng.random() < 0.3:
        name = f"{moment:%Y%m%d%H%M%S}{article.number:03d}.jpg"
        article.images.append(FileSpec(folder + name, "jpg", f"sfj:{name}", local_to_utc(moment)))
    if article.column.kind in ("notice", "guide") and rng.random() < 0.4:
        for index, kind in enumerate(rng.sample(["doc", "pdf", "xls"], rng.randint(1, 2)), start=1):
            name = f"{moment:%Y%m%d%H%M%S}{article.number:03d}{index}.{kind}"
            label = {"doc": "申请表", "pdf": "公示名单", "xls": "统计表"}[kind]
            article.attachments.append(FileSpec(folder + name, kind, f"sfj:{name}", local_to_utc(moment),
                                                name=f"{rng.choice(tg.PROFILES['sfj'].themes)}{label}.{kind}",
                                                href=folder + name))


def add_undated(site: PhpcmsSite, rng: random.Random) -> None:
    """An article without any date (page, meta, URL or list)."""
    column = next(c for c in site.columns if c.path[-1] == "法律服务")
    article = make_article(site, rng, column, None, len(site.articles) + 1, UNDATED_TITLE)
    article.source = "临江市法律援助中心"
    article.flags.add("undated")
    site.articles.append(article)


def finish(site: PhpcmsSite) -> None:
    """Order articles (the undated one second in its column), plant specials, index files."""
    dated = sorted((a for a in site.articles if a.published), key=lambda a: (a.published, a.number), reverse=True)
    undated = [a for a in site.articles if a.published is None]
    site.group_by_column(dated)
    for article in undated:
        site.by_column[article.column.url_path].insert(1, article)
    site.articles = dated + undated
    notices = site.by_column[lists_url(10)]
    conflict = notices[min(1, len(notices) - 1)]
    conflict.flags.add("charset_conflict")
    news = site.by_column[lists_url(9)]
    news[min(3, len(news) - 1)].flags.add("deadlink")
    site.index_files()
    site.planted.update({
        "dead_links": [DEAD_NAV, site.DEAD_BODY],
        "charset_conflict": [conflict.path],
        "undated": [a.path for a in undated],
        "hidden_menus": ["/"],
        **site.column_plants(),
        "spam_pages": [], "foreign_script": [], "multipage": [], "date_conflict": [],
    })
