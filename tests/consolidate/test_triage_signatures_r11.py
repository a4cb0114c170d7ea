"""The triage sheet's signatures, as the column sheet's since round 10: the export leaves 审核人/审核日期 of a signed
finding empty and shows the recorded signature under a read-only 原签署, so a signer can correct their own decision
(a recorded correction) and the sheet never suggests a signature nobody gave; a sheet missing rows says how many
and how many stay undecided."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import select
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate import triage as stage
from consolidate.cli import app
from consolidate.core.store import ArticleRow

SITE = "fgw"
MOBILES = ("13812345678", "13987654321", "15011112222", "18633334444")
TODAY = dt.date.today().isoformat()


def _planted(ws: pipeline.Workspace) -> list[str]:
    """Four articles of fgw given a mobile number each and triaged: their personal-data findings' keys."""
    with ws.store.session() as session:
        rows = session.scalars(select(ArticleRow).where(ArticleRow.site_id == SITE).order_by(ArticleRow.id)
                               .limit(len(MOBILES))).all()
        for row, mobile in zip(rows, MOBILES, strict=True):
            row.body_html = f"<p>联系人：办公室，联系电话 {mobile}。</p>"
            row.body_text = LexborHTMLParser(row.body_html).body.text(strip=True)
            row.content_hash = "planted-" + mobile
    stage.triage_site(ws, SITE)
    keys = [f.key for f in stage.stored_findings(ws, SITE) if f.kind == "mobile"]
    assert len(keys) == len(MOBILES), keys
    return keys


def _run(ws: pipeline.Workspace, *args: str) -> tuple[int, str]:
    """The CLI's exit code and output for `consolidate triage ARGS` on the workspace."""
    result = CliRunner().invoke(app, ["triage", *args, "-c", str(ws.loaded.path), "--db", ws.store.url],
                                env={"COLUMNS": "300"})
    return result.exit_code, result.output


def _export(ws: pipeline.Workspace, path: Path) -> Path:
    """`triage fgw --export PATH`."""
    code, output = _run(ws, SITE, "--export", str(path))
    assert code == 0, output
    return path


def _row(path: Path, key: str) -> dict[str, object]:
    """A finding's row of a sheet, by Chinese header."""
    sheet = load_workbook(path).active
    headers = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == key)
    return dict(zip(headers, row, strict=False))


def _edit(path: Path, key: str, **cells: str | None) -> None:
    """Set cells (by Chinese header) of a finding's row of a sheet."""
    book = load_workbook(path)
    sheet = book.active
    headers = {c.value: c.column for c in sheet[1]}
    number = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == key)
    for header, value in cells.items():
        sheet.cell(row=number, column=headers[header]).value = value
    book.save(path)


def _recorded(ws: pipeline.Workspace, key: str) -> tuple[str | None, str | None, str | None]:
    """A finding's recorded decision, signer and reason."""
    finding = next(f for f in stage.stored_findings(ws, SITE) if f.key == key)
    return finding.decision, finding.decided_by, finding.reason


def _signed_by_li_si(ws: pipeline.Workspace, tmp_path: Path) -> tuple[str, Path]:
    """A finding 李四 decided today as 不发布 (through the sheet and the CLI), and the sheet exported after."""
    key = _planted(ws)[0]
    first = _export(ws, tmp_path / "first.xlsx")
    _edit(first, key, 处理决定="不发布", 理由="原文已撤", 审核人="李四", 审核日期=TODAY)
    code, output = _run(ws, "--import", str(first))
    assert code == 0 and "签署人：李四" in output, output
    return key, _export(ws, tmp_path / "fresh.xlsx")


def test_a_signer_corrects_their_own_triage_decision_the_same_day(crawled: pipeline.Workspace,
                                                                  tmp_path: Path) -> None:
    """李四 withholds a finding; the sheet exported next leaves 审核人/审核日期 empty and shows 李四 and the day
    under 原签署 (imported unchanged: no changes, no error); changed with nobody's name it is refused naming 李四's
    decision (never 'pre-filled'); signed by 李四 the same day it is his correction, said in the summary and kept
    in the reason."""
    key, fresh = _signed_by_li_si(crawled, tmp_path)
    row = _row(fresh, key)
    assert (row["处理决定"], row["审核人"], row["审核日期"], row["原签署"]) == ("不发布", None, None, f"李四 {TODAY}")
    code, output = _run(crawled, "--import", str(fresh))
    assert code == 0 and "无改动" in output, output
    _edit(fresh, key, 处理决定="遮盖")
    code, output = _run(crawled, "--import", str(fresh))
    assert code == 2 and f"{key} 已由李四签署决定（不发布）" in output and "预填" not in output, output
    assert _recorded(crawled, key)[0] == "withhold"
    _edit(fresh, key, 审核人="李四", 审核日期=TODAY)
    code, output = _run(crawled, "--import", str(fresh))
    assert code == 0 and "其中 1 行是签署人更正自己先前的决定" in output and key in output, output
    assert _recorded(crawled, key) == ("mask", "李四", f"原文已撤（更正其 {TODAY} 的决定：不发布）")
    again = _row(_export(crawled, tmp_path / "again.xlsx"), key)
    assert (again["处理决定"], again["审核人"], again["原签署"]) == ("遮盖", None, f"李四 {TODAY}")
    assert again["理由"] == f"原文已撤（更正其 {TODAY} 的决定：不发布）"


def test_an_old_triage_sheet_with_signatures_filled_in_says_so_truly(crawled: pipeline.Workspace,
                                                                     tmp_path: Path) -> None:
    """A sheet exported before 原签署 (it pre-filled the signature: the column removed here, the cells filled as
    the old export did) whose row changes under its signer's own name and day is refused, saying a pre-filled
    signature cannot be told from a correction and to export again; another signer is recorded."""
    key, old = _signed_by_li_si(crawled, tmp_path)
    book = load_workbook(old)
    headers = [c.value for c in book.active[1]]
    book.active.delete_cols(headers.index("原签署") + 1)
    book.save(old)
    _edit(old, key, 处理决定="遮盖", 审核人="李四", 审核日期=TODAY)
    code, output = _run(crawled, "--import", str(old))
    assert code == 2 and "还没有“原签署”列" in output and "请重新导出表格" in output, output
    assert _recorded(crawled, key)[0] == "withhold"
    _edit(old, key, 审核人="王五")
    code, output = _run(crawled, "--import", str(old))
    assert code == 0 and "签署人：王五" in output and "更正" not in output, output
    assert _recorded(crawled, key) == ("mask", "王五", "原文已撤")


def test_rows_missing_from_a_triage_sheet_are_counted(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Rows deleted from an exported sheet: the import says how many of the findings have no row and how many
    of them stay undecided, with and without a recorded change, and changes nothing of them."""
    keys = _planted(crawled)
    total = len(stage.stored_findings(crawled, SITE))
    cut = _export(crawled, tmp_path / "cut.xlsx")
    book = load_workbook(cut)
    book.active.delete_rows(book.active.max_row - 1, 2)  # the last two findings' rows
    book.save(cut)
    code, output = _run(crawled, "--import", str(cut))
    assert code == 0 and output.splitlines()[0] == "cut.xlsx：无改动", output
    assert f"缺少表中网站的 {total} 条发现中的 2 条" in output and "其中 2 条仍待定" in output, output
    present = {row[0] for row in load_workbook(cut).active.iter_rows(min_row=2, values_only=True)}
    kept = next(k for k in keys if k in present)
    _edit(cut, kept, 处理决定="遮盖", 审核人="张科长", 审核日期=TODAY)
    code, output = _run(crawled, "--import", str(cut))
    assert code == 0 and "已记录 1 行签署决定" in output and "其中 2 条仍待定" in output, output
    full = _export(crawled, tmp_path / "full.xlsx")
    code, output = _run(crawled, "--import", str(full))
    assert code == 0 and "缺少" not in output, output
