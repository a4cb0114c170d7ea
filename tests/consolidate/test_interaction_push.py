"""`consolidate push` sends interaction records to exporters that take them — the static preview's 互动交流 pages
here, WordPress in tests/exporters/test_wordpress_letters.py — masked as the bundle masks them; an exporter that
takes none records every letter as skipped with the reason; the URL map and the ledger account for every letter
page (migrated, sent to the interaction platform, or unresolved with the reason)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consolidate import interaction as stage
from consolidate import letters_push, pipeline
from consolidate.core.store import EventRow, PushRecord, UrlMapRow
from consolidate.ledger import reconcile, site_ledger
from tests.consolidate.test_interaction import mailbox_fleet, ws  # noqa: F401 - the crawled mailbox fleet

PLATFORM = "https://hd.linjiang.gov.cn/"


def _push(workspace: pipeline.Workspace, site_id: str, name: str, options: dict) -> pipeline.PushSummary:
    """One push of a site into the named exporter, closed after."""
    exporter = pipeline.open_exporter(workspace, name, options)
    try:
        return pipeline.push_site(workspace, site_id, exporter)
    finally:
        exporter.close()


def _url_map(workspace: pipeline.Workspace, site_id: str) -> dict[str, UrlMapRow]:
    """The site's URL map rows by legacy URL."""
    with workspace.store.session() as session:
        return {r.old_url: r for r in session.scalars(select(UrlMapRow).where(UrlMapRow.site_id == site_id))}


def test_static_preview_gets_a_letters_page_and_one_page_per_letter(ws, mailbox_fleet, tmp_path):  # noqa: F811
    """Every record of the site is a page in the Q&A layout (问 the letter, 答 the reply or why there is none),
    masked, listed on the site's 互动交流 page; a second push changes nothing."""
    root = tmp_path / "preview"
    summary = _push(ws, "jyj", "static", {"dir": str(root)})
    rows = stage.stored_records(ws, "jyj")
    assert summary.letters == {"records": len(rows), "pushed": len(rows), "updated": 0, "unchanged": 0,
                               "failed": 0, "skipped": {}, "in_file": 0}
    index = (root / "hudong" / "jyj" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([0-9a-f]{12}\.html)">', index)
    assert len(links) == len(rows) == 10
    site = mailbox_fleet.site("jyj")
    pages = {path: (root / "hudong" / "jyj" / path).read_text(encoding="utf-8") for path in links}
    everything = index + "".join(pages.values())
    for letter in site.letters:
        assert letter.writer not in everything and letter.phone not in everything
    replied = next(x for x in site.letters if x.reply and x.path)
    page = next(p for p in pages.values() if replied.subject in p)
    assert re.search(r'<h2 class="qa-label">问</h2>.*<h2 class="qa-label">答</h2>', page, re.S)
    assert replied.reply[:12] in page and replied.reply_unit in page and replied.received.isoformat() in page
    assert replied.writer[0] + "*" in page and "138****" in page
    unreplied = next(p for p in pages.values() if "尚未答复" in p)
    assert "未回复" in unreplied
    survey = next(p for p in pages.values() if site.survey.subject in p)
    assert "调查结果" in survey and "120票" in survey
    home = (root / "index.html").read_text(encoding="utf-8")
    assert '<a href="hudong/jyj/index.html">' in home and "10 件" in home
    again = _push(ws, "jyj", "static", {"dir": str(root)})
    assert again.letters["unchanged"] == len(rows) and again.letters["pushed"] == 0


def test_letter_pages_redirect_to_their_new_pages_and_the_ledger_adds_up(ws, tmp_path):  # noqa: F811
    """After a push into the preview every letter page 301s to its new page and is migrated in the ledger; the
    reconciliation's letters line adds up."""
    root = tmp_path / "preview"
    _push(ws, "fgw", "static", {"dir": str(root)})
    pages = letters_push.letter_pages(ws, "fgw")
    assert len(pages) == 9  # 8 letters with a page of their own and the survey; the list-only letter has none
    url_map = _url_map(ws, "fgw")
    entries = {e.url: e for e in site_ledger(ws, "fgw", f"static:{root.resolve()}")}
    for url in pages:
        new = url_map[url].new_url
        assert url_map[url].status == "301" and new and "/hudong/fgw/" in new
        assert (entries[url].disposition, entries[url].new_url) == ("migrated", new)
        assert (root / new.split("/", 3)[3]).is_file()
    line = reconcile(ws, "fgw", f"static:{root.resolve()}")
    assert line["letters"] == {"pages": 9, "migrated": 9}
    assert not [n for n in line["notes"] if "letter" in n]


def test_an_exporter_without_letters_skips_them_with_the_reason(ws, tmp_path, monkeypatch):  # noqa: F811
    """The WXR export takes no letters: each is recorded skipped with the reason (counted, in the messages), and
    their pages stay unresolved saying why; with the portal's interaction platform configured they lead there
    instead ('interaction' in the ledger)."""
    options = {"file": str(tmp_path / "export.wxr.xml")}
    monkeypatch.setattr(ws.config.export, "exporter", "wxr")  # the portal is the WXR export: it writes the URL map
    summary = _push(ws, "sfj", "wxr", options)
    rows = stage.stored_records(ws, "sfj")
    reason = summary.letters["skipped"]
    assert summary.letters["pushed"] == 0 and list(reason.values()) == [len(rows)]
    assert "wxr takes no interaction records" in next(iter(reason))
    target = next(t for t in {r.target for r in _records(ws, "sfj")} if t.startswith("wxr:"))
    records = [r for r in _records(ws, "sfj") if r.target == target]
    assert len(records) == len(rows) and {r.status for r in records} == {"skipped"}
    with ws.store.session() as session:
        assert session.scalar(select(EventRow).where(EventRow.site_id == "sfj", EventRow.code == "letters_skipped"))
    pages = letters_push.letter_pages(ws, "sfj")
    entries = {e.url: e for e in site_ledger(ws, "sfj", target)}
    for url in pages:
        assert entries[url].disposition == "unresolved"
        assert "skipped" in entries[url].reason and "interaction_url" in entries[url].reason
    ws.config.portal.interaction_url = PLATFORM
    try:
        _push(ws, "sfj", "wxr", options)
    finally:
        ws.config.portal.interaction_url = None
    url_map = _url_map(ws, "sfj")
    entries = {e.url: e for e in site_ledger(ws, "sfj", target)}
    for url in pages:
        assert (url_map[url].status, url_map[url].new_url) == ("301", PLATFORM)
        assert (entries[url].disposition, entries[url].new_url) == ("interaction", PLATFORM)
    assert reconcile(ws, "sfj", target)["letters"] == {"pages": len(pages), "interaction": len(pages)}
    from consolidate.redirects import load_redirects, render_csv

    csv_text = render_csv(load_redirects(ws, "sfj"))
    for url in pages:
        line = next(row for row in csv_text.splitlines() if url in row)
        assert PLATFORM in line and "301" in line


def test_the_bundle_carries_the_letters_in_its_file(ws, tmp_path):  # noqa: F811
    """The bundle takes the letters whole (letters.jsonl/xlsx): counted as in the file, none skipped, no push
    map rows of their own."""
    root = tmp_path / "bundle"
    summary = _push(ws, "jyj", "bundle", {"dir": str(root)})
    assert summary.letters["in_file"] == len(stage.stored_records(ws, "jyj")) and not summary.letters["skipped"]
    assert (root / "letters.jsonl").is_file()
    assert not [r for r in _records(ws, "jyj") if r.target == summary.target]


def _records(workspace: pipeline.Workspace, site_id: str) -> list[PushRecord]:
    """The site's letter rows of the push map, every target."""
    with workspace.store.session() as session:
        return list(session.scalars(select(PushRecord).where(PushRecord.site_id == site_id,
                                                             PushRecord.kind == "letter")))


@pytest.mark.parametrize("kind", ["consult", "survey"])
def test_qa_layout_of_one_record(kind):
    """The Q&A body: a field table, then 问/答 (a survey: its results); nothing active survives."""
    from exporters.letters import letter_from_export, qa_html

    data = {"url": "http://x.example/mail/view.jsp?id=1", "site": "x", "kind": kind, "subject": "问路",
            "number": "7", "writer": "张*", "received": "2026-09-01", "replied": None, "reply_unit": None,
            "status": "unreplied", "question_html": '<p onclick="x()">请问<a href="http://x.example/a">这里</a><img '
                                                    'src="http://x.example/i.png"><script>x()</script></p>',
            "reply_html": None, "survey": [{"question": "满意吗", "options": [{"option": "满意", "votes": 3,
                                                                             "percent": 75.0}]}]}
    body = qa_html(letter_from_export(data, "letter:x:1", "X局", None))
    if kind == "survey":
        assert "调查结果" in body and "3票" in body and "75.0%" in body and "问</h2>" not in body
        return
    assert "问</h2>" in body and "答</h2>" in body and "尚未答复" in body and "张*" in body
    assert "请问这里" in body and "<a" not in body and "<img" not in body and "script" not in body
    assert "onclick" not in body


def test_interview_in_the_qa_layout_masked():
    """An interview's turns: the host's as 问, the guest's as 答, speakers named, phone numbers masked."""
    from consolidate.core.store import InteractionRow
    from exporters.letters import letter_from_export, qa_html

    row = InteractionRow(site_id="x", url="http://x.example/zxft/1.html", kind="interview", subject="秋季招生",
                         received="2026-09-01", status="unknown", contact={}, column_path=[], source="detail",
                         survey=[{"speaker": "主持人", "role": "host", "text": "热线是多少？"},
                                 {"speaker": "王建国", "role": "guest", "text": "请拨13812345678咨询。"}])
    data = stage.export_row(row, [])
    assert data["survey"][1]["text"] == "请拨138****5678咨询。"
    body = qa_html(letter_from_export(data, "letter:x:1", "X局", None))
    assert re.search(r"问</h2>.*主持人：</strong>热线是多少？.*答</h2>.*王建国：</strong>请拨138\*\*\*\*5678", body, re.S)
    assert "13812345678" not in body


def test_cli_push_says_what_became_of_the_letters(ws):  # noqa: F811
    """`consolidate push` prints a letters line; --json carries the letters' figures."""
    from typer.testing import CliRunner

    from consolidate.cli import app

    args = ["-c", str(ws.dir.parent / "migrations.yaml"), "--db", f"sqlite:///{ws.dir / 'state.db'}"]
    result = CliRunner().invoke(app, ["push", "fgw", *args])
    assert result.exit_code == 0, result.output
    assert re.search(r"letters: \d+ new, 0 updated, \d+ unchanged, 0 failed", result.output)
    result = CliRunner().invoke(app, ["push", "fgw", "--exporter", "wxr", "--json", *args])
    assert result.exit_code == 0, result.output
    assert '"letters"' in result.output and "wxr takes no interaction records" in result.output


def test_a_trial_push_sends_no_letters(ws, tmp_path):  # noqa: F811
    """`push --limit` is a trial of articles: the letters wait for the real push."""
    exporter = pipeline.open_exporter(ws, "static", {"dir": str(tmp_path / "trial")})
    try:
        summary = pipeline.push_site(ws, "jyj", exporter, limit=1)
    finally:
        exporter.close()
    assert summary.pushed == 1 and summary.letters == {}
    assert not (tmp_path / "trial" / "hudong").exists()


def test_rollback_clears_the_preview_letters(ws, tmp_path):  # noqa: F811
    """Rolling a site back removes its letter pages and leaves its 互动交流 page empty, not listing dead pages."""
    from consolidate.verify import rollback_site

    root = tmp_path / "preview"
    _push(ws, "jyj", "static", {"dir": str(root)})
    exporter = pipeline.open_exporter(ws, "static", {"dir": str(root)})
    try:
        removed = rollback_site(ws, "jyj", exporter)
    finally:
        exporter.close()
    assert removed.letters == 10 and not removed.failed
    assert [p.name for p in (root / "hudong" / "jyj").iterdir()] == ["index.html"]
    assert "暂无信件" in (root / "hudong" / "jyj" / "index.html").read_text(encoding="utf-8")
