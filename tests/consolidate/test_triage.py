"""The triage stage on the crawled sample fleet with planted personal data, repealed and superseded documents:
findings, masks, the push gate, the office's sheet round trip, and no unmasked value in any output."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import select
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate import triage as stage
from consolidate.cli import app
from consolidate.core.blobs import BlobStore
from consolidate.core.store import ArticleRow, EventRow, PushRecord, Resource, UrlMapRow, url_hash
from consolidate.ledger import site_ledger
from consolidate.samplefleet.blobs import pdf_saying
from consolidate.verify import verify_site
from mappers.sheet import SheetError
from mappers.triage import id_check_digit, luhn_valid, mask
from mappers.triage_sheet import HEADERS

SITE = "fgw"
ID_A = "33010219850612123" + id_check_digit("33010219850612123")
ID_BAD = "33010219900101456" + ("1" if id_check_digit("33010219900101456") != "1" else "2")
ID_XLSX = "44030519770315021" + id_check_digit("44030519770315021")
ID_DOC = "51010719660909332" + id_check_digit("51010719660909332")
MOBILE = "13812345678"
MOBILE_PDF = "15987654321"
CARD = next(f"622848001234567890{d}" for d in range(10) if luhn_valid(f"622848001234567890{d}"))
CARD_BAD = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
SECRETS = (ID_A, ID_XLSX, ID_DOC, MOBILE, MOBILE_PDF, CARD, "王小明", "陈大文")


def _push(ws: pipeline.Workspace, **options: object) -> pipeline.PushSummary:
    exporter = pipeline.open_exporter(ws)
    try:
        return pipeline.push_site(ws, SITE, exporter, **options)
    finally:
        exporter.close()


def _targets(ws: pipeline.Workspace) -> list[str]:
    """Article URLs a push would send, in a stable order."""
    exporter = pipeline.open_exporter(ws)
    try:
        return sorted(pipeline.push.planned_targets(ws, SITE, exporter)) if hasattr(pipeline, "push") else \
            sorted(_planned(ws, exporter))
    finally:
        exporter.close()


def _planned(ws: pipeline.Workspace, exporter: object) -> dict[str, str]:
    from consolidate.push import planned_targets

    return planned_targets(ws, SITE, exporter)  # type: ignore[arg-type]


def _set_article(ws: pipeline.Workspace, url: str, html: str | None = None, **fields: object) -> None:
    """Give a stored article new content (as if the legacy page said so) and a new content hash."""
    with ws.store.session() as session:
        row = session.scalar(select(ArticleRow).where(ArticleRow.site_id == SITE, ArticleRow.url_hash == url_hash(url)))
        if html is not None:
            row.body_html = html
            row.body_text = LexborHTMLParser(html).body.text(separator="\n", strip=True)
        for key, value in fields.items():
            setattr(row, key, value)
        row.content_hash = "planted" + url_hash(url + (html or "") + repr(sorted(fields.items())))


def _xlsx_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "姓名", "身份证号", "金额"])
    sheet.append([1, "陈大文", ID_XLSX, 500])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx_bytes(text: str) -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}"><w:body><w:p><w:r><w:t>{text}</w:t>'
           "</w:r></w:p></w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", xml)
    return out.getvalue()


def _doc_bytes(text: str) -> bytes:
    """A binary Word-like OLE file holding `text` as UTF-16 (what Word 97 and WPS store)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + text.encode("utf-16-le") + b"\x00" * 64


def _attachment_articles(ws: pipeline.Workspace, urls: list[str]) -> list[tuple[str, str]]:
    """(article URL, attachment URL) of planned articles with a fetched attachment."""
    with ws.store.session() as session:
        fetched = {r.url for r in session.scalars(select(Resource).where(
            Resource.site_id == SITE, Resource.kind == "attachment", Resource.status == "fetched"))}
        rows = session.scalars(select(ArticleRow).where(ArticleRow.site_id == SITE)).all()
    pairs = []
    for row in rows:
        if row.url in urls:
            for attachment in row.attachments or []:
                if attachment["url"] in fetched:
                    pairs.append((row.url, attachment["url"]))
                    break
    return sorted(pairs)


def _replace_blob(ws: pipeline.Workspace, attachment_url: str, data: bytes) -> None:
    sha = BlobStore(ws.dir / "blobs").put_bytes(data)
    with ws.store.session() as session:
        row = session.scalar(select(Resource).where(Resource.site_id == SITE, Resource.url_hash == url_hash(
            attachment_url)))
        row.sha256, row.size = sha, len(data)


@pytest.fixture
def planted(crawled: pipeline.Workspace) -> dict[str, str]:
    """Plant personal data, a repealed and a superseded document into the crawled fgw site."""
    pipeline.map_site(crawled, SITE)
    urls = _targets(crawled)
    with_files = _attachment_articles(crawled, urls)
    assert len(with_files) >= 3, "the sample fleet has articles with attachments"
    plain = [u for u in urls if u not in {a for a, _ in with_files}]
    roles = {"table": plain[0], "repealed": plain[1], "old": plain[2], "new": plain[3], "clean": plain[4],
             "xlsx": with_files[0][0], "docx": with_files[1][0], "pdf": with_files[2][0]}
    table = (f"<p>低保名单公示如下：</p><table><tr><th>姓名</th><th>身份证号</th><th>联系电话</th><th>银行卡号</th></tr>"
             f"<tr><td>王小明</td><td>{ID_A}</td><td>{MOBILE}</td><td>{CARD}</td></tr>"
             f"<tr><td>李错号</td><td>{ID_BAD}</td><td>无</td><td>{CARD_BAD}</td></tr></table>")
    _set_article(crawled, roles["table"], table)
    _set_article(crawled, roles["repealed"], "<p>有效性：废止</p><p>本办法有效期至2020年12月31日。</p>")
    _set_article(crawled, roles["old"], "<p>旧办法正文。</p>", title="临江市价格监测管理办法", doc_no="临发改〔2016〕3号",
                 written="2016-03-01")
    _set_article(crawled, roles["new"], "<p>新办法正文。</p>", title="临江市价格监测管理办法", doc_no="临发改〔2022〕8号",
                 written="2022-05-01")
    _set_article(crawled, roles["clean"], f"<p>证件号 {ID_BAD} 校验位错误，卡号 {CARD_BAD} 不通过校验。</p>")
    _replace_blob(crawled, with_files[0][1], _xlsx_bytes())
    _replace_blob(crawled, with_files[1][1], _docx_bytes(f"联系人手机{MOBILE}，身份证{ID_A}"))
    _replace_blob(crawled, with_files[2][1], pdf_saying(f"Contact {MOBILE_PDF}"))
    for key in ("xlsx", "docx", "pdf"):
        _set_article(crawled, roles[key], None, content_hash="planted-" + key)
    return roles


def _by_url(ws: pipeline.Workspace) -> dict[str, list[stage.TriageFinding]]:
    out: dict[str, list[stage.TriageFinding]] = {}
    for finding in stage.stored_findings(ws, SITE):
        out.setdefault(finding.url, []).append(finding)
    return out


def test_findings_on_planted_pages_and_attachments(crawled: pipeline.Workspace, planted: dict[str, str]) -> None:
    summary = stage.triage_site(crawled, SITE)
    found = _by_url(crawled)
    table = {(f.kind, f.excerpt) for f in found[planted["table"]]}
    assert table == {("id_card", mask("id_card", ID_A)), ("mobile", "138****5678"),
                     ("bank_card", mask("bank_card", CARD)), ("name", "王**")}
    assert planted["clean"] not in found  # a wrong check digit and a Luhn-invalid card are not findings
    assert {f.kind for f in found[planted["repealed"]]} == {"repealed", "expired"}
    assert [f.kind for f in found[planted["old"]]] == ["superseded"]
    assert planted["new"] not in found
    assert {(f.kind, f.excerpt) for f in found[planted["xlsx"]]} == {("id_card", mask("id_card", ID_XLSX)),
                                                                       ("name", "陈**")}
    assert {f.kind for f in found[planted["docx"]]} == {"id_card", "mobile"}
    assert {(f.kind, f.excerpt) for f in found[planted["pdf"]]} == {("mobile", "159****4321")}
    assert all(f.location.startswith("attachment:") for f in found[planted["xlsx"]])
    assert summary.undecided_personal == 4 + 2 + 2 + 1
    assert summary.findings["id_card"] == 3
    again = stage.triage_site(crawled, SITE)  # attachment files read once, their results kept by content hash
    assert again.attachments == 0 and again.reused >= 3 and again.findings == summary.findings


def test_binary_word_files_are_scanned_too(crawled: pipeline.Workspace, planted: dict[str, str]) -> None:
    pairs = _attachment_articles(crawled, [planted["docx"]])
    _replace_blob(crawled, pairs[0][1], _doc_bytes(f"身份证号：{ID_DOC}"))
    _set_article(crawled, planted["docx"], None, content_hash="planted-doc")
    stage.triage_site(crawled, SITE)
    assert {(f.kind, f.excerpt) for f in _by_url(crawled)[planted["docx"]]} == {("id_card", mask("id_card", ID_DOC))}


def test_push_holds_back_undecided_personal_data(crawled: pipeline.Workspace, planted: dict[str, str]) -> None:
    summary = _push(crawled)
    assert summary.skipped[stage.UNTRIAGED] == 4  # table, xlsx, docx, pdf
    with crawled.store.session() as session:
        records = {r.source_url: r for r in session.scalars(select(PushRecord).where(PushRecord.kind == "article"))}
        outcomes = {r.old_url: r for r in session.scalars(select(UrlMapRow).where(UrlMapRow.site_id == SITE))}
    held = records[planted["table"]]
    assert held.status == "skipped" and held.reason.startswith(stage.UNTRIAGED) and "身份证号 1" in held.reason
    assert outcomes[planted["table"]].status == "unresolved"  # waiting on a decision: never 410
    ledger = {e.url: e for e in site_ledger(crawled, SITE)}
    assert ledger[planted["table"]].disposition == "unresolved" and stage.UNTRIAGED in ledger[planted["table"]].reason
    assert records[planted["repealed"]].status == "pushed"  # validity findings do not block
    assert records[planted["clean"]].status == "pushed"


def test_allow_untriaged_pushes_and_says_so(crawled: pipeline.Workspace, planted: dict[str, str]) -> None:
    summary = _push(crawled, allow_untriaged=True)
    assert not summary.skipped.get(stage.UNTRIAGED)
    with crawled.store.session() as session:
        events = session.scalars(select(EventRow).where(EventRow.code == "untriaged_allowed")).all()
    assert len(events) == 1 and events[0].message.startswith("4 article(s)")


def _fill(path: Path, decide: dict[tuple[str, str], tuple[str, str]], urls: dict[str, str]) -> None:
    """Fill decisions into an exported sheet: (article role, kind) → (处理决定, 理由)."""
    book = load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    col = {key: header.index(zh) + 1 for key, zh, _, _ in HEADERS}
    role_of = {url: role for role, url in urls.items()}
    kind_of = {"身份证号": "id_card", "手机号": "mobile", "银行卡号": "bank_card", "姓名": "name",
               "已废止/失效": "repealed", "已过有效期": "expired", "已被新文件替代": "superseded"}
    for row in range(2, sheet.max_row + 1):
        role = role_of.get(sheet.cell(row, col["url"]).value)
        kind = kind_of.get(sheet.cell(row, col["kind"]).value)
        if (role, kind) in decide:
            decision, reason = decide[(role, kind)]
            sheet.cell(row, col["decision"]).value = decision
            sheet.cell(row, col["reason"]).value = reason
            sheet.cell(row, col["signer"]).value = "张科长"
            sheet.cell(row, col["signed_on"]).value = "2026-12-01"
    book.save(path)


def _all_decisions(urls: dict[str, str]) -> dict[tuple[str, str], tuple[str, str]]:
    decide = {("table", k): ("遮盖", "") for k in ("id_card", "mobile", "bank_card", "name")}
    decide.update({("xlsx", k): ("不发布", "低保名单含身份证号") for k in ("id_card", "name")})
    decide.update({("docx", k): ("不发布", "") for k in ("id_card", "mobile")})
    decide[("pdf", "mobile")] = ("原样发布", "单位办公电话，可公开")
    decide[("repealed", "repealed")] = ("标记失效", "")
    decide[("repealed", "expired")] = ("标记失效", "")
    return decide


def test_sheet_round_trip_masks_withholds_and_marks_invalid(crawled: pipeline.Workspace, planted: dict[str, str],
                                                            tmp_path: Path) -> None:
    stage.triage_site(crawled, SITE)
    sheet = tmp_path / "triage.xlsx"
    assert stage.export_sheet(crawled, [SITE], sheet) == len(stage.stored_findings(crawled, SITE))
    book = load_workbook(sheet)
    assert [c.value for c in book.active[1]] == [zh for _, zh, _, _ in HEADERS]
    assert all(c.data_type == "s" for row in book.active.iter_rows() for c in row if c.value is not None)

    wrong = tmp_path / "wrong.xlsx"
    _fill(sheet, _all_decisions(planted), planted)
    book = load_workbook(sheet)
    book.save(wrong)
    _fill(wrong, {("xlsx", "id_card"): ("遮盖", ""), ("pdf", "mobile"): ("原样发布", "")}, planted)
    with pytest.raises(SheetError) as problem:
        stage.import_sheet(crawled, wrong)
    assert "附件无法就地遮盖" in problem.value.message and "“原样发布”需要写明审核人的理由" in problem.value.message
    assert problem.value.message.startswith("表格中有 2 处问题") and "row" not in problem.value.message  # a zh sheet
    assert not any(f.decision for f in stage.stored_findings(crawled, SITE))  # all or nothing

    assert len(stage.import_sheet(crawled, sheet)) == 11
    assert stage.import_sheet(crawled, sheet) == []  # importing again changes nothing
    assert stage.undecided_personal(crawled, SITE) == []

    summary = _push(crawled)
    assert not summary.skipped.get(stage.UNTRIAGED)
    assert summary.skipped[stage.WITHHELD] == 2
    preview = crawled.loaded.path.parent / ".consolidate" / "preview"
    pages = {p: p.read_text(encoding="utf-8") for p in preview.rglob("*.html")}
    masked_page = [t for t in pages.values() if "低保名单公示" in t]
    assert len(masked_page) == 1
    assert mask("id_card", ID_A) in masked_page[0] and "138****5678" in masked_page[0] and "王**" in masked_page[0]
    assert ID_BAD in masked_page[0]  # not a valid ID number: not masked
    assert sum("【已失效】</strong>本文件已失效（有效性：废止）" in t for t in pages.values()) == 1
    with crawled.store.session() as session:
        records = {r.source_url: r for r in session.scalars(select(PushRecord).where(PushRecord.kind == "article"))}
    assert records[planted["xlsx"]].status == "skipped" and records[planted["xlsx"]].reason.startswith(stage.WITHHELD)
    with crawled.store.session() as session:
        withheld = session.scalar(select(UrlMapRow).where(UrlMapRow.old_url == planted["xlsx"]))
        columns = {r.target_url for r in session.scalars(select(PushRecord).where(PushRecord.kind == "column"))}
    assert withheld.status == "301" and withheld.new_url in columns and "redirected to its column" in withheld.note
    entry = next(e for e in site_ledger(crawled, SITE) if e.url == planted["xlsx"])
    assert (entry.disposition, entry.new_url) == ("redirected", withheld.new_url)
    assert records[planted["pdf"]].status == "pushed"
    exporter = pipeline.open_exporter(crawled)
    try:
        checked = verify_site(crawled, SITE, exporter)  # the masked body and the notice are what was meant
    finally:
        exporter.close()
    assert checked.mismatch == 0 and checked.ok == summary.pushed


def test_no_unmasked_value_in_any_output(crawled: pipeline.Workspace, planted: dict[str, str],
                                         tmp_path: Path) -> None:
    config, db = str(crawled.loaded.path), crawled.store.url
    runner = CliRunner()
    outputs = []
    for args in (["triage", SITE], ["triage", SITE, "--json"], ["triage", "--all", "--export", str(tmp_path / "t.xlsx")],
                 ["push", SITE], ["push", SITE, "--allow-untriaged"], ["report", "-f", "md"],
                 ["report", "-f", "json"], ["messages", SITE] if _has_command("messages") else ["status"]):
        result = runner.invoke(app, [*args, "-c", config, "--db", db])
        assert result.exit_code in (0, 1), (args, result.output)
        outputs.append(result.output)
    assert re.search(r"findings: [a-z][a-z /]+ \(\S+\) \d+", outputs[0]), "kinds in English, the Chinese beside them"
    finding = json.loads(runner.invoke(app, ["triage", SITE, "--json", "-c", config, "--db", db]).output.splitlines()[0])
    assert set(finding) >= {"site", "url", "location", "kind", "excerpt", "decision"}
    with zipfile.ZipFile(tmp_path / "t.xlsx") as package:
        outputs += [package.read(n).decode("utf-8", "replace") for n in package.namelist()]
    with crawled.store.session() as session:
        outputs += [e.message for e in session.scalars(select(EventRow))]
        outputs += [r.reason or "" for r in session.scalars(select(PushRecord))]
        outputs += [f.excerpt + f.detail + f.location + f.key for f in session.scalars(select(stage.TriageFinding))]
    joined = "\n".join(outputs)
    assert "身份证号" in joined and mask("id_card", ID_A) in joined
    for secret in SECRETS:
        assert secret not in joined, secret


def _has_command(name: str) -> bool:
    return any(c.name == name or (c.callback and c.callback.__name__ == name) for c in app.registered_commands)


def test_cli_errors_are_one_line(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    config, db = str(crawled.loaded.path), crawled.store.url
    runner = CliRunner()
    bad = runner.invoke(app, ["triage", SITE, "--export", str(tmp_path / "t.csv"), "-c", config, "--db", db])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    missing = runner.invoke(app, ["triage", "--all", "--import", str(tmp_path / "none.xlsx"), "-c", config,
                                  "--db", db])
    assert missing.exit_code == 2 and "no such file" in missing.output
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    assert runner.invoke(app, ["triage", "--all", "--import", str(junk), "-c", config, "--db", db]).exit_code == 2


def test_sheet_export_and_import_speak_the_sheets_language(crawled: pipeline.Workspace, planted: dict[str, str],
                                                            tmp_path: Path) -> None:
    config, db = str(crawled.loaded.path), crawled.store.url
    runner = CliRunner(env={"COLUMNS": "400"})  # lines unwrapped: where an 80-column wrap falls moves with the
    # temporary folder's name (pytest-999 → pytest-1000) and could split the words asserted below
    stage.triage_site(crawled, SITE)
    refused = runner.invoke(app, ["triage", SITE, "--export", str(tmp_path / "t.xlsx"), "--lang", "fr",
                                  "-c", config, "--db", db])
    assert refused.exit_code == 2 and "zh or en" in refused.output and not (tmp_path / "t.xlsx").exists()
    zh = runner.invoke(app, ["triage", "--all", "--export", str(tmp_path / "t.xlsx"), "-c", config, "--db", db])
    assert zh.exit_code == 0 and "已写出" in zh.output and "“审核人”" in zh.output and "wrote" not in zh.output
    _fill(tmp_path / "t.xlsx", _all_decisions(planted), planted)
    recorded = runner.invoke(app, ["triage", "--all", "--import", str(tmp_path / "t.xlsx"), "-c", config,
                                   "--db", db])
    assert recorded.exit_code == 0 and "t.xlsx：已记录 11 行签署决定（" in recorded.output
    assert "签署人：张科长 11 行" in recorded.output and "recorded" not in recorded.output
    again = runner.invoke(app, ["triage", "--all", "--import", str(tmp_path / "t.xlsx"), "-c", config, "--db", db])
    assert again.output.strip() == "t.xlsx：无改动"

    en = runner.invoke(app, ["triage", "--all", "--export", str(tmp_path / "en.xlsx"), "--lang", "en",
                             "-c", config, "--db", db])
    assert en.exit_code == 0 and "wrote" in en.output and "Signed by/Signed on" in en.output
    book = load_workbook(tmp_path / "en.xlsx")
    assert [c.value for c in book.active[1]] == [en for _, _, en, _ in HEADERS]
    assert book.active["K2"].value in ("mask", "withhold", "publish as is", "mark invalid")
    book.active["K2"], book.active["M2"] = "nonsense", "Zhang"
    book.save(tmp_path / "en.xlsx")
    bad = runner.invoke(app, ["triage", "--all", "--import", str(tmp_path / "en.xlsx"), "-c", config, "--db", db])
    assert bad.exit_code == 2 and "1 problem(s) in the sheet" in bad.output
    assert "en.xlsx row 2, column Decision (K): 'nonsense' is not one of" in bad.output
    assert "Traceback" not in bad.output


def test_checklist_step_and_report_section(crawled: pipeline.Workspace, planted: dict[str, str],
                                           tmp_path: Path) -> None:
    from consolidate.checklist import site_checklist
    from consolidate.report import fleet_report, render_markdown

    stage.triage_site(crawled, SITE)
    step = next(s for s in site_checklist(crawled, SITE)["steps"] if s["step"] == "personal_data_reviewed")
    assert step["label_zh"] == "发布前个人信息审查完成"
    assert step["status"] == "blocked"
    assert step["blocked_by"] == ["9 personal-data findings undecided: `consolidate triage fgw --export triage-fgw.xlsx`, "
                                  "decide, then `consolidate triage --import triage-fgw.xlsx`"]  # names its command
    text = render_markdown(fleet_report(crawled, [SITE]))
    section = text.split("## 个人信息与有效性", 1)[1].split("\n## ", 1)[0]
    assert "| fgw | 个人信息 | 身份证号 | 待定 | 3 |" in section
    assert "| fgw | 有效性 | 已被新文件替代 | 待定 | 1 |" in section
    _push(crawled, allow_untriaged=True)
    text = render_markdown(fleet_report(crawled, [SITE]))
    assert "未审查即发布（--allow-untriaged）" in text
    sheet = tmp_path / "t.xlsx"
    stage.export_sheet(crawled, [SITE], sheet)
    _fill(sheet, _all_decisions(planted), planted)
    stage.import_sheet(crawled, sheet)
    step = next(s for s in site_checklist(crawled, SITE)["steps"] if s["step"] == "personal_data_reviewed")
    assert step["status"] == "done" and step["source"] == "derived"


def test_links_to_intranet_and_to_closing_sites_without_redirect(crawled: pipeline.Workspace,
                                                                 planted: dict[str, str]) -> None:
    with crawled.store.session() as session:
        other = session.scalars(select(ArticleRow.url).where(ArticleRow.site_id == "jyj").order_by(ArticleRow.id)
                                ).first()
    html = (f'<p>见<a href="http://192.168.10.5/oa/notice.jsp">内网通知</a>、<a href="http://oa/x">OA</a>、'
            f'<a href="{other}">教育局文章</a>、<a href="https://www.gov.cn/">中国政府网</a>。</p>')
    _set_article(crawled, planted["clean"], html)
    stage.triage_site(crawled, SITE)
    links = {(f.kind, f.excerpt) for f in _by_url(crawled)[planted["clean"]]}
    assert links == {("private_link", "http://192.168.10.5/oa/notice.jsp"), ("private_link", "http://oa/x"),
                     ("dead_link", other)}
    exporter = pipeline.open_exporter(crawled)
    try:
        pipeline.push_site(crawled, "jyj", exporter)  # jyj's old URLs now redirect to the portal
    finally:
        exporter.close()
    stage.triage_site(crawled, SITE)
    assert {f.kind for f in _by_url(crawled)[planted["clean"]]} == {"private_link"}
    assert not stage.blocked_urls(crawled, SITE).get(planted["clean"])  # links never block a push


def test_pushing_again_after_verify_adds_no_second_notice(crawled: pipeline.Workspace, planted: dict[str, str],
                                                          tmp_path: Path) -> None:
    """The 失效 notice is added once, to what push sends, from the legacy body: verify and a second push leave the
    stored article as the legacy page said it, the page keeps one notice, and triage never reads the notice."""
    stage.triage_site(crawled, SITE)
    sheet = tmp_path / "triage.xlsx"
    stage.export_sheet(crawled, [SITE], sheet)
    _fill(sheet, _all_decisions(planted), planted)
    stage.import_sheet(crawled, sheet)
    first = _push(crawled)
    exporter = pipeline.open_exporter(crawled)
    try:
        assert verify_site(crawled, SITE, exporter).mismatch == 0
    finally:
        exporter.close()
    with crawled.store.session() as session:
        texts = [a.body_text or "" for a in session.scalars(select(ArticleRow).where(ArticleRow.site_id == SITE))]
        htmls = [a.body_html or "" for a in session.scalars(select(ArticleRow).where(ArticleRow.site_id == SITE))]
    assert not any("【已失效】" in t for t in texts + htmls)  # the store keeps the legacy content
    again = _push(crawled)
    assert (again.pushed, again.updated, again.unchanged) == (0, 0, first.pushed + first.updated)
    preview = crawled.loaded.path.parent / ".consolidate" / "preview"
    notices = [t.count("本文件已失效") for p in preview.rglob("*.html") for t in [p.read_text(encoding="utf-8")]]
    assert sorted(n for n in notices if n) == [1]
    stage.triage_site(crawled, SITE)
    findings = stage.stored_findings(crawled, SITE)
    assert not [f for f in findings if "已失效" in f.excerpt]
    assert not [f for f in findings if f.url == planted["repealed"] and f.decision is None]


def test_triage_never_reads_the_tools_own_notice(crawled: pipeline.Workspace, planted: dict[str, str]) -> None:
    """A body that already carries the tool's 失效 notice (a store written by an older version) is read without it:
    no finding quotes the notice, and push adds it once."""
    url = planted["repealed"]
    stage.triage_site(crawled, SITE)
    before = {(f.kind, f.excerpt) for f in stage.stored_findings(crawled, SITE) if f.url == url}
    with crawled.store.session() as session:
        row = session.scalar(select(ArticleRow).where(ArticleRow.url_hash == url_hash(url)))
        html, text = row.body_html, row.body_text
    notice = stage.VALIDITY_NOTICE.format(detail="有效期至 2018-04-30")
    line = "【已失效】本文件已失效（有效期至 2018-04-30），仅供查阅，不再作为执行依据。\n"
    _set_article(crawled, url, None, body_html=notice * 2 + html, body_text=line * 2 + text)
    stage.triage_site(crawled, SITE)
    assert {(f.kind, f.excerpt) for f in stage.stored_findings(crawled, SITE) if f.url == url} == before
    with crawled.store.session() as session:
        row = session.scalar(select(ArticleRow).where(ArticleRow.url_hash == url_hash(url)))
    gate = stage.PushGate(invalid={url: "有效性：废止"})
    sent = gate.apply(row)
    assert sent.body_text.count("本文件已失效") == 1 and sent.body_html.count("consolidate-validity") == 1
    assert sent.body_text.endswith(text) and row.body_text.startswith(line * 2)  # a copy; the row is left as read
