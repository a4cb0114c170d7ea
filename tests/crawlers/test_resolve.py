"""`crawl.resolve` pins host names to a server (curl's --resolve), aliases are one site, start URLs are seeds."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pydantic import ValidationError

from consolidate.core.config import CrawlSettings
from crawlers.fetch import parse_pins, pinned
from tests.crawlers.crawl_helpers import crawl, fast_settings, local_site, open_store, resources_by_path

PAGES = {
    "/": '<html><body><a href="http://old-alias.gov.cn/a.html">甲</a> <a href="/b.html">乙</a></body></html>',
    "/a.html": '<html><body><a href="http://www.old-host.gov.cn/c.html">丙</a></body></html>',
    "/b.html": "<html><body>乙</body></html>",
    "/c.html": "<html><body>丙</body></html>",
    "/hidden.html": "<html><body>nothing links here</body></html>",
}


class _Handler(BaseHTTPRequestHandler):
    """Serves PAGES whatever the Host header says, and remembers the Host headers seen."""

    hosts: list[str] = []

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet."""

    def do_GET(self) -> None:  # noqa: N802
        """One page, or 404."""
        type(self).hosts.append(self.headers.get("Host", ""))
        body = PAGES.get(self.path.split("?")[0])
        self.send_response(200 if body else 404)
        data = (body or "not found").encode("utf-8")
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def old_server() -> Iterator[int]:
    """A legacy server on a free loopback port that answers for any host name."""
    _Handler.hosts = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_pinned_hosts_are_crawled_on_the_configured_server(old_server: int, tmp_path: Path) -> None:
    """Host names that do not resolve are crawled at the pinned address; alias links become the site's URLs."""
    site = local_site("http://www.old-host.gov.cn/", "old").model_copy(update={"aliases": ["old-alias.gov.cn"]})
    address = f"127.0.0.1:{old_server}"
    settings = fast_settings(resolve={"www.old-host.gov.cn": address, "old-alias.gov.cn": address},
                             start_urls=["http://www.old-host.gov.cn/hidden.html"], obey_robots=False,
                             timeout=30.0)  # every page must come: 0.5 s lost pages at load ~35 (2 xdist workers)
    store = open_store(tmp_path)
    crawl(store, site, settings, tmp_path)
    fetched = {path for path, row in resources_by_path(store, "old").items() if row.status == "fetched"}
    assert {"/", "/a.html", "/b.html", "/c.html", "/hidden.html"} <= fetched
    urls = {row.url for row in resources_by_path(store, "old").values()}
    assert not any("old-alias" in url for url in urls), urls  # the alias link was filed under the site's host
    assert set(_Handler.hosts) == {"www.old-host.gov.cn"}  # the real host name went in the Host header


def test_pins_match_host_and_port() -> None:
    """A host:port pin beats the host's pin; other hosts are not pinned."""
    pins = parse_pins({"a.gov.cn": "10.0.0.1", "a.gov.cn:8080": "10.0.0.2:80", "B.gov.cn": "[::1]:81"})
    assert pinned(pins, "a.gov.cn", 80) == ("10.0.0.1", None)
    assert pinned(pins, "A.gov.cn", 8080) == ("10.0.0.2", 80)
    assert pinned(pins, "b.gov.cn", 80) == ("::1", 81)
    assert pinned(pins, "c.gov.cn", 80) is None


@pytest.mark.parametrize("resolve", [{"a.gov.cn": "not-an-ip"}, {"bad host!": "10.0.0.1"}, {"a.gov.cn": "1.2.3.4:99999"}])
def test_bad_pins_are_config_errors(resolve: dict[str, str]) -> None:
    """A pin that is not host -> IP address[:port] is refused when the config is read."""
    with pytest.raises(ValidationError):
        CrawlSettings(resolve=resolve)


def test_extract_url_reaches_a_pinned_host_and_names_its_site(old_server: int, tmp_path: Path) -> None:
    """`extract URL` on a configured site whose DNS moved: the site's crawl.resolve pin is used (the host name does
    not resolve), and the record names the site."""
    from consolidate.core.config import parse_config
    from consolidate.demo import example_config_text

    config = parse_config(example_config_text())
    site = local_site("http://www.old-host.gov.cn/", "old").model_copy(update={"aliases": ["old-alias.gov.cn"]})
    config.sites.append(site)
    assert config.site_for_url("http://old-alias.gov.cn/a.html") is site
    assert config.site_for_url("http://elsewhere.gov.cn/") is None
    one = local_site("http://10.0.0.5:8080/", "one")
    two = local_site("http://10.0.0.5:8081/", "two")
    config.sites += [one, two]
    assert config.site_for_url("http://10.0.0.5:8081/a.html") is two  # one server, two sites: told apart by port
    assert config.site_for_url("http://10.0.0.5:9999/a.html") is None
    settings = config.crawl.model_copy(update={"resolve": {"www.old-host.gov.cn": f"127.0.0.1:{old_server}"}})
    from crawlers.archive import extract_url

    record = extract_url("http://www.old-host.gov.cn/b.html", settings)
    assert record.body_text and "乙" in record.body_text
    assert any(h.startswith("www.old-host.gov.cn") for h in _Handler.hosts)
