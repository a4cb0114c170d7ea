"""The checklist's blocking conditions read in Chinese in the zh report (they are stored and printed in English)."""

from __future__ import annotations

import re

import pytest

from consolidate.report_formats import condition_text

CONDITIONS = [
    ("3 article-holding columns undecided", "3 个有文章的栏目未定迁移去向"),
    ("1 articles held for review (1 empty body)", "1 篇文章待人工核对（正文为空 1）"),
    ("3 articles held for review (2 same body, other title; 1 title is a file name)",
     "3 篇文章待人工核对（正文与另一篇文章相同而标题不同 2，图片页，标题为图片文件名 1）"),
    ("4 articles unresolved", "4 篇文章去向未定"),
    ("1 articles held for review (1 date in the future): each is a "
     "held_for_review line of `consolidate messages fgw --stage push`; re-crawl it once its page is fixed, or decide "
     "its URL (301 or 410) in `consolidate redirects fgw -f csv -o F.csv` and `consolidate redirects fgw --import "
     "F.csv`", "1 篇文章待人工核对（发布日期晚于今天 1）：逐篇见 `consolidate messages fgw --stage push`"),
    ("13 columns undecided whose lists show only entries that link nowhere (283 entries, text never fetched): ask "
     "the department for the originals, then decide them in `consolidate map hncic`",
     "13 个栏目的列表只有链接无效的条目（共 283 条，正文无法采集）且未定去向"),
    ("150 articles unresolved (93 not pushed to this target yet, 57 column not mapped): each one's reason is in "
     "`consolidate urls list hncic --disposition unresolved` (not pushed to this target yet: `consolidate push "
     "hncic`; column not mapped: `consolidate map hncic`)",
     "150 篇文章去向未定（尚未推送 93，栏目待定 57）：逐篇原因见 `consolidate urls list hncic --disposition unresolved`"),
    ("31 articles unresolved (14 empty body, 9 column not mapped, 8 personal data undecided; 14 of them held for "
     "review, as the line above says): each one's reason is in `consolidate urls list jspn --disposition "
     "unresolved` (not pushed to this target yet: `consolidate push jspn`; column not mapped: `consolidate map "
     "jspn`)", "31 篇文章去向未定（正文为空，待人工核对 14，栏目待定 9，未完成个人信息审查 8；其中 14 篇待人工核对，见上一条）"),
    ("2 problems verify found on published records (see `consolidate messages --stage verify`)", "2 处已发布记录核验存疑"),
    ("5 legacy URLs with ≥ 10 logged hits unresolved", "5 个访问量 ≥ 10 的旧网址去向未定"),
    ("3 personal-data findings undecided", "3 处个人信息发现未决定"),
    ("verify not run", "尚未核验"),
    ("reconciliation does not add up: crawled 5 ≠ 4", "数量核对不一致：crawled 5 ≠ 4"),
]


@pytest.mark.parametrize(("english", "chinese"), CONDITIONS)
def test_known_conditions_read_in_chinese(english: str, chinese: str) -> None:
    """Each condition the checklist writes becomes a Chinese sentence with its figures kept."""
    text = condition_text(english, "zh")
    assert chinese in text
    commands_out = re.sub(r"`[^`]*`", "", re.sub(r"consolidate [a-z]+( --[a-z]+ [a-z]+)?", "", text))
    assert not re.search(r"[a-z]{4,} [a-z]{4,}", commands_out)


def test_english_report_and_unknown_text_stay_as_they_are() -> None:
    """The en report keeps the English; a condition nobody translated is shown, never dropped."""
    assert condition_text("4 articles unresolved", "en") == "4 articles unresolved"
    assert condition_text("something new", "zh") == "something new"
