"""Real restored legacy sites (../shared/samples) served on 127.0.0.1 under their original host names.

The pages are third-party content and are never copied into the project: they are read from the samples folder
beside the checkout (or `CONSOLIDATE_SAMPLES`). Each site gets its own static server on a free loopback port, and
the config pins every host name the site's pages link to (`crawl.resolve`) to that port, the way an office crawls
an old server by IP after its DNS moved to the portal.
"""

from __future__ import annotations

import mimetypes
import os
import re
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

from consolidate.demo import example_config_text

INDEX_FILES = ("index.html", "index.htm", "default.html", "default.htm", "index.shtml")
POLITE_RATE = 1.0  # requests per second per host: the example config's, what an office gives a real old server
UNKNOWN_ORGANISER = "  # 主办单位 unknown: fill it in (never guessed; the report marks the one the pages show)"


@dataclass(frozen=True)
class RealSite:
    """One restored site: its folder, the URL its pages call home, and the other host names they link to."""

    id: str
    folder: str
    name: str
    cms: str
    home_url: str
    aliases: tuple[str, ...] = ()

    def hosts(self) -> list[str]:
        """Every host name the site answers to."""
        return [urlsplit(u if "://" in u else f"http://{u}").hostname or "" for u in (self.home_url, *self.aliases)]


REAL_SITES = (
    RealSite("jspn", "jspn_js_cn", "江苏省物价局网站", "custom", "http://www.jspn.js.cn/"),
    RealSite("hncic", "hncic_net", "海南建设信息网", "dedecms", "http://www.chinajsxx.com/",
             ("hncic.net", "www.hncic.net")),
    RealSite("zjgztb", "zjgztb_com", "张家港市公共资源交易信息网", "epoint", "http://www.szzyjy.com.cn/",
             ("zjgztb.com", "www.zjgztb.com")),
    RealSite("fjmjzz", "fjmjzz_com", "福建民间组织信息网", "ecms", "http://www.snpo.org.cn/",
             ("fjmjzz.com", "www.fjmjzz.com")),
    RealSite("lgedu", "lgedu_net", "岚皋县教育体育局", "siteserver", "http://www.lgedu.net/",
             ("https://www.lgedu.net", "121.43.68.40", "lgedu.net")),
    RealSite("pmodlh", "pmodlh_ac_cn", "紫金山天文台青海观测站", "trs", "http://www.dlh.pmo.cas.cn/",
             ("english.dlh.pmo.cas.cn", "www.pmodlh.ac.cn", "pmodlh.ac.cn")),
)


REAL_HEADER = """# migrations.yaml for the restored real legacy sites (../shared/samples), written by
# `consolidate fleet serve-samples`: each site is served on its own free port of 127.0.0.1 while that command runs,
# and crawl.resolve pins every host name its pages link to there. The programme and portal are the example's.
# Keys are English; comments give the Chinese terms an office uses. Unknown keys are errors.
"""


def present_sites(root: Path, sites: tuple[RealSite, ...] = REAL_SITES) -> tuple[RealSite, ...]:
    """The sample sites whose folder is in `root`."""
    return tuple(site for site in sites if (root / site.folder).is_dir())


def samples_dir() -> Path | None:
    """The real samples folder (`CONSOLIDATE_SAMPLES`, else ../shared/samples beside the checkout), if present."""
    configured = os.environ.get("CONSOLIDATE_SAMPLES")
    candidates = [Path(configured)] if configured else []
    candidates.append(Path(__file__).resolve().parents[3] / "shared" / "samples")
    return next((p for p in candidates if (p / "truth.jsonl").is_file()), None)


def local_file(root: Path, target: str) -> Path | None:
    """The file a request target names under root (index files for folders), or None; never outside root."""
    path = unquote(urlsplit(target).path, errors="replace")
    candidate = (root / path.lstrip("/")).resolve()
    if candidate != root and root not in candidate.parents:
        return None
    if candidate.is_dir():
        return next((candidate / n for n in INDEX_FILES if (candidate / n).is_file()), None)
    return candidate if candidate.is_file() else None


def _handler(root: Path) -> type:
    """A request handler class serving one folder as a legacy static server would (no charset declared)."""

    class Handler(BaseHTTPRequestHandler):
        """GET/HEAD of files under the folder; 404 for everything else."""

        protocol_version = "HTTP/1.1"
        server_version = "Microsoft-IIS/6.0"
        sys_version = ""

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet: no per-request logging."""

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            """Answer with the file's bytes."""
            self._answer(send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            """Answer with the file's headers only."""
            self._answer(send_body=False)

        def _answer(self, send_body: bool) -> None:
            """Send the file, or a 404 page."""
            raw = self.path.encode("latin-1", "replace").decode("utf-8", "replace")
            found = local_file(root, raw)
            body = found.read_bytes() if found else b"<html><body>404 Not Found</body></html>"
            kind = (mimetypes.guess_type(found.name)[0] if found else None) or "text/html"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

    return Handler


class _Server(ThreadingHTTPServer):
    """Threading server with daemon worker threads."""

    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that drops its connection (a crawl stopped, Ctrl-C) is its own business: nothing is printed;
        any other failure is printed as socketserver does."""
        if isinstance(sys.exc_info()[1], ConnectionError):  # reset, aborted, broken pipe
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class RealSitesServer:
    """Serves every sample site on its own free port of 127.0.0.1 (a context manager)."""

    def __init__(self, root: Path, sites: tuple[RealSite, ...] = REAL_SITES) -> None:
        self.root = root
        self.sites = sites
        self._servers: list[_Server] = []
        self.ports: dict[str, int] = {}

    def __enter__(self) -> RealSitesServer:
        for site in self.sites:
            server = _Server(("127.0.0.1", 0), _handler((self.root / site.folder).resolve()))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers.append(server)
            self.ports[site.id] = server.server_address[1]
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def pins(self, site: RealSite) -> dict[str, str]:
        """The site's `crawl.resolve`: each of its host names to its loopback server."""
        address = f"127.0.0.1:{self.ports[site.id]}"
        return {host: address for host in site.hosts()}

    def config_text(self, rate: float = POLITE_RATE, max_pages: int = 5000) -> str:
        """A migrations.yaml: the example programme and portal, these sites instead of the fleet's."""
        text = example_config_text()
        head = text[: text.index("\nsites:")]
        head = REAL_HEADER + head[head.index("\nprogramme:"):]
        head = re.sub(r"\n  rate_per_host: .*", "\n" + rate_line(rate), head, count=1)
        return head + "\nsites:\n" + "".join(self._site_yaml(site, max_pages) for site in self.sites)

    def _site_yaml(self, site: RealSite, max_pages: int) -> str:
        """One site's entry; its 主办单位 left empty: this tool does not know it (see UNKNOWN_ORGANISER)."""
        pins = ", ".join(f'"{host}": "{address}"' for host, address in self.pins(site).items())
        aliases = ", ".join(f'"{alias}"' for alias in site.aliases)
        return (f"  - id: {site.id}\n    name: {site.name}\n    home_url: {site.home_url}\n"
                f"    aliases: [{aliases}]\n    organiser: \"\"{UNKNOWN_ORGANISER}\n    disposition: migrate\n"
                f"    crawl: {{max_pages: {max_pages}, resolve: {{{pins}}}}}\n")


def rate_line(rate: float) -> str:
    """The config's crawl.rate_per_host line, under a comment saying why the rate is what it is."""
    if rate <= POLITE_RATE:
        why = ("  # polite to a twenty-year-old server: this file is what people copy for the real sites. The local\n"
               "  # copies served by `consolidate fleet serve-samples` take more: `... serve-samples --rate 20`\n")
    else:
        why = (f"  # fast, for the local copies `consolidate fleet serve-samples` serves only: a real legacy server\n"
               f"  # gets {POLITE_RATE:g} request a second or less\n")
    return f"{why}  rate_per_host: {rate:g}            # requests per second per host"
