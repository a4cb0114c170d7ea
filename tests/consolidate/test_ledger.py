"""The URL ledger: undecided columns block sign-off and redirects, per-target reconciliation, server logs, suspect
records, vanished articles, messages; server configs never expand what a URL carries."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.checklist import ChecklistError, record_step, site_checklist
from consolidate.cli import app
from consolidate.core.store import ArticleRow, ColumnMapping, PushRecord, Resource, UrlMapRow, url_hash
from consolidate.ledger import (
    DISPOSITIONS,
    UrlHit,
    import_logs,
    ledger_entries,
    reconcile,
    site_ledger,
    tally,
)
from consolidate.letters_push import letter_pages
from consolidate.messages import site_messages
from consolidate.redirects import UnresolvedError, import_csv, load_redirects, location, render, request_uri
from consolidate.report import fleet_report, render_markdown
from consolidate.verify import face_problems, verify_site
from tests.workspace_cli import exit_and_output as _cli


def _push(ws: pipeline.Workspace, site_id: str, name: str | None = None, options: dict | None = None,
          sync: bool = False) -> pipeline.PushSummary:
    exporter = pipeline.open_exporter(ws, name, options)
    try:
        return pipeline.push_site(ws, site_id, exporter, sync=sync)
    finally:
        exporter.close()


def _undecide_one_column(ws: pipeline.Workspace, site_id: str) -> tuple[str, int]:
    """Map the site, then take back the decision of its largest migrated column; return its path and size."""
    pipeline.map_site(ws, site_id)
    with ws.store.session() as session:
        paths = [" > ".join(p or []) for p in session.scalars(select(ArticleRow.column_path)
                                                              .where(ArticleRow.site_id == site_id))]
        migrated = set(session.scalars(select(ColumnMapping.column_path).where(
            ColumnMapping.site_id == site_id, ColumnMapping.decision == "migrate")))
        path = max(migrated & set(paths), key=paths.count)
        session.execute(update(ColumnMapping).where(ColumnMapping.site_id == site_id,
                                                    ColumnMapping.column_path == path)
                        .values(decision="unmapped", target=None))
    return path, paths.count(path)



def test_undecided_column_blocks_sign_off_and_redirects(crawled: pipeline.Workspace, nginx_runner) -> None:
    """An undecided column: articles unresolved (never 410), checklist blocked with counts, redirects refused or
    written as a marked 302 that a real nginx answers."""
    path, size = _undecide_one_column(crawled, "jyj")
    _push(crawled, "jyj")
    entries = {e.url: e for e in site_ledger(crawled, "jyj")}
    undecided = [e for e in entries.values() if e.url_class == "article" and path in e.reason]
    assert len(undecided) == size and {e.disposition for e in undecided} == {"unresolved"}
    redirects = {r.old_url: r for r in load_redirects(crawled, "jyj")}
    assert {redirects[e.url].status for e in undecided} == {"unresolved"}
    assert not any(r.status == "410" and "not mapped" in (r.note or "") for r in redirects.values())

    step = {s["step"]: s for s in site_checklist(crawled, "jyj")["steps"]}["content_migrated"]
    assert step["status"] == "blocked"
    assert "1 article-holding column undecided" in step["conditions"]
    unresolved = [c for c in step["conditions"] if c.startswith(f"{size} articles unresolved ({size} column not "
                                                                  f"mapped): ")]
    assert len(unresolved) == 1 and "`consolidate urls list jyj --disposition unresolved`" in unresolved[0]
    with pytest.raises(ChecklistError, match="not done"):
        record_step(crawled, "jyj", "content_migrated", __import__("datetime").date.today())

    with pytest.raises(UnresolvedError, match=r"unresolved"):
        render(crawled, "jyj", "nginx")
    code, output = _cli(crawled, "redirects", "jyj", "-f", "nginx")
    assert code == 1 and "unresolved" in output and "--unresolved home" in output and "Traceback" not in output
    code, csv_text = _cli(crawled, "redirects", "jyj", "-f", "csv")
    assert code == 0 and f"{len([r for r in redirects.values() if r.status == 'unresolved'])} unresolved" in csv_text

    snippet = render(crawled, "jyj", "nginx", unresolved="home")
    assert "UNRESOLVED" in snippet and "return 302" in snippet
    home = next(r.new_url for r in redirects.values() if r.note == "legacy home page")
    snippet = re.sub(r"listen \d+;", "listen 127.0.0.1:{PORT};", snippet)
    with nginx_runner(snippet) as port, httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        for e in undecided[:10]:
            answer = client.get(request_uri(e.url), follow_redirects=False)
            assert (answer.status_code, answer.headers.get("location")) == (302, location(home)), e.url

    report = fleet_report(crawled, ["jyj"], details=True)
    line = report["sites"][0]["reconciliation"]
    assert line["unresolved"] == size and line["ok"]
    assert line["crawled"] == line["pushed"] + line["skipped"] + line["failed"] + line["unresolved"]
    assert f"未定 {size}" in render_markdown(report)


def test_each_target_adds_up_on_its_own(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Preview then bundle: status counts one target, and each target's line adds up without the other's."""
    _push(crawled, "sfj")
    _push(crawled, "sfj", "bundle", {"dir": str(tmp_path / "bundle")})
    site = fleet_report(crawled, ["sfj"])["sites"][0]
    with crawled.store.session() as session:
        articles = session.scalar(select(func.count()).select_from(ArticleRow).where(ArticleRow.site_id == "sfj"))
        records = session.scalar(select(func.count()).select_from(PushRecord).where(
            PushRecord.site_id == "sfj", PushRecord.kind == "article", PushRecord.status == "pushed"))
    assert records == 2 * articles  # really pushed twice
    assert len(site["targets"]) == 2 and site["target"].startswith("static:")
    assert site["push"]["in_target"] == articles and site["stage"] == "pushed"
    for target in site["targets"]:
        line = target["reconciliation"]
        assert line["ok"] and line["crawled"] == articles
        assert line["pushed"] + line["skipped"] + line["failed"] + line["unresolved"] == articles
        assert target["in_target"] == line["pushed"]
    code, output = _cli(crawled, "status", "--json")
    status = next(s for s in json.loads(output)["sites"] if s["id"] == "sfj")
    assert code == 0 and status["push"]["in_target"] == articles


def test_stage_is_never_pushed_with_nothing_in_the_target(crawled: pipeline.Workspace) -> None:
    """A push that placed nothing (every column dropped) leaves the site short of 'pushed'."""
    pipeline.map_site(crawled, "sfj")
    with crawled.store.session() as session:
        session.execute(update(ColumnMapping).where(ColumnMapping.site_id == "sfj").values(decision="drop"))
    summary = _push(crawled, "sfj")
    assert summary.pushed == 0
    site = fleet_report(crawled, ["sfj"])["sites"][0]
    assert site["stage"] != "pushed"
    assert "nothing pushed" in {s["step"]: s for s in site["checklist"]["steps"]}["content_migrated"]["conditions"]


def test_every_fetched_page_is_classed_and_every_url_has_one_disposition(crawled: pipeline.Workspace) -> None:
    """Pages = articles + lists + column homes + other; a page the crawl did not take for an article shows as
    'other' with its reason."""
    _push(crawled, "fgw")
    with crawled.store.session() as session:
        victim = session.scalar(select(ArticleRow).where(ArticleRow.site_id == "fgw").limit(1))
        session.delete(victim)
        session.execute(update(Resource).where(Resource.site_id == "fgw", Resource.url_hash == victim.url_hash)
                        .values(kind="page", hint={"class": "other", "class_reason": "no date and no body found"}))
        fetched = set(session.scalars(select(Resource.url).where(Resource.site_id == "fgw",
                                                                 Resource.status == "fetched")))
    entries = site_ledger(crawled, "fgw")
    assert len({e.url for e in entries}) == len(entries)
    assert fetched <= {e.url for e in entries}
    assert all(e.disposition in DISPOSITIONS for e in entries)
    mis = next(e for e in entries if e.url == victim.url)
    assert (mis.url_class, mis.class_reason) == ("other", "no date and no body found")
    line = reconcile(crawled, "fgw", entries=entries)
    pages = line["pages"]
    assert pages["fetched"] == pages["article"] + pages["list"] + pages["column_home"] + pages["other"]
    assert line["ok"], line["notes"]
    assert any(m["code"] == "page_class_other" and m["url"] == victim.url for m in site_messages(crawled, "fgw"))


COMBINED = ('1.2.3.4 - - [10/Oct/2026:13:55:36 +0800] "GET {path} HTTP/1.1" 200 2326 "-" "Mozilla/5.0"\n')
W3C = ("#Software: Microsoft Internet Information Services 8.5\n#Fields: date time s-ip cs-method cs-uri-stem "
       "cs-uri-query s-port c-ip sc-status\n{rows}")


def _logs(directory: Path, base_paths: list[str]) -> list[Path]:
    """The same requests in four files: combined, gzip combined, IIS W3C and CSV."""
    directory.mkdir(parents=True, exist_ok=True)
    combined = directory / "access.log"
    combined.write_text("".join(COMBINED.format(path=p) for p in base_paths) + "garbage line\n", encoding="utf-8")
    gz = directory / "access.log.1.gz"
    gz.write_bytes(gzip.compress("".join(COMBINED.format(path=p) for p in base_paths[:2]).encode()))
    w3c = directory / "u_ex261010.log"
    rows = "".join(f"2026-10-10 01:02:03 10.0.0.1 GET {p.split('?')[0]} {p.split('?')[1] if '?' in p else '-'} 80 "
                   f"1.1.1.1 200\n" for p in base_paths)
    w3c.write_text(W3C.format(rows=rows), encoding="utf-8")
    sheet = directory / "top.csv"
    sheet.write_text("path,hits\n" + "".join(f"{p},5\n" for p in base_paths), encoding="utf-8")
    return [combined, gz, w3c, sheet]


def test_import_log_counts_every_format_once(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Hits add up across formats; the same file imported again is not counted twice; log-only URLs are
    unresolved and listed by hits; the checklist blocks on them above the threshold."""
    _push(crawled, "sfj")
    home = crawled.site("sfj").home_url.rstrip("/")
    with crawled.store.session() as session:
        article = session.scalar(select(ArticleRow.url).where(ArticleRow.site_id == "sfj").limit(1))
    article_path = article.removeprefix(home)
    paths = [article_path, "/old/gone.asp?id=7", "/%E6%97%A7/页面.html"]
    files = _logs(tmp_path / "logs", paths)
    results = import_logs(crawled, "sfj", files)
    assert [r.log_format for r in results] == ["combined", "combined", "w3c", "csv"]
    assert results[0].unreadable == 1
    assert import_logs(crawled, "sfj", files[:1])[0].already
    hits = {e.url: e.hits for e in site_ledger(crawled, "sfj") if e.hits}
    assert hits[article] == 1 + 1 + 1 + 5
    gone = next(url for url in hits if "gone.asp" in url)
    assert hits[gone] == 8
    assert sum(1 for url in hits if "页面" in url or "%E9%A1%B5" in url) == 1  # encoded and raw are one URL
    entry = next(e for e in site_ledger(crawled, "sfj") if e.url == gone)
    assert (entry.url_class, entry.disposition) == ("log", "unresolved")
    code, output = _cli(crawled, "urls", "import-log", "sfj", str(files[0]))
    assert code == 0 and "already imported" in output and "gone.asp" in output
    site = fleet_report(crawled, ["sfj"])["sites"][0]
    assert site["ledger"]["hot_unresolved"] == 0  # 8 hits < the default threshold of 10
    import_logs(crawled, "sfj", _logs(tmp_path / "more", ["/old/gone.asp?id=7"])[3:])
    step = {s["step"]: s for s in site_checklist(crawled, "sfj")["steps"]}["content_migrated"]
    assert any("logged hits unresolved" in c for c in step["conditions"])

    # The hot logged URL blocks the server config, is in the office's CSV, and the signed CSV decides it.
    with pytest.raises(UnresolvedError, match="1 unresolved"):
        render(crawled, "sfj", "nginx")
    rows = list(csv.DictReader(io.StringIO(render(crawled, "sfj", "csv"))))
    logged = next(r for r in rows if "gone.asp" in r["old_url"])
    assert logged["status"] == "unresolved" and "server logs" in logged["note"]
    logged["status"], logged["new_url"] = "301", "https://www.example.gov.cn/sfj/"
    sheet = tmp_path / "signed.csv"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert import_csv(crawled, "sfj", sheet).changed == 1
    entry = next(e for e in site_ledger(crawled, "sfj") if e.url == gone)
    assert (entry.disposition, entry.new_url) == ("redirected", "https://www.example.gov.cn/sfj/")
    assert "gone.asp" in render(crawled, "sfj", "nginx")


def test_the_streamed_ledger_and_its_tally_are_the_listed_ledger(crawled: pipeline.Workspace,
                                                                  tmp_path: Path) -> None:
    """The ledger as the report reads it (streamed, in no order, counted as it goes) holds the same entries as the
    listed ledger — logged-only URLs included — and its tally gives the same reconciliation and counts."""
    _push(crawled, "sfj")
    home = crawled.site("sfj").home_url.rstrip("/")
    with crawled.store.session() as session:
        article = session.scalar(select(ArticleRow.url).where(ArticleRow.site_id == "sfj").limit(1))
    import_logs(crawled, "sfj", _logs(tmp_path / "logs", [article.removeprefix(home), "/old/gone.asp?id=7"]))
    listed = site_ledger(crawled, "sfj")
    streamed = list(ledger_entries(crawled, "sfj"))
    assert sorted(streamed, key=lambda e: e.url) == listed
    assert {e.url_class for e in listed} >= {"article", "log"}
    counted = tally(streamed, letter_pages(crawled, "sfj"), threshold=5)
    assert reconcile(crawled, "sfj", counted=counted) == reconcile(crawled, "sfj", entries=listed)
    assert counted.urls == len(listed) and counted.hot == sum(1 for e in listed
                                                              if e.disposition == "unresolved" and e.hits >= 5)
    assert dict(counted.dispositions) == dict(Counter(e.disposition for e in listed))


def test_import_log_killed_mid_file_stays_exact(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """kill -9 while the second of two logs is being read: the first is counted once, the second not at all;
    running the import again gives exact totals."""
    small = tmp_path / "a.log"
    small.write_text(COMBINED.format(path="/a.html") * 3, encoding="utf-8")
    big = tmp_path / "b.log"
    big.write_text(COMBINED.format(path="/b.html") * 400_000, encoding="utf-8")
    args = [sys.executable, "-m", "consolidate.cli", "urls", "import-log", "sfj", str(small), str(big),
            "-c", str(crawled.loaded.path), "--db", crawled.store.url]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first.startswith("a.log")
    process.kill()
    process.wait()

    def counted() -> dict[str, int]:
        with crawled.store.session() as session:
            return {u.rsplit("/", 1)[-1]: h for u, h in session.execute(select(UrlHit.url, UrlHit.hits))}

    assert counted() in ({"a.html": 3}, {"a.html": 3, "b.html": 400_000})
    assert subprocess.run(args, capture_output=True).returncode == 0
    assert counted() == {"a.html": 3, "b.html": 400_000}


def test_server_configs_never_expand_url_metacharacters(crawled: pipeline.Workspace, nginx_runner) -> None:
    """A new URL carrying $http_cookie, quotes, braces and spaces is answered literally by a real nginx; Apache
    rules escape $ and %."""
    _push(crawled, "sfj")
    home = crawled.site("sfj").home_url
    old = home + "a$b c;{d}.html"
    evil = 'https://portal.example/x/$http_cookie/"q" {y};z'
    with crawled.store.session() as session:
        session.add(UrlMapRow(site_id="sfj", old_url=old, url_hash=url_hash(old), new_url=evil, status="301",
                              note="office: test"))
    snippet = re.sub(r"listen \d+;", "listen 127.0.0.1:{PORT};", render(crawled, "sfj", "nginx"))
    with nginx_runner(snippet) as port, httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        answer = client.get(request_uri(old), headers={"Cookie": "secret=TOPSECRET"}, follow_redirects=False)
    assert answer.status_code == 301
    assert "TOPSECRET" not in answer.headers["location"]
    assert answer.headers["location"] == location(evil) and "%24http_cookie" in answer.headers["location"]
    apache = render(crawled, "sfj", "apache")
    rule = next(line for line in apache.splitlines() if "http_cookie" in line)
    assert "\\%24http_cookie" in rule and '"q"' not in rule and "$" not in rule.split('"')[3]
    with pytest.raises(Exception, match="--gone-page"):
        render(crawled, "sfj", "nginx", gone_page="/x; return 200")


def test_vanished_articles_are_retracted_only_with_sync(crawled: pipeline.Workspace) -> None:
    """An article an incremental crawl found gone is 'vanished' with its last-seen date; push keeps it in the
    target until push --sync retracts it."""
    from crawlers.incremental import note_change

    _push(crawled, "sfj")
    with crawled.store.session() as session:
        record = session.scalar(select(PushRecord).where(PushRecord.site_id == "sfj", PushRecord.kind == "article",
                                                         PushRecord.status == "pushed").limit(1))
        note_change(session, "sfj", record.source_url, "vanished", "test")
    entry = next(e for e in site_ledger(crawled, "sfj") if e.url == record.source_url)
    assert entry.disposition == "migrated" and entry.last_seen and "push --sync" in entry.reason  # still published
    published = fleet_report(crawled, ["sfj"], details=True)["sites"][0]
    assert not published["reconciliation"]["skipped_by"].get("vanished") and published["reconciliation"]["ok"]
    assert [v["url"] for v in published["vanished"]] == [record.source_url]
    pushed = CliRunner().invoke(app, ["push", "sfj", "--allow-untriaged", "-c", str(crawled.loaded.path),
                                      "--db", crawled.store.url])
    assert "1 articles gone from the legacy site are still published: `consolidate push sfj --sync`" in \
        " ".join(pushed.output.split()), pushed.output
    with crawled.store.session() as session:
        assert session.get(PushRecord, record.id).status == "pushed"
    assert _in_target(crawled, record)
    summary = _push(crawled, "sfj", sync=True)
    assert summary.removed == 1
    with crawled.store.session() as session:
        after = session.get(PushRecord, record.id)
    assert after.status == "skipped" and after.reason.startswith("vanished: last seen")
    assert pipeline.vanished_on_portal(crawled, "sfj", after.target) == 0
    assert not _in_target(crawled, record)
    assert any(m["code"] == "article_vanished" for m in site_messages(crawled, "sfj", "crawl"))
    report = fleet_report(crawled, ["sfj"], details=True)
    line = report["sites"][0]["reconciliation"]
    assert line["skipped_by"].get("vanished") == 1 and line["ok"]
    assert [v["url"] for v in report["sites"][0]["vanished"]] == [record.source_url]
    assert record.source_url in render_markdown(report)


def _in_target(ws: pipeline.Workspace, record: PushRecord) -> bool:
    """True when the preview still holds the pushed article."""
    from exporters.base import TargetRef

    exporter = pipeline.open_exporter(ws)
    try:
        return exporter.read(record.source_key, TargetRef(record.target_id or "", record.target_url or "")) is not None
    finally:
        exporter.close()


def test_suspect_records_are_flagged_on_their_face() -> None:
    """Title equal to the site's name, dates in the future or before 1990, empty bodies without files."""
    import datetime as dt

    today = dt.date(2026, 12, 6)
    good = ArticleRow(title="关于印发通知", published="2026-01-02", body_text="正文", attachments=[], images=[])
    assert face_problems(good, ["临江市司法局"], today) == []
    bad = ArticleRow(title="临江市司法局", published="2027-03-01", body_text=" ", attachments=[], images=[])
    problems = face_problems(bad, ["临江市司法局"], today)
    assert len(problems) == 3 and "future" in problems[1]
    old = ArticleRow(title="x", published="1970-01-01 08:00", body_text="", attachments=[{"url": "u"}], images=[])
    assert face_problems(old, ["s"], today) == ["date 1970-01-01 08:00 is before 1990"]


def test_messages_list_duplicates_and_skips_with_reasons(crawled: pipeline.Workspace) -> None:
    """`messages --stage push --json` names the duplicate and the URL kept; verify flags come under verify."""
    _push(crawled, "fgw")
    code, output = _cli(crawled, "messages", "fgw", "--stage", "push", "--json")
    found = [json.loads(line) for line in output.splitlines()]  # JSON Lines: one message per line
    assert code == 0 and found and {m["stage"] for m in found} == {"push"}
    duplicates = [m for m in found if m["code"] == "duplicate"]
    assert duplicates and all(m["message"].startswith("duplicate of http") for m in duplicates)
    exporter = pipeline.open_exporter(crawled)
    try:
        verify_site(crawled, "fgw", exporter)
    finally:
        exporter.close()
    code, output = _cli(crawled, "status")
    assert code == 0 and "consolidate messages fgw" in output
    listed = Counter(m["stage"] for m in site_messages(crawled, "fgw"))
    assert fleet_report(crawled, ["fgw"])["sites"][0]["messages"] == dict(sorted(listed.items()))
    code, output = _cli(crawled, "messages", "fgw", "--stage", "nope")
    assert code == 2 and "unknown stage" in output


def test_a_store_made_before_the_ledger_has_its_tables(tmp_path: Path) -> None:
    """A store created by a process that never loaded the ledger (e.g. crawl, then push) has the ledger's tables
    and every other stage's (all are defined in core/store.py), so `redirects` or `urls list` never meet a missing
    table."""
    import sqlite3

    db = tmp_path / "fresh.db"
    subprocess.run([sys.executable, "-c", f"from consolidate.core.store import Store; Store('sqlite:///{db}')"],
                   check=True)
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"ledger_hits", "ledger_log_imports", "crawl_changes", "crawl_list_entries", "crawl_workers",
            "frontier_leases", "triage_findings", "triage_scans", "triage_blobs", "interaction_records"} <= tables


def test_urls_list_refuses_an_unknown_disposition_or_target(crawled: pipeline.Workspace) -> None:
    """A disposition that does not exist, or a target nothing was pushed to, is a usage error (exit 2) naming what
    there is; a known target lists the ledger."""
    _push(crawled, "sfj")
    code, output = _cli(crawled, "urls", "list", "sfj", "--disposition", "bogus")
    assert code == 2 and "unknown disposition 'bogus'" in output and "unresolved" in output
    code, output = _cli(crawled, "urls", "list", "sfj", "--target", "nosuch")
    target = pipeline.site_targets(crawled, "sfj")[0]
    assert code == 2 and "nothing of these sites was pushed there" in output and target in output
    code, output = _cli(crawled, "urls", "list", "sfj", "--target", target, "--disposition", "migrated")
    assert code == 0 and output.count("migrated ") >= 1
