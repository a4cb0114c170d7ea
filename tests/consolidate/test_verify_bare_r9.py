"""verify judges a published page bare by push's own hold rule: a scanned notice published before that rule (its
images gone, a download label and a few words left) is a difference, and a short text beside its photo is not."""

from __future__ import annotations

from types import SimpleNamespace

from consolidate.core.store import ArticleRow
from consolidate.verify import BARE_PREFIX, VerifyResult, VerifySummary, _bare_as_published

SCANS = "".join(f'<p><img src="/up/scan{i}.jpg" alt=""></p>' for i in range(6))
LEFT = '<h2>附件下载：</h2><p>01343d80f598b96375ecc4cd7a130745.doc&nbsp;(276.50 KB)</p><p>“海峡众联”公众号：</p>'


def _article(body_html: str, text: str) -> ArticleRow:
    """A legacy article as the crawl recorded it."""
    return ArticleRow(title="关于举办公益慈善项目大赛的通知", body_html=body_html, body_text=text,
                      attachments=[{"url": "", "name": "参赛申报表.doc"}])


def test_a_scanned_notice_published_without_its_scans_is_bare() -> None:
    article = _article(SCANS + LEFT, "附件下载： 01343d80f598b96375ecc4cd7a130745.doc (276.50 KB) “海峡众联”公众号：")
    snapshot = SimpleNamespace(body_html=LEFT, attachments=[])
    assert _bare_as_published(snapshot, article, "附件下载： 01343d80f598b96375ecc4cd7a130745.doc (276.50 KB) "
                                                 "“海峡众联”公众号：")


def test_a_caption_beside_its_photo_is_not_bare() -> None:
    html = '<p><img src="/new/tree.png" alt=""></p><p>3月12日，机关干部参加义务植树。</p>'
    article = ArticleRow(title="植树活动", body_html=html, body_text="3月12日，机关干部参加义务植树。", attachments=[])
    snapshot = SimpleNamespace(body_html=html, attachments=[])
    assert not _bare_as_published(snapshot, article, "3月12日，机关干部参加义务植树。")


def test_a_bare_published_page_is_not_offered_to_push_update_but_said_to_be_taken_back() -> None:
    """`push --update` would hold a bare page and take it off the portal, not send it again: verify counts it apart."""
    bare = VerifyResult("http://old/a.html", "mismatch", [f"{BARE_PREFIX}the published page shows nothing of its own"])
    changed = VerifyResult("http://old/b.html", "mismatch", ["body text differs"])
    summary = VerifySummary("fjmjzz", mismatch=2, results=[bare, changed])
    assert (summary.bare, summary.resendable) == (1, 1)
