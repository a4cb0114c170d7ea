"""The signed sheet keeps what the office wrote: a re-export shows the signed decision's reason and 意见 (never the
suggester's "待人工决定"), and `map --import` says in one short line what changed and who signed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.mapping import import_sheet
from tests.mappers.sheet_helpers import sheet_rows

SITE = "fgw"


def _cell(sheet: object, row: int, column: int) -> str:
    return str(sheet.cell(row=row, column=column).value or "")  # type: ignore[attr-defined]


def test_signed_rows_keep_their_reason_and_comment_on_a_re_export(crawled: pipeline.Workspace,
                                                                  tmp_path: Path) -> None:
    """Two undecided rows signed 迁移/不迁移 by 王科长, one with 意见: the import prints one summary line; the
    re-exported sheet shows who signed, when, and the 意见; re-importing it changes nothing."""
    config, db = str(crawled.loaded.path), crawled.store.url
    runner = CliRunner()
    first = tmp_path / "first.xlsx"
    assert runner.invoke(app, ["map", SITE, "--export", str(first), "-c", config, "--db", db]).exit_code == 0
    book, sheet, headers, paths = sheet_rows(first)
    pending = sorted((p for p, r in paths.items() if p and not _cell(sheet, r, headers["审核人"])
                      and "配置规则" not in _cell(sheet, r, headers["理由"])),
                     key=lambda p: "待人工决定" not in _cell(sheet, paths[p], headers["理由"]))
    assert len(pending) >= 2, "the fleet's fgw sheet has rows decided by the tool, not yet signed"
    before = {p: _cell(sheet, paths[p], headers["理由"]) for p in pending[:2]}
    today = dt.date.today().isoformat()
    target = next(_cell(sheet, r, headers["目标栏目"]) for r in paths.values() if _cell(sheet, r, headers["目标栏目"]))
    for path, decision, comment in ((pending[0], "迁移", "内容仍有效，迁入门户"), (pending[1], "不迁移", "")):
        row = paths[path]
        sheet.cell(row=row, column=headers["决定"]).value = decision
        if decision == "迁移":
            sheet.cell(row=row, column=headers["目标栏目"]).value = target
        sheet.cell(row=row, column=headers["审核人"]).value = "王科长"
        sheet.cell(row=row, column=headers["审核日期"]).value = today
        sheet.cell(row=row, column=headers["意见"]).value = comment or None
    book.save(first)  # type: ignore[attr-defined]
    result = runner.invoke(app, ["map", SITE, "--import", str(first), "-c", config, "--db", db])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()  # one line, not the decisions table; then what waits elsewhere
    assert lines[0].startswith("first.xlsx：") and all(x.startswith(("其他站点", "  ")) for x in lines[1:]), lines
    assert "2" in result.output and "王科长" in result.output
    second = tmp_path / "second.xlsx"
    assert runner.invoke(app, ["map", SITE, "--export", str(second), "-c", config, "--db", db]).exit_code == 0
    _book, sheet, headers, paths = sheet_rows(second)
    signed, dropped = paths[pending[0]], paths[pending[1]]
    assert "待人工决定" not in _cell(sheet, signed, headers["理由"])
    assert before[pending[0]] not in _cell(sheet, signed, headers["理由"])  # the tool's reason gave way
    assert "王科长" in _cell(sheet, signed, headers["理由"]) and "内容仍有效" in _cell(sheet, signed, headers["理由"])
    assert _cell(sheet, signed, headers["意见"]) == "内容仍有效，迁入门户"
    assert _cell(sheet, dropped, headers["理由"]) == f"由王科长于 {today} 签署"
    assert import_sheet(crawled, SITE, second) == []
