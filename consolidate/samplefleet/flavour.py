"""What the generated legacy CMS sites (trs.py, hanweb.py, phpcms.py) share: routes, assets, bodies, indexes.

A flavour sets the class constants (charset label, home paths, assets, dates, spam wrapper, dead citation) and
writes its own markup (`page`, `home_box`, `site_routes`, `article_page`, optionally `home_page`, `body_kind`,
`image_href`, `retouch`); routing, the homepage, assets and the body recipe live here once.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import ClassVar

from consolidate.samplefleet import bodies
from consolidate.samplefleet import textgen as tg
from consolidate.samplefleet.body import Block
from consolidate.samplefleet.model import ArticleSpec, Resource, SampleColumn, SampleSite, local_to_utc

Routes = dict[str, Callable[[], Resource]]


@dataclass(eq=False)
class LegacySite(SampleSite):
    """A generated legacy CMS site: articles listed per column, static files and assets, generated bodies."""

    by_column: dict[str, list[ArticleSpec]] = field(default_factory=dict, repr=False)

    CHARSET_LABEL: ClassVar[str] = ""  # the charset as the server spells it in Content-Type ("": the encoding)
    HOME_PATHS: ClassVar[tuple[str, ...]] = ("/", "/index.html")
    HOME_ITEMS: ClassVar[int] = 8  # latest items per column on the homepage
    ASSETS: ClassVar[dict[str, tuple[str, str]]] = {}  # path -> (content type, text)
    LAUNCHED: ClassVar[datetime] = datetime(2014, 1, 6, tzinfo=UTC)  # Last-Modified of the assets
    FIRST_NEWS: ClassVar[datetime] = datetime(2014, 1, 6)  # local moment standing in when nothing is dated
    SPAM_WRAP: ClassVar[str] = "display"  # how the planted spam block is hidden
    DEAD_BODY: ClassVar[str] = ""  # the dead link planted in an article body
    DEAD_CITATION: ClassVar[tuple[str, str, str]] = bodies.DEAD_CITATION

    # -- hooks -------------------------------------------------------------------------
    def page(self, title: str, content: str) -> str:
        """A complete HTML page: the flavour's head, header and footer around the content."""
        raise NotImplementedError

    def home_box(self, column: SampleColumn, items: list[ArticleSpec]) -> str:
        """The homepage box of a column's latest items ("" leaves the column out)."""
        raise NotImplementedError

    def home_page(self, content: str) -> str:
        """The homepage around its boxes."""
        return self.page(self.name, content)

    def site_routes(self) -> Routes:
        """The flavour's own pages besides home and articles: lists, sections, logos."""
        raise NotImplementedError

    def article_page(self, article: ArticleSpec, part: int) -> Resource:
        """One part of an article page."""
        raise NotImplementedError

    def body_kind(self, article: ArticleSpec) -> str:
        """Which body generator writes an article (bodies.body_for)."""
        return article.column.kind

    def image_href(self, article: ArticleSpec, path: str) -> str:
        """An image's src as written in the article."""
        return path

    def retouch(self, rng: random.Random, blocks: list[Block]) -> list[Block]:
        """The flavour's editor habits applied to a generated body (drawing from the body's rng)."""
        return blocks

    # -- shared ------------------------------------------------------------------------
    def html_content_type(self) -> str:
        """Content-Type of HTML pages, with the charset spelt the way this server spells it."""
        return f"text/html; charset={self.CHARSET_LABEL or self.encoding}"

    def build_routes(self) -> Routes:
        """Home, robots.txt, the flavour's pages, every part of every article, files and assets."""
        routes: Routes = dict.fromkeys(self.HOME_PATHS, self.home)
        routes["/robots.txt"] = self.robots
        routes.update(self.site_routes())
        for article in self.articles:
            for part, path in enumerate([article.path, *article.part_paths]):
                routes[path] = partial(self.article_page, article, part)
        for path, spec in self.files.items():
            routes[path] = partial(self.file_resource, spec)
        for path, (kind, text) in self.ASSETS.items():
            routes[path] = partial(self.asset, kind, text)
        return routes

    def home(self) -> Resource:
        """Homepage: a box of each column's latest items, as new as the newest article."""
        boxes = [self.home_box(column, self.by_column[column.url_path][:self.HOME_ITEMS]) for column in self.columns]
        content = '<div class="main">\n' + "\n".join(box for box in boxes if box) + "\n</div>\n"
        return self.html_resource(self.home_page(content), local_to_utc(self.newest()))

    def asset(self, kind: str, text: str) -> Resource:
        """A CSS/JS asset, unchanged since the CMS was installed."""
        return Resource(kind, text.encode(self.encoding), self.LAUNCHED)

    def newest(self) -> datetime:
        """Latest publication moment on the site (local time)."""
        return max((a.published for a in self.articles if a.published), default=self.FIRST_NEWS)

    def article_body(self, article: ArticleSpec) -> list[list[Block]]:
        """One part of body blocks generated from the article's body key, with the planted spam and dead link."""
        rng = random.Random(article.body_key)
        images = [self.image_href(article, spec.path) for spec in article.images]
        blocks = bodies.body_for(self.body_kind(article), rng, tg.PROFILES[self.site_id], article.body_date, images,
                                 "table" in article.flags)
        blocks = self.retouch(rng, blocks)
        if "spam" in article.flags:
            blocks = bodies.insert_middle(blocks, Block("spam", wrap=self.SPAM_WRAP))
        if "deadlink" in article.flags:
            blocks.insert(1, bodies.dead_link_block(self.DEAD_BODY, self.DEAD_CITATION))
        return [blocks]

    # -- building ----------------------------------------------------------------------
    def index_files(self) -> None:
        """Serve every article's attachments and images at their paths."""
        for article in self.articles:
            for spec in article.attachments + article.images:
                self.files[spec.path] = spec

    def column_plants(self) -> dict[str, list[str]]:
        """The planted empty and stale columns (by list URL)."""
        return {"empty_columns": [c.url_path for c in self.columns if "empty" in c.planted],
                "stale_columns": [c.url_path for c in self.columns if "stale" in c.planted]}

    def group_by_column(self, articles: list[ArticleSpec]) -> None:
        """List the articles (in their order) under their columns."""
        self.by_column = {c.url_path: [a for a in articles if a.column is c] for c in self.columns}
