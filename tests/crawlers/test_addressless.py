"""List entries whose link goes nowhere (javascript:;, # or empty): counted as listed, reported, never fetched."""

from __future__ import annotations

from crawlers._common import parse_html
from crawlers.crawler import addressless_message
from crawlers.discover import ListItem, addressless_items, analyse_page

ROWS = "".join(f'<li><span>2020-12-{d:02d}</span> <a href="javascript:;" target="_blank">关于第{d}批项目的公示</a>'
               f' <a href="javascript:;">[详情]</a></li>' for d in range(1, 9))
MENU = '<div class="top"><a href="javascript:;">设为首页</a> <a href="#">加入收藏</a> <a href="">联系我们</a></div>'


def page(rows: str) -> str:
    """A list page of a column: a breadcrumb, a menu of dead links and the given rows."""
    return (f"<html><body>{MENU}<div class='crumb'>当前位置：首页 &gt; 通知公告</div>"
            f"<ul class='list'>{rows}</ul></body></html>")


def test_dated_rows_with_dead_links_are_entries_once_each() -> None:
    """Eight dated rows, each with a title link and a [详情] link, are eight entries with their dates; the undated
    menu of dead links is none."""
    found = addressless_items(parse_html(page(ROWS)))
    assert [item.title for item in found] == [f"关于第{d}批项目的公示" for d in range(1, 9)]
    assert found[0] == ListItem("", "关于第1批项目的公示", "2020-12-01")


def test_a_list_page_of_dead_links_is_a_list_that_lists_them() -> None:
    """analyse_page keeps them apart from the fetchable list items."""
    info = analyse_page(page(ROWS), "http://www.example.gov.cn/tzgg/index.html")
    assert info.list_items == []
    assert len(info.addressless) == 8


def test_live_rows_are_not_addressless_and_fewer_than_three_dead_ones_are_noise() -> None:
    """Rows with real links are list items; two dead rows beside them make no group."""
    live = "".join(f'<li><a href="/tzgg/2020/t2020120{d}_{d}.html">关于第{d}批项目的公示</a>'
                   f'<span>2020-12-0{d}</span></li>' for d in range(1, 8))
    dead = "".join(f'<li><a href="javascript:;">关于第{d}批项目的公示</a><span>2020-12-0{d}</span></li>'
                   for d in (8, 9))
    info = analyse_page(page(live + dead), "http://www.example.gov.cn/tzgg/index.html")
    assert len(info.list_items) == 7
    assert info.addressless == []


def test_read_more_links_are_not_titles() -> None:
    """A row whose only dead link says 点击访问 / 查看全文 / 更多>> has no title to report."""
    rows = "".join(f'<li>{n} <span>2016-07-29</span> [<a href="javascript:;">{word}</a>]</li>'
                   for n, word in enumerate(("点击访问", "查看全文", "更多>>", "阅读全文", "了解更多>>")))
    assert addressless_items(parse_html(page(rows))) == []


def test_the_report_line_counts_them_and_names_three() -> None:
    """The crawl's warning gives the count, three titles with their dates, and how many more."""
    entries = [ListItem("", f"标题{n}", f"2020-01-0{n}" if n < 3 else None) for n in range(1, 6)]
    message = addressless_message(entries)
    assert message.startswith("5 entries of this list link nowhere")
    assert "《标题1》 2020-01-01; 《标题2》 2020-01-02; 《标题3》 and 2 more" in message


def test_a_card_whose_whole_entry_is_the_dead_link_takes_its_heading_and_date() -> None:
    """SiteServer-style cards: <a href="javascript:;"><h2>title</h2><p>summary … 日期</p></a>."""
    cards = "".join(f'<li><a href="javascript:;"><h2>关于做好第{d}项工作的通知</h2><div class="note">各单位：现就有关'
                    f'工作通知如下……<p><i>主题分类：通知</i><i class="date">日期：2019-11-1{d} </i></p></div></a></li>'
                    for d in range(1, 5))
    found = addressless_items(parse_html(page(cards)))
    assert [(item.title, item.date) for item in found] == [(f"关于做好第{d}项工作的通知", f"2019-11-1{d}")
                                                             for d in range(1, 5)]
