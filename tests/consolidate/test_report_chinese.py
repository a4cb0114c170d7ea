"""The office's report in Chinese: percentages and dates as typed cells, no English codes, the sheet's words;
`--lang en` complete; HTML dates that do not wrap and times in Beijing time."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from consolidate import pipeline
from consolidate.report import fleet_report
from consolidate.report_formats import CODES_ZH, render_html, render_xlsx
from mappers.sheet import DECISION_LABELS
from tests.conftest import push_sites

CODE_WORDS = re.compile(r"\b(?:still_serving|homepage_stale|column dropped|column not mapped|drop|migrate|"
                        r"unmapped|mismatch|redirected|archived|spam_link|stale_column|empty_column|veto|warning|"
                        r"consolidate|home page not updated|hidden spam links|stale \w+ column)\b")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def report(crawled: pipeline.Workspace) -> dict:
    """The full report of the crawled fleet pushed into the static preview, with a monitor problem."""
    push_sites(crawled, allow_untriaged=True)
    data = fleet_report(crawled, as_of=dt.date(2026, 12, 1), details=True)
    data["sites"][0]["monitor"] = {"still_serving": 2, "ok": 5}
    return data


def _cells(book: object) -> list[tuple[str, object]]:
    """(sheet title, cell) of every non-header cell of a workbook."""
    return [(sheet.title, cell) for sheet in book for row in sheet.iter_rows(min_row=2) for cell in row]


def test_chinese_xlsx_has_typed_cells_and_no_english_codes(report: dict) -> None:
    """Coverage, cap and confidence are percentage cells; due dates are date cells; no code word stays
    English; a dropped column reads 不迁移 as in the mapping sheet."""
    book = load_workbook(io.BytesIO(render_xlsx(report, "zh")))
    cells = _cells(book)
    assert any(c.number_format.endswith("%") and isinstance(c.value, int | float) for t, c in cells if t == "跳转覆盖")
    assert any(c.number_format.endswith("%") for t, c in cells if t == "栏目映射决定")
    assert any(isinstance(c.value, dt.datetime) and c.number_format == "yyyy-mm-dd" for t, c in cells
               if t == "站点总览")
    for title, cell in cells:
        if isinstance(cell.value, str) and "://" not in cell.value and "/" not in cell.value:  # not paths
            assert not CODE_WORDS.search(cell.value), (title, cell.coordinate, cell.value)
    decisions = {c.value for t, c in cells if t == "栏目映射决定" and c.column == 3}
    assert "不迁移" in decisions and decisions <= set(DECISION_LABELS["zh"].values())
    monitor = {c.value for t, c in cells if t == "切换后监测"}
    assert CODES_ZH["monitor"]["still_serving"] in monitor


def test_english_xlsx_stays_complete(report: dict) -> None:
    """--lang en: every header English, the codes as they are."""
    book = load_workbook(io.BytesIO(render_xlsx(report, "en")))
    for sheet in book:
        assert not any(CJK.search(str(c.value or "")) for c in sheet[1]), sheet.title
    values = {str(c.value) for _t, c in _cells(book)}
    assert "still_serving" in values and "drop" in values


def test_html_dates_do_not_wrap_and_times_are_beijing(report: dict) -> None:
    """编号 and 截止日期 cells never wrap; the generated time is shown in Asia/Shanghai."""
    report["generated_at"] = "2026-12-06T19:44:44+00:00"
    html = render_html(report, "zh")
    assert re.search(r'<th class="nowrap">编号</th>', html) and re.search(r'<th class="nowrap">截止日期</th>', html)
    assert re.search(r'<td class="[^"]*nowrap">2026-12-\d\d</td>', html)
    assert "2026-12-07 03:44 (北京时间)" in html and "still_serving" not in html
