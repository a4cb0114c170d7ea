"""decode_html: BOM, declared charsets, conflicts, detection, binary and undecodable input."""

from __future__ import annotations

import codecs

from crawlers.encoding import decode_html, normalize_charset

GBK_PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    "<title>关于做好政府信息公开工作的通知_某某市人民政府</title></head>"
    "<body><p>各区县人民政府，市政府各部门：现将有关事项通知如下。</p></body></html>"
)


def test_meta_gb2312_is_decoded_as_gb18030() -> None:
    page = decode_html(GBK_PAGE.encode("gbk"), "text/html")
    assert page.encoding == "gb18030"
    assert "现将有关事项通知如下" in page.text
    assert page.warnings == []


def test_gb18030_only_characters_survive_a_gb2312_declaration() -> None:
    html = GBK_PAGE.replace("现将有关事项通知如下", "朱镕基 张喆 签发")
    page = decode_html(html.encode("gb18030"), "text/html; charset=GB2312")
    assert "朱镕基 张喆 签发" in page.text
    assert "\ufffd" not in page.text


def test_header_utf8_contradicted_by_meta_gbk() -> None:
    page = decode_html(GBK_PAGE.encode("gbk"), "text/html; charset=UTF-8")
    assert page.encoding == "gb18030"
    assert "现将有关事项通知如下" in page.text
    assert any(w.startswith("charset conflict: header=utf-8 meta=gb18030 used=gb18030") for w in page.warnings)


def test_header_latin1_contradicted_by_meta_gbk() -> None:
    page = decode_html(GBK_PAGE.encode("gbk"), "text/html; charset=ISO-8859-1")
    assert page.encoding == "gb18030"
    assert "各区县人民政府" in page.text
    assert any("charset conflict" in w and "used=gb18030" in w for w in page.warnings)


def test_header_gbk_but_bytes_are_utf8_declared_by_meta() -> None:
    html = GBK_PAGE.replace("charset=gb2312", "charset=utf-8")
    page = decode_html(html.encode("utf-8"), "text/html; charset=gbk")
    assert page.encoding == "utf-8"
    assert "现将有关事项通知如下" in page.text
    assert any("charset conflict" in w and "used=utf-8" in w for w in page.warnings)


def test_bom_wins_over_declarations() -> None:
    body = codecs.BOM_UTF8 + GBK_PAGE.encode("utf-8")
    page = decode_html(body, "text/html; charset=gbk")
    assert page.encoding == "utf-8"
    assert page.text.startswith("<html>")
    utf16 = codecs.BOM_UTF16_LE + "<p>通知公告</p>".encode("utf-16-le")
    assert decode_html(utf16, None).text == "<p>通知公告</p>"


def test_undeclared_gbk_is_detected() -> None:
    html = "<html><body>" + "<p>关于开展2016年度全市安全生产大检查工作的通知，请各单位认真贯彻落实。</p>" * 5 + "</body></html>"
    page = decode_html(html.encode("gbk"), None)
    assert "安全生产大检查" in page.text
    assert page.encoding == "gb18030"


def test_big5_maps_to_big5hkscs() -> None:
    html = '<meta charset="big5"><p>香港特別行政區政府公告</p>'
    page = decode_html(html.encode("big5"), None)
    assert page.encoding == "big5hkscs"
    assert "香港特別行政區政府公告" in page.text


def test_binary_served_as_html_is_flagged() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20
    page = decode_html(png, "text/html")
    assert "not text" in page.warnings
    assert page.text == ""
    noisy = b"\x00\x01\x02\x03garbage\x00\x00" * 200
    assert "not text" in decode_html(noisy, "text/html; charset=utf-8").warnings


def test_undecodable_bytes_are_replaced_with_a_warning() -> None:
    body = b"<p>" + "通知".encode() + b"\xff\xfe\xfa" * 400 + b"</p>"
    page = decode_html(body, "text/html; charset=utf-8")
    assert "通知" in page.text or "\ufffd" in page.text
    assert any("replaced" in w for w in page.warnings)


def test_slightly_broken_gbk_keeps_declared_codec() -> None:
    raw = GBK_PAGE.encode("gbk")
    broken = raw.replace("。".encode("gbk"), b"\x81", 1)
    page = decode_html(broken, "text/html")
    assert page.encoding == "gb18030"
    assert "各区县人民政府" in page.text
    assert "undecodable bytes replaced" in page.warnings


def test_empty_and_non_bytes_inputs() -> None:
    assert decode_html(b"", None).text == ""
    assert decode_html("not bytes", None).warnings  # type: ignore[arg-type]


def test_charset_names() -> None:
    assert normalize_charset("GB_2312-80") == "gb18030"
    assert normalize_charset("x-gbk") == "gb18030"
    assert normalize_charset("Big5") == "big5hkscs"
    assert normalize_charset("utf8") == "utf-8"
    assert normalize_charset("no-such-charset") is None


ARTICLE_PARAGRAPHS = [
    "为深入贯彻落实党中央国务院关于推进政府网站集约化建设的决策部署，进一步提升政府网站管理水平和服务能力。",
    "各单位要高度重视，认真组织实施，按照统一标准完成栏目梳理和内容迁移工作，确保信息不丢失、链接不中断。",
    "对于历史信息资源，要做好归档和保存工作，迁移完成后及时关停原网站，并在规定时间内办理注销手续。",
]


def _desync_page(strays: list[tuple[int, bytes]]) -> bytes:
    """A GBK article page with stray bytes inserted into its paragraphs (paragraph index, bytes)."""
    head = '<html><head><meta charset="gbk"><title>关于推进政府网站集约化的通知</title></head><body>'.encode("gbk")
    paragraphs = [p.encode("gbk") for p in ARTICLE_PARAGRAPHS]
    for index, stray in strays:
        middle = len(paragraphs[index]) // 2 // 2 * 2
        paragraphs[index] = paragraphs[index][:middle] + stray + paragraphs[index][middle:]
    return head + b"".join(b"<p>" + p + b"</p>\n" for p in paragraphs) + b"</body></html>"


def test_gbk_decoder_thrown_out_of_step_is_garbled_not_text() -> None:
    """Three stray bytes: one U+FFFD, then valid but wrong characters; the page is garbled, never text."""
    from crawlers.crawler import parse_page, undecodable

    body = _desync_page([(0, b"\xb0"), (1, b"\xd5"), (2, b"\x81")])
    page = decode_html(body, "text/html")
    assert page.text.count("\ufffd") <= 3  # few replacement characters: the old share threshold never tripped
    assert ARTICLE_PARAGRAPHS[0][:10] in page.text and ARTICLE_PARAGRAPHS[0] not in page.text
    assert page.garbled and "out of step" in page.garbled
    assert undecodable(page)
    parsed = parse_page(body, "text/html", "http://example.gov.cn/a/t20240101_1.html", "x", "article")
    assert parsed.problem and parsed.record is None


def test_one_broken_character_is_not_a_desync() -> None:
    """A lost byte before ASCII (a truncated character at a paragraph's end) leaves the text in step."""
    body = _desync_page([]).replace("。</p>".encode("gbk"), b"\xa1</p>", 1)
    page = decode_html(body, "text/html")
    assert page.garbled is None and "undecodable bytes replaced" in page.warnings


def test_desync_detector_on_every_position_of_a_stray_byte() -> None:
    """A stray lead byte anywhere but in the last few characters of a paragraph is detected."""
    from crawlers.encoding import out_of_step

    text = "".join(ARTICLE_PARAGRAPHS)
    raw = text.encode("gbk")
    tried = found = 0
    for offset in range(0, len(raw) - 16, 2):
        for stray in (b"\x81", b"\xb0", b"\xd5", b"\xfe"):
            tried += 1
            found += out_of_step((raw[:offset] + stray + raw[offset:]).decode("gb18030", "replace")) > 0
    assert found == tried
    assert out_of_step(text) == 0
