"""The fingerprints' lower-casing (crawlers.cms.lowered) finds what str.lower() would."""

import sys

from crawlers.cms import _LOWERED_INTO_ASCII, detect, lowered, marks_in


def test_only_the_listed_characters_lower_into_ascii() -> None:
    found = [char for char in map(chr, range(128, sys.maxunicode + 1))
             if any(lower.isascii() for lower in char.lower())]
    assert tuple(found) == _LOWERED_INTO_ASCII


def test_lowered_pages_show_the_same_marks_and_family() -> None:
    pages = ["<META NAME=Generator CONTENT='TRS WCM'><script>createPageHTML(3,0,'index','html')</script>",
             "<p>大汉版通 ＡＢＣ Ωμέγα</p><a href='/module/JSLIB/x.js'>x</a><meta name='generator' content='ＤＥＤＥ 天工'>",
             "<a href='/\u212aaipuyun/'>\u212aAIPUYUN</a> DEDECMS", "<p>\u0130nfoDetail İ</p><datastore>",
             "\ud800 lone surrogate <Var CountPage = 3>", "", "ÀÉÎ <RECORD> /E/ACTION/ PHPCMS index.php?m=content"]
    for page in pages:
        assert marks_in(lowered(page)) == marks_in(page.lower()), page
        assert detect(lowered(page), "http://x.gov.cn/") == detect(page.lower(), "http://x.gov.cn/"), page
        for tag in ("<datastore", "<record"):
            assert (tag in lowered(page)) == (tag in page.lower())
