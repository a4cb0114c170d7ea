"""CSV files the office hands back (edited sheets, URL maps): one reader for every importer.

UTF-8 with or without BOM, else GB18030 (what Excel writes in China); a size cap; a malformed file (a cell over
the csv module's 128 KiB field limit, a NUL byte, a stray quote) is one error naming its line, never a traceback.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from consolidate.core.errors import InputFileError

MAX_CSV_BYTES = 64 * 1024 * 1024
CSV_HINT = "import the CSV the tool exported, edited in Excel or a text editor and saved as CSV (UTF-8 or GBK)"


def csv_text(path: Path) -> str:
    """The text of a CSV file: UTF-8 (BOM or not), else GB18030; InputFileError when unreadable."""
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise InputFileError(f"{path}: {size:,} bytes, more than the {MAX_CSV_BYTES:,} a CSV here may have",
                                 hint=CSV_HINT)
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror or exc}", hint=CSV_HINT) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError(f"{path}: neither UTF-8 nor GBK/GB18030 text", hint=CSV_HINT)


def csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Every row of the file with the line it starts on (quoted cells may span lines)."""
    reader = csv.reader(io.StringIO(csv_text(path), newline=""))
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputFileError(f"{path}:{line}: not a readable CSV row: {_problem(exc)}", hint=CSV_HINT) from None
    return rows


def csv_dicts(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and every further row as {header: cell}, with its line (short rows filled with '')."""
    rows = csv_rows(path)
    if not rows:
        return [], []
    header = [name.strip() for name in rows[0][1]]
    return header, [(line, {name: (row[i] if i < len(row) else "") for i, name in enumerate(header) if name})
                    for line, row in rows[1:]]


def _problem(exc: csv.Error) -> str:
    """The csv module's complaint in the office's words."""
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a cell is longer than {csv.field_size_limit() // 1024} KiB"
    return text
