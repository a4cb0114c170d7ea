"""Shortcuts of the seventh speed round (shared extraction path) give exactly what the plain rules they replace give."""

from __future__ import annotations

import random

from crawlers._common import node_memo, parse_html, text_of
from crawlers._fields import _ALL, LABEL_RE, has_colon, has_label

_LABEL_PIECES = [*_ALL[:40], "发布", "时间", "来源", "索引", "文号", "信", "息", "：", ":", " ", "  ", "\u3000", "\t", "x",
                 "中文", "2024-01-02", "，", "。", "ab", "\n", "：：", "号"]


def test_has_label_is_the_plain_search() -> None:
    """has_label answers has_colon(text) and LABEL_RE.search(text) on texts made of labels, their pieces, colons and
    whitespace runs (spaced labels, CJK before a short label, long texts with many colons)."""
    rng = random.Random(7)
    for _ in range(30000):
        text = "".join(rng.choice(_LABEL_PIECES) for _ in range(rng.randint(0, rng.choice((8, 60, 300)))))
        if rng.random() < 0.3:  # a spaced-out label: 发 布 时 间 ：
            label = rng.choice(_ALL)
            text += (" " * rng.randint(0, 3)).join(label) + " " * rng.randint(0, 20) + rng.choice(":：")
            text = "".join(rng.choice(_LABEL_PIECES) for _ in range(rng.randint(0, 30))) + text
        assert has_label(text) == bool(has_colon(text) and LABEL_RE.search(text)), text


def test_node_memo_remembers_by_element() -> None:
    """node_memo gives compute(node), computed once per element when a memo is given and every time without one."""
    tree = parse_html("<div><p>一 二</p><p>三</p></div>")
    paras = tree.css("p")
    calls: list[int] = []

    def counted(node) -> str:
        """text_of, counting its calls."""
        calls.append(node.mem_id)
        return text_of(node)

    memo: dict[int, str] = {}
    assert [node_memo(p, memo, counted) for p in paras * 2] == ["一 二", "三"] * 2
    assert len(calls) == 2
    assert node_memo(paras[0], None, counted) == "一 二" and len(calls) == 3


_CRUMB_TAGS = ("div", "p", "span", "td", "ul", "li", "nav", "section", "a", "b", "table", "tr", "svg", "math", "font")
_CRUMB_NAMES = ("crumb", "Position", "path", "nav_path", "pos", "curpos", "x-pos", "ſite_nav", "site nav", "WEIZHI",
                "main", "list", "dqwz", "", "tr&#97;il", "po&#115;")
_CRUMB_TEXTS = ("当前位置：", "您的位置", "位置", "首页", " > ", ">>", "通知公告", "正文", "网站首页 > 新闻", "地理位置",
                "x", "\u3000", "首 页 »", "/", "2024年")


def _crumb_page(rng: random.Random) -> str:
    """A random body of breadcrumb-like pieces: named and unnamed elements, markers, separators, foreign content."""
    out: list[str] = []
    for _ in range(rng.randint(1, 40)):
        tag = rng.choice(_CRUMB_TAGS)
        names = "".join(f' {rng.choice(("class", "id", "CLASS", "xlink:class"))}="{rng.choice(_CRUMB_NAMES)}"'
                        for _ in range(rng.randint(0, 2)))
        inner = "".join(rng.choice(_CRUMB_TEXTS) if rng.random() < 0.7 else f"<a href='/{i}'>{rng.choice(_CRUMB_TEXTS)}</a>"
                        for i in range(rng.randint(0, 4)))
        out.append(f"<{tag}{names}>{inner}" + (f"</{tag}>" if rng.random() < 0.6 else ""))
    return "<html><head><title>标题 - 某某市人民政府网</title></head><body>" + "".join(out) + "</body></html>"


def test_breadcrumb_shortcuts_are_the_plain_walks() -> None:
    """The named elements a breadcrumb search asks lexbor for are those the walk over every element found by the
    class pattern, and the joined-texts test changes no breadcrumb (against the walk over the tree's own texts)."""
    from crawlers import discover
    from crawlers._common import klass_id
    from crawlers._fields import text_nodes

    rng = random.Random(19)
    for _ in range(1500):
        tree = parse_html(_crumb_page(rng))
        body = tree.body
        plain = [n.mem_id for n in body.traverse() if n.tag_id in discover._CRUMB_TAG_IDS and
                 discover._CRUMB_CLASS.search(klass_id(n))]
        assert [n.mem_id for n in discover._crumb_tagged(body) if discover._CRUMB_CLASS.search(klass_id(n))] == plain
        texts = text_nodes(body)[0]
        assert discover.find_breadcrumb(tree, texts) == discover.find_breadcrumb(tree)


_SCRIPT_PIECES = ("'", '"', ".", "/files/", "报告", ".pdf", ".PDF", ".docx", ".xlſ", ".tıf", ".Tİff", "x", " ", "<", ">",
                  "var a = ", ";", ".et", ".7z", "\n", "document.write(", "doc", "pdf'", '.zip"', "a.b.c")


def test_file_path_test_is_the_plain_search() -> None:
    """_holds_file_path answers _SCRIPT_FILE.search on scripts made of quotes, paths, extensions in any case (the
    characters re.I folds onto ASCII letters included)."""
    from crawlers import extract

    rng = random.Random(5)
    found = 0
    for _ in range(30000):
        code = "".join(rng.choice(_SCRIPT_PIECES) for _ in range(rng.randint(0, 40)))
        plain = extract._SCRIPT_FILE.search(code) is not None
        assert extract._holds_file_path(code) == plain, code
        found += plain
    assert 1000 < found < 29000


def test_date_name_test_is_the_plain_one() -> None:
    """_names_a_date, which looks for the names only when a stem is there, answers as the test of every name does."""
    from crawlers import extract

    pieces = ("var ", "pub", "PUB", "Date", "time", "release", "Time", "docrel", "docRelTime", "fb", "FBSJ", "rq", "_",
              "publish", "str_", "=", "'2024-01-02'", "ſ", "x", ";", "public", "fbtime")
    rng = random.Random(3)
    found = 0
    for _ in range(20000):
        code = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        low = code.lower()
        plain = any(name in low for name in extract._SCRIPT_DATE_NAMES) or any(c in code for c in extract._FOLDED)
        assert extract._names_a_date(code) == plain, code
        found += plain
    assert 2000 < found < 18000


def _says_nothing_removable_plain(body_text: str, title_key: str) -> bool:
    """The test as it read before its searches were joined (one search a word list)."""
    from crawlers import extract
    from crawlers.body import _FURNITURE_WORDS, _TAIL_HEADING

    if extract._REMOVAL_WORDS.search(body_text) or (has_colon(body_text) and LABEL_RE.search(body_text)):
        return False
    if extract._PREV_NEXT_OR_FOOTER.search(body_text) or "首页" in body_text:
        return False
    flat = "".join(body_text.split())
    if _TAIL_HEADING.search(flat):
        return False
    return not (len(title_key) >= 4 and title_key in flat) and not _FURNITURE_WORDS.search(flat)


def test_nothing_removable_is_the_plain_test() -> None:
    """_says_nothing_removable with its searches joined answers as the word lists searched one by one do, on texts
    made of their words split by spaces, labels, colons and the title."""
    from crawlers import extract

    pieces = ("当前", "位置", "附件", "相关", "文件", "下载", "上一篇", "下一", "条", "版权", "所有", "ICP备", "技术支持", "：",
              "首页", "首", "页", "热门", "图集", "推荐", "阅读", "打印", "本页", "关闭", "窗口", "分享", "字号", "Copyright",
              "©", " ", "　", "发布时间", "来源", "正文内容", "通知", "关于", "x", "。", "\n")
    rng = random.Random(11)
    kept = 0
    for _ in range(30000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        title = "".join(rng.choice(pieces[-6:]) for _ in range(rng.randint(0, 4))).replace(" ", "")
        plain = _says_nothing_removable_plain(text, title)
        assert extract._says_nothing_removable(text, title) == plain, (text, title)
        kept += plain
    assert 1000 < kept < 29000

