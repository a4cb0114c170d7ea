"""Two articles with the same body under clearly different titles (one legacy page carries another's text by
mistake): never merged as duplicates, both held for review, each naming the other."""

from __future__ import annotations

from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.core.store import ArticleRow, PushRecord
from consolidate.ledger import site_ledger
from consolidate.messages import site_messages
from tests.conftest import migrated_articles

SITE = "jyj"
TEXT = ("7月25日，县司法局联合县普法办在县城文化广场开展法制宣传教育活动，发放宣传资料三千余份，解答群众法律咨询两百余"
        "人次。活动围绕宪法、民法典和反电信网络诈骗法展开，工作人员结合身边案例，向群众讲解如何运用法律武器维护自身合法"
        "权益。活动现场还设置了法律援助咨询台和人民调解服务点，律师和调解员为群众现场解答婚姻家庭、劳动争议、土地承包"
        "等方面的法律问题，并发放法律援助联系卡，引导群众依法理性表达诉求。县司法局负责人表示，下一步将持续推进法治宣传"
        "进社区、进乡村、进学校，营造尊法学法守法用法的良好氛围。")

TITLES = ("深圳立法保护“活雷锋”", "昌吉州玛纳斯县积极开展法制宣传教育活动")


def _one_body_two_titles(ws: pipeline.Workspace, urls: list[str]) -> None:
    """Give the two articles the same body and date under clearly different titles (as a later crawl reads a
    legacy page that carries another's text)."""
    with ws.store.session() as session:
        for url, title in zip(urls, TITLES, strict=True):
            session.execute(update(ArticleRow).where(ArticleRow.site_id == SITE, ArticleRow.url == url).values(
                title=title, body_text=TEXT, body_html=f"<p>{TEXT}</p>", published="2013-07-26"))


def test_the_same_body_under_another_title_is_held_not_merged(crawled: pipeline.Workspace) -> None:
    """Push skips both as held for review (not `duplicate of`), the ledger leaves both unresolved, and each has one
    held_for_review message that names the other page."""
    urls = [a.url for a in migrated_articles(crawled, SITE)[:2]]
    _one_body_two_titles(crawled, urls)
    exporter = pipeline.open_exporter(crawled)
    try:
        pipeline.push_site(crawled, SITE, exporter)
    finally:
        exporter.close()
    with crawled.store.session() as session:
        records = {r.source_url: r.reason for r in session.scalars(select(PushRecord).where(
            PushRecord.site_id == SITE, PushRecord.kind == "article", PushRecord.source_url.in_(urls)))}
    first, second = urls
    assert records[first].startswith("same body, other title: held for review") and second in records[first]
    assert records[second].startswith("same body, other title: held for review") and first in records[second]
    entries = {e.url: e for e in site_ledger(crawled, SITE)}
    assert {entries[u].disposition for u in urls} == {"unresolved"}
    held = {m["url"] for m in site_messages(crawled, SITE) if m["code"] == "held_for_review"}
    assert set(urls) <= held


def test_a_page_already_on_the_portal_is_not_taken_down_by_the_hold(crawled: pipeline.Workspace) -> None:
    """Two published articles that become twins (same body, other title: a later crawl read a legacy page that
    now carries the other's text) stay on the portal: the hold keeps back only what never went there."""
    urls = [a.url for a in migrated_articles(crawled, SITE)[:2]]
    exporter = pipeline.open_exporter(crawled)
    try:
        pipeline.push_site(crawled, SITE, exporter)  # both published as they were
        _one_body_two_titles(crawled, urls)
        summary = pipeline.push_site(crawled, SITE, exporter)
    finally:
        exporter.close()
    with crawled.store.session() as session:
        statuses = {r.source_url: r.status for r in session.scalars(select(PushRecord).where(
            PushRecord.site_id == SITE, PushRecord.kind == "article", PushRecord.source_url.in_(urls)))}
    assert summary.removed == 0 and set(statuses.values()) <= set(pipeline.IN_TARGET), statuses
