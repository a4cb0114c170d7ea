"""An 附件 line whose file the page gives no address (a dead href naming it) stays in the body: it is the only
trace of that file a reader gets. Lines of files with an address still move to the attachment list."""

from __future__ import annotations

from crawlers.extract import extract_article
from tests.crawlers.pages import legacy_page

PARAGRAPHS = "".join(f"<p>第{i}条 各县（市、区）教体局要按照通知要求，认真组织活动，按时报送材料，确保工作落实到位。</p>"
                     for i in range(1, 8))


def _page(files: str) -> str:
    """An article page whose body ends with an 附件 block of the given lines."""
    return legacy_page("关于举办教师基本功展示活动的通知",
                       f"<h1>关于举办教师基本功展示活动的通知</h1><div class='info'>发布时间：2020-11-25 来源：市教育体育局</div>"
                       f"<div class='content'>{PARAGRAPHS}<p>附件：</p>{files}</div>")


def test_files_without_an_address_stay_named_in_the_body() -> None:
    """javascript: links naming .doc files: the names stay in the body, the attachments say unreachable."""
    files = ("<p>1.<a href='javascript:;' title='202011251534113703.doc'>名额分配表</a></p>"
             "<p>2.<a href='javascript:;' title='202011251535147482.doc'>评分标准</a></p>")
    record = extract_article(_page(files), "https://www.example.gov.cn/contents/1/2.html")
    assert "名额分配表" in record.body_text and "评分标准" in record.body_text
    assert "javascript" not in record.body_html
    assert [a.url for a in record.attachments] == ["", ""]


def test_files_with_an_address_move_to_the_attachment_list() -> None:
    """The same block with real file links leaves the body; the files are the record's attachments."""
    files = ("<p>1.<a href='/upload/2020/fenpei.doc'>名额分配表</a></p>"
             "<p>2.<a href='/upload/2020/pingfen.doc'>评分标准</a></p>")
    record = extract_article(_page(files), "https://www.example.gov.cn/contents/1/2.html")
    assert "名额分配表" not in record.body_text
    assert [a.url for a in record.attachments] == ["https://www.example.gov.cn/upload/2020/fenpei.doc",
                                                   "https://www.example.gov.cn/upload/2020/pingfen.doc"]
