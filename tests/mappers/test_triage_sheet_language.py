"""The triage sheet speaks its own language: written in zh or en, read back in either, and every error, hint and
summary of an import told in the language of the sheet's header row (the map sheet's mechanism, shared)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from mappers import triage as t
from mappers.sheet import SheetError
from mappers.sheet_language import header_language, require_language
from mappers.triage_sheet import (
    HEADERS,
    KIND_TEXTS,
    TriageRow,
    export_note,
    import_summary,
    read_triage_sheet,
    write_triage_sheet,
)

KNOWN = {("fgw", "k1"): (t.PERSONAL, "body"), ("fgw", "k2"): (t.PERSONAL, "attachment:名单.xls")}


def _rows() -> list[TriageRow]:
    """Two personal-data findings: one in the body, one in an attachment."""
    return [TriageRow(key=key, site="fgw", title="公示", url="http://old/a.html", location=location,
                      category=t.PERSONAL, kind="mobile", excerpt="138****5678", count=1, detail="",
                      decision=None, reason="", signer="", signed_on="")
            for (_, key), (_, location) in KNOWN.items()]


def _fill(path: Path, values: dict[str, list[str]]) -> None:
    """Fill the decision, reason, signer and signed-on cells of rows 2 and 3 (K to N)."""
    book = load_workbook(path)
    for row, cells in zip((2, 3), values.values(), strict=False):
        for column, value in zip("KLMN", cells, strict=True):
            book.active[f"{column}{row}"] = value
    book.save(path)


def test_a_chinese_sheet_is_answered_in_chinese(tmp_path: Path) -> None:
    path = write_triage_sheet(tmp_path / "t.xlsx", _rows())
    _fill(path, {"k1": ["原样发布", "", "张科长", "2026-12-01"], "k2": ["遮盖", "", "张科长", "12月1日"]})
    with pytest.raises(SheetError) as problem:
        read_triage_sheet(path, KNOWN)
    message, hint = problem.value.message, problem.value.hint
    assert message.startswith("表格中有 2 处问题，未导入任何内容")
    assert "t.xlsx 第 2 行，理由 (L) 列：“原样发布”需要写明审核人的理由" in message
    assert "t.xlsx 第 3 行，处理决定 (K) 列：附件无法就地遮盖；请选择“不发布”" in message
    assert hint == "修改上面指出的单元格，然后重新导入整张表格"
    assert not any(word in message + hint for word in ("row", "column", "needs", "problem"))


def test_an_english_sheet_is_written_and_answered_in_english(tmp_path: Path) -> None:
    path = write_triage_sheet(tmp_path / "t.xlsx", _rows(), lang="en")
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]] == [en for _, _, en, _ in HEADERS]
    assert (sheet["E3"].value, sheet["F2"].value, sheet["G2"].value) == \
        ("attachment: 名单.xls", "personal data", "mobile number")
    assert '"mask,withhold,publish as is,mark invalid"' in sheet.data_validations.dataValidation[0].formula1
    _fill(path, {"k1": ["publish as is", "", "Zhang", "2026-12-01"], "k2": ["mark invalid", "", "Zhang", "x"]})
    with pytest.raises(SheetError) as problem:
        read_triage_sheet(path, KNOWN)
    message = problem.value.message
    assert message.startswith("2 problem(s) in the sheet; nothing was imported:")
    assert "t.xlsx row 2, column Reason (L): publish as is needs the signer's reason" in message
    assert "t.xlsx row 3, column Decision (K): 'mark invalid' is not one of mask / withhold / publish as is for " \
           "a personal data finding" in message
    _fill(path, {"k1": ["publish as is", "office phone", "Zhang", "2026-12-01"], "k2": ["withhold", "", "Li", "2026-12-02"]})
    decisions = read_triage_sheet(path, KNOWN)
    assert decisions.lang == "en" and [d.decision for d in decisions] == ["publish", "withhold"]
    assert import_summary("t.xlsx", decisions) == \
        "t.xlsx: recorded 2 signed decision(s) (publish as is 1, withhold 1; signed by Zhang 1, Li 1)"


def test_missing_headers_and_bad_dates_in_the_sheets_language(tmp_path: Path) -> None:
    path = write_triage_sheet(tmp_path / "t.xlsx", _rows())
    book = load_workbook(path)
    book.active["M1"] = "签字"  # 审核人 renamed
    book.save(path)
    with pytest.raises(SheetError) as problem:
        read_triage_sheet(path, KNOWN)
    assert "t.xlsx 第 1 行：表头缺少“审核人”列（Signed by）" in problem.value.message
    path = write_triage_sheet(tmp_path / "t.xlsx", _rows())
    _fill(path, {"k1": ["遮盖", "", "张科长", "下周"]})
    with pytest.raises(SheetError) as problem:
        read_triage_sheet(path, KNOWN)
    assert "t.xlsx 第 2 行，审核日期 (N) 列：“下周”不是日期（请写成 2026-11-20）" in problem.value.message


def test_unknown_finding_and_summary_in_chinese(tmp_path: Path) -> None:
    path = write_triage_sheet(tmp_path / "t.xlsx", _rows())
    book = load_workbook(path)
    book.active["A2"] = ""
    book.save(path)
    with pytest.raises(SheetError) as problem:
        read_triage_sheet(path, KNOWN)
    assert "t.xlsx 第 2 行，编号 (A) 列：空白（网站 fgw）不是已记录的发现" in problem.value.message
    path = write_triage_sheet(tmp_path / "t.xlsx", _rows())
    _fill(path, {"k1": ["遮盖", "", "张科长", "2026-12-01"], "k2": ["不发布", "", "张科长", "2026-12-01"]})
    decisions = read_triage_sheet(path, KNOWN)
    assert decisions.lang == "zh"
    assert import_summary("t.xlsx", decisions) == "t.xlsx：已记录 2 行签署决定（遮盖 1、不发布 1；签署人：张科长 2 行）"
    assert import_summary("t.xlsx", decisions[:0], "zh") == "t.xlsx：无改动"


def test_export_note_names_the_headers_of_the_sheets_language() -> None:
    zh, en = export_note(Path("out/t.xlsx"), 5, "zh"), export_note(Path("out/t.xlsx"), 5, "en")
    assert zh.startswith("已写出 out/t.xlsx（5 条发现）") and "“审核人”" in zh and "wrote" not in zh
    assert "--import out/t.xlsx" in zh and "--import out/t.xlsx" in en  # the path as written, folder and all
    assert en.startswith("wrote out/t.xlsx (5 findings)") and "Signed by/Signed on" in en
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en)


def test_every_kind_has_a_label_in_every_language_and_bad_languages_are_refused(tmp_path: Path) -> None:
    assert all(set(labels) == set(t.KIND_LABELS) for labels in KIND_TEXTS.values())
    with pytest.raises(Exception, match="zh or en") as problem:
        write_triage_sheet(tmp_path / "t.xlsx", _rows(), lang="fr")
    assert problem.value.exit_code == 2 and not (tmp_path / "t.xlsx").exists()
    assert require_language("en") == "en"


def test_header_language_counts_known_headers_and_falls_back_on_a_tie() -> None:
    headers = {"zh": ["编号", "审核人"], "en": ["Finding id", "Signed by"]}
    assert header_language(["编号", " 审核人 ", "Signed by"], headers) == "zh"
    assert header_language(["finding  ID", None, "审核人", "signed by"], headers) == "en"
    assert header_language(["编号", "Signed by"], headers) == "en"  # a tie: the fallback
    assert header_language(["x", "y"], headers, default="zh") == "zh"
