"""The fleet's truth must be exactly what a careful extractor gets from the served pages.

A small reference extractor (lxml) reads every article page through SampleSite.respond and is compared
field by field with SampleSite.truth; further checks prove every article is reachable from the lists
and every same-site link resolves (except the planted dead links).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from consolidate.core.records import ArticleRecord, AttachmentRef
from consolidate.samplefleet import SampleSite, build_fleet

BASE = "http://legacy.test/"
BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "table",
          "tbody", "thead"}
BODY_XPATH = {"trs": '//div[@class="TRS_Editor"][not(ancestor::div[@class="TRS_Editor"])]',
              "hanweb": '//div[@id="zoom"]', "phpcms": '//div[@class="content"]'}
TITLE_XPATH = {"trs": '//div[@class="article"]/h1 | //div[@class="article"]/div[@class="title"]',
               "hanweb": '//td[@class="title"] | //div[@class="article-title"]', "phpcms": '//h1[@class="title"]'}
CRUMB_XPATH = {"trs": '//div[@class="position"]//a', "hanweb": '//div[@class="bt-position"]//a',
               "phpcms": '//div[@class="crumbs"]//a'}
INFO_XPATH = {"trs": '//div[@class="info"]', "hanweb": '//div[@class="article-info"]', "phpcms": '//div[@class="info"]'}
ATTACH_XPATH = {"trs": '//div[@class="fj"]//a', "hanweb": '//div[@class="attach"]//a',
                "phpcms": '//div[@class="attachments"]//a'}
HEADER_FIELDS = {"索引号": "index_no", "主题分类": "topic", "发布机构": "publisher", "发文机关": "publisher",
                 "发文字号": "doc_no", "文号": "doc_no", "成文日期": "written"}
DECODE = {"trs": "gb18030", "hanweb": "utf-8", "phpcms": "gb18030"}
HIDDEN = re.compile(r"display\s*:\s*none|left\s*:\s*-\d{3,}px")


@pytest.fixture(scope="module", params=["light", "real"])
def fleet(request):
    """The default fleet, at both page weights (real: furniture, long bodies and large statistics tables)."""
    return build_fleet(weight=request.param)


def norm(text: str) -> str:
    """Collapse whitespace."""
    return re.sub(r"\s+", " ", text).strip()


def page_tree(site: SampleSite, path: str) -> lxml.html.HtmlElement:
    """Fetch and parse one page through respond()."""
    page = site.respond(path, {})
    assert page.status == 200, path
    return lxml.html.fromstring(page.body.decode(DECODE[site.cms]))


def clean(body: lxml.html.HtmlElement) -> list[str]:
    """Drop scripts, styles and hidden elements; return hidden link targets."""
    spam = []
    for element in list(body.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("script", "style", "meta") or HIDDEN.search(element.get("style", "")):
            spam += [a.get("href") for a in element.iter("a")]
            element.drop_tree()
    return spam


def text_lines(element: lxml.html.HtmlElement) -> str:
    """The body_text rule."""
    out: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in BLOCKS or tag == "br":
            out.append("\n")
        if tag in ("td", "th"):
            out.append(" ")
        if tag:
            out.append(node.text or "")
        for child in node:
            walk(child)
            out.append(child.tail or "")
        if tag in BLOCKS:
            out.append("\n")

    walk(element)
    lines = (norm(line) for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


def cn_to_iso(value: str) -> str:
    """2023年11月3日 / 2023年11月03日 -> 2023-11-03."""
    year, month, day = map(int, re.findall(r"\d+", value))
    return f"{year:04d}-{month:02d}-{day:02d}"


def published(cms: str, info: str) -> str | None:
    """Visible publication date/time from the info line."""
    if cms == "hanweb":
        match = re.search(r"发布日期：(\d{4}年\d{1,2}月\d{1,2}日)", info)
        return cn_to_iso(match.group(1)) if match else None
    match = re.search(r"发布时间：(\d{4}-\d{2}-\d{2})(?: (\d{2}:\d{2})(:\d{2})?)?", info)
    if not match:
        return None
    if match.group(2):
        return f"{match.group(1)}T{match.group(2)}{match.group(3) or ':00'}"
    return match.group(1)


def header_table(tree: lxml.html.HtmlElement) -> dict[str, str | None]:
    """Label/value pairs of the 信息公开 table."""
    fields: dict[str, str | None] = {}
    for table in tree.xpath('//table[contains(@class, "xxgk")]'):
        cells = [norm(td.text_content()) for td in table.iter("td")]
        for label, value in zip(cells[::2], cells[1::2], strict=False):
            key = HEADER_FIELDS.get(label.rstrip("："))
            if key:
                fields[key] = (cn_to_iso(value) if key == "written" else value) or None
    return fields


def attachment_refs(site: SampleSite, tree: lxml.html.HtmlElement, url: str) -> list[AttachmentRef]:
    """Attachments in page order, with bytes fetched."""
    refs = []
    for link in tree.xpath(ATTACH_XPATH[site.cms]):
        target = link.get("href", "")
        opened = re.search(r"window\.open\('([^']+)'\)", link.get("onclick", ""))
        absolute = urljoin(url, opened.group(1) if opened else target)
        split = urlsplit(absolute)
        data = site.respond(split.path + (f"?{split.query}" if split.query else ""), {}).body
        refs.append(AttachmentRef(absolute, norm(link.text_content()), len(data), hashlib.sha256(data).hexdigest()))
    return refs


def extract(site: SampleSite, path: str, parts: list[str]) -> ArticleRecord:
    """Reference extraction of one article (all its parts)."""
    url = urljoin(BASE, path)
    tree = page_tree(site, path)
    info = norm(tree.xpath(INFO_XPATH[site.cms])[0].text_content())
    source = re.search(r"(?:信息)?来源：(\S+)", info)
    texts, images, spam = [], [], []
    for part_path in [path, *parts]:
        part_url = urljoin(BASE, part_path)
        body = page_tree(site, part_path).xpath(BODY_XPATH[site.cms])[0]
        spam += clean(body)
        images += [urljoin(part_url, img.get("src")) for img in body.iter("img")]
        texts.append(text_lines(body))
    crumbs = [norm(a.text_content()) for a in tree.xpath(CRUMB_XPATH[site.cms])]
    return ArticleRecord(
        url=url, site=site.site_id, column_path=crumbs[1:], title=norm(tree.xpath(TITLE_XPATH[site.cms])[0].text_content()),
        published=published(site.cms, info), source=source.group(1) if source else None, **header_table(tree),
        body_text="\n".join(t for t in texts if t), attachments=attachment_refs(site, tree, url), images=images,
        spam_links=spam, part_urls=[urljoin(BASE, p) for p in parts],
    )


@pytest.mark.parametrize("site_id", ["fgw", "jyj", "sfj"])
def test_truth_equals_reference_extraction(fleet, site_id):
    """Every truth record equals, field by field, what the reference extractor reads from the pages."""
    site = fleet.site(site_id)
    truth = site.truth(BASE)
    assert truth == sorted(truth, key=lambda r: r.url)
    assert len(truth) == len(site.articles) > 30
    for expected in truth:
        path = expected.url[len(BASE) - 1:]
        parts = [u[len(BASE) - 1:] for u in expected.part_urls]
        got = extract(site, path, parts)
        assert got.to_public_dict() == expected.to_public_dict(), expected.url
        assert got.spam_links == expected.spam_links


def test_truth_fields_are_interesting(fleet):
    """The truth exercises the hard cases: header tables, times, None values, attachments, images."""
    records = [r for site in fleet.sites for r in site.truth(BASE)]
    assert any(r.published and "T" in r.published for r in records)
    assert any(r.published and len(r.published) == 10 for r in records)
    assert sum(r.published is None for r in records) == 1
    assert any(r.doc_no and "﹝" in r.doc_no for r in records) and any(r.doc_no and "[" in r.doc_no for r in records)
    assert any(r.index_no and r.doc_no is None for r in records)
    assert any(r.source is None for r in records)
    assert any(len(r.attachments) >= 3 for r in records) and any(r.images for r in records)
    assert not any("\u3000" in r.body_text or "\xa0" in r.body_text for r in records)
    multi = fleet.site("fgw").truth(BASE)
    assert [len(r.part_urls) for r in multi if r.part_urls] == [2]


def list_block(html: str) -> str:
    """The <ul class="list ..."> element of a list page ("" when the column is empty)."""
    match = re.search(r'<ul class="list[^"]*">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


def list_links_trs(site: SampleSite) -> set[str]:
    """Article paths reachable by following createPageHTML paging of every TRS column."""
    found = set()
    for column in site.columns:
        first = site.respond(column.url_path, {}).body.decode("gb18030")
        count = int(re.search(r"createPageHTML\((\d+),\s*0", first).group(1))
        folder = column.url_path.rsplit("/", 1)[0] + "/"
        for number in range(count):
            path = folder + ("index.html" if number == 0 else f"index_{number}.html")
            html = list_block(site.respond(path, {}).body.decode("gb18030"))
            found |= {urlsplit(urljoin(BASE + path[1:], h)).path for h in re.findall(r'<li><a href="([^"]+)"', html)}
    return found


def list_links_hanweb(site: SampleSite) -> set[str]:
    """Article paths from the embedded datastore plus dataproxy.jsp for the rest."""
    found = set()
    for column in site.columns:
        html = site.respond(column.url_path, {}).body.decode("utf-8")
        total = int(re.search(r"totalRecord:(\d+)", html).group(1))
        found |= set(re.findall(r'<a href="(/art/[^"]+)"', html))
        colid = re.search(r"columnid:(\d+)", html).group(1)
        for start in range(46, total + 1, 45):
            xml = site.respond(f"/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={start + 44}"
                               f"&perpage=15&columnid={colid}", {}).body.decode("utf-8")
            found |= set(re.findall(r'<a href="(/art/[^"]+)"', xml))
    return found


def list_links_phpcms(site: SampleSite) -> set[str]:
    """Article paths by following 下一页 until it stops changing."""
    found: set[str] = set()
    for column in site.columns:
        path, seen = column.url_path, set()
        while path not in seen:
            seen.add(path)
            html = site.respond(path, {}).body.decode("gb18030")
            items = re.findall(r'<li>(?:<span[^>]*>[^<]*</span>)?<a href="([^"]+)"', list_block(html))
            found |= {h.replace("&amp;", "&") for h in items}
            path = re.search(r'<a href="([^"]+)" class="a1">下一页', html).group(1).replace("&amp;", "&")
    return found


def test_every_article_is_reachable_from_its_lists(fleet):
    """Lists (static paging, datastore + dataproxy, query-string pager) expose exactly the articles."""
    for site, finder in zip(fleet.sites, (list_links_trs, list_links_hanweb, list_links_phpcms), strict=True):
        assert finder(site) == {a.path for a in site.articles}, site.site_id


LINK = re.compile(r'(?:href|src)="([^"#]+)"')
ALLOWED_EXTERNAL = {"beian.miit.gov.cn", "www.beian.gov.cn", "www.bet365-xx.com", "www.dafa888-xx.com",
                    "evil-cdn.example.com", "www.amjs-xx.com", "www.yaopin-xx.com",
                    "www.gov.cn", "www.zj.gov.cn"}  # the real-weight link tables' portals


def test_same_site_links_resolve_except_planted_dead_links(fleet):
    """Every href/src on every page resolves to 200 unless it is a planted dead link; all dead links are used."""
    for site in fleet.sites:
        used_dead = set()
        for path in site.all_paths():
            page = site.respond(path, {})
            if not page.content_type or not page.content_type.startswith("text/html"):
                continue
            for raw in LINK.findall(page.body.decode(DECODE[site.cms])):
                target = urlsplit(urljoin(BASE + path.lstrip("/"), raw.replace("&amp;", "&")))
                if target.scheme in ("javascript", "mailto"):
                    continue
                if target.netloc != urlsplit(BASE).netloc:
                    assert target.netloc in ALLOWED_EXTERNAL, raw
                    continue
                local = target.path + (f"?{target.query}" if target.query else "")
                if local in site.planted["dead_links"]:
                    used_dead.add(local)
                    continue
                assert site.respond(local, {}).status == 200, (site.site_id, path, raw)
        assert used_dead == set(site.planted["dead_links"])
