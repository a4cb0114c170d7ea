"""The triage checks: ID numbers, mobiles, bank cards, names beside them, validity, supersession, links."""

from __future__ import annotations

import datetime as dt

from mappers import triage as t


def make_id(first17: str) -> str:
    """An 18-digit ID number with its correct check character."""
    return first17 + t.id_check_digit(first17)


def wrong_check(value: str) -> str:
    """The same ID number with a wrong check character."""
    return value[:17] + ("1" if value[17] != "1" else "2")


VALID_ID = make_id("33010219850612123")
OLD_ID = "330102850612123"  # 15 digits, born 1985-06-12
CARD = "6222020200112233445"  # 19 digits


def luhn_fix(prefix: str) -> str:
    """A card number: the prefix plus the digit that makes it pass Luhn."""
    return next(prefix + str(d) for d in range(10) if t.luhn_valid(prefix + str(d)))


LUHN_CARD = luhn_fix("622202020011223344")


def test_id_check_digit_follows_gb11643() -> None:
    assert t.id_check_digit("11010519491231002") == "X"  # the standard's own example
    assert t.valid_id18("11010519491231002X") and t.valid_id18("11010519491231002x")
    assert t.valid_id18(VALID_ID)
    assert not t.valid_id18(wrong_check(VALID_ID))
    assert not t.valid_id18(make_id("99010219850612123"))  # no such province
    assert not t.valid_id18(make_id("33010219851332123"))  # no 32nd of the 13th month


def test_old_15_digit_ids_need_a_real_birth_date() -> None:
    assert t.valid_id15(OLD_ID)
    assert not t.valid_id15("330102850230123")  # 30 February


def test_luhn() -> None:
    assert t.luhn_valid("4111111111111111") and not t.luhn_valid("4111111111111112")
    assert t.luhn_valid(LUHN_CARD)


def test_personal_hits_find_valid_values_only() -> None:
    bad_card = LUHN_CARD[:-1] + str((int(LUHN_CARD[-1]) + 1) % 10)
    text = (f"张三，身份证号{VALID_ID}，错号{wrong_check(VALID_ID)}，旧证{OLD_ID}，电话 138-1234-5678，"
            f"卡号{LUHN_CARD}，错卡{bad_card}，索引号 11330100002482517Q/2020-00012，发文 2019年12月")
    kinds = [(h.kind, h.value) for h in t.personal_hits(text)]
    assert kinds == [("id_card", VALID_ID), ("id_card", OLD_ID), ("mobile", "13812345678"),
                     ("bank_card", LUHN_CARD)]


def test_a_mobile_inside_a_longer_number_is_not_a_mobile() -> None:
    assert t.personal_hits("编号 2013812345678901") == []
    assert [h.kind for h in t.personal_hits("电话+86 13912345678。")] == ["mobile"]


def test_masks_keep_only_the_conventional_parts() -> None:
    assert t.mask("id_card", VALID_ID) == VALID_ID[:6] + "********" + VALID_ID[-4:]
    assert t.mask("mobile", "13812345678") == "138****5678"
    assert t.mask("bank_card", LUHN_CARD) == "*" * 15 + LUHN_CARD[-4:]
    assert t.mask("name", "欧阳明") == "欧**"


def test_mask_text_masks_everything_or_only_what_was_decided() -> None:
    text = f"<td>{VALID_ID}</td><td>13812345678</td>"
    masked = t.mask_text(text)
    assert VALID_ID not in masked and "13812345678" not in masked and "138****5678" in masked
    only_mobile = t.mask_text(text, {("mobile", "138****5678")})
    assert VALID_ID in only_mobile and "13812345678" not in only_mobile


def test_findings_count_repeats_and_never_hold_the_value() -> None:
    findings = t.personal_findings(f"{VALID_ID}；再次：{VALID_ID}；13812345678", "body")
    by_kind = {f.kind: f for f in findings}
    assert by_kind["id_card"].count == 2 and by_kind["mobile"].count == 1
    assert all(VALID_ID not in f.excerpt and "13812345678" not in f.excerpt for f in findings)


def test_names_beside_personal_values_in_tables() -> None:
    rows = [["序号", "姓 名", "身份证号码", "补贴金额"], ["1", "王小明", VALID_ID, "300"], ["2", "合计", "", "300"]]
    assert t.table_names(rows) == ["王小明"]
    no_header = [["1", "李娜", "13812345678"], ["2", "李娜娜娜娜", "无"]]
    assert t.table_names(no_header) == ["李娜"]
    assert t.table_names([["姓名", "职务"], ["王小明", "科长"]]) == []  # no personal value in the row


def test_html_tables() -> None:
    html = "<table><tr><th>姓名</th><th>手机</th></tr><tr><td>赵六</td><td>13912345678</td></tr></table>"
    assert t.html_tables(html) == [[["姓名", "手机"], ["赵六", "13912345678"]]]


def test_validity_label_and_words() -> None:
    today = dt.date(2026, 12, 1)
    kinds = [f.kind for f in t.validity_findings("某办法", "有效性：失效 正文", None, None, None, today)]
    assert kinds == ["repealed"]
    assert [f.location for f in t.validity_findings("某办法（已废止）", "", None, None, None, today)] == ["title"]
    assert t.validity_findings("关于废止《临江市某办法》的决定", "决定废止《临江市某办法》。", None, None, None, today) == []
    assert [f.kind for f in t.validity_findings("通知", "本通知自2021年1月1日起停止执行。", None, None, None, today)] \
        == ["repealed"]


def test_words_about_other_documents_are_not_this_ones_repeal() -> None:
    """Sentences seen on real sites that repeal or stop something else, never the page itself."""
    today = dt.date(2026, 12, 1)
    for text in ("与条例规定相违背的，一律停止执行。", "经部常务会议审议，决定废止、修改部分规章",
                 "（财库〔2018〕73号）停止执行。", "本办法施行后，原《某办法》同时废止。",
                 "本办法自发布之日起施行，《某办法》（临政发[2016]9号）同时废止。", "《某办法》（已废止）",
                 "本规定自印发之日起施行，2015年印发的规定不再执行"):
        assert t.validity_findings("", text, None, None, None, today) == [], text
    for text in ("本办法自2020年1月1日起废止。", "【已失效】本文件已失效，仅供查阅", "此件已废止"):
        assert [f.kind for f in t.validity_findings("", text, None, None, None, today)] == ["repealed"], text
    assert t.validity_findings("关于停止执行某办法的通知", "", None, None, None, today) == []


def test_expiry_dates() -> None:
    today = dt.date(2026, 12, 1)
    past = t.validity_findings("办法", "本办法有效期至2020年12月31日。", None, None, None, today)
    assert [(f.kind, f.excerpt) for f in past] == [("expired", "2020-12-31")]
    assert t.validity_findings("办法", "本办法有效期至2030年12月31日。", None, None, None, today) == []
    ranged = t.validity_findings("办法", "有效期为2018年1月1日至2022年12月31日", None, None, None, today)
    assert [f.excerpt for f in ranged] == ["2022-12-31"]
    years = t.validity_findings("办法", "自印发之日起施行，有效期五年。", None, "2019-03-01", None, today)
    assert [f.excerpt for f in years] == ["2024-03-01"]
    assert t.validity_findings("办法", "有效期五年。", None, "2024-03-01", None, today) == []
    for text in ("特殊情况下省级政府规章可以设定有效期为一年的临时性行政许可", "笔试单科合格成绩有效期2年，全国统考省份通用",
                 "持有有效期内的河南省居住证", "居住证有效期至2020年1月1日"):  # seen on real sites: not the document's
        assert t.validity_findings("办法", text, None, "2015-01-01", None, today) == [], text
    own = t.validity_findings("办法", "本办法自2013年3月1日起施行。有效期至2018年2月28日。", None, None, None, today)
    assert [f.excerpt for f in own] == ["2018-02-28"]


def test_supersession_by_series_and_by_named_repeal() -> None:
    docs = [
        t.DocInfo("u/old", "临江市物业管理办法", "临政发〔2015〕3号", "2015-02-01", ""),
        t.DocInfo("u/new", "临江市物业管理办法（修订）", "临政发〔2021〕7号", "2021-05-01", ""),
        t.DocInfo("u/other", "临江市停车管理办法", "临政发〔2016〕9号", "2016-01-01", ""),
        t.DocInfo("u/repealer", "临江市停车管理规定", "临政发〔2022〕1号", "2022-01-01",
                  "本规定自发布之日起施行，《临江市停车管理办法》（临政发[2016]9号）同时废止。"),
        t.DocInfo("u/alone", "临江市绿化条例实施细则", "临政发〔2018〕2号", "2018-01-01", ""),
    ]
    found = t.superseded(docs)
    assert set(found) == {"u/old", "u/other"}
    assert found["u/old"][0] == "u/new" and found["u/other"][0] == "u/repealer"


def test_doc_series() -> None:
    assert t.doc_series("临发改〔2019〕12号") == ("临发改", 2019, 12)
    assert t.doc_series("临发改[2019] 第12号") == ("临发改", 2019, 12)
    assert t.doc_series("无") is None


def test_private_hosts() -> None:
    for host in ("10.1.2.3", "192.168.0.8", "172.16.5.5", "127.0.0.1", "localhost", "oa", "mail.gov.intra",
                 "fileserver.local", "[fd00::1]"):
        assert t.private_host(host), host
    for host in ("www.gov.cn", "8.8.8.8", "example.com"):
        assert not t.private_host(host), host


def test_labelled_names_in_the_sentence_of_a_personal_value() -> None:
    text = f"联系人：李女士 联系电话：13612344814。负责人：王强，办公电话 025-83275223。姓名：赵敏，身份证号{VALID_ID}"
    assert t.labelled_names(text) == ["李女士", "赵敏"]
    assert t.names_beside([[["姓名", "手机"], ["钱多多", "13912345678"]]], text) == ["钱多多", "李女士", "赵敏"]


def test_triage_sheet_cells_stay_text_and_read_back(tmp_path) -> None:
    from openpyxl import load_workbook

    from mappers.triage_sheet import TriageRow, read_triage_sheet, write_triage_sheet

    row = TriageRow(key="k1", site="fgw", title="=HYPERLINK(\"http://x\",\"点我\")", url="http://old/a.html",
                    location="body", category=t.PERSONAL, kind="mobile", excerpt="138****5678", count=2,
                    detail="", decision=None, reason="", signer="", signed_on="")
    path = write_triage_sheet(tmp_path / "s.xlsx", [row])
    sheet = load_workbook(path).active
    assert sheet["C2"].value.startswith("=HYPERLINK") and sheet["C2"].data_type == "s"
    sheet["K2"], sheet["L2"], sheet["M2"], sheet["N2"] = "原样发布", "单位公开电话", "张科长", "2026年12月1日"
    sheet.parent.save(path)
    decisions = read_triage_sheet(path, {("fgw", "k1"): (t.PERSONAL, "body")})
    assert [(d.key, d.decision, d.reason, d.signer, d.signed_on.isoformat()) for d in decisions] == \
        [("k1", "publish", "单位公开电话", "张科长", "2026-12-01")]
