"""A workspace: a loaded migrations.yaml and its state store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from consolidate.core.config import Config, LoadedConfig, Site, load_config
from consolidate.core.errors import ConsolidateError, UnknownSiteError
from consolidate.core.store import Resource, SiteRow, Store, url_hash
from consolidate.core.urls import canonical_url


@dataclass
class Workspace:
    """A loaded migrations.yaml and its state store."""

    loaded: LoadedConfig
    store: Store

    @classmethod
    def open(cls, config_path: str | Path, db_url: str | None = None) -> Workspace:
        """Load the config and open (or create) the store with every stage's tables."""
        loaded = load_config(config_path)
        loaded.workspace.mkdir(parents=True, exist_ok=True)
        return cls(loaded, Store.for_workspace(loaded.workspace, db_url))

    @property
    def config(self) -> Config:
        """The validated config."""
        return self.loaded.config

    @property
    def dir(self) -> Path:
        """The workspace folder (archives, blobs, outputs)."""
        return self.loaded.workspace

    def site(self, site_id: str) -> Site:
        """A configured site, or a clear error naming the valid ids."""
        try:
            return self.config.site(site_id)
        except KeyError:
            valid = ", ".join(s.id for s in self.config.sites)
            raise UnknownSiteError(f"no site {site_id!r} in {self.loaded.path.name}",
                                   hint=f"configured sites: {valid}") from None

    def sites(self, site_ids: list[str] | None) -> list[Site]:
        """The named sites, or all of them when none are named."""
        return [self.site(s) for s in site_ids] if site_ids else list(self.config.sites)



def require_crawled(ws: Workspace, site_id: str) -> None:
    """Refuse to map or push a site nobody has crawled, or whose home page could not be fetched."""
    with ws.store.session() as session:
        row = session.get(SiteRow, site_id)
        if row is None or row.crawled_at is None:
            raise ConsolidateError(f"site {site_id!r} has not been crawled yet",
                                   hint=f"run `consolidate crawl {site_id}` first")
    problem = home_page_problem(ws, site_id)
    if problem:
        raise ConsolidateError(f"site {site_id!r}: {problem}",
                               hint=f"check home_url in {ws.loaded.path.name}, then `consolidate crawl {site_id}`")


def home_page_problem(ws: Workspace, site_id: str) -> str | None:
    """Why the site's home page was not fetched in the last crawl (None when it was)."""
    home = canonical_url(ws.site(site_id).home_url) or ws.site(site_id).home_url
    with ws.store.session() as session:
        row = session.scalar(select(Resource).where(Resource.site_id == site_id, Resource.url_hash == url_hash(home)))
    if row is None or row.status in ("fetched", "queued", "fetching"):
        return None
    return f"the home page {home} could not be fetched ({row.error or row.status})"


