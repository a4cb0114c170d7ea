"""The interaction stage on a crawled fleet with mailboxes: records stored beside (never as) articles, the veto and
late findings in working days with the programme's holidays, counts per unit, exports masked, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from consolidate import interaction as stage
from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import ArticleRow
from consolidate.demo import config_for_urls
from consolidate.ledger import site_ledger
from consolidate.samplefleet import FleetServer, build_fleet
from consolidate.samplefleet.mailbox import LAYOUTS, MAILBOX_COLUMN

AS_OF = dt.date(2026, 11, 1)
GOLDEN_WEEK = [dt.date(2026, 10, day) for day in range(1, 8)]


@pytest.fixture(scope="module")
def mailbox_fleet():
    """A small fleet with mailbox columns."""
    return build_fleet(articles_per_site=6, mailbox=True)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, mailbox_fleet) -> pipeline.Workspace:
    """The fleet crawled, each mailbox's first list page given as a start URL, 国庆 as holidays."""
    directory = tmp_path_factory.mktemp("letters")
    with FleetServer(mailbox_fleet) as server:
        config = yaml.safe_load(config_for_urls(server.urls, 500.0))
        config["programme"]["holidays"] = GOLDEN_WEEK
        for site in config["sites"]:
            first = LAYOUTS[mailbox_fleet.site(site["id"]).cms].list_url(1)
            site.setdefault("crawl", {})["start_urls"] = [server.urls[site["id"]].rstrip("/") + first]
        (directory / "migrations.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        workspace = pipeline.Workspace.open(directory / "migrations.yaml",
                                            db_url=f"sqlite:///{directory / '.consolidate' / 'state.db'}")
        pipeline.crawl(workspace, None)
        yield workspace
        workspace.store.engine.dispose()


def weekdays_after(start: dt.date, end: dt.date, off: list[dt.date]) -> int:
    """Working days after start up to end, counted the plain way (the test's own arithmetic)."""
    day, count = start, 0
    while day < end:
        day += dt.timedelta(days=1)
        count += day.weekday() < 5 and day not in off
    return count


def test_records_stored_with_their_column_and_never_as_articles(ws, mailbox_fleet):
    """Every letter and the survey of each site is a record in the mailbox column; none is an article."""
    for site in mailbox_fleet.sites:
        rows = {row.url.split("/", 3)[3]: row for row in stage.stored_records(ws, site.site_id)}
        listed_only = LAYOUTS[site.cms].list_url(3).lstrip("/") + f"#{site.letters[-1].number}"
        assert sorted(rows) == sorted([*(p.lstrip("/") for p in [*(x.path for x in site.letters if x.path),
                                                                   site.survey.path]), listed_only])
        assert rows[listed_only].source == "list" and rows[listed_only].status == "unreplied"
        for letter in site.letters[:-1]:
            row = rows[letter.path.lstrip("/")]
            assert row.source == "detail"
            assert (row.kind, row.subject, row.status, row.received, row.writer, row.contact) == (
                letter.kind, letter.subject, letter.status, letter.received.isoformat(), letter.writer,
                {"联系电话": letter.phone})
            assert row.replied == (letter.replied.isoformat() if letter.replied else None)
            assert row.reply_unit == letter.reply_unit and row.column_path == MAILBOX_COLUMN
        assert rows[site.survey.path.lstrip("/")].survey[0]["options"][0]["votes"] == 120
    with ws.store.session() as session:
        urls = session.scalars(select(ArticleRow.url)).all()
    assert urls and not [u for u in urls if "mail" in u or "guestbook" in u or "survey" in u]


def test_findings_with_working_day_arithmetic(ws):
    """As of 2026-11-01 with 国庆 1–7 Oct as holidays: on time, late (9 days), on time only thanks to the holidays,
    late beyond 15, the veto (unanswered since June), an unanswered letter older than a year, overdue, pending."""
    found = {re.split(r"[=#]", f.url)[-1]: f for f in stage.summarise(ws, "fgw", AS_OF).found}
    assert sorted(found) == ["1002", "1004", "1005", "1006", "1007", "1009"]
    assert (found["1009"].kind, found["1009"].veto) == ("veto_unanswered", True)  # shown only by its list row
    late = found["1002"]
    assert (late.kind, late.working_days, late.beyond_complex, late.veto) == (
        "late", weekdays_after(dt.date(2026, 9, 14), dt.date(2026, 9, 25), GOLDEN_WEEK), False, False)
    assert late.working_days == 9
    beyond = found["1004"]
    assert (beyond.kind, beyond.working_days, beyond.beyond_complex) == ("late", 22, True)
    assert (found["1005"].kind, found["1005"].veto) == ("veto_unanswered", True)
    assert (found["1006"].kind, found["1006"].veto) == ("unanswered_old", False)
    overdue = found["1007"]
    assert (overdue.kind, overdue.working_days) == ("overdue", weekdays_after(dt.date(2026, 10, 12), AS_OF, []))
    assert overdue.working_days == 14


def test_holidays_and_thresholds_change_the_verdicts(ws):
    """Without the holidays the 国庆 letter is late (9 days, 4 with them); the thresholds are the office's."""
    row = next(r for r in stage.stored_records(ws, "fgw") if r.url.endswith("=1003"))
    assert stage.judge(row, AS_OF, GOLDEN_WEEK) == []
    [late] = stage.judge(row, AS_OF, [])
    assert (late.kind, late.working_days) == ("late", 9)
    assert stage.judge(row, AS_OF, [], stage.Rules(reply_days=10)) == []
    veto_row = next(r for r in stage.stored_records(ws, "fgw") if r.url.endswith("=1005"))
    assert stage.judge(veto_row, AS_OF, [], stage.Rules(unanswered_months=6))[0].kind == "overdue"
    assert stage.judge(veto_row, dt.date(2027, 7, 1), [])[0].kind == "unanswered_old"


def test_counts_per_site_and_unit(ws, mailbox_fleet):
    """Counts per site and per handling unit; a site with a veto says so."""
    summary = stage.summarise(ws, "jyj", AS_OF).to_dict()
    unit = mailbox_fleet.site("jyj").organiser
    assert summary["records"] == 10 and summary["veto"] is True and summary["vetoes"] == 2
    assert summary["statuses"] == {"replied": 4, "unreplied": 5}  # the survey owes no reply
    assert summary["kinds"] == {"consult": 3, "complaint": 2, "suggestion": 2, "letter": 2, "survey": 1}
    assert summary["findings"] == {"late": 2, "veto_unanswered": 2, "unanswered_old": 1, "overdue": 1}
    assert summary["units"][unit] == {"records": 4, "replied": 4, "late": 2}
    assert summary["units"][stage.NO_UNIT] == {"records": 5, "unreplied": 5, "veto_unanswered": 2,
                                               "unanswered_old": 1, "overdue": 1}


def test_exports_mask_writers_and_contacts(ws, mailbox_fleet, tmp_path):
    """letters.jsonl and letters.xlsx carry every record and field, with names and phone numbers masked
    everywhere (their own fields, the question text); the store keeps them for the office."""
    written = stage.export_letters(ws, ["fgw", "jyj", "sfj"], tmp_path, AS_OF)
    assert written == 30
    raw = (tmp_path / "letters.jsonl").read_text(encoding="utf-8")
    lines = [json.loads(line) for line in raw.splitlines()]
    letters = {letter.number: letter for site in mailbox_fleet.sites for letter in site.letters}
    for letter in letters.values():
        assert letter.phone not in raw and letter.writer not in raw
    first = next(line for line in lines if line["number"] == "1001")
    assert first["writer"] == "张*" and first["contact"] == {"联系电话": "138****5678"}
    assert "138****5678" in first["question_html"] and "张*" in first["question_html"]
    assert (first["received"], first["replied"], first["status"], first["kind"]) == (
        "2026-09-01", "2026-09-08", "replied", "consult")
    veto = next(line for line in lines if line["number"] == "2005")
    assert veto["findings"][0]["veto"] is True and veto["findings"][0]["kind"] == "veto_unanswered"
    sheet = load_workbook(tmp_path / "letters.xlsx")["互动交流"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 31 and rows[0][5] == "来信人（已遮盖）"
    cells = " ".join(str(v) for row in rows for v in row if v is not None)
    assert all(letter.phone not in cells and letter.writer not in cells for letter in letters.values())
    assert "超过3个月未回复（单项否决：互动回应差）" in cells and "回复超期（22个工作日）" in cells
    assert stage.stored_records(ws, "fgw")[0].writer in {x.writer for x in letters.values()}


def test_ledger_accounts_for_record_pages(ws):
    """A record's page is an 'other' page in the URL ledger with its reason, awaiting a redirect decision."""
    ledger = site_ledger(ws, "fgw")
    entries = {e.url: e for e in ledger}
    record_urls = [r.url for r in stage.stored_records(ws, "fgw") if r.source == "detail"]
    for url in record_urls:
        assert entries[url].url_class == "other" and "interaction record" in entries[url].class_reason


def test_cli_letters(ws, tmp_path):
    """`consolidate letters --all --json` prints each site's counts and findings; --export writes the files; a
    bad date or threshold is one line and exit 2."""
    config = str(ws.dir.parent / "migrations.yaml")
    db = f"sqlite:///{ws.dir / 'state.db'}"
    runner = CliRunner()
    result = runner.invoke(app, ["letters", "--all", "--json", "--as-of", "2026-11-01", "-c", config, "--db", db,
                                 "--export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    docs = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [d["site"] for d in docs] == ["fgw", "jyj", "sfj"] and all(d["vetoes"] == 2 for d in docs)
    assert (tmp_path / "out" / "letters.jsonl").exists() and (tmp_path / "out" / "letters.xlsx").exists()
    text = runner.invoke(app, ["letters", "fgw", "--as-of", "2026-11-01", "-c", config, "--db", db])
    assert text.exit_code == 0 and "VETO" in text.output and "per handling unit" in text.output
    bad = runner.invoke(app, ["letters", "fgw", "--as-of", "yesterday", "-c", config, "--db", db])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    bad = runner.invoke(app, ["letters", "fgw", "--reply-days", "20", "-c", config, "--db", db])
    assert bad.exit_code == 2


def test_masking_helpers():
    """Contacts masked by kind: phones as the triage masks them, e-mail and addresses cut short."""
    assert stage.mask_contact("联系电话", "13812345678") == "138****5678"
    assert stage.mask_contact("电子邮件", "zhangwei@example.cn") == "z***@example.cn"
    assert stage.mask_contact("联系地址", "临江市江滨路88号") == "临江市******"
    assert stage.masked_text("<p>我是张伟，电话13812345678</p>", "张伟") == "<p>我是张*，电话138****5678</p>"


def test_bundle_push_carries_the_letters_masked(ws, tmp_path):
    """Pushing into the bundle writes letters.jsonl and letters.xlsx of every site, masked; a second push with
    nothing changed leaves both files as they were."""
    root = tmp_path / "bundle"
    exporter = pipeline.open_exporter(ws, "bundle", {"dir": str(root)})
    try:
        pipeline.push_site(ws, "fgw", exporter)
    finally:
        exporter.close()
    lines = (root / "letters.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 30 and "13812345678" not in "".join(lines) and "138****5678" in "".join(lines)
    stamps = {name: (root / name).stat().st_mtime_ns for name in ("letters.jsonl", "letters.xlsx")}
    exporter = pipeline.open_exporter(ws, "bundle", {"dir": str(root)})
    try:
        pipeline.push_site(ws, "fgw", exporter)
    finally:
        exporter.close()
    assert stamps == {name: (root / name).stat().st_mtime_ns for name in stamps}


def test_report_has_the_letters_per_unit(ws, mailbox_fleet):
    """The office's report counts letters per handling unit (replied, unreplied, late, vetoes), in Chinese."""
    from consolidate.report import fleet_report
    from consolidate.report_formats import site_sections

    report = fleet_report(ws, ["jyj"], as_of=AS_OF)
    section = next(s for s in site_sections(report, "zh") if s.key == "letters")
    assert section.title.startswith("互动交流") and "办理单位" in section.headers
    by_unit = {row[1]: row[2:] for row in section.rows}
    unit = mailbox_fleet.site("jyj").organiser
    # letters, replied, refused, unreplied, status unknown (these add up), late, vetoes
    assert by_unit[unit][:5] == [4, 4, 0, 0, 0] and by_unit[unit][5] == 2  # all replied, 2 of them late
    assert by_unit[stage.NO_UNIT][:5] == [5, 0, 0, 5, 0]  # 5 unreplied


def test_audit_judges_the_letters(ws):
    """The audit lists unanswered letters as the 互动回应差 veto and late replies as warnings."""
    from consolidate.audit import audit_summary, site_findings

    found = site_findings(ws, "jyj", AS_OF)
    rules = [f["rule"] for f in found]
    assert rules.count("letter_unanswered") == 2 and rules.count("letter_late") == 2
    assert "互动回应差" in audit_summary(found)["vetoes"]
    late = next(f for f in found if f["rule"] == "letter_late")
    assert late["severity"] == "warning" and late["evidence"]["days"] > 7


def test_mailbox_column_counts_its_letters_as_content(ws, mailbox_fleet):
    """The mailbox column of every site holds its letters (the detail pages' own column path and the list rows):
    never flagged empty nor found 空白栏目, dated by its newest letter, suggested for the interaction platform."""
    path = " > ".join(MAILBOX_COLUMN)
    for site in mailbox_fleet.sites:
        columns = {c.path: c for c in pipeline.legacy_columns(ws, site.site_id, AS_OF)}
        mailbox = columns[path]
        rows = [r for r in stage.stored_records(ws, site.site_id) if r.kind != "survey"]
        assert mailbox.record_count >= len([r for r in rows if r.source == "detail"]) > 0
        assert "empty" not in mailbox.flags
        newest = max(d[:10] for r in rows for d in (r.received, r.replied) if d)
        assert (mailbox.last_published or "")[:10] == newest
        assert path not in {f["evidence"].get("column") for f in pipeline.site_findings(ws, site.site_id, AS_OF)
                            if f["rule"] == "empty_column"}
