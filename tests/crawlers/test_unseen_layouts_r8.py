"""Article pages in the layouts of CMS families and page kinds the real samples do not have (帝国CMS, SiteServer, 新点
Epoint, 大汉 JCMS, 动易, PageAdmin, 织梦, WordPress, gov.cn 政策文件库, 信息公开 lists, 统计公报, 年报, 招标公告, 人事任免,
comment lists, PDF viewers, videos, galleries, files opened by scripts): every field a reader takes from the page —
title, date, source, 信息公开 fields, where the body starts and ends, pictures, files — on the generic path, on the
template path, and through a crawl of a small GBK site on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from consolidate import pipeline
from consolidate.records_io import article_records
from crawlers.encoding import decode_html
from crawlers.extract import SiteExtractor, extract_article
from tests.conftest import make_workspace

LINES = ("县教育体育局召开2021年春季学期开学工作会议，局党组书记、局长出席会议并讲话，各学校校长参加会议。",
         "会议指出，要切实做好校园疫情防控工作，严格落实晨午检和因病缺课追踪制度，确保师生身体健康。",
         "会议要求，各学校要加强安全隐患排查整治，抓好食品安全、交通安全和防溺水教育，守牢安全底线。",
         "会议强调，要持续深化教育教学改革，落实“双减”政策要求，全面提升教育教学质量和办学水平。")
PARAS = "".join(f"<p>{line}</p>" for line in LINES)
NAV = "".join(f'<li><a href="/list{i}.html">栏目{i}</a></li>' for i in range(12))
FOOT = '<div class="footer"><p>主办单位：某某县人民政府办公室 版权所有</p><p>ICP备05001234号 网站标识码：4101230001</p></div>'
HOST = "http://www.example.gov.cn"


def _page(title: str, main: str, head: str = "", charset: str = "utf-8") -> str:
    """A legacy page: charset meta, <title>, a top bar, a 12-link menu, the main part and the site footer."""
    return (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f'<title>{title}</title>{head}</head><body><div class="top"><a href="/">首页</a></div>'
            f'<div class="nav"><ul>{NAV}</ul></div>{main}{FOOT}</body></html>')


def _related(count: int = 8, heading: str = "相关阅读") -> str:
    """A 相关阅读 box: heading, linked titles with their dates."""
    return f"<div class='xgyd'><h3>{heading}</h3><ul>" + "".join(
        f"<li><a href='/news/2021/{i}.html'>某某县第{i}届中小学生运动会隆重开幕</a><span>2021-0{1 + i % 9}-1{i % 9}</span></li>"
        for i in range(count)) + "</ul></div>"


def _comments(count: int, tag: str = "div") -> str:
    """A comment list held as one block: a 网友评论 heading, then each comment a line of that block."""
    return "<div class='pl'><h3>网友评论</h3>" + "".join(
        f"<{tag}>网友{i}（2021-06-0{i % 9 + 1}）：这个政策非常好，希望能够尽快落实到基层，让更多的群众享受到政策红利，点赞支持。</{tag}>"
        for i in range(count)) + "</div>"


def _short_article(comments: str, tag: str = "div") -> str:
    """A short article (heading, 发布时间 line, two lines) beside a comment list in a shared wrapper."""
    lines = (f"<div class='q1'>{LINES[0]}<br>{LINES[1]}<br></div>" if tag == "div" else
             f"<div class='q1'><p>{LINES[0]}</p><p>{LINES[1]}</p></div>")
    return (f"<div class='wrap'><div class='lft'><h2>全市就业工作推进会召开</h2><div class='inf'>发布时间：2021-06-01 "
            f"来源：市人社局</div>{lines}</div>{comments}</div>")


def _record(html: str, url: str, charset: str = "utf-8"):
    """The generic record of a page served in the given charset (decoded as the crawler decodes it)."""
    return extract_article(decode_html(html.encode(charset), "text/html").text, url)


def test_a_comment_list_held_as_one_block_never_takes_a_short_articles_body() -> None:
    for tag in ("div", "p"):
        for count in (4, 14, 40):  # up to ~20x the article's text
            html = _page("全市就业工作推进会召开_某某市人民政府", _short_article(_comments(count, tag), tag))
            record = extract_article(html, f"{HOST}/n/2021/0601/{count}.html")
            assert record.body_text == "\n".join(LINES[:2]), (tag, count)
            assert record.title == "全市就业工作推进会召开" and record.published == "2021-06-01"
            assert record.source == "市人社局"


def test_a_template_learned_on_pages_with_long_comment_lists_takes_the_article_only() -> None:
    extractor = SiteExtractor("demo", learn_after=3)
    for i in range(8):
        html = _page("全市就业工作推进会召开_某某市人民政府", _short_article(_comments(10 + 5 * i)))
        record = extractor.extract(html, f"{HOST}/n/{i}.html")
        assert record == extract_article(html, f"{HOST}/n/{i}.html", "demo")
        assert record.body_text == "\n".join(LINES[:2])
    assert extractor.hits == 5


def test_a_short_title_line_never_opens_the_body() -> None:
    lgedu = ("<div id='part7'><div class='dqwz'><p>当前位置：<a href='/'>首页</a> - <a href='/jgzn/'>机构职能</a></p></div>"
             "<ul><h1>简介</h1><h2>发布时间：2020-12-21 来源：县教育体育局</h2><p>办公电话：0375-3396203</p></ul></div>")
    record = extract_article(_page("简介", lgedu), f"{HOST}/contents/19160/385514.html")
    assert record.title == "简介" and record.body_text == "办公电话：0375-3396203"
    assert record.published == "2020-12-21" and record.source == "县教育体育局"
    divs = ("<div class='main'><div class='art'><h1>领导</h1><div class='info'>发布时间：2020-12-21 来源：县教育体育局</div>"
            f"<div class='txt'><div>局长：张三</div><div>{LINES[0]}</div></div></div></div>")
    record = extract_article(_page("领导", divs), f"{HOST}/contents/19160/1.html")
    assert record.title == "领导" and record.body_text == f"局长：张三\n{LINES[0]}"  # not 栏目11, the menu's last link
    profile = ("<div class='art'><h1>张三</h1><div class='info'>发布时间：2020-12-21</div>"
               f"<div class='txt'><p><strong>张三</strong>，男，1962年生，现任县教育体育局局长。</p><p>{LINES[0]}</p></div></div>")
    record = extract_article(_page("张三", profile), f"{HOST}/contents/19160/2.html")
    assert record.body_text.startswith("张三，男，1962年生")  # a name that opens a line stays


def test_an_info_cell_named_like_an_article_is_neither_body_nor_title() -> None:
    main = ("<table width='960'><tr><td><table width='100%'><tr><td class='main_ArticleTitle'>我县举行2021年中小学生田径运动会</td></tr>"
            "<tr><td class='Article_tdbgall' align='center'>作者：佚名&nbsp;&nbsp;文章来源：县体育中心&nbsp;&nbsp;点击数：<script "
            "src='/Article/GetHits.asp?ArticleID=876'></script>&nbsp;&nbsp;更新时间：2021-4-23&nbsp;&nbsp;"
            "<a href='javascript:fontZoomA();'>【字体：小</a> <a href='javascript:fontZoomB();'>大】</a></td></tr>"
            f"<tr><td><table width='100%'><tr><td class='main_tdbg_760'>{'<br>'.join(LINES)}<br>"
            "<img src='/UploadFiles/2021/4/202104231020.jpg' border='0'></td></tr></table></td></tr></table></td></tr></table>")
    record = _record(_page("我县举行2021年中小学生田径运动会 - 某某县教育信息网", main, charset="gb2312"),
                     "http://www.example.edu.cn/Article/ShowArticle.asp?ArticleID=876", "gb18030")
    assert record.body_text == "\n".join(LINES) and record.title == "我县举行2021年中小学生田径运动会"
    assert record.images == ["http://www.example.edu.cn/UploadFiles/2021/4/202104231020.jpg"]
    assert record.published == "2021-04-23" and record.source == "县体育中心"
    heading = ("<div class='art'><h3>全市就业工作推进会召开</h3><h2>发布时间：2021-06-01 来源：市人社局</h2>"
               f"<div class='x'><div>{LINES[0]}</div><div>{LINES[1]}</div></div></div>")
    assert extract_article(_page("某某市人民政府", heading), f"{HOST}/n/1.html").title == "全市就业工作推进会召开"


def _wordpress(comments: int) -> str:
    """A WordPress gov theme's post: entry header with a 发布于 byline, entry-content, entry footer, comment list."""
    listed = "".join(
        f"<li class='comment'><article class='comment-body'><footer class='comment-meta'><b class='fn'>市民{i}</b>"
        f"<span class='says'>说道：</span><time datetime='2021-05-0{i % 9 + 1}T10:00:00+08:00'>2021年5月{i % 9 + 1}日</time>"
        "</footer><div class='comment-content'><p>希望有关部门能够进一步加大政策宣传力度，让更多的中小企业了解并享受到减税降费的"
        f"政策红利，为企业发展减轻负担，第{i}条。</p></div><div class='reply'><a href='#'>回复</a></div></article></li>"
        for i in range(comments))
    return ("<div id='page' class='site'><div id='content' class='site-content'><div id='primary' class='content-area'>"
            "<main id='main' class='site-main'><article class='post type-post'><header class='entry-header'>"
            "<h1 class='entry-title'>关于进一步支持中小企业发展的若干措施</h1><div class='entry-meta'><span class='posted-on'>"
            "发布于 <a href='/2021/05/01/123/'><time class='entry-date published' datetime='2021-05-01T08:30:00+08:00'>"
            "2021年5月1日</time></a></span><span class='byline'> 作者 <a href='/author/admin/'>admin</a></span></div>"
            f"</header><div class='entry-content'>{PARAS}</div><footer class='entry-footer'><span class='cat-links'>分类 "
            "<a href='/category/tzgg/'>通知公告</a></span></footer></article>"
            f"<div id='comments' class='comments-area'><h2 class='comments-title'>{comments}条评论</h2>"
            f"<ol class='comment-list'>{listed}</ol></div></main></div></div></div>")


def test_a_post_is_its_entry_content_whatever_the_comment_list_beside_it() -> None:
    for comments in (0, 3, 9, 30):
        html = _page("关于进一步支持中小企业发展的若干措施 &#8211; 某某市工业和信息化局", _wordpress(comments))
        record = extract_article(html, f"{HOST}/2021/05/01/123/")
        assert record.body_text == "\n".join(LINES), comments
        assert record.title == "关于进一步支持中小企业发展的若干措施" and record.published == "2021-05-01"


def test_a_byline_with_no_colon_gives_the_date() -> None:
    for byline, date in (("发布于 2021年5月1日 作者 admin", "2021-05-01"), ("发表于 2021-05-01 10:20 阅读 12", "2021-05-01T10:20:00"),
                         ("Posted on 2021-05-01 by admin", "2021-05-01")):
        main = f"<div class='art'><h1>全市就业工作推进会召开</h1><div class='by'>{byline}</div><div class='nr'>{PARAS}</div></div>"
        record = extract_article(_page("全市就业工作推进会召开", main), f"{HOST}/n/1.html")
        assert record.published == date, byline
    main = f"<div class='art'><h1>全市就业工作推进会召开</h1><div class='by'>发布于某某市</div><div class='nr'>{PARAS}</div></div>"
    assert extract_article(_page("全市就业工作推进会召开", main), f"{HOST}/n/1.html").published is None


def _files_page(link: str) -> str:
    """A notice whose 附件 line holds the given link."""
    return _page("关于公布2021年度评审结果的公示", "<div class='main'><div class='bt'>关于公布2021年度评审结果的公示</div>"
                 f"<div class='sj'>发布时间：2021-07-15 来源：县科技局</div><div class='nr'>{PARAS}<p>附件：{link}</p></div></div>")


def test_files_that_scripts_open_are_attachments() -> None:
    cases = {
        "<a href=\"javascript:window.open('/files/2021/a.pdf')\">申报指南</a>": (f"{HOST}/files/2021/a.pdf", "申报指南"),
        "<a href=\"javascript:download('/uploadfiles/2021/05/abc.xls')\">统计表</a>":
            (f"{HOST}/uploadfiles/2021/05/abc.xls", "统计表"),
        "<a href='#' onclick=\"openFile('/uploadfiles/2021/05/abc.doc')\">申请表</a>":
            (f"{HOST}/uploadfiles/2021/05/abc.doc", "申请表"),
        "<a href=\"javascript:downloadFile('8a8a1','评审结果汇总表.xlsx')\">评审结果汇总表.xlsx</a>": ("", "评审结果汇总表.xlsx"),
        "<a href='javascript:void(0)' onclick=\"downloadFile('8a8a1','评审结果汇总表.xlsx')\">评审结果汇总表.xlsx</a>":
            ("", "评审结果汇总表.xlsx"),  # an id is no address: the file is kept by its name
        "<a href='/download.jsp?id=20456'>异议申请表.doc</a>": (f"{HOST}/download.jsp?id=20456", "异议申请表.doc"),
    }
    for link, want in cases.items():
        record = extract_article(_files_page(link), f"{HOST}/tzgg/2021/07/15/456.html")
        assert [(a.url, a.name) for a in record.attachments] == [want], link
        assert record.body_text.startswith(LINES[0])
    opens_a_page = "<a href='#' onclick=\"window.open('/news/2021/05/abc.html')\">申请表.doc</a>"
    assert extract_article(_files_page(opens_a_page), f"{HOST}/tzgg/1.html").attachments == []


def test_an_empty_value_in_a_label_list_never_takes_the_next_pair() -> None:
    listed = ("<ul class='xxgk-info'><li><span class='l'>索引号：</span><span class='r'>000014349/2021-00456</span></li>"
              "<li><span class='l'>信息分类：</span><span class='r'>人事信息</span></li><li><span class='l'>发布机构：</span>"
              "<span class='r'>县人力资源和社会保障局</span></li><li><span class='l'>生成日期：</span><span class='r'>2021-03-09</span>"
              "</li><li><span class='l'>文号：</span><span class='r'></span></li><li><span class='l'>是否有效：</span>"
              "<span class='r'>是</span></li></ul>")
    main = (f"<div class='main'>{listed}<div class='xxgk-title'><h1>某某县人民政府关于张三等同志职务任免的通知</h1></div>"
            "<div class='xxgk-txt'><p>各乡镇人民政府，县政府各部门：</p><p>经县人民政府研究决定：</p><p>任命张三为县教育体育局局长；</p>"
            "<p>免去李四的县教育体育局局长职务。</p><p style='text-align:right'>某某县人民政府</p><p>2021年3月9日</p></div>"
            f"<div class='xxgk-share'><span>分享到：</span><a class='wx'>微信</a></div>{_related(12, '相关信息')}</div>")
    record = extract_article(_page("某某县人民政府关于张三等同志职务任免的通知", main), f"{HOST}/xxgk/rsxx/202103/t20210309_123.html")
    assert record.doc_no is None and record.validity == "有效" and record.topic == "人事信息"
    assert record.index_no == "000014349/2021-00456" and record.publisher == "县人力资源和社会保障局"
    assert record.written is None  # 生成日期 is no 成文日期
    assert record.body_text.startswith("各乡镇人民政府") and record.body_text.endswith("2021年3月9日")
    assert "运动会" not in record.body_text and "分享" not in record.body_text


def _layouts() -> dict[str, tuple[str, str, str, dict]]:
    """name → (page, URL, charset, the fields a reader takes) of pages of CMS families not in the samples."""
    tool = ("<div class='tool'><a href='javascript:window.print()'>【打印本页】</a>"
            "<a href='javascript:window.close()'>【关闭窗口】</a></div>")
    rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in (
        ("项目名称", "某某县第二中学运动场改造工程"), ("项目编号", "MMX-2021-GC-015"), ("招标人", "某某县第二中学"),
        ("投标截止时间", "2021年6月20日9时30分")))
    epoint_file = "/EpointWebBuilder/pages/webbuildermis/attach/downloadztbattach.jspx?attachGuid=4f1a-{}&appUrlFlag=ztb"
    meta = ("<table class='bd1'><tr><td>索<i></i>引<i></i>号：</td><td>11610000MB1234567X/2021-00123</td><td>主题分类：</td>"
            "<td>综合政务\\通知</td></tr><tr><td>发文机关：</td><td>某某省人民政府办公厅</td><td>成文日期：</td><td>2021年05月18日</td>"
            "</tr><tr><td>标<i></i>题：</td><td colspan='3'>某某省人民政府办公厅关于加强全省农村供水保障工作的通知</td></tr><tr>"
            "<td>发文字号：</td><td>某政办发〔2021〕15号</td><td>发布日期：</td><td>2021年05月21日</td></tr><tr><td>有<i></i>效<i></i>性："
            "</td><td>有效</td><td></td><td></td></tr></table>")
    stats = "".join(f"<table border='1'><caption>表{n} 主要农产品产量</caption><tr><th>指标</th><th>单位</th><th>绝对数</th></tr>"
                    + "".join(f"<tr><td>指标{n}-{i}</td><td>万吨</td><td>{100 + i * 7}.{i}</td></tr>" for i in range(8))
                    + f"</table><div>{LINES[n]}</div>" for n in (1, 2))
    feedback = "".join(f"<li><span class='title'>游客{i}</span><span class='date'>2021-06-0{i + 1}</span><p>这个会议开得好，"
                       "安全生产责任重于泰山，希望各单位认真落实会议精神，切实保障人民群众生命财产安全。</p></li>" for i in range(8))
    return {
        "帝国CMS": (_page("县教育体育局召开春季开学工作会议_某某县教育体育局",
                        "<div class='main'><div class='position'>当前位置：<a href='/'>首页</a>&nbsp;>&nbsp;<a href='/news/'>教育动态"
                        "</a></div><div class='newsview'><h1 class='title'>县教育体育局召开春季开学工作会议</h1><div class='info'>"
                        "发布时间：2021-03-05 10:20:31　来源：县教育体育局　作者：王小明　点击：<script src='/e/public/ViewClick/?"
                        "classid=2&id=155&addclick=1'></script>次</div><div class='bdshare'><a class='bds_qzone'></a>分享到：</div>"
                        f"<div class='newstext' id='text'>{PARAS}<p><img src='/d/file/news/2021-03-05/abc.jpg'></p></div>{tool}"
                        "<div class='prenext'><p>上一篇：<a href='/news/2021-03-01/150.html'>上一条</a></p></div>"
                        f"{_related()}</div></div>", charset="gbk"),
                  f"{HOST}/news/2021-03-05/155.html", "gbk",
                  {"title": "县教育体育局召开春季开学工作会议", "published": "2021-03-05T10:20:31", "source": "县教育体育局",
                   "body_text": "\n".join(LINES), "images": [f"{HOST}/d/file/news/2021-03-05/abc.jpg"]}),
        "SiteServer": (_page("关于做好2021年招生工作的通知 - 某某县教育局",
                             "<div class='container'><div class='crumb'>您现在的位置：<a href='/'>首页</a> > 通知公告</div>"
                             "<div class='article'><h2>关于做好2021年招生工作的通知</h2><div class='artinfo'><span>发布日期：2021-05-06"
                             "</span><span>信息来源：招生办</span><span>浏览次数：<script src='/api/sys/stl/actions/dynamic'></script>"
                             f"</span></div><div class='artcontent'>{PARAS}<p>附件：<a href='/api/sys/stl/actions/download?siteId=1&"
                             "channelId=12&contentId=345&fileUrl=L3VwbG9hZC8yMDIxLmRvY3g='>关于做好2021年招生工作的通知.docx</a></p>"
                             "</div><div class='artshare'><span>分享：</span><a href='#'>微信</a></div></div></div>"),
                       f"{HOST}/contents/12/345.html", "utf-8",
                       {"title": "关于做好2021年招生工作的通知", "published": "2021-05-06", "source": "招生办",
                        "body_text": "\n".join(LINES), "files": ["关于做好2021年招生工作的通知.docx"]}),
        "新点 招标公告": (_page("某某县第二中学运动场改造工程招标公告",
                           "<div class='ewb-container'><div class='ewb-route'>当前位置：<a href='/'>首页</a> > 招标公告</div>"
                           "<div class='ewb-article'><h3 class='ewb-article-tt'>某某县第二中学运动场改造工程招标公告</h3>"
                           "<div class='ewb-article-sources'>【信息时间：2021-06-01 &nbsp;阅读次数：<script>document.write(12)"
                           f"</script>】</div><div class='ewb-article-info'><p>1. 招标条件</p><p>{LINES[0]}</p><table border='1'>"
                           f"{rows}</table><p>2. 投标人资格要求</p><p>{LINES[1]}</p></div><div class='ewb-article-attach'><h4>"
                           f"附件下载：</h4><ul><li><a href='{epoint_file.format(88)}'>招标文件.pdf</a></li><li><a href='"
                           f"{epoint_file.format(89)}'>工程量清单.xls</a></li></ul></div></div></div>"),
                      "http://ggzy.example.gov.cn/jyxx/003001/003001001/20210601/8a3b.html", "utf-8",
                      {"title": "某某县第二中学运动场改造工程招标公告", "published": "2021-06-01", "first": "1. 招标条件",
                       "last": LINES[1], "files": ["招标文件.pdf", "工程量清单.xls"], "holds": "MMX-2021-GC-015"}),
        "大汉 JCMS": (_page("县政府办公室关于印发防汛应急预案的通知",
                          "<table width='1000'><tr><td width='230'><table>" + "".join(
                              f"<tr><td><a href='/col/col{i}/index.html'>子栏目{i}</a></td></tr>" for i in range(8)) +
                          "</table></td><td><table width='100%'><tr><td>当前位置：<a href='/'>首页</a> &gt; 政府文件</td></tr>"
                          "<tr><td align='center' class='title'>县政府办公室关于印发防汛应急预案的通知</td></tr><tr><td align="
                          "'center'>发布日期：2021-05-20 &nbsp; 信息来源：县政府办公室 &nbsp; 浏览次数：<span id='ct'></span> "
                          "字体：〖<a href='javascript:doZoom(16)'>大</a> <a href='javascript:doZoom(12)'>小</a>〗</td></tr><tr><td>"
                          f"<div id='zoom'><p>各乡镇人民政府，县政府各部门：</p>{PARAS}<p>附件：<a href='javascript:void(0)' "
                          "onclick=\"downLoadFile('/module/download/downfile.jsp?classid=0&filename=2105201030123.pdf')\">"
                          f"某某县防汛应急预案.pdf</a></p></div></td></tr><tr><td>{tool}</td></tr></table></td></tr></table>",
                          charset="gb2312"),
                    f"{HOST}/art/2021/5/20/art_1234_56789.html", "gb18030",
                    {"title": "县政府办公室关于印发防汛应急预案的通知", "published": "2021-05-20", "source": "县政府办公室",
                     "first": "各乡镇人民政府，县政府各部门：", "last": LINES[3], "files": ["某某县防汛应急预案.pdf"]}),
        "织梦": (_page("县召开安全生产工作会议_某某县应急管理局",
                     "<div class='w960'><div class='pleft'><div class='place'><strong>当前位置:</strong> <a href='/'>主页</a> > "
                     "</div><div class='viewbox'><div class='title'><h2>县召开安全生产工作会议</h2></div><div class='info'><small>"
                     "时间:</small>2021-06-08 15:32<small>来源:</small>未知 <small>作者:</small>admin <small>点击:</small><script "
                     "src='/plus/count.php?view=yes&aid=321&mid=1'></script>次</div><div class='intro'>县召开安全生产工作会议，部署"
                     f"当前安全生产工作。</div><div class='content'><table width='100%'><tr><td>{PARAS}</td></tr></table></div>"
                     "<div class='handle'><div class='context'><ul><li>上一篇：<a href='/a/news/320.html'>全县防汛工作会议召开</a>"
                     "</li><li>下一篇：没有了</li></ul></div></div></div><div class='mt1'><dl class='tbox'><dt><strong>最新评论"
                     f"</strong></dt><dd><ul>{feedback}</ul></dd></dl></div></div><div class='pright'>{_related()}</div></div>"),
               f"{HOST}/a/news/2021/0608/321.html", "utf-8",
               {"title": "县召开安全生产工作会议", "published": "2021-06-08T15:32:00", "source": None,
                "body_text": "\n".join(LINES)}),
        "gov.cn 政策文件库": (_page("某某省人民政府办公厅关于加强全省农村供水保障工作的通知_省政府办公厅文件_某某省人民政府",
                                f"<div class='w1100'><div class='policyLibraryOverview_header'>{meta}</div><div class="
                                "'pages_content' id='UCAP-CONTENT'><p style='text-align:center'>某政办发〔2021〕15号</p>"
                                f"<p>各市人民政府，省政府各部门：</p>{PARAS}<p style='text-align:right'>某某省人民政府办公厅</p>"
                                "<p style='text-align:right'>2021年5月18日</p></div><div class='share'>分享到：<a href='#'>微信"
                                "</a></div></div>", "<meta name='firstpublishedtime' content='2021-05-21 17:03:00'>"),
                          f"{HOST}/zhengce/content/202105/content_12345.htm", "utf-8",
                          {"title": "某某省人民政府办公厅关于加强全省农村供水保障工作的通知", "published": "2021-05-21",
                           "index_no": "11610000MB1234567X/2021-00123", "doc_no": "某政办发〔2021〕15号",
                           "written": "2021-05-18", "topic": "综合政务\\通知", "validity": "有效",
                           "publisher": "某某省人民政府办公厅", "first": "某政办发〔2021〕15号", "last": "2021年5月18日"}),
        "统计公报": (_page("某某县2020年国民经济和社会发展统计公报",
                       "<div class='wrap'><div class='detail'><div class='detail-title'>某某县2020年国民经济和社会发展统计公报</div>"
                       "<div class='detail-info'>发布时间：2021-03-31 &nbsp; 信息来源：县统计局 &nbsp; 【字体：<a href="
                       "'javascript:;'>大</a> <a href='javascript:;'>小</a>】</div><div class='detail-body'><div>某某县统计局</div>"
                       f"<div><b>一、综合</b></div><div>{LINES[0]}</div><div><img src='/uploads/2021/03/tu1.png'></div>{stats}"
                       "</div></div></div>"),
                  f"{HOST}/tjxx/202103/t20210331_99.html", "utf-8",
                  {"title": "某某县2020年国民经济和社会发展统计公报", "published": "2021-03-31", "source": "县统计局",
                   "first": "某某县统计局", "last": LINES[2], "images": [f"{HOST}/uploads/2021/03/tu1.png"], "holds": "指标2-7"}),
        "PDF 阅读器": (_page("某某县2021年政府工作报告",
                          "<div class='main'><div class='art'><h1>某某县2021年政府工作报告</h1><div class='art-info'>发布时间："
                          "2021-02-03 来源：县政府办</div><div class='art-con'><iframe src='/static/pdfjs/web/viewer.html?file="
                          "/uploadfiles/2021/02/zfgzbg2021.pdf' width='100%' height='900'></iframe></div></div></div>"),
                     f"{HOST}/zfgzbg/202102/t20210203_5.html", "utf-8",
                     {"title": "某某县2021年政府工作报告", "published": "2021-02-03", "source": "县政府办",
                      "files": ["zfgzbg2021.pdf"]}),
        "视频": (_page("【视频】2021年全县教育工作会议 - 某某电视台",
                     "<div class='main'><div class='video-box'><h1>【视频】2021年全县教育工作会议</h1><div class='video-info'>"
                     "发布时间：2021-02-20 10:00 来源：县融媒体中心</div><div class='player'><video src='/uploads/video/2021/02/"
                     f"jyhy.mp4' controls></video></div><div class='video-desc'>{LINES[0]}</div></div>"
                     f"{_related(6, '相关视频')}</div>"),
               f"{HOST}/sp/2021/0220/77.html", "utf-8",
               {"title": "【视频】2021年全县教育工作会议", "published": "2021-02-20T10:00:00", "source": "县融媒体中心",
                "body_text": f"jyhy.mp4\n{LINES[0]}"}),
        "图集": (_page("图说：春回大地万物新_某某县人民政府",
                     "<div class='main'><h1 class='pic-title'>图说：春回大地万物新</h1><div class='pic-info'>2021-03-21 09:10:00 "
                     "来源：县委宣传部 摄影：赵六</div><div class='slider'><ul>" + "".join(
                         f"<li><img src='/uploads/pic/2021/03/c{i}.jpg'><p class='txt'>图为某某镇农民在田间忙于春耕生产（第{i}张）。"
                         "</p></li>" for i in range(1, 5)) + "</ul><a href='javascript:;' class='prev'>上一张</a></div>"
                     f"{_related(6, '相关图集')}</div>"),
               f"{HOST}/tp/2021/0321/88.html", "utf-8",
               {"title": "图说：春回大地万物新", "published": "2021-03-21T09:10:00", "source": "县委宣传部",
                "first": "图为某某镇农民在田间忙于春耕生产（第1张）。",
                "images": [f"{HOST}/uploads/pic/2021/03/c{i}.jpg" for i in range(1, 5)]}),
    }


def _check(record, want: dict, name: str) -> None:
    """Assert a record gives what a reader takes from the page."""
    lines = record.body_text.split("\n")
    for key, value in want.items():
        if key == "holds":
            assert value in record.body_text, (name, value)
            continue
        got = {"first": lines[0], "last": lines[-1], "files": [a.name for a in record.attachments]
               }.get(key, getattr(record, key, None))
        assert got == value, (name, key, got)
    assert not any(word in record.body_text for word in ("栏目", "相关", "运动会", "网友", "游客", "上一篇", "版权", "打印"))


@pytest.mark.parametrize("name", list(_layouts()))
def test_unseen_layouts_give_every_field_a_reader_takes(name: str) -> None:
    html, url, charset, want = _layouts()[name]
    _check(_record(html, url, charset), want, name)


@pytest.mark.parametrize("name", list(_layouts()))
def test_unseen_layouts_give_the_same_records_on_the_template_path(name: str) -> None:
    html, url, charset, want = _layouts()[name]
    extractor = SiteExtractor("demo", learn_after=3)
    for i in range(7):
        page = decode_html(html.replace(LINES[1], f"第{i}次全县教育工作推进会议在县行政中心召开。" * (1 + i % 3))
                           .encode(charset), "text/html").text
        record = extractor.extract(page, f"{url}?p={i}")
        assert record == extract_article(page, f"{url}?p={i}", "demo"), (name, i)
    assert extractor.hits == 4 or name == "PDF 阅读器", name  # no template from a body trafilatura found


def _crawled_article(i: int) -> bytes:
    """A 帝国CMS article in GBK: header, two lines, a file a script opens, then a long comment list in one block."""
    main = (f"<div class='main'><div class='position'>当前位置：<a href='/index.html'>首页</a> &gt; <a href='/index.html'>工作动态"
            f"</a></div><div class='wrap'><div class='lft'><h2>全市就业工作推进会第{i}次会议召开</h2><div class='inf'>发布时间："
            f"2021-06-0{i + 1} 来源：市人社局</div><div class='q1'>{LINES[0]}<br>{LINES[i % 4]}<br>附件：<a href=\"javascript:"
            f"window.open('/d/file/2021/plan{i}.pdf')\">工作方案</a></div></div>{_comments(6 + 4 * i)}</div></div>")
    return _page(f"全市就业工作推进会第{i}次会议召开_某某市人力资源和社会保障局", main, charset="gbk").encode("gbk")


SMALL_SITE: dict[str, str | bytes] = {
    "index.html": _page("某某市人力资源和社会保障局", "<ul class='list'>" + "".join(
        f"<li><a href='/news/2021-06-0{i + 1}/{100 + i}.html'>全市就业工作推进会第{i}次会议召开</a><span>2021-06-0{i + 1}</span>"
        "</li>" for i in range(8)) + "</ul>", charset="gbk").encode("gbk"),
    **{f"news/2021-06-0{i + 1}/{100 + i}.html": _crawled_article(i) for i in range(8)},
    **{f"d/file/2021/plan{i}.pdf": b"%PDF-1.4 plan" for i in range(8)},
}


def test_a_crawled_gbk_site_with_long_comment_lists_keeps_each_article_and_its_file(small_site: str,
                                                                                   tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {"sfj": small_site})
    pipeline.crawl(ws, ["sfj"])
    records = article_records(ws, "sfj")
    assert len(records) == 8
    for record in records:
        i = int(record["url"].rsplit("/", 1)[1][:3]) - 100
        assert record["title"] == f"全市就业工作推进会第{i}次会议召开" and record["published"] == f"2021-06-0{i + 1}"
        assert record["source"] == "市人社局"
        assert record["body_text"].split("\n")[:2] == [LINES[0], LINES[i % 4]], i
        assert "网友" not in record["body_text"]
        assert [(a["url"], a["name"]) for a in record["attachments"]] == [(f"{small_site}d/file/2021/plan{i}.pdf", "工作方案")]



def test_a_multi_page_articles_pager_is_no_body_line() -> None:
    pager = ("<div class='epages'>页次：1/3 每页10 总数30 首页 上一页 <b>1</b>&nbsp;<a href='/news/2021-01-05/160_2.html'>2</a>"
             "&nbsp;<a href='/news/2021-01-05/160_3.html'>3</a>&nbsp;<a href='/news/2021-01-05/160_2.html'>下一页</a>&nbsp;"
             "<a href='/news/2021-01-05/160_3.html'>尾页</a></div>")
    main = (f"<div class='main'><h1>我县召开经济工作会议</h1><div class='info'>发布时间：2021-01-05 来源：县发改局</div>"
            f"<div id='text'>{PARAS}</div>{pager}</div>")
    record = extract_article(_page("我县召开经济工作会议_某某县人民政府", main), f"{HOST}/news/2021-01-05/160.html")
    assert record.body_text == "\n".join(LINES) and record.published == "2021-01-05" and record.source == "县发改局"
    assert record.part_urls == [f"{HOST}/news/2021-01-05/160_2.html", f"{HOST}/news/2021-01-05/160_3.html"]


def test_a_box_of_summaries_under_its_own_heading_never_takes_a_short_article() -> None:
    side = "<div class='side'><h3>热点推荐</h3>" + "".join(
        f"<div class='item'><p>全县第{i}批重点项目集中开工，总投资超过{i}0亿元，涵盖工业、农业、基础设施和社会民生等多个领域，将有力推动"
        "县域经济高质量发展。</p></div>" for i in range(6)) + "</div>"
    main = (f"<div class='wrap'><div class='left'><h1>县长调研春耕生产</h1><div class='info'>发布时间：2021-03-22 来源：县政府办"
            f"</div><div class='cont'><div>{LINES[0]}</div><div>{LINES[1]}</div></div></div>{side}</div>")
    record = extract_article(_page("县长调研春耕生产_某某县人民政府", main), f"{HOST}/n/2021/0322/3.html")
    assert record.body_text == "\n".join(LINES[:2]) and record.published == "2021-03-22"


def test_date_labels_of_other_cms_families_give_the_date() -> None:
    for info in ("录入时间：2021-05-06 来源：县教育局", "添加时间：2021-5-6 来源：县教育局", "更新日期：2021-05-06 信息来源：县教育局",
                 "发布：2021-05-06 来源：县教育局", "创建时间：2021-05-06 来源：县教育局", "上传日期：2021-05-06 来源：县教育局"):
        main = f"<div class='art'><h1>县教育局召开会议</h1><div class='info'>{info}</div><div class='nr'>{PARAS}</div></div>"
        record = extract_article(_page("县教育局召开会议", main), f"{HOST}/a/1.html")
        assert (record.published, record.source) == ("2021-05-06", "县教育局"), info
        assert record.body_text == "\n".join(LINES), info


def test_a_file_linked_by_a_download_word_is_named_by_its_line() -> None:
    for line, name in (("附件1：申请表（<a href='/files/e.doc'>点击下载</a>）", "申请表"),
                       ("附件：<a href='/files/e.doc'>点击下载</a>", "e.doc"),  # nothing else on the line: its file name
                       ("<a href='/files/e.doc'>下载</a>附件2：评分细则", "评分细则")):
        page = _page("关于公布2021年度评审结果的公示", "<div class='main'><div class='bt'>关于公布2021年度评审结果的公示</div>"
                     f"<div class='sj'>发布时间：2021-07-15</div><div class='nr'>{PARAS}<p>{line}</p></div></div>")
        record = extract_article(page, f"{HOST}/tzgg/1.html")
        assert [(a.url, a.name) for a in record.attachments] == [(f"{HOST}/files/e.doc", name)], line


def test_a_box_under_its_own_heading_beside_a_short_article_is_never_its_body() -> None:
    about = "<div class='xqjj'><div class='hd'>县情简介</div><div class='bd'>" + "".join(
        f"<div>某某县位于某省东南部，总面积{i}345平方公里，辖5个镇3个乡，户籍人口34万人，是国家级生态示范县和全国文明县城。</div>"
        for i in range(6)) + "</div></div>"
    bios = "<div class='ld'><h3>领导信息</h3>" + "".join(
        f"<div class='b'><img src='/ld/{i}.jpg'><div>副县长{i}：负责工业、交通、能源、安全生产等方面工作，分管县工信局、县交通局、"
        "县应急局，联系县供电公司。</div></div>" for i in range(4)) + "</div>"
    header = "<h1>春耕时节田野忙</h1><div class='info'>发布时间：2021-03-28 来源：县融媒体中心</div>"
    story = f"<div class='wrap'><div class='art'>{header}<div class='c'><div>{LINES[0]}</div></div></div>{about}</div>"
    record = extract_article(_page("春耕时节田野忙_某某县人民政府", story), f"{HOST}/n/1.html")
    assert record.body_text == LINES[0] and record.published == "2021-03-28"
    picture = (f"<div class='wrap'><div class='art'>{header}<div class='c'><div><img src='/uploads/2021/03/cg.jpg'></div>"
               f"<div>图为某某镇农民在田间忙于春耕。</div></div></div>{bios}</div>")
    record = extract_article(_page("春耕时节田野忙_某某县人民政府", picture), f"{HOST}/tp/1.html")
    assert record.body_text == "图为某某镇农民在田间忙于春耕。" and record.images == [f"{HOST}/uploads/2021/03/cg.jpg"]
    summary = ("<div class='art'><div class='hd'>" + header + "<div class='zy'>摘要：全市就业工作推进会议部署下半年就业重点任务。</div>"
               "</div><div class='bd'><div class='tit'>市人社局</div>" + "".join(f"<div>{line}</div>" for line in LINES) + "</div></div>")
    record = extract_article(_page("春耕时节田野忙_某某县人民政府", summary), f"{HOST}/n/2.html")
    assert all(line in record.body_text for line in LINES)  # the body's own first line is no box heading


def test_an_article_under_a_column_bar_named_like_a_list_is_still_the_body() -> None:
    for lines in (PARAS, "".join(f"<div>{line}</div>" for line in LINES)):
        main = (f"<div class='wrap'><div class='lmname'>最新资讯</div><div class='box'><h1>全市就业工作推进会召开</h1>"
                f"<div class='inf'>发布时间：2021-06-01 来源：市人社局</div><div class='x'>{lines}</div></div></div>")
        record = extract_article(_page("全市就业工作推进会召开_某某市人民政府", main), f"{HOST}/n/1.html")
        assert record.body_text == "\n".join(LINES) and record.published == "2021-06-01"
