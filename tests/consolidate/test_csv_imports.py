"""CSV imports (`map --import`, `redirects --import`): one reader, GBK as well as UTF-8, hostile files exit 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.csvfile import MAX_CSV_BYTES, csv_dicts, csv_rows
from consolidate.core.errors import InputFileError
from consolidate.redirects import import_csv, load_redirects, render
from tests.conftest import push_sites

HOSTILE_CSV = {
    "cell over 128 KiB": b"a,b\n1," + b"x" * (200 * 1024) + b"\n",
    "quoted cell over 128 KiB": b'a,b\n1,"' + "长".encode() * (140 * 1024) + b'"\n',
    "over the size cap": b"",  # written sparse below
    "neither UTF-8 nor GB18030": b"a,b\n\x81\x30\x81\x29,x\n",
}


@pytest.mark.parametrize("case", sorted(HOSTILE_CSV))
def test_hostile_csv_is_one_error_with_its_line(case: str, tmp_path: Path) -> None:
    """Each hostile file: an InputFileError (exit 2) naming the file, never a csv.Error traceback."""
    path = tmp_path / "sheet.csv"
    path.write_bytes(HOSTILE_CSV[case])
    if case == "over the size cap":
        with path.open("r+b") as handle:
            handle.truncate(MAX_CSV_BYTES + 1)
    with pytest.raises(InputFileError) as info:
        csv_rows(path)
    assert info.value.exit_code == 2 and str(path) in info.value.message


def test_gbk_csv_with_multiline_cell(tmp_path: Path) -> None:
    """GBK text and a quoted cell spanning lines are read; rows carry the line they start on."""
    path = tmp_path / "x.csv"
    path.write_bytes('old_url,note\r\nhttp://a/1,"第一行\r\n第二行"\r\nhttp://a/2,备注\r\n'.encode("gbk"))
    header, rows = csv_dicts(path)
    assert header == ["old_url", "note"]
    assert rows == [(2, {"old_url": "http://a/1", "note": "第一行\r\n第二行"}),
                    (4, {"old_url": "http://a/2", "note": "备注"})]


def test_redirects_import_reads_a_gbk_csv_and_refuses_a_huge_cell(crawled: pipeline.Workspace,
                                                                 tmp_path: Path) -> None:
    """The URL map saved by Excel as GBK imports like the UTF-8 one; a 200 KB cell is exit 2 with its line."""
    push_sites(crawled)
    rows = list(csv.DictReader(io.StringIO(render(crawled, "fgw", "csv"))))
    target = next(r for r in rows if r["status"] == "301")
    target["status"], target["new_url"], target["note"] = "410", "", "已撤销的栏目"
    sheet = tmp_path / "redirects.csv"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    sheet.write_bytes(buffer.getvalue().encode("gbk"))
    assert import_csv(crawled, "fgw", sheet).changed == 1
    assert {r.old_url: r.status for r in load_redirects(crawled, "fgw")}[target["old_url"]] == "410"
    rows[2]["note"] = "长" * (140 * 1024)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    sheet.write_text(buffer.getvalue(), encoding="utf-8")
    config, db = str(crawled.loaded.path), crawled.store.url
    result = CliRunner().invoke(app, ["redirects", "fgw", "--import", str(sheet), "-c", config, "--db", db])
    assert result.exit_code == 2, result.output
    assert "redirects.csv:4: not a readable CSV row: a cell is longer than 128 KiB" in result.output


def test_map_import_refuses_a_huge_cell(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """`map --import` of a CSV sheet with a 200 KB cell: exit 2 and one error line, nothing imported."""
    path = tmp_path / "mapping.csv"
    config, db = str(crawled.loaded.path), crawled.store.url
    runner = CliRunner()
    assert runner.invoke(app, ["map", "fgw", "--export", str(path), "-c", config, "--db", db]).exit_code == 0
    text = path.read_text(encoding="utf-8-sig").splitlines()
    text[1] = text[1] + ',"' + "x" * (200 * 1024) + '"'
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["map", "fgw", "--import", str(path), "-c", config, "--db", db])
    assert result.exit_code == 2, result.output
    assert "longer than 128 KiB" in result.output and "Traceback" not in result.output
