"""A date label's value gives the page's date only when the value opens with it."""

from __future__ import annotations

import pytest

from consolidate.samplefleet.realsites import samples_dir
from crawlers.encoding import decode_html
from crawlers.extract import extract_article, labelled_date

URL = "http://www.example.gov.cn/ztzl/20210112/notice.html"
PAGE = """<html><head><title>无人机采购项目竞争性谈判公告</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/ztzl/">专题专栏</a></div>
<div class="detail"><h1>无人机采购项目竞争性谈判公告</h1>
<div class="info">【信息发布时间：2021-01-12 阅读次数：】</div>
<div class="con">
<p>项目概况：本项目的潜在供应商应在指定地点获取采购文件，并于规定时间前提交响应文件。</p>
<p><span>时间：</span><span>本项目报名截止时间是<span>2021</span>年<span>1</span>月<span>15</span>日<span>17:00</span>（北京时间）</span></p>
<p>地点：市政务服务中心三楼开标室。联系人：王先生，联系电话：0512-12345678。</p>
<p><span>项目名称：</span><span>市消防救援支队无人机、通讯装备</span></p>
<p>预算金额：400000元。采购方式：竞争性谈判。采购需求详见采购文件。</p>
</div></div></body></html>"""


def test_a_sentence_mentioning_a_date_under_a_bare_label_is_not_the_date() -> None:
    assert labelled_date("本项目报名截止时间是2021年1月15日17:00（北京时间）。") is None
    assert labelled_date("2021-01-12 阅读次数：") == "2021-01-12"
    assert labelled_date("【2021年1月12日】") == "2021-01-12"
    assert labelled_date("星期二 2021-01-12 09:30") == "2021-01-12T09:30:00"
    assert labelled_date("19-01-04") == "2019-01-04"


def test_the_page_date_is_the_publish_line_not_a_deadline_in_the_body() -> None:
    record = extract_article(PAGE, URL)
    assert record.published == "2021-01-12"


def test_a_deadline_in_a_tender_notice_is_not_its_publish_date() -> None:
    """The real zjgztb notice whose labelled 时间 (a registration deadline) was read as its publish date."""
    root = samples_dir()
    if root is None:
        pytest.skip("no ../shared/samples here (set CONSOLIDATE_SAMPLES)")
    page = root / "zjgztb_com/ztzl/028001/20210112/4480a4f2-0e83-4452-858a-99d768f9.html"
    html = decode_html(page.read_bytes(), None).text
    record = extract_article(html, "http://www.szzyjy.com.cn/ztzl/028001/20210112/4480a4f2-0e83-4452-858a-99d768f9.html")
    assert record.published == "2021-01-12"  # 【信息发布时间：2021-01-12】, not 报名截止时间是2021年1月15日17:00
