"""Interaction records as a column's content (no 空白栏目 for a mailbox), the letters' index on the target for
their list pages, and a printed refusal kept as the record's status. Pure functions: no samples needed."""

from __future__ import annotations

import datetime as dt

from consolidate.core.config import AuditSettings, parse_config
from consolidate.core.store import InteractionRow
from consolidate.demo import example_config_text
from consolidate.interaction import FINDING_LABELS, export_row, judge, status_of
from consolidate.letters_push import letters_index
from exporters.letters import letter_from_export, qa_html
from mappers.audit import ColumnFacts, column_findings
from mappers.columns import LegacyColumn, decide

CONFIG = parse_config(example_config_text())
AS_OF = dt.date(2021, 1, 10)


def _complaint(status: str, status_text: str | None, replied: str | None = None) -> InteractionRow:
    """A complaint read off a list row, as the crawl stores it."""
    return InteractionRow(site_id="s", url="http://old.example/channels/12719.html#20076", url_hash="x",
                          kind="complaint", profile="generic", column_path=[], subject="违建", received="2020-11-23",
                          replied=replied, status=status, status_text=status_text, source="list", contact={})


def test_columns_holding_letters_are_neither_empty_nor_vetoed() -> None:
    """Five mailbox columns with letters and no articles raise no 空白栏目 (five empty ones would be a veto), and a
    letter column's newest letter makes it fresh."""
    settings = AuditSettings()
    letters = [ColumnFacts(f"互动交流 > 信箱{i}", f"http://x/{i}", "news", 0, 0, "2021-01-05", records=3)
               for i in range(settings.empty_veto)]
    assert column_findings("s", letters, AS_OF, settings) == []
    empty = [ColumnFacts(c.path, c.url, c.kind, 0, 0, None) for c in letters]
    assert {f["veto"] for f in column_findings("s", empty, AS_OF, settings)} == {"空白栏目"}


def test_a_letter_column_is_suggested_for_the_interaction_platform() -> None:
    """A column with letters and no articles is not proposed for drop (不迁移): its records go to the portal's
    interaction platform, said in both languages; an office rule still wins."""
    mailbox = LegacyColumn("互动交流 > 局长信箱", "局长信箱", url="http://x/18296.html", record_count=1)
    decision, = decide(CONFIG, CONFIG.site("fgw"), [mailbox])
    assert decision.decision != "drop" and decision.suggested != "drop"
    assert "interaction platform" in decision.reason and "互动交流平台" in decision.reason_zh
    assert "不迁移" not in decision.reason_zh and "空白栏目" not in decision.reason_zh


def test_letters_index_is_the_folder_their_pages_share() -> None:
    """The preview's hudong/<site>/ for one or many letters; a WordPress archive; none at the bare host."""
    assert letters_index(["https://p.gov.cn/hudong/lg/a1.html", "https://p.gov.cn/hudong/lg/b2.html"]) \
        == "https://p.gov.cn/hudong/lg/"
    assert letters_index(["https://p.gov.cn/hudong/lg/a1.html"]) == "https://p.gov.cn/hudong/lg/"
    assert letters_index(["https://p.gov.cn/hudong/x-1/", "https://p.gov.cn/hudong/y-2/"]) == "https://p.gov.cn/hudong/"
    assert letters_index(["https://p.gov.cn/?p=3", "https://p.gov.cn/?p=4"]) is None
    assert letters_index([]) is None


def test_a_refused_complaint_keeps_its_printed_status() -> None:
    """拒绝受理 is a refusal: no reply owed, no "page shows no status" finding, the printed words in the export and
    the Q&A layout (never 未显示办理状态) — also for a record stored as 'unknown' before `refused` existed."""
    for stored in ("refused", "unknown"):
        row = _complaint(stored, "拒绝受理")
        assert status_of(row) == "refused"
        assert judge(row, AS_OF, []) == []
        data = export_row(row, [])
        assert (data["status"], data["status_text"]) == ("refused", "拒绝受理")
        body = qa_html(letter_from_export(data, "letter:s:x", "县教育体育局", None))
        assert "拒绝受理" in body and "不予受理" in body and "未显示办理状态" not in body and "未显示答复" not in body


def test_a_printed_status_not_understood_is_not_called_missing() -> None:
    """An unknown printed status is reported as unrecognised, quoted, never as 页面未显示办理状态; a page that
    prints none is still status_unknown; 处理完毕 without a reply date is replied, its date missing."""
    odd, = judge(_complaint("unknown", "转办中"), AS_OF, [])
    assert odd.kind == "status_unrecognised" and "转办中" in odd.detail
    assert FINDING_LABELS[odd.kind] != FINDING_LABELS["status_unknown"]
    body = qa_html(letter_from_export(export_row(_complaint("unknown", "转办中"), [odd]), "letter:s:x", "县", None))
    assert "转办中" in body and "未显示办理状态" not in body
    none, = judge(_complaint("unknown", None), AS_OF, [])
    assert none.kind == "status_unknown"
    done, = judge(_complaint("replied", "处理完毕"), AS_OF, [])
    assert done.kind == "reply_undated"
