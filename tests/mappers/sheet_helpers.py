"""Helpers shared by the sign-off sheet tests: an exported workbook opened by header and column path."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook


def sheet_rows(path: Path) -> tuple[object, object, dict[str, int], dict[str, int]]:
    """Workbook, sheet, header → column number, column path → row number."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    headers = {cell.value: cell.column for cell in sheet[1]}
    paths = {sheet.cell(row=r, column=headers["栏目路径"]).value: r for r in range(2, sheet.max_row + 1)}
    return book, sheet, headers, paths
