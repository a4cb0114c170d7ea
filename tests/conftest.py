"""Shared fixtures: the sample legacy fleet served on 127.0.0.1 and one crawled workspace, once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from consolidate import pipeline
from consolidate.demo import config_for_urls
from consolidate.records_io import article_records
from consolidate.samplefleet import Fleet, FleetServer, build_fleet
from tests.services.chromium import *  # noqa: F403 - session fixtures of the real services
from tests.services.nginx import *  # noqa: F403
from tests.services.postgres import *  # noqa: F403
from tests.services.s3 import *  # noqa: F403
from tests.services.wordpress import *  # noqa: F403

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
    target = tmp_path / "ws"
    shutil.copytree(crawled_template, target)
    return pipeline.Workspace.open(target / "migrations.yaml",
                                   db_url=f"sqlite:///{target / '.consolidate' / 'state.db'}")
