"""The sign-off date of the office's sheets (round-9 trial, finding 5): a signed row needs its 审核日期, a misspelled
date header is a missing column named as expected, a future date is refused, and the store records the day the
office signed, not the day of the import — in the map sheet and in the triage sheet alike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import update

from consolidate import pipeline
from consolidate.core.store import ColumnMapping, SiteRow
from consolidate.mapping import export_sheet, import_sheet, map_site
from mappers import triage as t
from mappers.sheet import SheetError
from mappers.triage_sheet import TriageRow, read_triage_sheet, write_triage_sheet
from tests.mappers.sheet_helpers import sheet_rows

COLUMN = "信息公开 > 通知公告"  # fgw: migrated automatically
TODAY = dt.date.today()


def _signed_sheet(ws: pipeline.Workspace, tmp_path: Path, signed_on: object, date_header: str = "审核日期") -> Path:
    """fgw's exported sheet with COLUMN set to 不迁移 and signed by 王明 on `signed_on` under `date_header`."""
    path = tmp_path / "fgw.xlsx"
    export_sheet(ws, "fgw", path)
    book, sheet, headers, paths = sheet_rows(path)
    row = paths[COLUMN]
    sheet.cell(row=row, column=headers["决定"]).value = "不迁移"
    sheet.cell(row=row, column=headers["审核人"]).value = "王明"
    sheet.cell(row=row, column=headers["审核日期"]).value = signed_on
    sheet.cell(row=1, column=headers["审核日期"]).value = date_header
    book.save(path)
    return path


@pytest.fixture
def mapped(crawled: pipeline.Workspace) -> pipeline.Workspace:
    """fgw mapped, its crawl moved 30 days back (a sign-off date may lie between the crawl and today)."""
    map_site(crawled, "fgw")
    with crawled.store.session() as session:
        session.execute(update(SiteRow).where(SiteRow.id == "fgw")
                        .values(crawled_at=dt.datetime.combine(TODAY - dt.timedelta(days=30), dt.time(9))))
    return crawled


def _refused(ws: pipeline.Workspace, path: Path) -> str:
    """The message of the SheetError the import of `path` raises (nothing recorded)."""
    with pytest.raises(SheetError) as problem:
        import_sheet(ws, "fgw", path)
    return problem.value.message


def test_a_signed_row_without_its_date_is_refused(mapped: pipeline.Workspace, tmp_path: Path) -> None:
    """The trial's t_nodate2.xlsx: 审核日期 left empty on a signed change is an error naming the cell."""
    message = _refused(mapped, _signed_sheet(mapped, tmp_path, None))
    assert "审核日期" in message and "为空；签名的行要填写签名当天的日期" in message, message
    assert next(d for c, d in map_site(mapped, "fgw") if c.path == COLUMN).decision == "migrate"


def test_a_misspelled_date_header_is_named_and_a_future_date_refused(mapped: pipeline.Workspace,
                                                                     tmp_path: Path) -> None:
    """The trial's t3.xlsx: header 审核日朝 with 2027-01-09 under it was accepted; now the header is missing (named as
    expected), and the same future date under the right header is refused."""
    future = (TODAY + dt.timedelta(days=33)).isoformat()
    message = _refused(mapped, _signed_sheet(mapped, tmp_path, future, "审核日朝"))
    assert "表头缺少“审核日期”列（Signed on）" in message, message
    message = _refused(mapped, _signed_sheet(mapped, tmp_path, future))
    assert f"{future} 晚于今天" in message, message


def test_the_store_records_the_day_the_office_signed(mapped: pipeline.Workspace, tmp_path: Path) -> None:
    """Signed 3 days ago: decided_at is that day (not the import's), and the next export shows it under 原签署
    (审核人/审核日期 are left for whoever signs the next change)."""
    day = TODAY - dt.timedelta(days=3)
    changes = import_sheet(mapped, "fgw", _signed_sheet(mapped, tmp_path, day.isoformat()))
    assert [c.path for c in changes] == [COLUMN]
    with mapped.store.session() as session:
        row = session.query(ColumnMapping).filter_by(site_id="fgw", column_path=COLUMN).one()
        assert (row.decision, row.decided_by, row.decided_at.date()) == ("drop", "王明", day)
    again = tmp_path / "again.xlsx"
    export_sheet(mapped, "fgw", again)
    _book, sheet, headers, paths = sheet_rows(again)
    assert sheet.cell(row=paths[COLUMN], column=headers["原签署"]).value == f"王明 {day.isoformat()}"
    assert sheet.cell(row=paths[COLUMN], column=headers["审核日期"]).value is None


KNOWN = {("fgw", "k1"): (t.PERSONAL, "body")}


def _triage_sheet(tmp_path: Path, signed_on: str, date_header: str = "审核日期") -> Path:
    """A triage sheet whose one finding is masked, signed by 张科长 on `signed_on` under `date_header`."""
    from openpyxl import load_workbook

    path = write_triage_sheet(tmp_path / "t.xlsx", [TriageRow(
        key="k1", site="fgw", title="公示", url="http://old/a.html", location="body", category=t.PERSONAL,
        kind="mobile", excerpt="138****5678", count=1, detail="", decision=None, reason="", signer="",
        signed_on="")])
    book = load_workbook(path)
    headers = {cell.value: cell.column_letter for cell in book.active[1]}
    book.active[f"{headers['处理决定']}2"] = "遮盖"
    book.active[f"{headers['审核人']}2"] = "张科长"
    book.active[f"{headers['审核日期']}2"] = signed_on
    book.active[f"{headers['审核日期']}1"] = date_header
    book.save(path)
    return path


def test_the_triage_sheet_keeps_the_same_date_rules(tmp_path: Path) -> None:
    """Empty date, misspelled header and a future date are refused in the triage sheet too; a past date is kept."""
    for signed_on, header, expected in (("", "审核日期", "为空；签名的行要填写签名当天的日期"),
                                        ("2099-01-09", "审核日朝", "表头缺少“审核日期”列（Signed on）"),
                                        ("2099-01-09", "审核日期", "2099-01-09 晚于今天")):
        with pytest.raises(SheetError) as problem:
            read_triage_sheet(_triage_sheet(tmp_path, signed_on, header), KNOWN)
        assert expected in problem.value.message, (signed_on, header, problem.value.message)
    day = TODAY - dt.timedelta(days=2)
    decisions = read_triage_sheet(_triage_sheet(tmp_path, day.isoformat()), KNOWN)
    assert [(d.decision, d.signed_on) for d in decisions] == [("mask", day)]
