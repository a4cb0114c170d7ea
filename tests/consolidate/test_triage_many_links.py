"""Triage asks the URL map about the links a body holds to sites being shut down, a batch of URL hashes at a time:
a body with more such links than SQLite allows variables in one statement is triaged, not a traceback. SQLite's own
default limit is 32 766 (since 3.32; 999 before); Debian's build raises it to 250 000, so the test sets the default
on the store's connections as most builds have it."""

from __future__ import annotations

import sqlite3
from typing import Any

from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import event, select

from consolidate import pipeline
from consolidate import triage as stage
from consolidate.core.store import ArticleRow, UrlMapRow
from tests.conftest import push_sites

SITE = "fgw"
LIMIT = 32_766  # SQLite's default SQLITE_MAX_VARIABLE_NUMBER
LINKS = 33_000  # more than that


def _default_limit(connection: Any, _record: Any) -> None:
    """A new connection allows as many variables per statement as SQLite's default build does."""
    connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, LIMIT)


def test_a_body_linking_to_more_pages_than_sqlite_variables_is_triaged(crawled: pipeline.Workspace) -> None:
    """Every link to the closing site (jyj) is asked about: those its URL map redirects are not dead, the others are."""
    pipeline.map_site(crawled, SITE)
    push_sites(crawled, ["jyj"])  # jyj's old URLs now redirect to the portal
    with crawled.store.session() as session:
        redirected = sorted(session.scalars(select(UrlMapRow.old_url).where(UrlMapRow.site_id == "jyj",
                                                                            UrlMapRow.status == "301")))
        host = redirected[0].split("/", 3)[2]
        gone = [f"http://{host}/gone/{n}.html" for n in range(LINKS)]
        article = session.scalars(select(ArticleRow).where(ArticleRow.site_id == SITE).order_by(ArticleRow.id)).first()
        html = "<p>" + "".join(f'<a href="{url}">{n}</a>' for n, url in enumerate(redirected + gone)) + "</p>"
        article.body_html, article.content_hash = html, "many links"
        article.body_text = LexborHTMLParser(html).body.text(separator="\n", strip=True)
        url = article.url
    assert redirected, "jyj's push wrote 301s"
    crawled.store.engine.dispose()  # connections opened from here on have the default limit
    event.listen(crawled.store.engine, "connect", _default_limit)
    stage.triage_site(crawled, SITE)
    dead = {f.excerpt for f in stage.stored_findings(crawled, SITE) if f.url == url and f.kind == "dead_link"}
    assert dead == set(gone)
