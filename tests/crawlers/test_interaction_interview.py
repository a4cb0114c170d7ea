"""Interview transcripts (在线访谈): the common layout of host and guest turns read as a record of kind interview,
on pages generated here in the layouts vendors use (speaker and colon, bracketed speaker, turns split by <br>)."""

from __future__ import annotations

from crawlers.interaction import detect

GUEST = "王建国"
TURNS = [("主持人", "各位网友大家好，欢迎来到在线访谈。今天我们请到了市教育局王建国局长。"),
         (GUEST, "主持人好，各位网友好。"),
         ("主持人", "今年秋季学期的招生政策有什么变化？"),
         (GUEST, "主要有三点变化：一是划片更细，二是报名全部网上办理，三是增加了学位。"),
         ("网友“江边人”", "请问随迁子女怎么报名？"),
         (GUEST, "随迁子女凭居住证在网上报名即可。")]


def page(turn_html: str, header: str = "") -> str:
    """An interview page of a department site: nav, header labels, the transcript, a footer."""
    return (f"<html><head><title>王建国局长谈秋季招生 - 在线访谈 - 临江市教育局</title></head><body>"
            f"<div class='nav'><a href='/'>首页</a> &gt; <a href='/zxft/'>在线访谈</a></div>"
            f"<h1>王建国局长谈秋季招生</h1>{header}<div class='content'>{turn_html}</div>"
            f"<div class='footer'><p>主办：临江市教育局</p><p>联系电话：0571-12345678</p></div></body></html>")


HEADER = ("<table><tr><td>访谈主题：秋季招生政策解读</td></tr><tr><td>访谈时间：2026年9月1日 10:00</td></tr>"
          "<tr><td>访谈嘉宾：王建国 市教育局局长</td></tr></table>")


def check(found, subject: str = "秋季招生政策解读", received: str | None = "2026-09-01T10:00:00") -> None:
    """The record has every turn in order with its speaker and role, and the header's fields."""
    assert found is not None and found.kind == "record"
    record = found.record
    assert (record.kind, record.subject, record.received) == ("interview", subject, received)
    turns = record.survey
    assert [(t["speaker"], t["text"]) for t in turns] == [(s, text) for s, text in TURNS]
    assert [t["role"] for t in turns] == ["host", "guest", "host", "guest", "host", "guest"]
    assert "<strong>主持人：</strong>" in record.question_html and "12345678" not in record.question_html


def test_speaker_colon_paragraphs():
    """'主持人：…' paragraphs with the speaker in bold."""
    html = "".join(f"<p><strong>{s}：</strong>{t}</p>" for s, t in TURNS)
    check(detect(page(html, HEADER), "http://jyj.example/zxft/202609/t1.html"))


def test_bracketed_speakers_split_by_breaks():
    """'[主持人] …' lines in one block split by <br>, no header: subject from the heading, no date invented."""
    html = "<div>" + "<br>".join(f"[{s}] {t}" for s, t in TURNS) + "</div>"
    check(detect(page(html), "http://jyj.example/zxft/2.html"), subject="王建国局长谈秋季招生", received=None)


def test_a_turn_continued_in_the_next_paragraph():
    """A guest's answer over two paragraphs stays one turn."""
    html = "".join(f"<p>【{s}】{t}</p>" for s, t in TURNS[:3]) + "<p>【王建国】第一，划片更细。</p><p>第二，网上报名。</p>"
    found = detect(page(html, HEADER), "http://jyj.example/zxft/3.html")
    assert found is not None and found.record.survey[-1] == {"speaker": GUEST, "role": "guest",
                                                              "text": "第一，划片更细。\n第二，网上报名。"}


def test_no_interview_without_both_sides():
    """A page about an interview with label lines but no host and guest turns is no record; an article that
    quotes a host once is none either."""
    assert detect(page("<p>主持人：李明</p><p>访谈将于9月1日举行，欢迎网友提问。</p>", HEADER),
                  "http://jyj.example/zxft/notice.html") is None
    assert detect(page("<p>记者从市教育局获悉，今年秋季招生政策有变化。</p>"), "http://jyj.example/a.html") is None


def test_a_press_qa_article_is_no_interview():
    """A 答记者问 article (记者 asks, an official answers) on a page whose navigation links to 在线访谈 stays an
    article: it does not call itself an interview and has no host."""
    turns = "".join(f"<p>{s}：{t}</p>" for s, t in [("记者", "今年招生有什么变化？"), ("王建国", "有三点变化。"),
                                                  ("记者", "随迁子女怎么报名？"), ("王建国", "网上报名。")])
    html = (f"<html><head><title>市教育局负责人就秋季招生答记者问 - 临江市教育局</title></head><body>"
            f"<div class='nav'><a href='/zxft/'>在线访谈</a></div><h1>市教育局负责人就秋季招生答记者问</h1>"
            f"<div class='content'>{turns}</div></body></html>")
    assert detect(html, "http://jyj.example/zcjd/t1.html") is None
