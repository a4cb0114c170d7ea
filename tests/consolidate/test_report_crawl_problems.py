"""The report breaks a site's crawl errors down by kind of problem — dead images, dead attachments, dead pages,
server errors, robots.txt, other — in every format and both languages, and the kinds add up to the errors shown."""

from __future__ import annotations

import json

import pytest
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.workspace import Workspace
from consolidate.crawl_figures import PROBLEMS, ErrorGroup, crawl_problems, error_cause
from tests.consolidate.test_checklist import write_config
from tests.consolidate.test_crawl_errors import ARTICLE

HOME = ('<html><head><meta charset="utf-8"><title>测试局</title></head><body><ul>'
        '<li><a href="/news/a1.html">关于开展法律援助宣传月活动的通知</a></li>'
        '<li><a href="/news/gone.html">已删除的旧文章</a></li>'
        '<li><a href="/news/busy.html">服务器出错的文章</a></li>'
        '<li><a href="/news/secret.html">禁止访问的文章</a></li></ul></body></html>')
# conftest's small_site serves these: test_crawl_errors' legacy site that lost two images, an attachment and an
# article, with a page its server fails on (500) and a forbidden page (403)
SMALL_SITE = {"index.html": HOME, "news/a1.html": ARTICLE}
SITE_FAILURES = {"/news/busy.html": 500, "/news/secret.html": 403}
EXPECTED = {"dead_images": 2, "dead_attachments": 1, "dead_pages": 1, "server_errors": 1, "robots": 0, "other": 1}


@pytest.fixture(scope="module")
def crawled(small_site: str, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace whose site s0 is the troubled site, crawled once (no retries: a 500 is recorded at once); the
    module's tests only read it."""
    ws = write_config(tmp_path_factory.mktemp("ws"), ["migrate"], extra="    crawl: {rate_per_host: 500, retries: 0}\n")
    ws.loaded.path.write_text(ws.loaded.path.read_text(encoding="utf-8").replace("http://127.0.0.1:9/s0/",
                                                                                  small_site), encoding="utf-8")
    ws = Workspace.open(ws.loaded.path, ws.store.url)
    pipeline.crawl(ws, ["s0"])
    return ws


def _report(ws: Workspace, fmt: str, lang: str = "zh") -> str:
    """`consolidate report s0` in a format and language."""
    result = CliRunner().invoke(app, ["report", "s0", "--format", fmt, "--lang", lang, "-c", str(ws.loaded.path),
                                      "--db", ws.store.url])
    assert result.exit_code == 0, result.output
    return result.stdout


def _section(markdown: str, title: str) -> list[list[str]]:
    """The body rows of a Markdown report's section, as cells."""
    part = markdown.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    table = [line for line in part.splitlines() if line.startswith("|")][2:]  # past the header and its rule
    return [[c.strip() for c in line.strip("|").split("|")] for line in table]


def test_json_counts_each_kind_and_they_add_up_to_the_errors(crawled: Workspace) -> None:
    """Two dead images, a dead attachment, a dead article, a 500 and a 403: the figures say so, and sum to errors."""
    site = json.loads(_report(crawled, "json"))["sites"][0]["crawl"]
    assert site["problems"] == EXPECTED and list(site["problems"]) == list(PROBLEMS)
    assert sum(site["problems"].values()) == site["errors"] == 6
    assert site["problem_causes"] == {"dead_images": {"404": 2}, "dead_attachments": {"404": 1},
                                      "dead_pages": {"404": 1}, "server_errors": {"500": 1}, "other": {"403": 1}}


def test_markdown_says_what_each_kind_means_in_zh_and_en(crawled: Workspace) -> None:
    """The section lists each kind present with its count, what it means and its causes, then the total, which is
    the crawl table's errors figure; the same in English."""
    zh = _report(crawled, "md")
    rows = _section(zh, "抓取错误分类")
    assert [(r[1], r[2]) for r in rows] == [("失效图片", "2"), ("失效附件", "1"), ("失效网页", "1"),
                                            ("服务器错误", "1"), ("其他", "1"), ("合计", "6")]
    assert "HTTP 404 × 2" in rows[0][3] and "不是抓取故障" in rows[0][3]
    assert "HTTP 500 × 1" in rows[3][3] and "consolidate crawl s0 --incremental" in rows[3][3]
    assert "HTTP 403 × 1" in rows[4][3] and "consolidate messages s0 --stage crawl" in rows[4][3]
    assert _section(zh, "抓取情况")[0][2] == rows[-1][2] == "6"  # the errors figure the total explains
    summary = dict(_section(zh, "概要"))  # the fleet's errors, then the kinds present under them
    assert summary["抓取错误"] == "6" and summary["其中失效图片"] == "2" and summary["其中服务器错误"] == "1"
    assert sum(int(n) for k, n in summary.items() if k.startswith("其中")) == 6
    en = _section(_report(crawled, "md", "en"), "Crawl errors by kind")
    assert [(r[1], r[2]) for r in en] == [("Dead images", "2"), ("Dead attachments", "1"), ("Dead pages", "1"),
                                          ("Server errors", "1"), ("Other", "1"), ("Total", "6")]
    assert "not a crawl failure" in en[0][3] and "HTTP 500 × 1" in en[3][3] and "HTTP 403 × 1" in en[4][3]
    assert dict(_section(_report(crawled, "md", "en"), "Summary"))["of which dead attachments"] == "1"


def test_html_table_totals_the_crawl_errors(crawled: Workspace) -> None:
    """The HTML report's table has one row per kind present and a total equal to the crawl table's errors."""
    tree = LexborHTMLParser(_report(crawled, "html", "en"))
    rows = [[td.text(strip=True) for td in tr.css("td")]
            for tr in tree.css("table[data-section=crawl_problems] tbody tr")]
    counts = [int(r[2]) for r in rows]
    assert sum(counts[:-1]) == counts[-1] == 6 and rows[-1][1] == "Total"
    crawl_row = [td.text(strip=True) for td in tree.css_first("table[data-section=crawl] tbody tr").css("td")]
    assert crawl_row[2] == "6"


@pytest.mark.parametrize("error", ["robots.txt answered HTTP 503: nothing fetched (RFC 9309: an unreachable ...)",
                                   "robots.txt could not be fetched (transient: timeout after 20s): nothing fetched"])
def test_an_unreachable_robots_txt_is_its_own_kind(error: str) -> None:
    """A URL left unfetched because robots.txt was unreachable counts as robots, whatever made it unreachable."""
    cause = error_cause(None, error)
    assert cause == "robots"
    problems = crawl_problems([ErrorGroup(cause, None, 1, {"page": 1}), ErrorGroup("timeout", None, 2, {"page": 2})])
    assert problems.counts["robots"] == 1 and problems.counts["other"] == 2 and problems.total == 3


def test_dead_pages_say_how_many_were_list_pages() -> None:
    """Dead pages keep their kinds (a pager's lost list pages read apart from lost articles); a 503 image is a
    server error, not a dead image; a 403 is other."""
    problems = crawl_problems([ErrorGroup("404", 404, 5, {"list": 3, "image": 1, "page": 1}),
                               ErrorGroup("503", 503, 1, {"image": 1}), ErrorGroup("403", 403, 1, {"file": 1})])
    assert problems.counts == {"dead_images": 1, "dead_attachments": 0, "dead_pages": 4, "server_errors": 1,
                               "robots": 0, "other": 1}
    assert problems.dead_pages == {"list": 3, "page": 1} and problems.total == 7
