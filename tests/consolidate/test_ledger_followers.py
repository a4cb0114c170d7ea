"""URLs that follow another's outcome: further pages of an article, later list pages of a column, duplicates, the
files those pages link; held articles say so once, with a command to act on; several sites' nginx files load
together in one http {}."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import select, update
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.checklist import site_checklist
from consolidate.cli import app
from consolidate.core.store import ArticleRow, ColumnMapping, ColumnRow, PushRecord, Resource, url_hash
from consolidate.ledger import site_ledger
from consolidate.messages import site_messages
from consolidate.pagers import first_pages
from consolidate.redirects import load_redirects, request_uri
from tests.conftest import push_sites

SITE = "fgw"


def _push(ws: pipeline.Workspace, site_id: str = SITE) -> None:
    exporter = pipeline.open_exporter(ws)
    try:
        pipeline.push_site(ws, site_id, exporter)
    finally:
        exporter.close()


def _add(ws: pipeline.Workspace, url: str, kind: str, referrer: str | None = None, hint: dict | None = None,
         site_id: str = SITE) -> None:
    """A fetched resource the crawl would have stored."""
    with ws.store.session() as session:
        session.add(Resource(site_id=site_id, url=url, url_hash=url_hash(url), kind=kind, status="fetched",
                             referrer=referrer, hint=hint or {}, sha256="0" * 64))


def _numbered(url: str, n: int) -> str:
    """The n-th page of the series `url` starts: `a/b.html` → `a/b_n.html`, `a/` → `a/index_n.html`."""
    return url + f"index_{n}.html" if url.endswith("/") else re.sub(r"(\.\w+)$", rf"_{n}\1", url)


def _outcomes(ws: pipeline.Workspace, site_id: str = SITE) -> dict[str, tuple[str | None, str, str | None]]:
    return {r.old_url: (r.new_url, r.status, r.note) for r in load_redirects(ws, site_id)}


def _pushed_article(ws: pipeline.Workspace) -> str:
    with ws.store.session() as session:
        return session.scalars(select(PushRecord.source_url).where(
            PushRecord.site_id == SITE, PushRecord.kind == "article", PushRecord.status == "pushed")
            .order_by(PushRecord.id)).first()


def test_the_first_page_of_a_series() -> None:
    """`_N` pages name their first page in every CMS's spelling; a URL with no `_N` has none."""
    assert first_pages("http://a/channels/18105_2.html")[0] == "http://a/channels/18105.html"
    assert "http://a/bggg/list_456_1.html" in first_pages("http://a/bggg/list_456_2.html")
    assert "http://a/tzgg/" in first_pages("http://a/tzgg/index_3.html")
    assert first_pages("http://a/tzgg/index.html") == [] and first_pages("http://a/x.asp?page=2") == []


def test_further_pages_of_an_article_share_its_outcome(crawled: pipeline.Workspace) -> None:
    """A part the crawl joined into its first page (named by nothing but its `_2` URL, or by its referrer) 301s
    where its article went, in the URL map, the CSV and the ledger: no fetched URL lacks a row."""
    _push(crawled)
    article = _pushed_article(crawled)
    joined, named = _numbered(article, 97), "http://www.fgw.example.gov.cn/unrelated/page-two.html"
    _add(crawled, joined, "part", hint={"class": "other", "class_reason":
                                        "a further page of a multi-page article, joined into its first page"})
    _add(crawled, named, "part", referrer=article)
    _push(crawled)
    outcomes = _outcomes(crawled)
    new = outcomes[article][0]
    assert new and outcomes[article][1] == "301"
    assert outcomes[joined][:2] == (new, "301") and outcomes[named][:2] == (new, "301")
    entries = {e.url: e for e in site_ledger(crawled, SITE)}
    assert (entries[joined].disposition, entries[joined].new_url) == ("merged", new)
    fetched = {e.url for e in entries.values() if e.fetched}
    assert fetched <= set(outcomes)


def test_a_duplicate_follows_its_original(crawled: pipeline.Workspace) -> None:
    """An original held for review: its duplicate is unresolved (never 410) in the URL map and the ledger."""
    push_sites(crawled)
    with crawled.store.session() as session:
        records = session.scalars(select(PushRecord).where(PushRecord.kind == "article")).all()
        pushed = {r.source_url: r.site_id for r in records if r.status == "pushed"}
        duplicate, site_id, original = next((r.source_url, r.site_id, r.reason.removeprefix("duplicate of "))
                                            for r in records if (r.reason or "").startswith("duplicate of ")
                                            and r.reason.removeprefix("duplicate of ") in pushed)
        home = pushed[original]
        session.execute(update(ArticleRow).where(ArticleRow.site_id == home, ArticleRow.url == original)
                        .values(title=crawled.site(home).name))  # held: a template heading for a title
    _push(crawled, home)  # the original's site first (another site's, or this one)
    _push(crawled, site_id)
    assert _outcomes(crawled, home)[original][1] == "unresolved"
    outcomes = _outcomes(crawled, site_id)
    assert outcomes[duplicate][1] == "unresolved" and original in outcomes[duplicate][2]
    entries = {e.url: e for e in site_ledger(crawled, site_id)}
    assert entries[duplicate].disposition == "unresolved" and "held" not in entries[duplicate].reason  # not counted held


def test_later_list_pages_share_their_columns_outcome(crawled: pipeline.Workspace) -> None:
    """`…_2.html` of a dropped column is 410 like its first page, of a migrated column 301 like it; the image such
    a page links follows it (410, not 'linked from a page not decided yet'); a page of no column says how the office
    decides it."""
    pipeline.map_site(crawled, SITE)
    with crawled.store.session() as session:
        columns = {c.path: c.url for c in session.scalars(select(ColumnRow).where(ColumnRow.site_id == SITE))
                   if c.url}
        decisions = {m.column_path: m.decision for m in session.scalars(
            select(ColumnMapping).where(ColumnMapping.site_id == SITE))}
        forms = Counter(re.sub(r"index\.html$", "", u) for u in columns.values())
        alone = [p for p in columns if forms[re.sub(r"index\.html$", "", columns[p])] == 1]  # one column per page
        filled = {" > ".join(c or []) for c in session.scalars(select(ArticleRow.column_path))}
        migrated = next(p for p in alone if decisions.get(p) == "migrate" and p in filled)  # pushed: a 301
        dropped = next(p for p in sorted(alone) if p != migrated and decisions.get(p) == "migrate"
                       and not any(q.startswith(p + " > ") for q in columns))  # a leaf: a dropped section heading
        # follows its sub-columns (test_plan_realsites), not the rule tested here
        session.execute(update(ColumnMapping).where(ColumnMapping.site_id == SITE,
                                                    ColumnMapping.column_path == dropped)
                        .values(decision="drop", target=None))
    later_dropped, later_migrated = _numbered(columns[dropped], 98), _numbered(columns[migrated], 99)  # none crawled
    image, lone = "http://www.fgw.example.gov.cn/images/pager-logo.png", "http://www.fgw.example.gov.cn/search.html"
    _add(crawled, later_dropped, "list", referrer=columns[dropped])
    _add(crawled, later_migrated, "list", referrer=columns[migrated])
    _add(crawled, image, "image", referrer=later_dropped)
    _add(crawled, lone, "other")
    _push(crawled)
    outcomes = _outcomes(crawled)
    assert outcomes[columns[dropped]][1] == "410" and outcomes[later_dropped][1] == "410", (
        columns[dropped], outcomes[columns[dropped]], later_dropped, outcomes[later_dropped])
    assert outcomes[later_migrated][:2] == outcomes[columns[migrated]][:2], (
        columns[migrated], outcomes[columns[migrated]], later_migrated, outcomes[later_migrated])
    assert outcomes[image][1] == "410", outcomes[image]
    assert outcomes[lone][1] == "unresolved" and f"redirects {SITE} --import" in outcomes[lone][2]


def test_a_held_article_is_one_message_and_the_checklist_says_what_to_run(crawled: pipeline.Workspace) -> None:
    """One push message per held article (no title tacked on), and the blocker names the commands that resolve
    it."""
    _push(crawled)
    article = _pushed_article(crawled)
    with crawled.store.session() as session:
        session.execute(update(ArticleRow).where(ArticleRow.site_id == SITE, ArticleRow.url == article)
                        .values(body_html="", body_text="", images=[], attachments=[]))
    _push(crawled)
    _push(crawled)
    said = [m for m in site_messages(crawled, SITE, "push") if m["url"] == article]
    assert [m["code"] for m in said] == ["held_for_review"] and said[0]["message"].endswith("待人工核对)")
    step = next(s for s in site_checklist(crawled, SITE)["steps"] if s["step"] == "content_migrated")
    blocker = next(b for b in step["blocked_by"] if "held for review" in b)
    assert f"consolidate redirects {SITE} --import" in blocker and f"consolidate messages {SITE}" in blocker


def test_several_sites_nginx_files_load_in_one_http_block(crawled: pipeline.Workspace, nginx_runner,
                                                          tmp_path: Path) -> None:
    """`redirects --all -f nginx -o DIR`: every .conf in DIR included in one http {} passes `nginx -t` and
    answers each site's URLs by host name (the http-level settings are written once, in their own file)."""
    push_sites(crawled)
    out = tmp_path / "redir"
    result = CliRunner().invoke(app, ["redirects", "--all", "-f", "nginx", "-o", str(out),
                                      "--unresolved", "home", "-c", str(crawled.loaded.path), "--db",
                                      crawled.store.url])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.conf"))
    assert [f.name for f in files][0] == pipeline.NGINX_HTTP_FILE and len(files) == 1 + len(crawled.config.sites)
    snippet = re.sub(r"listen \d+;", "listen 127.0.0.1:{PORT};", "\n".join(f.read_text() for f in files))
    assert snippet.count("map_hash_bucket_size") == 1
    with nginx_runner(snippet) as port, httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        for site_id in [site.id for site in crawled.config.sites]:
            moved = next(r for r in load_redirects(crawled, site_id) if r.status == "301")
            host = crawled.site(site_id).home_url.split("/")[2]
            answer = client.get(request_uri(moved.old_url), headers={"host": host}, follow_redirects=False)
            assert answer.status_code == 301, (site_id, moved.old_url)



def test_a_file_waiting_on_an_article_names_it(crawled: pipeline.Workspace) -> None:
    """An image of an article whose column is not decided is unresolved, and the note names that article."""
    pipeline.map_site(crawled, SITE)
    with crawled.store.session() as session:
        article = session.scalars(select(ArticleRow).where(ArticleRow.site_id == SITE, ArticleRow.images != "[]")
                                  .order_by(ArticleRow.id)).first()
        path = " > ".join(article.column_path or [])
        image, url = article.images[0], article.url
        session.execute(update(ColumnMapping).where(ColumnMapping.site_id == SITE, ColumnMapping.column_path == path)
                        .values(decision="unmapped", target=None))
    _push(crawled)
    new, status, note = _outcomes(crawled)[image]
    with crawled.store.session() as session:
        waiting = {a.url for a in session.scalars(select(ArticleRow).where(ArticleRow.site_id == SITE))
                   if " > ".join(a.column_path or []) == path}
    assert status == "unresolved" and note.startswith("file of an article") and url in waiting
    assert note.rsplit(": ", 1)[1] in waiting, note
