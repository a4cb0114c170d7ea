"""A push rewrites the site's URL map but keeps every row the office set (`redirects --import`), judged by the row's
own note in the transaction that rewrites the map: however many the office set (more than SQLite allows variables
in one statement: 32 766 in its default build; Debian's raises it to 250 000, so the test sets the default)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select

from consolidate import pipeline
from consolidate.core.outcomes import OFFICE_NOTE
from consolidate.core.store import UrlMapRow, url_hash
from tests.conftest import make_workspace, push_sites

SITE = "sfj"
LIMIT = 32_766  # SQLite's default SQLITE_MAX_VARIABLE_NUMBER
DECIDED = 33_000  # legacy URLs the office decided: more than that
PAGE = ('<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/news/">工作动态</a></div>'
        '<h1>{title}</h1><p>发布日期：2015-09-17</p><div class="content"><p>{text}</p></div></body></html>')
LIST = ('<html><head><meta charset="utf-8"><title>市司法局</title></head><body><a href="/news/">工作动态</a><ul>'
        '<li><a href="/news/201509/t20150917_1001.html">司法行政工作会议召开</a> 2015-09-17</li></ul></body></html>')
SMALL_SITE: dict[str, str | bytes] = {
    "index.html": LIST, "news/index.html": LIST,
    "news/201509/t20150917_1001.html": PAGE.format(title="司法行政工作会议召开",
                                                   text="会议总结了去年工作，部署了今年的重点任务。" * 4),
}


def _default_limit(connection: Any, _record: Any) -> None:
    """A new connection allows as many variables per statement as SQLite's default build does."""
    connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, LIMIT)


def test_every_row_the_office_decided_is_kept_by_the_next_push(small_site: str, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {SITE: small_site})
    pipeline.crawl(ws, [SITE])
    pipeline.map_site(ws, SITE)
    push_sites(ws, [SITE], allow_untriaged=True)
    logged = [f"{small_site}old/{n}.html" for n in range(DECIDED)]  # URLs the server logs knew, archived
    with ws.store.session() as session:
        pushed = session.scalar(select(func.count()).select_from(UrlMapRow).where(UrlMapRow.site_id == SITE))
        session.execute(insert(UrlMapRow), [{"site_id": SITE, "old_url": url, "url_hash": url_hash(url),
                                             "new_url": None, "status": "410", "note": f"{OFFICE_NOTE} 旧栏目，已撤销"}
                                            for url in logged])
    ws.store.engine.dispose()  # connections opened from here on have the default limit
    event.listen(ws.store.engine, "connect", _default_limit)

    push_sites(ws, [SITE], allow_untriaged=True)
    with ws.store.session() as session:
        rows = list(session.execute(select(UrlMapRow.old_url, UrlMapRow.status, UrlMapRow.note).where(
            UrlMapRow.site_id == SITE)))
    office = {url: status for url, status, note in rows if (note or "").startswith(OFFICE_NOTE)}
    assert office == dict.fromkeys(logged, "410")
    assert len(rows) == pushed + DECIDED  # the push's own rows written again beside them
