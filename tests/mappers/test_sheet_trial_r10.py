"""What round 10's new-user trial found in the column sheet: a signer could not correct their own decision the
same day (the refusal said the signature was pre-filled at export when he had typed it), and a sheet with rows
deleted imported as "无改动" without a word about the columns it no longer had."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from consolidate import pipeline
from consolidate.mapping import export_sheet, import_sheet, import_summary, stored_decisions
from mappers.sheet import SheetError
from tests.mappers.sheet_helpers import sheet_rows

SITE = "fgw"


def _edit(path: Path, column_path: str, **cells: str | None) -> None:
    """Set cells (by Chinese header) of one column's row of a sheet."""
    book, sheet, headers, paths = sheet_rows(path)
    for header, value in cells.items():
        sheet.cell(row=paths[column_path], column=headers[header]).value = value  # type: ignore[attr-defined]
    book.save(path)  # type: ignore[attr-defined]


def _cells(path: Path, column_path: str) -> dict[str, object]:
    """A column's row of a sheet, by Chinese header."""
    _book, sheet, headers, paths = sheet_rows(path)
    return {h: sheet.cell(row=paths[column_path], column=c).value for h, c in headers.items()}  # type: ignore


def _two_targets(ws: pipeline.Workspace, path: Path) -> tuple[str, str, str]:
    """A column of the exported sheet decided by the tool, and two target cells to choose between."""
    _book, sheet, headers, paths = sheet_rows(path)
    targets = [c.value for c in load_workbook(path)["lists"]["A"][1:] if c.value]
    column = next(p for p, r in paths.items() if p and not sheet.cell(row=r, column=headers["审核人"]).value
                  and "配置规则" not in str(sheet.cell(row=r, column=headers["理由"]).value or ""))
    return column, targets[0], targets[1]


def _signed_by_li_si(crawled: pipeline.Workspace, tmp_path: Path) -> tuple[str, Path, str, str, str]:
    """(today, the sheet, a column, its target, another target): the column signed today by 李四 → the target."""
    today = dt.date.today().isoformat()
    first = tmp_path / "first.xlsx"
    export_sheet(crawled, SITE, first)
    column, one, other = _two_targets(crawled, first)
    _edit(first, column, 决定="迁移", 目标栏目=one, 审核人="李四", 审核日期=today)
    import_sheet(crawled, SITE, first)
    return today, first, column, one, other


def test_a_signer_corrects_their_own_decision_the_same_day(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """李四 signs a column → one target; the same day he changes it to another in the sheet he signed, and again
    in a fresh export (which leaves 审核人/审核日期 empty and shows his signature under 原签署): both are
    recorded as his corrections, the decision each corrects kept in the reason; a fresh-export row changed with
    nobody's name is refused as unsigned, naming 李四's decision (never 'pre-filled')."""
    today, first, column, one, other = _signed_by_li_si(crawled, tmp_path)
    _edit(first, column, 目标栏目=other)  # the old sheet, his own typed signature, a changed decision
    changes = import_sheet(crawled, SITE, first)
    assert [(c.path, c.signer, c.corrects) for c in changes] == [(column, "李四", True)]
    summary = import_summary(first.name, changes)
    assert "更正自己先前的决定" in summary and column in summary, summary
    recorded = stored_decisions(crawled, SITE)[column]
    assert (recorded.target, recorded.decided_by) == (other.split()[0], "李四")
    assert f"correcting their decision of {today} (migrate → {one.split()[0]})" in recorded.reason
    fresh = tmp_path / "fresh.xlsx"
    export_sheet(crawled, SITE, fresh)
    row = _cells(fresh, column)
    assert (row["审核人"], row["审核日期"], row["原签署"]) == (None, None, f"李四 {today}")
    assert f"更正其 {today} 的决定：迁移 → {one.split()[0]}" in str(row["理由"])
    _edit(fresh, column, 目标栏目=one)
    with pytest.raises(SheetError) as unsigned:
        import_sheet(crawled, SITE, fresh)
    assert len(unsigned.value.errors) == 1 and "已由李四签署决定" in unsigned.value.errors[0]
    assert "预填" not in unsigned.value.errors[0]
    _edit(fresh, column, 审核人="李四", 审核日期=today)
    assert [c.corrects for c in import_sheet(crawled, SITE, fresh)] == [True]
    assert stored_decisions(crawled, SITE)[column].target == one.split()[0]


def test_a_sheet_exported_with_signatures_filled_in_says_so_truly(crawled: pipeline.Workspace,
                                                                  tmp_path: Path) -> None:
    """A sheet exported before 原签署 (signatures pre-filled: here the column removed and the cells filled as the
    old export did) whose row changes under its signer's own name and day is refused, saying the sheet could
    not tell a pre-filled signature from a correction and to export it again; another signer is recorded."""
    today, first, column, one, other = _signed_by_li_si(crawled, tmp_path)
    old = tmp_path / "old.xlsx"
    export_sheet(crawled, SITE, old)
    book, sheet, headers, _paths = sheet_rows(old)
    sheet.delete_cols(headers["原签署"])  # type: ignore[attr-defined]
    book.save(old)  # type: ignore[attr-defined]
    _edit(old, column, 目标栏目=other, 审核人="李四", 审核日期=today)
    with pytest.raises(SheetError) as refused:
        import_sheet(crawled, SITE, old)
    assert len(refused.value.errors) == 1
    assert "还没有“原签署”列" in refused.value.errors[0] and "请重新导出表格" in refused.value.errors[0]
    assert stored_decisions(crawled, SITE)[column].target == one.split()[0]
    _edit(old, column, 审核人="王五")
    assert [(c.signer, c.corrects) for c in import_sheet(crawled, SITE, old)] == [("王五", False)]


def test_rows_missing_from_a_sheet_are_counted_and_stay_as_they_were(crawled: pipeline.Workspace,
                                                                     tmp_path: Path) -> None:
    """Half the rows of an exported sheet deleted: the import says how many of the site's columns have no row
    and how many of them stay undecided — with and without a signed change — and changes nothing of them."""
    path = tmp_path / "cut.xlsx"
    export_sheet(crawled, SITE, path)
    before = stored_decisions(crawled, SITE)
    book, sheet, headers, paths = sheet_rows(path)
    rows = sorted((p for p in paths if p), key=paths.__getitem__)  # the exported rows (the sheet runs on, empty)
    assert len(rows) == len(before)
    gone = rows[len(rows) // 2:]
    sheet.delete_rows(paths[gone[0]], len(gone))  # type: ignore[attr-defined]
    book.save(path)  # type: ignore[attr-defined]
    undecided = sum(before[p].decision == "unmapped" for p in gone)
    changes = import_sheet(crawled, SITE, path)
    assert changes == [] and changes.missing == gone
    summary = import_summary(path.name, changes)
    assert summary.splitlines()[0] == "cut.xlsx：无改动"
    assert f"缺少本网站 {len(before)} 个栏目中的 {len(gone)} 个" in summary
    assert f"其中 {undecided} 个仍待定" in summary
    assert stored_decisions(crawled, SITE) == before
    full = tmp_path / "full.xlsx"
    export_sheet(crawled, SITE, full)
    assert "缺少" not in import_summary(full.name, import_sheet(crawled, SITE, full))
