"""Shared fixtures: the sample legacy fleet served on 127.0.0.1 and one crawled workspace, once per session; a
module's own small site on 127.0.0.1; real restored sites crawled into a workspace."""

from __future__ import annotations

import fcntl
import functools
import os
import shutil
import tempfile
import threading
from collections.abc import Collection, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.store import ArticleRow, ColumnMapping
from consolidate.demo import config_for_urls
from consolidate.records_io import article_records
from consolidate.samplefleet import Fleet, FleetServer, build_fleet
from consolidate.samplefleet.realsites import REAL_SITES, RealSitesServer, samples_dir
from tests.services.chromium import *  # noqa: F403 - session fixtures of the real services
from tests.services.nginx import *  # noqa: F403
from tests.services.postgres import *  # noqa: F403
from tests.services.s3 import *  # noqa: F403
from tests.services.wordpress import *  # noqa: F403


def _terminal_width_per_test() -> None:
    """The CLI's console takes its width from COLUMNS when it prints (80 unless a test says otherwise, as in CI
    without a terminal), in one process as in a pytest-xdist worker, whose environment gets COLUMNS=80 and LINES=24
    before collection (GNU readline, which pytest imports, exports them): a console created then kept 80 for good."""
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)
    import consolidate.cli_common  # noqa: F401 - its console, created now, reads COLUMNS at each command

    os.environ["COLUMNS"] = "80"


_terminal_width_per_test()

LOOPBACK_RATE = 500.0  # the sample servers are ours and local: no need for politeness delays in tests


@pytest.fixture(scope="session")
def fleet() -> Fleet:
    """The default sample fleet (deterministic)."""
    return build_fleet()


@pytest.fixture(scope="session")
def fleet_server(fleet: Fleet) -> Iterator[FleetServer]:
    """The sample fleet served on free ports of 127.0.0.1 for the whole session."""
    with FleetServer(fleet) as server:
        yield server


@pytest.fixture(scope="module")
def private_server(request: pytest.FixtureRequest) -> Iterator[FleetServer]:
    """A sample fleet of the module's own (its request log counts that module's requests only), with the
    module's ARTICLES_PER_SITE."""
    with FleetServer(build_fleet(articles_per_site=request.module.ARTICLES_PER_SITE)) as server:
        yield server


@pytest.fixture(scope="module")
def reference(private_server: FleetServer, tmp_path_factory: pytest.TempPathFactory,
              request: pytest.FixtureRequest) -> list[dict]:
    """The articles of one uninterrupted crawl of the module's SITE on its private fleet."""
    ws = make_workspace(tmp_path_factory.mktemp("reference"), private_server.urls)
    pipeline.crawl(ws, [request.module.SITE])
    return article_records(ws, request.module.SITE)


def make_workspace(directory: Path, urls: dict[str, str], rate: float = LOOPBACK_RATE) -> pipeline.Workspace:
    """A workspace whose migrations.yaml is the example pointed at the given sample servers."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "migrations.yaml"
    path.write_text(config_for_urls(urls, rate), encoding="utf-8")
    return pipeline.Workspace.open(path, db_url=f"sqlite:///{directory / '.consolidate' / 'state.db'}")


def migrated_articles(ws: pipeline.Workspace, site_id: str) -> list[ArticleRow]:
    """The site's titled articles in the columns its mapping migrates (`map` decides first), in id order, detached
    from the session."""
    pipeline.map_site(ws, site_id)
    with ws.store.session() as session:
        migrated = set(session.scalars(select(ColumnMapping.column_path).where(
            ColumnMapping.site_id == site_id, ColumnMapping.decision == "migrate")))
        rows = [a for a in session.scalars(select(ArticleRow).where(ArticleRow.site_id == site_id)
                                           .order_by(ArticleRow.id))
                if " > ".join(a.column_path or []) in migrated and a.title]
        for row in rows:
            session.expunge(row)
    return rows


def push_sites(ws: pipeline.Workspace, site_ids: list[str] | None = None,
               **push_options: object) -> list[pipeline.PushSummary]:
    """Push the sites (every configured one by default) through the configured exporter, closed afterwards."""
    exporter = pipeline.open_exporter(ws)
    try:
        return [pipeline.push_site(ws, site_id, exporter, **push_options)
                for site_id in site_ids or [site.id for site in ws.config.sites]]
    finally:
        exporter.close()


@pytest.fixture(scope="session")
def crawled_template(tmp_path_factory: pytest.TempPathFactory, fleet_server: FleetServer) -> Path:
    """A workspace with the whole fleet crawled once; tests get copies of it."""
    directory = tmp_path_factory.mktemp("crawled")
    ws = make_workspace(directory, fleet_server.urls)
    pipeline.crawl(ws, None)
    ws.store.engine.dispose()
    return directory


@pytest.fixture
def crawled(crawled_template: Path, tmp_path: Path) -> pipeline.Workspace:
    """A private copy of the crawled workspace (state, blobs, archives)."""
    return copy_workspace(crawled_template, tmp_path / "ws")


def copy_workspace(template: Path, target: Path) -> pipeline.Workspace:
    """A copy of a workspace folder (its config, state, blobs and archives) at `target`, opened."""
    shutil.copytree(template, target)
    return pipeline.Workspace.open(target / "migrations.yaml",
                                   db_url=f"sqlite:///{target / '.consolidate' / 'state.db'}")


class _SmallSiteHandler(SimpleHTTPRequestHandler):
    """Serves a folder without logging each request; a GET of a path in `failures` answers its status instead."""

    def __init__(self, *args: Any, failures: dict[str, int], **kwargs: Any) -> None:
        """The handler of one request, with the site's failing paths."""
        self.failures = failures
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook's name
        """The status named for the path, else the folder's file (404 for what is not there)."""
        status = self.failures.get(urlsplit(self.path).path)
        if status is None:
            super().do_GET()
        else:
            self.send_error(status)

    def log_message(self, *args: object) -> None:
        """No request log on stderr."""


@pytest.fixture(scope="module")
def small_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The module's SMALL_SITE (path → text or bytes) served on 127.0.0.1 for the module's tests, its base URL;
    what it does not hold is a 404, and a path in the module's SITE_FAILURES answers that status (500, 403 …)."""
    root = tmp_path_factory.mktemp("small_site")
    for path, content in request.module.SMALL_SITE.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    handler = functools.partial(_SmallSiteHandler, directory=str(root),
                                failures=getattr(request.module, "SITE_FAILURES", {}))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def crawl_real_sites(directory: Path, site_ids: Collection[str]) -> pipeline.Workspace:
    """A workspace in `directory` whose sites are these real restored sites (../shared/samples), served on
    127.0.0.1 and crawled to the end; skips the test when the samples are absent."""
    root = samples_dir()
    if root is None:
        pytest.skip("../shared/samples is absent (a fresh clone has no real sample sites)")
    crawled = _real_crawl(root, tuple(sorted(site_ids)))
    shutil.copytree(crawled, directory, dirs_exist_ok=True)
    return pipeline.Workspace.open(directory / "migrations.yaml",
                                   db_url=f"sqlite:///{directory / '.consolidate' / 'state.db'}")


def _real_crawl(root: Path, site_ids: tuple[str, ...]) -> Path:
    """The run's one crawl of this set of real sites (each test copies it): made by the first process that needs
    it, under a lock, in the folder the run's processes share (every xdist worker reads the same crawl)."""
    crawls = _real_crawls_dir()
    crawled = crawls / "-".join(site_ids)
    with open(crawls / f"{crawled.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker crawling the same set: wait for its crawl
        if not crawled.exists():
            partial = Path(tempfile.mkdtemp(prefix=f"{crawled.name}.", dir=crawls))
            try:
                _crawl_real(root, partial, site_ids)
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise
            partial.rename(crawled)
    return crawled


def _crawl_real(root: Path, crawled: Path, site_ids: Collection[str]) -> None:
    """A workspace in `crawled` with these real sites served from `root` and crawled to the end of each."""
    with RealSitesServer(root, tuple(s for s in REAL_SITES if s.id in site_ids)) as server:
        config = crawled / "migrations.yaml"
        config.write_text(server.config_text(rate=200.0), encoding="utf-8")
        ws = pipeline.Workspace.open(config, db_url=f"sqlite:///{crawled / '.consolidate' / 'state.db'}")
        summaries = pipeline.crawl(ws, None)
    ws.store.engine.dispose()
    assert summaries and not any(s.budget_reached for s in summaries), "a real site's crawl stopped at its budget"


_REAL_CRAWLS: list[Path] = []  # this process's folder of real-site crawls (/tmp/real-crawl-*), made when first needed
REAL_CRAWLS_KEY = "real_crawls"  # the xdist controller hands its folder to each worker under this workerinput key


def _real_crawls_dir() -> Path:
    """The folder of the run's real-site crawls: the xdist controller's (handed to every worker), else this
    process's own."""
    if not _REAL_CRAWLS:
        _REAL_CRAWLS.append(Path(tempfile.mkdtemp(prefix="real-crawl-")))
    return _REAL_CRAWLS[0]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist's controller hands each worker its folder of real-site crawls, so a set of sites is crawled once a
    run, not once a worker (the controller removes it at the end)."""
    node.workerinput[REAL_CRAWLS_KEY] = str(_real_crawls_dir())


def pytest_configure(config: pytest.Config) -> None:
    """An xdist worker crawls real sites into its controller's folder (shared with the other workers)."""
    shared = getattr(config, "workerinput", {}).get(REAL_CRAWLS_KEY)
    if shared:
        _REAL_CRAWLS[:] = [Path(shared)]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The run's real-site crawls (/tmp/real-crawl-*) removed at its end, by the process that made the folder
    (the controller under xdist, whose session ends after its workers')."""
    if _REAL_CRAWLS and not hasattr(session.config, "workerinput"):
        shutil.rmtree(_REAL_CRAWLS.pop(), ignore_errors=True)
