"""`map SITE` reads at any width: at 80 columns each legacy column is a block (path, decision, target and
confidence on one line, the reason wrapped below), never a cut name or decision; from 120 columns one table.
`columns --json` and `map --json` agree on each column's kind; `map --all` names the portal columns it warns
about by id and sub-site; a signed decision's reason names its signer once."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from openpyxl import load_workbook
from rich.cells import cell_len
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.mapping import export_sheet, import_sheet


def _map(ws: pipeline.Workspace, *args: str, width: int = 200) -> str:
    """The output of `consolidate map …` at a terminal width (exit 0)."""
    result = CliRunner().invoke(app, ["map", *args, "-c", str(ws.loaded.path), "--db", ws.store.url],
                                env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_map_at_80_columns_stacks_each_column_without_cutting(crawled: pipeline.Workspace) -> None:
    """At 80 columns: every line fits (CJK counted as 2 cells), every path and decision appears whole on the
    column's first line, nothing is cut with '…', and the output stays short (a few lines per column)."""
    rows = pipeline.map_site(crawled, "fgw")
    text = _map(crawled, "fgw", width=80)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    assert "…" not in text
    for column, decision in rows:
        head = next((line for line in lines if line.startswith(f"{column.path or column.name}  ")), None)
        assert head is not None, column.path
        assert f"  {decision.decision}" in head and f"{decision.confidence:.2f}" in head
        if decision.target and not decision.merge_into:
            assert f"→ {decision.target}" in head
    assert len(lines) <= 8 * len(rows) + 2


def test_map_wide_terminals_get_the_table_with_whole_cells(crawled: pipeline.Workspace) -> None:
    """From 120 columns: one table; decisions and dates are never shortened, only the reason wraps."""
    rows = pipeline.map_site(crawled, "fgw")
    for width in (120, 200):
        text = _map(crawled, "fgw", width=width)
        assert "┃ legacy column" in text and "│" in text
        assert max(cell_len(line) for line in text.splitlines()) <= width
        cells = {cell.strip() for line in text.splitlines() for cell in line.split("│")}
        assert {d.decision for _, d in rows} <= cells, width
        assert {(c.last_published or "")[:10] for c, _ in rows if c.last_published} <= cells, width


def test_a_signed_reason_names_its_signer_once(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """An office decision's reason already says who signed: the table does not add '[王明]' after it."""
    path = tmp_path / "m.xlsx"
    export_sheet(crawled, "fgw", path)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    headers = {c.value: c.column for c in sheet[1]}
    row = next(r for r in range(2, sheet.max_row + 1)
               if sheet.cell(row=r, column=headers["栏目路径"]).value == "信息公开 > 政策解读")
    for header, value in (("决定", "不迁移"), ("审核人", "王明"), ("审核日期", dt.date.today().isoformat())):
        sheet.cell(row=row, column=headers[header]).value = value
    book.save(path)
    assert import_sheet(crawled, "fgw", path)
    for width in (80, 200):
        text = _map(crawled, "fgw", width=width)
        assert "office decision signed by 王明" in " ".join(text.split()) and "[王明]" not in text, width
        assert "[consolidate]" in text or "[migrations.yaml]" in text  # other deciders are still named


def test_columns_and_map_agree_on_the_kind(crawled: pipeline.Workspace) -> None:
    """`columns --json` carries each column's estimated kind, the same as `map --json` (never null)."""
    config, db = str(crawled.loaded.path), crawled.store.url
    listed = CliRunner().invoke(app, ["columns", "fgw", "--json", "-c", config, "--db", db])
    assert listed.exit_code == 0, listed.output
    kinds = {item["path"]: item["kind"] for item in map(json.loads, listed.stdout.splitlines())}
    mapped = {item["column"]: item["kind"] for item in map(json.loads, _map(crawled, "fgw", "--json").splitlines())}
    assert kinds == mapped and None not in kinds.values()


def test_fleet_findings_name_the_portal_column_and_its_sub_site(crawled: pipeline.Workspace) -> None:
    """`map --all` findings on portal columns name the column's id and sub-site, so that two 通知公告 of
    different sub-sites are told apart."""
    decided = {s.id: pipeline.map_site(crawled, s.id) for s in crawled.config.sites}
    findings = pipeline.portal_findings(crawled.config, decided, dt.date(2030, 1, 1))
    index = crawled.config.portal.index()
    assert findings
    for finding in findings:
        place = index[finding["column"]]
        named = f"({finding['column']}, {place.subsite_name})" if place.subsite_name else f"({finding['column']})"
        assert named in finding["message"], finding["message"]
    assert len({f["message"] for f in findings}) == len(findings)
    text = " ".join(_map(crawled, "--all", "--as-of", "2030-01-01").split())
    assert all(" ".join(f["message"].split()) in text for f in findings)
