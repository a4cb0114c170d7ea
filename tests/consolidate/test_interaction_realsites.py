"""Interaction records on a real restored site (lgedu's 局长信箱 and 投诉 list in ../shared/samples): found, pushed
into the static preview in the Q&A layout, masked, and the letter page migrated in the ledger. Skipped, with the
reason, when the samples folder is absent (a fresh clone has none)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from consolidate import interaction as stage
from consolidate import letters_push, pipeline
from consolidate.core.store import ColumnMapping, UrlMapRow
from consolidate.ledger import reconcile, site_ledger
from consolidate.samplefleet.realsites import REAL_SITES, RealSitesServer, samples_dir

SAMPLES = samples_dir()
pytestmark = pytest.mark.skipif(SAMPLES is None, reason="../shared/samples (real legacy sites) is not present; "
                                                        "set CONSOLIDATE_SAMPLES to run these tests")
LETTER = "http://www.lgedu.net/contents/18296/20507.html"  # 局长信箱: a 职称 consultation answered in 2 days
COMPLAINTS = "http://www.lgedu.net/channels/12719.html"  # a list of complaints, rows without pages of their own


@pytest.fixture(scope="module")
def lgedu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pipeline.Workspace]:
    """lgedu served on loopback under its real host name and crawled once."""
    assert SAMPLES is not None
    workdir = tmp_path_factory.mktemp("lgedu-letters")
    with RealSitesServer(SAMPLES, tuple(s for s in REAL_SITES if s.id == "lgedu")) as server:
        config = workdir / "migrations.yaml"
        config.write_text(server.config_text(rate=400.0), encoding="utf-8")
        ws = pipeline.Workspace.open(config, db_url=f"sqlite:///{workdir / 'state.db'}")
        list(pipeline.crawl(ws, None))
        yield ws


def test_lgedu_letters_found_pushed_and_migrated(lgedu, tmp_path):
    """The 局长信箱 letter is a replied consultation with its unit and dates; the complaint list's rows are
    records too; all reach the preview (the letter's page in the Q&A layout) and the letter's old URL is migrated."""
    rows = {row.url: row for row in stage.stored_records(lgedu, "lgedu")}
    letter = rows[LETTER]
    assert (letter.kind, letter.status, letter.received, letter.replied, letter.reply_unit) == (
        "consult", "replied", "2020-12-21", "2020-12-23", "市教育体育局")
    listed = [row for url, row in rows.items() if url.startswith(COMPLAINTS + "#")]
    assert len(listed) >= 10 and {row.kind for row in listed} == {"complaint"}
    exporter = pipeline.open_exporter(lgedu, "static", {"dir": str(tmp_path / "preview")})
    try:
        summary = pipeline.push_site(lgedu, "lgedu", exporter)
    finally:
        exporter.close()
    assert summary.letters["pushed"] == len(rows) and summary.letters["failed"] == 0
    entry = next(e for e in site_ledger(lgedu, "lgedu", summary.target) if e.url == LETTER)
    assert entry.disposition == "migrated" and "/hudong/lgedu/" in (entry.new_url or "")
    page = (tmp_path / "preview" / entry.new_url.split("/", 3)[3]).read_text(encoding="utf-8")
    assert "问</h2>" in page and "答</h2>" in page and "市教育体育局" in page
    if letter.writer and len(letter.writer) >= 2:
        assert letter.writer not in page
    assert letters_push.letter_pages(lgedu, "lgedu") == {LETTER}
    assert reconcile(lgedu, "lgedu", summary.target)["letters"] == {"pages": 1, "migrated": 1}


MAILBOX = "互动交流 > 局长信箱"
COMPLAINT_COLUMN = "岚皋县市优化营商环境企业投诉平台"
MAILBOX_LIST = "http://www.lgedu.net/channels/18296.html"


def test_letter_columns_are_content_not_empty(lgedu):
    """局长信箱 (one letter) and the complaint platform (its list rows) hold records: neither is flagged empty
    nor found 空白栏目 by the audit, each is as fresh as its newest letter, and the map suggests the interaction
    platform for them, never 不迁移."""
    columns = {c.path: c for c in pipeline.legacy_columns(lgedu, "lgedu")}
    mailbox, complaints = columns[MAILBOX], columns[COMPLAINT_COLUMN]
    assert (mailbox.record_count, mailbox.last_published[:10]) == (1, "2020-12-23")
    assert complaints.record_count >= 10 and complaints.last_published[:10] == "2020-11-23"
    assert "empty" not in mailbox.flags and "empty" not in complaints.flags
    empty = {f["evidence"].get("column") for f in pipeline.site_findings(lgedu, "lgedu") if f["rule"] == "empty_column"}
    assert MAILBOX not in empty and COMPLAINT_COLUMN not in empty
    decisions = {c.path: d for c, d in pipeline.map_site(lgedu, "lgedu")}
    for path in (MAILBOX, COMPLAINT_COLUMN):
        assert decisions[path].decision != "drop" and "互动交流平台" in decisions[path].reason_zh
        assert "不迁移" not in decisions[path].reason_zh


def test_letter_list_pages_lead_to_the_letters(lgedu, tmp_path):
    """The mailbox's and the complaint platform's list pages, even with their columns dropped by the office,
    are 301 to the letters' index in the preview (not 410): their records are on the portal."""
    pipeline.map_site(lgedu, "lgedu")
    with lgedu.store.session() as session:
        for mapping in session.scalars(select(ColumnMapping).where(
                ColumnMapping.site_id == "lgedu", ColumnMapping.column_path.in_((MAILBOX, COMPLAINT_COLUMN)))):
            mapping.decision, mapping.target, mapping.decided_by = "drop", None, "王审核"
    exporter = pipeline.open_exporter(lgedu, "static", {"dir": str(tmp_path / "preview")})
    try:
        summary = pipeline.push_site(lgedu, "lgedu", exporter)
    finally:
        exporter.close()
    with lgedu.store.session() as session:
        rows = {r.old_url: r for r in session.scalars(select(UrlMapRow).where(UrlMapRow.site_id == "lgedu"))}
    for page in (MAILBOX_LIST, COMPLAINTS):
        assert rows[page].status == "301" and (rows[page].new_url or "").endswith("/hudong/lgedu/")
    assert (tmp_path / "preview" / "hudong" / "lgedu" / "index.html").exists()
    entries = {e.url: e for e in site_ledger(lgedu, "lgedu", summary.target)}
    assert {entries[p].disposition for p in (MAILBOX_LIST, COMPLAINTS)} == {"redirected"}


def test_refused_complaints_show_their_printed_status(lgedu, tmp_path):
    """The complaint rows printed 拒绝受理 are refused (no reply owed, no "page shows no status" finding); the
    printed words reach the export and the preview's pages and index, never 未显示办理状态."""
    refused = [row for row in stage.stored_records(lgedu, "lgedu") if row.status_text == "拒绝受理"]
    assert len(refused) >= 5 and {stage.status_of(row) for row in refused} == {"refused"}
    found = {f.url: f.kind for f in stage.summarise(lgedu, "lgedu").found}
    assert not {row.url for row in refused} & set(found)
    assert "status_unknown" not in found.values()
    exporter = pipeline.open_exporter(lgedu, "static", {"dir": str(tmp_path / "preview")})
    try:
        pipeline.push_site(lgedu, "lgedu", exporter)
    finally:
        exporter.close()
    index = (tmp_path / "preview" / "hudong" / "lgedu" / "index.html").read_text(encoding="utf-8")
    assert index.count("拒绝受理") >= len(refused) and "未显示办理状态" not in index
    record = letters_push.letter_records(lgedu, "lgedu", exporter.target)[letters_push.letter_key("lgedu",
                                                                                                 refused[0].url)]
    page = (tmp_path / "preview" / record.target_id).read_text(encoding="utf-8")
    assert "拒绝受理" in page and "未显示办理状态" not in page
    assert stage.export_row(refused[0], [])["status_text"] == "拒绝受理"
    figures = stage.letter_figures(lgedu, "lgedu")  # the report's 互动交流 rows add up, refusals in their column
    assert all(records == replied + refused_n + unreplied + unknown
               for _unit, records, replied, refused_n, unreplied, unknown, *_rest in figures["rows"])
    assert sum(row[3] for row in figures["rows"]) == len(refused)
