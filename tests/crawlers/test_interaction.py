"""Interaction records (letters, replies, surveys) found on pages: every field on the sample fleet's mailboxes in
three vendor styles, forms and templates without records, no article taken for a record, and the real samples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from consolidate.samplefleet import build_fleet
from consolidate.samplefleet.mailbox import LAYOUTS, MAILBOX_COLUMN
from crawlers.interaction import detect, list_records, text_of_html, vendor_profile

SAMPLES = Path(os.environ.get("CONSOLIDATE_SAMPLES") or Path(__file__).resolve().parents[3] / "shared" / "samples")
BASE = "http://old.example.gov.cn"


@pytest.fixture(scope="module")
def fleet():
    """A small fleet with mailboxes."""
    return build_fleet(articles_per_site=8, mailbox=True)


def page(site, path: str) -> str:
    """A page of a sample site, decoded."""
    answer = site.respond(path, {})
    assert answer.status == 200, path
    return answer.body.decode(site.encoding)


def test_every_field_of_every_letter_in_three_vendor_styles(fleet):
    """TRS wcm/app tables, Hanweb jact dl lists and generic 'label：value' rows give the same, true fields."""
    for site in fleet.sites:
        for letter in (x for x in site.letters if x.path):
            found = detect(page(site, letter.path), BASE + letter.path, site.site_id)
            assert found is not None and found.kind == "record", letter.path
            record = found.record
            assert record.profile == LAYOUTS[site.cms].profile
            assert (record.kind, record.subject, record.number, record.category) == (
                letter.kind, letter.subject, letter.number, letter.category)
            assert record.writer == letter.writer and record.contact == {"联系电话": letter.phone}
            assert record.received == letter.received.isoformat()
            assert record.replied == (letter.replied.isoformat() if letter.replied else None)
            assert record.reply_unit == letter.reply_unit
            assert text_of_html(record.question_html) == letter.question
            assert text_of_html(record.reply_html) == (letter.reply or "")
            assert (record.reply_html is None) == (letter.reply is None)
            assert record.status == letter.status
            assert len(record.content_hash) == 64


def test_list_rows_are_records_with_what_they_show(fleet):
    """Each mailbox list page's rows give number, subject, category, date received and status; a row linking
    nowhere (javascript:;) is kept under its page and number, so a letter no detail page shows still counts."""
    for site in fleet.sites:
        layout = LAYOUTS[site.cms]
        rows = []
        for number in (1, 2, 3):
            url = BASE + layout.list_url(number)
            rows += [(url, r) for r in list_records(page(site, layout.list_url(number)), url, site.site_id)]
        assert len(rows) == len(site.letters)
        for (url, row), letter in zip(rows, site.letters, strict=True):
            assert row.url == (BASE + letter.path if letter.path else f"{url}#{letter.number}")
            assert (row.number, row.subject, row.category, row.kind, row.received, row.status, row.source) == (
                letter.number, letter.subject, letter.category, letter.kind, letter.received.isoformat(),
                letter.status, "list")
            assert row.writer is None and row.question_html is None


def test_real_style_list_statuses():
    """Printed statuses of list rows: 处理完毕 is replied, 新办件 unreplied, 拒绝受理 a refusal (refused: no reply
    owed, kept as printed); a news list with 标题/发布日期 is no letter list."""
    html = ("<table><tr><td>编号</td><td>信件标题</td><td>受理时间</td><td>信件状态</td></tr>"
            "<tr><td>1</td><td><a href='javascript:;' title='用水问题'>用水问题</a></td><td>2020-10-30</td>"
            "<td>处理完毕</td></tr><tr><td>2</td><td>违建</td><td>2020-11-23</td><td>拒绝受理</td></tr>"
            "<tr><td>3</td><td>噪音</td><td>2020-11-25</td><td>新办件</td></tr></table>")
    rows = list_records(html, BASE + "/channels/12719.html")
    assert [(r.url.rsplit("#", 1)[1], r.status, r.status_text) for r in rows] == [
        ("1", "replied", "处理完毕"), ("2", "refused", "拒绝受理"), ("3", "unreplied", "新办件")]
    news = "<table><tr><th>标题</th><th>发布日期</th><th>点击</th></tr><tr><td>通知</td><td>2020-01-01</td><td>3</td></tr></table>"
    assert list_records(news, BASE + "/list.html") == []


def test_survey_results_as_data(fleet):
    """A 网上调查 page gives its question, options, votes and shares."""
    for site in fleet.sites:
        found = detect(page(site, site.survey.path), BASE + site.survey.path, site.site_id)
        assert found is not None and found.record is not None
        assert found.record.kind == "survey" and found.record.subject == site.survey.subject
        assert found.record.survey == [{"question": site.survey.question,
                                        "options": [{"option": o, "votes": v, "percent": p}
                                                    for o, v, p in site.survey.options]}]


def test_list_pages_and_articles_are_no_records(fleet):
    """The mailbox's query-string list pages and every article page of the fleet are left to the article path."""
    for site in fleet.sites:
        layout = LAYOUTS[site.cms]
        for path in (layout.list_url(1), layout.list_url(2), layout.list_url(3)):
            assert detect(page(site, path), BASE + path) is None
            assert MAILBOX_COLUMN[-1] in page(site, path)
        for article in site.articles:
            assert detect(page(site, article.path), BASE + article.path) is None, article.path


MAILBOX_TEMPLATE = """<html><body><h2>信件查询</h2><table>
<tr><td>姓名</td><td>{$T.realname}</td><td>联系电话</td><td>{$T.phone}</td></tr>
<tr><td>标题</td><td>{$T.title}</td></tr><tr><td>内容</td><td>{$T.content}</td></tr>
<tr><td>办理部门</td><td>{$T.replydepartmentname}</td><td>办理日期</td><td>{$T.replyadddate}</td></tr>
<tr><td>回复内容</td><td>{$T.replycontent}</td></tr></table></body></html>"""

WRITE_FORM = """<html><body><form action="/mail/save.do" method="post"><table>
<tr><td>姓名</td><td><input name="name"></td></tr><tr><td>联系电话</td><td><input type="text" name="tel"></td></tr>
<tr><td>标题</td><td><input name="title"></td></tr><tr><td>内容</td><td><textarea name="c"></textarea></td></tr>
</table></form></body></html>"""


def test_templates_and_forms_are_forms_never_records():
    """A script template ({$T.x}) and a letter-writing form are recognised as forms: no record is invented."""
    for html in (MAILBOX_TEMPLATE, WRITE_FORM):
        found = detect(html, BASE + "/utils/letterquery.html")
        assert found is not None and found.kind == "form" and found.record is None


def test_status_words_and_missing_reply_section():
    """'暂未回复' in the reply cell is no reply; a printed status wins; a page with no reply section is unknown (a
    question and its date suffice on a mailbox URL, not on any page)."""
    unreplied = ("<html><body><table><tr><td>信件标题</td><td>路灯不亮</td></tr><tr><td>来信时间</td>"
                 "<td>2026年10月9日 14:05</td></tr><tr><td>来信内容</td><td>路灯坏了。</td></tr>"
                 "<tr><td>答复内容</td><td>暂未回复</td></tr></table></body></html>")
    record = detect(unreplied, BASE + "/mail/detail.jsp?id=5").record
    assert (record.status, record.reply_html, record.received) == ("unreplied", None, "2026-10-09T14:05:00")
    no_reply = ("<html><body><table><tr><td>留言标题</td><td>咨询社保</td></tr><tr><td>留言时间</td><td>2026-10-09"
                "</td></tr><tr><td>留言内容</td><td>怎么办理？</td></tr><tr><td>类型</td><td>咨询</td></tr>"
                "</table></body></html>")
    record = detect(no_reply, BASE + "/liuyan.php?id=9").record
    assert (record.status, record.kind, record.replied) == ("unknown", "consult", None)
    assert detect(no_reply, BASE + "/news/show.php?id=9") is None
    done = no_reply.replace("</table>", "<tr><td>处理状态</td><td>已办结</td></tr></table>")
    assert detect(done, BASE + "/liuyan.php?id=9").record.status == "replied"


def test_vendor_profiles_by_url():
    """Hanweb jact, TRS wcm/app and 开普云 interaction URLs name their profile; an article URL names none."""
    assert vendor_profile("http://a/jact/front/mailpubdetail.do?sysid=6&objectid=1") == "hanweb-jact"
    assert vendor_profile("http://a/wcm/app/govmail/detail.jsp?id=3") == "trs-wcm-app"
    assert vendor_profile("http://a/interaction/letter/detail?id=3") == "kaipuyun"
    assert vendor_profile("http://a/jact/front/maillist.do?sysid=6&page=2", "list") == "hanweb-jact"
    assert vendor_profile("http://a/art/2026/10/9/art_1_2.html") is None


@pytest.mark.skipif(not (SAMPLES / "lgedu_net").is_dir(), reason="real samples (../shared/samples) not present")
def test_real_samples_one_letter_and_forms():
    """lgedu_net's one published letter gives every field; its query pages and forms are forms; no other page
    of the six real sites is taken for a record."""
    letter = (SAMPLES / "lgedu_net/contents/18296/20507.html").read_text(encoding="utf-8")
    record = detect(letter, "http://www.lgedu.net/contents/18296/20507.html").record
    assert (record.kind, record.subject, record.number, record.category) == ("consult", "职称", "20507", "咨询")
    assert (record.received, record.replied, record.reply_unit, record.status) == (
        "2020-12-21", "2020-12-23", "市教育体育局", "replied")
    assert text_of_html(record.question_html).startswith("2018年12月") and record.contact == {}
    assert text_of_html(record.reply_html).endswith("谢谢您的来件！")
    for path in ("utils/letterquery.html", "utils/wyxx.html", "Information/Information_cx.html"):
        found = detect((SAMPLES / "lgedu_net" / path).read_text(encoding="utf-8", errors="replace"), "http://x/" + path)
        assert found is not None and found.kind == "form", path
    records = []
    for path in SAMPLES.glob("*/**/*.htm*"):
        found = detect(path.read_bytes().decode("utf-8", "replace"), "http://x/" + path.name)
        if found is not None and found.kind == "record":
            records.append(path.relative_to(SAMPLES).as_posix())
    assert records == ["lgedu_net/contents/18296/20507.html"]
    listed = list_records((SAMPLES / "lgedu_net/channels/12719.html").read_text(encoding="utf-8"),
                          "http://www.lgedu.net/channels/12719.html")
    assert len(listed) == 10 and {r.status_text for r in listed} == {"拒绝受理", "处理完毕"}
    assert {r.kind for r in listed} == {"complaint"}  # from the page's title: 企业投诉平台
    assert sum(r.status == "replied" for r in listed) == 5 and listed[0].received == "2020-11-23"
