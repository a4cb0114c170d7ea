"""Behaviour of the sample legacy fleet and its HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx
import pytest

from consolidate.samplefleet import REFERENCE_DATE, Fleet, FleetServer, SampleSite, build_fleet

ROOT = Path(__file__).resolve().parents[2]
DIGEST_SCRIPT = """
import hashlib
from consolidate.samplefleet import build_fleet
digest = hashlib.sha256()
for site in build_fleet(seed=7).sites:
    for path in site.all_paths():
        digest.update(path.encode() + site.respond(path, {}).body)
print(digest.hexdigest())
"""


def fleet_digest(fleet: Fleet) -> str:
    """Hash of every path and body of a fleet."""
    digest = hashlib.sha256()
    for site in fleet.sites:
        for path in site.all_paths():
            digest.update(path.encode() + site.respond(path, {}).body)
    return digest.hexdigest()


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    """The default fleet."""
    return build_fleet()


@pytest.fixture(scope="module")
def server(fleet):
    """The default fleet served on free ports."""
    with FleetServer(fleet) as running:
        yield running


@pytest.fixture(scope="module")
def client():
    """An HTTP client that never uses proxies."""
    with httpx.Client(trust_env=False, timeout=10) as http:
        yield http


def url(server: FleetServer, site_id: str, path: str) -> str:
    """Absolute URL of a path on a served site."""
    return server.urls[site_id] + path.lstrip("/")


# -- building ---------------------------------------------------------------------------------
def test_fleet_shape(fleet):
    """Three sites in order with their CMS, encoding, furniture metadata and planted columns."""
    assert REFERENCE_DATE == date(2026, 11, 1) == fleet.reference_date
    assert [(s.site_id, s.cms, s.encoding) for s in fleet.sites] == [
        ("fgw", "trs", "gbk"), ("jyj", "hanweb", "utf-8"), ("sfj", "phpcms", "gb2312")]
    fgw = fleet.site("fgw")
    assert fgw.site_code == "3310820001" and fgw.icp.startswith("浙ICP备") and fgw.psb.startswith("浙公网安备")
    kinds = {c.path[-1]: (c.kind, c.planted) for c in fgw.columns}
    assert kinds["人事信息"] == ("personnel", {"empty"}) and kinds["图片新闻"] == ("news", {"stale"})
    assert kinds["通知公告"][0] == "notice" and kinds["办事指南"][0] == "guide"
    for site in fleet.sites:
        assert any("stale" in c.planted for c in site.columns)
        assert {"dead_links", "spam_pages", "charset_conflict", "undated", "multipage", "foreign_script"} <= set(site.planted)
    with pytest.raises(KeyError):
        fleet.site("nope")


def test_same_seed_same_bytes_other_seed_differs(fleet):
    """Building twice gives identical pages and truth; another seed changes them."""
    again = build_fleet()
    assert fleet_digest(again) == fleet_digest(fleet)
    assert all(a.truth("http://x/") == b.truth("http://x/") for a, b in zip(fleet.sites, again.sites, strict=True))
    assert fleet_digest(build_fleet(seed=8)) != fleet_digest(fleet)


def test_determinism_across_processes(fleet):
    """A fresh interpreter with another hash seed produces the same bytes."""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", DIGEST_SCRIPT], capture_output=True, text=True, env=env,
                         cwd=ROOT, check=True, timeout=60)
    assert out.stdout.strip() == fleet_digest(fleet)


def test_large_fleet_builds_and_pages():
    """5000 articles per site build and route; paging scales (build time is a benchmark's business, not a test's)."""
    big = build_fleet(articles_per_site=5000)
    routes = sum(len(site.all_paths()) for site in big.sites)
    assert all(len(site.articles) >= 5000 for site in big.sites)
    assert routes > 15000
    fgw = big.site("fgw")
    assert "/xwzx/gzdt/index_50.html" in fgw.all_paths()
    assert b"createPageHTML(" in fgw.respond("/xwzx/gzdt/index_50.html", {}).body
    jyj = big.site("jyj")
    column = jyj.respond("/col/col1501/index.html", {}).body.decode()
    assert column.count("<record>") == 45 and int(re.search(r"totalRecord:(\d+)", column).group(1)) > 1000


def test_default_size_is_a_few_hundred_pages(fleet):
    """The default fleet is small: a few hundred pages."""
    pages = sum(len(site.all_paths()) for site in fleet.sites)
    assert 300 <= pages <= 1000
    assert 100 <= sum(len(site.articles) for site in fleet.sites) <= 400


# -- HTTP --------------------------------------------------------------------------------------
def test_headers_and_gbk_bytes(server, fleet, client):
    """GBK site: GBK header, gb2312 meta, bytes that only GB18030/GBK decode; validators and length."""
    fgw = fleet.site("fgw")
    path = fgw.planted["gbk_only_chars"][0]
    response = client.get(url(server, "fgw", path))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=GBK"
    assert re.fullmatch(r'"[0-9a-f]{20}"', response.headers["etag"])
    assert parsedate_to_datetime(response.headers["last-modified"]).year >= 2014
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("gb2312")
    text = response.content.decode("gb18030")
    for other in fgw.planted["gbk_only_chars"]:
        with pytest.raises(UnicodeDecodeError):
            fgw.respond(other, {}).body.decode("gb2312")
    assert 'charset=gb2312"' in text or 'charset=gbk"' in text
    assert "trs_web_style.css" in text and "/wcm" in text
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")


def test_other_sites_encodings(server, fleet, client):
    """Hanweb pages are UTF-8 with the generator meta; PHPCMS pages only use GB2312 characters."""
    jyj = client.get(url(server, "jyj", "/"))
    assert jyj.headers["content-type"] == "text/html; charset=UTF-8"
    assert '<meta name="generator" content="大汉版通">' in jyj.text and "/module/jslib/" in jyj.text
    sfj = fleet.site("sfj")
    for path in sfj.all_paths():
        page = sfj.respond(path, {})
        if page.content_type and page.content_type.startswith("text/html"):
            assert "charset=gb2312" in page.body.decode("gb2312")


def test_charset_conflict_page(server, fleet, client):
    """The planted page announces UTF-8 over HTTP but its bytes are GBK and its meta says gb2312."""
    (path,) = fleet.site("sfj").planted["charset_conflict"]
    response = client.get(url(server, "sfj", path))
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    text = response.content.decode("gbk")
    assert 'charset=gb2312' in text
    record = next(r for r in fleet.site("sfj").truth(server.urls["sfj"]) if r.url.endswith(path.lstrip("/")))
    assert record.title in text


def test_conditional_requests(server, client):
    """If-None-Match and If-Modified-Since give 304 with no body; stale validators give 200."""
    target = url(server, "jyj", "/col/col1502/index.html")
    first = client.get(target)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = client.get(target, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(target, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(days=1), usegmt=True)
    assert client.get(target, headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get(target, headers={"If-None-Match": '"nope"', "If-Modified-Since": modified}).status_code == 200


def test_head_request(server, client):
    """HEAD answers headers with the GET length and no body."""
    get = client.get(url(server, "fgw", "/xxgk/tzgg/index.html"))
    head = client.head(url(server, "fgw", "/xxgk/tzgg/index.html"))
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(get.content)) and head.headers["etag"] == get.headers["etag"]


def records(xml: str) -> list[str]:
    """Article paths of a datastore, in order."""
    return re.findall(r'<a href="(/art/[^"]+)"', xml)


def test_dataproxy_paging(server, fleet, client):
    """Column page embeds the first 45 records; dataproxy.jsp serves any 1-based inclusive range (GET or POST)."""
    jyj = fleet.site("jyj")
    expected = [a.path for a in jyj.by_column["/col/col1501/index.html"]]
    assert len(expected) > 45
    column = client.get(url(server, "jyj", "/col/col1501/index.html")).text
    assert records(column) == expected[:45]
    assert f"totalRecord:{len(expected)}" in column and "perPage:15" in column
    params = {"startrecord": 46, "endrecord": 90, "perpage": 15, "col": 1, "appid": 1, "webid": 3, "path": "/",
              "columnid": 1501, "unitid": 4210, "webname": "临江市教育局", "permissiontype": 0}
    proxy = url(server, "jyj", "/module/web/jpage/dataproxy.jsp")
    got = client.get(proxy, params=params)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/xml")
    assert records(got.text) == expected[45:90]
    assert f"<totalrecord>{len(expected)}</totalrecord>" in got.text
    middle = client.get(proxy, params={**params, "startrecord": 16, "endrecord": 30}).text
    assert records(middle) == expected[15:30]
    posted = client.post(proxy, data={**params, "startrecord": 2, "endrecord": 4})
    assert records(posted.text) == expected[1:4]
    assert records(client.get(proxy, params={**params, "columnid": 9999}).text) == []


def test_hanweb_has_no_static_paging(server, client):
    """Static index_1.html does not exist on the Hanweb site."""
    assert client.get(url(server, "jyj", "/col/col1501/index_1.html")).status_code == 404
    assert client.get(url(server, "fgw", "/xwzx/gzdt/index_1.html")).status_code == 200


def test_every_truth_url_answers_200(server, fleet, client):
    """Articles, their further parts, images and attachments are served; attachment bytes match truth."""
    for site in fleet.sites:
        for record in site.truth(server.urls[site.site_id]):
            assert client.get(record.url).status_code == 200, record.url
            for part in record.part_urls + record.images:
                assert client.get(part).status_code == 200, part
            for ref in record.attachments:
                data = client.get(ref.url).content
                assert (len(data), hashlib.sha256(data).hexdigest()) == (ref.bytes, ref.sha256), ref.url


def test_attachment_files_are_real(server, fleet, client):
    """Attachments and images carry the magic bytes and Content-Type of their kind."""
    magic = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG", "image/jpeg": b"\xff\xd8\xff",
             "image/gif": b"GIF89a", "application/msword": b"\xd0\xcf\x11\xe0", "application/zip": b"PK"}
    seen = set()
    for site in fleet.sites:
        for record in site.truth(server.urls[site.site_id]):
            for target in [ref.url for ref in record.attachments] + record.images:
                response = client.get(target)
                kind = response.headers["content-type"]
                if kind in magic:
                    seen.add(kind)
                    assert response.content.startswith(magic[kind]), target
    assert {"application/pdf", "image/jpeg", "application/msword"} <= seen


def test_planted_dead_links_404(server, fleet, client):
    """Every planted dead link answers 404 (with an HTML error page)."""
    for site in fleet.sites:
        assert len(site.planted["dead_links"]) >= 2
        for path in site.planted["dead_links"]:
            response = client.get(url(server, site.site_id, path))
            assert response.status_code == 404, path
            assert response.headers["content-type"].startswith("text/html")


def test_unknown_paths_and_directories(server, client):
    """Unknown paths 404; directories serve index.html; a folder without slash redirects."""
    assert client.get(url(server, "fgw", "/no/such/page.html")).status_code == 404
    folder = client.get(url(server, "fgw", "/xxgk/tzgg/"))
    assert folder.status_code == 200 and folder.content == client.get(url(server, "fgw", "/xxgk/tzgg/index.html")).content
    moved = client.get(url(server, "fgw", "/xxgk/tzgg"))
    assert moved.status_code == 301 and moved.headers["location"] == "/xxgk/tzgg/"
    assert client.post(url(server, "fgw", "/index.html"), data={"a": "b"}).status_code == 405


def test_robots_txt(server, client):
    """robots.txt allows everything but /search/ and sets no crawl delay."""
    for site_id in server.urls:
        text = client.get(url(server, site_id, "/robots.txt")).text
        assert "Disallow: /search/" in text and "User-agent: *" in text and "Crawl-delay" not in text


def test_phpcms_query_strings_are_significant(server, fleet, client):
    """Parameter order does not matter, but the query does: without it you get the homepage, or 404."""
    sfj = fleet.site("sfj")
    article = sfj.articles[0]
    canonical = client.get(url(server, "sfj", article.path)).content
    catid, number = re.search(r"catid=(\d+)&id=(\d+)", article.path).groups()
    shuffled = f"/index.php?id={number}&a=show&catid={catid}&c=index&m=content"
    assert client.get(url(server, "sfj", shuffled)).content == canonical
    assert client.get(url(server, "sfj", "/index.php")).content != canonical
    assert client.get(url(server, "sfj", f"/index.php?m=content&c=index&a=show&catid={catid}&id=99999")).status_code == 404


def test_request_log_records_requests(server, client):
    """Each request is logged as (site_id, method, path_and_query), including HEAD and 404s."""
    before = len(server.request_log)
    client.get(url(server, "sfj", "/index.php?m=content&c=index&a=lists&catid=9&page=2"))
    client.head(url(server, "fgw", "/robots.txt"))
    client.get(url(server, "jyj", "/missing.html"))
    assert server.request_log[before:] == [
        ("sfj", "GET", "/index.php?m=content&c=index&a=lists&catid=9&page=2"),
        ("fgw", "HEAD", "/robots.txt"), ("jyj", "GET", "/missing.html")]


def test_concurrent_requests(server, fleet):
    """Many parallel clients get consistent answers."""
    fgw = fleet.site("fgw")
    paths = fgw.all_paths()[:60]
    expected = {path: fgw.respond(path, {}).body for path in paths}

    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    with httpx.Client(trust_env=False, timeout=10, limits=limits) as http, ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda path: (path, http.get(url(server, "fgw", path)).content), paths * 3))
    assert all(body == expected[path] for path, body in results)


# -- planted realism -----------------------------------------------------------------------------
def body_of(site: SampleSite, path: str) -> str:
    """Decoded body of a page."""
    return site.respond(path, {}).body.decode("gb18030" if site.encoding != "utf-8" else "utf-8")


def test_planted_spam_and_scripts(fleet):
    """暗链 are on the listed pages (display:none and off-screen), absent from truth; foreign script planted."""
    fgw, jyj = fleet.site("fgw"), fleet.site("jyj")
    assert "display:none" in body_of(fgw, "/") and "bet365-xx.com" in body_of(fgw, "/")
    (spam_article,) = jyj.planted["spam_pages"]
    assert "left:-9999px" in body_of(jyj, spam_article)
    spam_records = [r for s in fleet.sites for r in s.truth("http://x/") if r.spam_links]
    assert len(spam_records) == 2
    assert all("澳门" not in r.body_text and "赌" not in r.body_text for r in spam_records)
    assert 'src="http://evil-cdn.example.com/x.js"' in body_of(jyj, jyj.planted["foreign_script"][0])
    assert 'style="display:none"' in body_of(jyj, "/")  # ordinary hidden drop-down menu


def test_planted_dates(fleet):
    """Undated article has no date anywhere; the date conflict is visible; stale/empty columns look so."""
    sfj, jyj, fgw = fleet.site("sfj"), fleet.site("jyj"), fleet.site("fgw")
    (undated,) = sfj.planted["undated"]
    page = body_of(sfj, undated)
    assert not re.search(r"(?<!\d)(?:19|20)\d{2}[-/.年]\d{1,2}|\d{1,2}月\d{1,2}日", page)
    assert not re.search(r"\d{4}", undated)
    (conflict,) = jyj.planted["date_conflict"]
    page = body_of(jyj, conflict)
    meta = re.search(r'name="PubDate" content="(\d{4})-(\d{2})-(\d{2})', page).groups()
    shown = re.search(r"发布日期：(\d{4})年(\d+)月(\d+)日", page).groups()
    assert [int(x) for x in meta] != [int(x) for x in shown]
    stale = next(c for c in fgw.columns if "stale" in c.planted)
    newest = max(a.published for a in fgw.by_column[stale.url_path])
    assert newest.date() < fleet.reference_date - timedelta(days=900)
    empty = next(c for c in fgw.columns if "empty" in c.planted)
    assert "暂无信息" in body_of(fgw, empty.url_path) and not fgw.by_column[empty.url_path]
    fresh = next(c for c in fgw.columns if c.path[-1] == "工作动态")
    assert max(a.published for a in fgw.by_column[fresh.url_path]).date() >= fleet.reference_date - timedelta(days=14)
    assert re.search(r"\[\d{2}-\d{2}\]", body_of(fgw, "/"))


def test_planted_multipage_and_republished(fleet):
    """The multi-page article has three parts; the republished story copies an old body under a new date."""
    fgw = fleet.site("fgw")
    (multi,) = fgw.planted["multipage"]
    assert multi.endswith("/t20151009_67430.html")
    assert 'createPageHTML(3,0,"t20151009_67430","html")' in body_of(fgw, multi)
    assert 'createPageHTML(3,2,"t20151009_67430","html")' in body_of(fgw, multi.replace(".html", "_2.html"))
    new, old = fgw.planted["republished"]
    truth = {r.url: r for r in fgw.truth("http://x/")}
    fresh, original = truth["http://x" + new], truth["http://x" + old]
    assert (fresh.title, fresh.body_text) == (original.title, original.body_text)
    assert fresh.published > original.published


def test_cli_serve():
    """`python -m consolidate.samplefleet serve` prints one line per site and serves on port_base + index."""
    base = free_port_block(3)
    proc = subprocess.Popen([sys.executable, "-m", "consolidate.samplefleet", "serve", "--port-base", str(base)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline().split("\t") for _ in range(3)]
        assert [(line[0], line[1]) for line in lines] == [
            (site_id, f"http://127.0.0.1:{base + index}/") for index, site_id in enumerate(["fgw", "jyj", "sfj"])]
        with httpx.Client(trust_env=False, timeout=10) as http:
            assert http.get(f"http://127.0.0.1:{base + 2}/index.php").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def free_port_block(size: int) -> int:
    """A base port such that base..base+size-1 are currently free."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + size < 65535 and all(port_free(base + offset) for offset in range(size)):
            return base
    raise RuntimeError("no free port block")


def port_free(port: int) -> bool:
    """Whether a TCP port can be bound on 127.0.0.1."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
