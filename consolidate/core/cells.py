"""Spreadsheet cells that stay text: legacy titles and names starting with = + - @ must never become formulas.

A CSV cell that starts with one of those characters (or a tab or carriage return) is written with a leading `'`,
which spreadsheet programs take as "text"; reading our own CSV back removes it again. An XLSX string cell is
written as a string cell, never as a formula (openpyxl would otherwise store '=…' as a formula), and without
the control characters XML cannot carry.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def formula_like(value: Any) -> bool:
    """True for a string a spreadsheet program could take as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_text(value: Any) -> Any:
    """A value for a CSV cell: formula-like strings (and strings already starting with `'`) get a `'` in front."""
    if isinstance(value, str) and (formula_like(value) or value.startswith(TEXT_MARK)):
        return TEXT_MARK + value
    return value


def csv_row(values: list[Any]) -> list[Any]:
    """A CSV row with every cell made safe by csv_text."""
    return [csv_text(v) for v in values]


def from_csv_text(value: str) -> str:
    """The value csv_text wrote: its `'` mark removed (other text unchanged)."""
    if value.startswith(TEXT_MARK) and (formula_like(value[1:]) or value[1:].startswith(TEXT_MARK)):
        return value[1:]
    return value


def xlsx_append(sheet: Any, values: list[Any]) -> None:
    """Append a row to an openpyxl sheet with every string stored as a string cell, never as a formula (control
    characters XML cannot hold are dropped: openpyxl would refuse the whole workbook). The cells are made here,
    so no lookup of the row just written (openpyxl's max_row scans every cell: quadratic over a sheet)."""
    sheet.append([_text_cell(sheet, v) if isinstance(v, str) else v for v in values])


def _text_cell(sheet: Any, value: str) -> Cell:
    """A string cell of the sheet holding the value as text."""
    cell = Cell(sheet, row=1, column=1, value=ILLEGAL_CHARACTERS_RE.sub("", value))  # placed by append; a
    # write-only sheet (Workbook(write_only=True)) needs a place to take a Cell at all
    cell.data_type = "s"
    return cell
