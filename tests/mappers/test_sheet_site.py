"""A per-site mapping sheet names its site: another site's sheet is refused in one line naming both sites; a sheet
written before sheets carried it still imports; a file that is no workbook at all is said to be none."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.store import ColumnMapping
from consolidate.mapping import export_sheet, import_sheet
from tests.workspace_cli import exit_and_output as _run


def _state(ws: pipeline.Workspace) -> dict[tuple[str, str], tuple]:
    with ws.store.session() as session:
        return {(m.site_id, m.column_path): (m.decision, m.target, m.decided_by, m.decided_at)
                for m in session.scalars(select(ColumnMapping))}



def test_another_sites_sheet_is_refused_naming_both_sites(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """fgw's sheet imported into jyj: exit 2, one error line naming fgw and jyj and the command that imports it,
    no row-by-row list of unknown paths, nothing recorded."""
    path = tmp_path / "fgw.xlsx"
    export_sheet(crawled, "fgw", path)
    export_sheet(crawled, "jyj", tmp_path / "jyj.xlsx")  # both sites mapped before the state is taken
    before = _state(crawled)
    code, output = _run(crawled, "map", "jyj", "--import", str(path))
    assert code == 2 and "Traceback" not in output
    error = [line for line in output.splitlines() if line.startswith("error")]
    assert len(error) == 1 and "fgw" in error[0] and "jyj" in error[0], output
    assert "consolidate map fgw --import fgw.xlsx" in output
    assert "不是本网站的栏目" not in output and "unknown column path" not in output
    assert _state(crawled) == before
    english = tmp_path / "fgw-en.xlsx"
    export_sheet(crawled, "fgw", english, lang="en")
    code, output = _run(crawled, "map", "jyj", "--import", str(english))
    assert code == 2 and "is the mapping sheet of site fgw, not of jyj" in output
    assert import_sheet(crawled, "fgw", path) == []  # its own site takes it


def test_a_sheet_without_its_site_still_imports(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """A sheet written before sheets named their site (no workbook property) is read as before."""
    path = tmp_path / "old.xlsx"
    export_sheet(crawled, "fgw", path)
    book = load_workbook(path)
    assert [p.name for p in book.custom_doc_props.props] == ["consolidate-site"]
    book.custom_doc_props.props = []
    book.save(path)
    assert list(load_workbook(path).custom_doc_props.props) == []
    before = _state(crawled)
    assert import_sheet(crawled, "fgw", path) == []
    assert _state(crawled) == before


def test_a_file_that_is_no_workbook_is_said_to_be_none(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """migrations.yaml given as the sheet: 'not a column-mapping workbook or CSV', never '1 problem(s) in the
    sheet … fix the cells named above'."""
    code, output = _run(crawled, "map", "fgw", "--import", str(crawled.loaded.path))
    assert code == 2 and "Traceback" not in output
    assert "not a column-mapping workbook or CSV" in output and crawled.loaded.path.name in output
    assert "problem(s) in the sheet" not in output and "fix the cells" not in output


def test_a_sheet_without_its_site_whose_paths_are_another_sites_is_refused(crawled: pipeline.Workspace,
                                                                          tmp_path: Path) -> None:
    """A CSV (it carries no site) or an older workbook of fgw imported into jyj: one line saying its paths are not
    jyj's columns but are all fgw's, with the command that imports it there; nothing recorded."""
    csv_path, old = tmp_path / "fgw.csv", tmp_path / "fgw-old.xlsx"
    export_sheet(crawled, "fgw", csv_path)
    export_sheet(crawled, "fgw", old)
    book = load_workbook(old)
    book.custom_doc_props.props = []
    book.save(old)
    export_sheet(crawled, "jyj", tmp_path / "jyj.xlsx")
    before = _state(crawled)
    for path in (csv_path, old):
        code, output = _run(crawled, "map", "jyj", "--import", str(path))
        assert code == 2 and "Traceback" not in output
        error = [line for line in output.splitlines() if line.startswith("error")]
        assert len(error) == 1 and "jyj" in error[0] and "fgw" in error[0], output
        assert f"consolidate map fgw --import {path.name}" in output and "第 2 行" not in output
    assert _state(crawled) == before
