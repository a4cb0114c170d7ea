"""Page-weight profiles of the sample fleet: "light" (the pages as written, ~3 KiB) and "real" (page furniture
and bodies drawn from the real sample sites' distribution, page_weights.py, measured by bench/page_weights.py).

At real weight every HTML page gains, per its class (article or list): a block of repeated column links laid
out in a table (友情链接 / 相关栏目), inline scripts, a longer footer and inline CSS up to the drawn page size;
article bodies gain paragraphs up to the drawn text size, and a tail of articles (the share the real sites have)
carries a Word-exported statistics table of 100–400 KiB (统计公报, 预决算). Every draw is seeded by the fleet
seed, the site and the page (the body: its body key, so a republished copy keeps its original's body), so a
seed gives the same fleet every time. Furniture links only to pages the site already serves, plus two external
portals, so the crawl's URL set does not change.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from consolidate.samplefleet import bodies
from consolidate.samplefleet import textgen as tg
from consolidate.samplefleet.body import Block, attr, body_text

if TYPE_CHECKING:
    from consolidate.samplefleet.model import ArticleSpec, SampleSite

WEIGHTS = ("light", "real")
EXTERNAL = [("http://www.gov.cn/", "中国政府网"), ("http://www.zj.gov.cn/", "浙江省人民政府")]
INDICATORS = ["地区生产总值", "第一产业增加值", "第二产业增加值", "第三产业增加值", "规模以上工业增加值",
              "固定资产投资", "社会消费品零售总额", "一般公共预算收入", "一般公共预算支出", "城镇居民人均可支配收入",
              "农村居民人均可支配收入", "进出口总额", "金融机构存款余额", "金融机构贷款余额", "基本支出", "项目支出",
              "工资福利支出", "商品和服务支出", "对个人和家庭的补助", "资本性支出"]
UNITS = ["亿元", "万元", "元", "%", "万人"]
BODY_TEXT_CAP = 64 * 1024  # the real sites' largest article text is 62 KiB
FURNITURE_TEXT = 1500  # text bytes of a generated page outside its body (menus, crumbs, footer, link table)
TAIL_BYTES = 100 * 1024  # a page this large is one of the large-table tail
CELL_BYTES = 315  # HTML bytes of one Word-exported statistics cell


def profile() -> dict:
    """The measured distribution (page_weights.py beside this file)."""
    from consolidate.samplefleet.page_weights import PAGE_WEIGHTS

    return PAGE_WEIGHTS


def check_weight(weight: str) -> str:
    """The weight name, or a ValueError naming the choices."""
    if weight not in WEIGHTS:
        raise ValueError(f"unknown page weight {weight!r}: choose {' or '.join(WEIGHTS)}")
    return weight


def draw(rng: random.Random, cls: str, metric: str, top: float = 1.0) -> int:
    """One value from the measured percentiles of a metric (piecewise-linear inverse distribution); `top` < 1
    draws from the part of the distribution below that share."""
    table = profile()
    shares = [0.0] + [int(p[1:]) / 100 for p in table["percentiles"]]
    values = [0] + table[cls][metric]
    u = rng.random() * top
    for index in range(1, len(shares)):
        if u <= shares[index]:
            low, high = shares[index - 1], shares[index]
            part = (u - low) / (high - low) if high > low else 0.0
            return round(values[index - 1] + part * (values[index] - values[index - 1]))
    return values[-1]


# -- article bodies -------------------------------------------------------------------------------
def weigh_body(site: SampleSite, article: ArticleSpec, parts: list[list[Block]]) -> list[list[Block]]:
    """The article's parts at real weight: more paragraphs up to a drawn text size, sometimes a large table."""
    rng = random.Random(f"{site.seed}:{site.site_id}:body:{article.body_key}")
    prof = tg.PROFILES.get(site.site_id) or next(iter(tg.PROFILES.values()))
    first = list(parts[0])
    tail = profile()["article"]["table_tail"]["share"]
    if rng.random() < tail:
        first = bodies.insert_middle(first, Block("wordtable", items=statistics_rows(rng)))
    target = min(draw(rng, "article", "text_bytes") - FURNITURE_TEXT, BODY_TEXT_CAP)
    have = sum(len(body_text(blocks).encode("utf-8")) for blocks in [first, *parts[1:]])
    extra: list[Block] = []
    while have < target:
        block = bodies.para(rng, prof, article.body_date)
        extra.append(block)
        have += len(block.text.encode("utf-8")) + 1
    position = max(1, len(first) // 2)
    return [first[:position] + extra + first[position:], *parts[1:]]


def statistics_rows(rng: random.Random) -> list[list[str]]:
    """Rows of a statistics table sized to 100–400 KiB of HTML (about 1.6 KiB of markup per 8-cell row)."""
    columns = rng.randint(5, 9)
    target = TAIL_BYTES * (4 ** rng.random())
    count = max(20, round(target / (columns * CELL_BYTES)))
    rows = [["指标", "单位", *(["本期", "上年同期", "增减额", "增长（%）", "占比（%）", "预算数", "决算数"][: columns - 2])]]
    for number in range(count - 1):
        name = f"{rng.choice(INDICATORS)}（{number + 1}）"
        rows.append([name, rng.choice(UNITS), *(f"{rng.uniform(-50, 9000):.2f}" for _ in range(columns - 2))])
    return rows


# -- page furniture ---------------------------------------------------------------------------------
def dress_page(site: SampleSite, key: str, text: str, cls: str) -> str:
    """An HTML page with real-weight furniture: link table, inline scripts, footer lines, inline CSS."""
    rng = random.Random(f"{site.seed}:{site.site_id}:page:{key}")
    links = max(0, draw(rng, cls, "links") - text.count("<a "))
    rows = max(0, draw(rng, cls, "table_rows") - text.count("<tr"))
    script = inline_script(rng, draw(rng, cls, "script_bytes"))
    tail = profile()[cls]["table_tail"]["share"]
    size = draw(rng, cls, "html_bytes", top=1.0 - tail)  # the tail's size comes from its table
    furniture = link_table(site, rng, links, rows) + script + footer_lines(site)
    at = text.rfind("</body>")
    text = text[:at] + furniture + text[at:] if at >= 0 else text + furniture
    missing = size - len(text.encode(site.encoding, "replace"))
    if missing > 200 and len(text) < TAIL_BYTES // 2:
        at = text.find("</head>")
        if at >= 0:
            text = text[:at] + inline_css(rng, missing) + text[at:]
    return text


def link_table(site: SampleSite, rng: random.Random, links: int, rows: int) -> str:
    """相关栏目 and 友情链接: column links of the site (and two portals) laid out in a table."""
    if links == 0 and rows == 0:
        return ""
    targets = [(column.url_path, column.path[-1]) for column in site.columns] + [("/", "网站首页")]
    cells = [f'<a href="{attr(url)}" target="_blank">{name}</a>'
             for url, name in (EXTERNAL + [rng.choice(targets) for _ in range(max(0, links - len(EXTERNAL)))])[:links]]
    rows = max(1, rows)
    per_row = -(-len(cells) // rows) if cells else 0
    out = ['<div class="yqlj"><div class="yqlj-title">相关链接</div>'
           '<table width="100%" border="0" cellspacing="0" cellpadding="0">']
    for index in range(rows):
        chunk = cells[index * per_row:(index + 1) * per_row]
        out.append(f'<tr><td class="yqlj-row">{" | ".join(chunk) or "&nbsp;"}</td></tr>')
    out.append("</table></div>\n")
    return "".join(out)


def inline_script(rng: random.Random, size: int) -> str:
    """Inline scripts of about `size` bytes: a menu table and a visit counter (no URLs, no dates)."""
    if size <= 0:
        return ""
    lines = ["var _menu = [];", "function _showMenu(id){ for (var i = 0; i < _menu.length; i++) {"
             " if (_menu[i].id == id) { _menu[i].open = 1 - _menu[i].open; } } }"]
    parent, width, order = _draws(rng, 0, 40), _draws(rng, 80, 240), _draws(rng, 1, 99)
    lines += _lines_up_to(size - sum(len(line) + 1 for line in lines), lambda number: (
        f"_menu.push({{id: {number}, parent: {parent()}, open: 0, width: {width()}, order: {order()}}});"))
    return '<script type="text/javascript">\n' + "\n".join(lines) + "\n</script>\n"


def _lines_up_to(size: int, line: Callable[[int], str]) -> list[str]:
    """line(0), line(1)… until they and their newlines reach `size` bytes (at least one line when size > 0)."""
    lines: list[str] = []
    used = 0
    while used < size:
        lines.append(line(len(lines)))
        used += len(lines[-1]) + 1
    return lines


def footer_lines(site: SampleSite) -> str:
    """The longer footer legacy pages carry."""
    return (f'<div class="foot-more"><p>{site.organiser} 版权所有 &nbsp; 未经授权 禁止复制或建立镜像</p>'
            "<p>为确保最佳浏览效果，建议使用谷歌、火狐、IE9以上浏览器 &nbsp; 网站地图 &nbsp; 联系我们</p></div>\n")


def inline_css(rng: random.Random, size: int) -> str:
    """An inline style sheet of about `size` bytes."""
    margin, padding, colour, font = _draws(rng, 0, 12), _draws(rng, 0, 8), _draws(rng, 0, 0xFFFFFF), _draws(rng, 12, 16)
    rules = _lines_up_to(size - 40, lambda number: (
        f".m{number}{{margin:{margin()}px auto;padding:{padding()}px;color:#{colour():06x};font-size:{font()}px}}"))
    return '<style type="text/css">\n' + "\n".join(rules) + "\n</style>\n"


def _draws(rng: random.Random, low: int, high: int) -> Callable[[], int]:
    """rng.randint(low, high) as a function of no arguments: the same numbers from the same stream (the random
    module's rejection sampling over getrandbits, without its argument checks and three calls deep; the filler
    scripts and style sheets draw hundreds of numbers a page, which made most of a real-weight page's rendering
    CPU in the fleet's server)."""
    width = high - low + 1
    bits = width.bit_length()
    getrandbits = rng.getrandbits

    def draw() -> int:
        """The next number."""
        number = getrandbits(bits)
        while number >= width:
            number = getrandbits(bits)
        return low + number

    return draw
