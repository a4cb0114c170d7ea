"""Data types of the sample fleet and the request handling shared by all legacy CMS flavours."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from urllib.parse import urlsplit

from consolidate.core.records import ArticleRecord, AttachmentRef
from consolidate.samplefleet import blobs, weights
from consolidate.samplefleet.body import Block, body_text, spam_urls

LOCAL_OFFSET = timedelta(hours=8)


@dataclass
class SamplePage:
    """One HTTP answer of a sample site."""

    status: int
    content_type: str | None
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class SampleColumn:
    """A legacy column: its breadcrumb names below 首页, list URL, kind and planted defects."""

    path: list[str]
    url_path: str
    kind: str
    planted: set[str] = field(default_factory=set)


@dataclass
class Resource:
    """A rendered static resource before conditional-request handling."""

    content_type: str
    body: bytes
    modified: datetime
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class FileSpec:
    """A binary file served by a site (image, attachment, asset)."""

    path: str
    kind: str
    key: str
    modified: datetime
    name: str = ""
    href: str = ""
    style: str = "href"  # how an article links it: href | onclick
    headers: dict[str, str] = field(default_factory=dict)

    def data(self) -> bytes:
        """The file bytes."""
        return blobs.make(self.kind, self.key)


@dataclass(eq=False)
class ArticleSpec:
    """Everything decided about one article at build time; the body is generated lazily."""

    key: str
    column: SampleColumn
    path: str
    title: str
    published: datetime | None
    show_time: bool = True
    source: str | None = None
    header: dict[str, str | None] | None = None
    attachments: list[FileSpec] = field(default_factory=list)
    images: list[FileSpec] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    part_paths: list[str] = field(default_factory=list)
    number: int = 0
    body_key: str = ""  # what the body is generated from: the article's own key unless it republishes another
    body_date: date | None = None

    def __post_init__(self) -> None:
        """An article's body comes from its own key unless told otherwise."""
        self.body_key = self.body_key or self.key

    def published_iso(self) -> str | None:
        """Truth published value."""
        if self.published is None:
            return None
        if self.show_time:
            return self.published.strftime("%Y-%m-%dT%H:%M:%S")
        return self.published.date().isoformat()

    def modified(self) -> datetime:
        """Last-Modified of the article page (UTC)."""
        local = self.published or datetime(2019, 6, 1, 9, 0)
        return (local - LOCAL_OFFSET).replace(tzinfo=UTC)


def local_to_utc(moment: datetime) -> datetime:
    """Convert a naive Beijing-time datetime to aware UTC."""
    return (moment - LOCAL_OFFSET).replace(tzinfo=UTC)


def etag_for(body: bytes) -> str:
    """Strong ETag derived from the body's SHA-1."""
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def not_modified(headers: dict[str, str], etag: str, modified: datetime) -> bool:
    """Whether a conditional request is satisfied by the current representation."""
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = [tag.strip().removeprefix("W/") for tag in inm.split(",")]
        return "*" in tags or etag in tags
    ims = headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return modified.replace(microsecond=0) <= since
    return False


@dataclass(eq=False)
class SampleSite:
    """A legacy department site: metadata, columns, articles and a request handler."""

    site_id: str
    name: str
    cms: str
    encoding: str
    organiser: str
    site_code: str
    icp: str
    psb: str
    columns: list[SampleColumn] = field(default_factory=list)
    planted: dict[str, list[str]] = field(default_factory=dict)
    articles: list[ArticleSpec] = field(default_factory=list, repr=False)
    files: dict[str, FileSpec] = field(default_factory=dict, repr=False)
    reference_date: date = date(2026, 11, 1)
    seed: int = 7
    server_header: str = "Apache"
    extra_routes: dict[str, Callable[[], Resource]] = field(default_factory=dict, repr=False)  # mailbox.py
    weight: str = "light"  # page-weight profile: light (as written) | real (weights.py)
    _routes: dict[str, Callable[[], Resource]] | None = field(default=None, repr=False)
    _cache: Callable[[str], Resource] | None = field(default=None, repr=False)
    _articles_seen: set[str] | None = field(default=None, repr=False)

    # -- hooks for the CMS flavours -------------------------------------------------
    def build_routes(self) -> dict[str, Callable[[], Resource]]:
        """Static routes: canonical path(+query) -> renderer."""
        raise NotImplementedError

    def canonical(self, path: str, query: str) -> str:
        """Canonical route key of a request target."""
        return f"{path}?{query}" if query else path

    def dynamic(self, path: str, query: str, form: str) -> SamplePage | None:
        """Answer dynamic endpoints (e.g. dataproxy.jsp); None when the path is not one."""
        return None

    def article_body(self, article: ArticleSpec) -> list[list[Block]]:
        """Body blocks of each part of an article."""
        raise NotImplementedError

    def html_content_type(self) -> str:
        """Content-Type header of HTML pages."""
        return f"text/html; charset={self.encoding}"

    # -- routing --------------------------------------------------------------------
    def routes(self) -> dict[str, Callable[[], Resource]]:
        """Static routes, built once on first use."""
        if self._routes is None:
            routes = {**self.build_routes(), **self.extra_routes}
            self._cache = lru_cache(maxsize=4096)(self._render)
            self._routes = routes
        return self._routes

    def _render(self, key: str) -> Resource:
        """Render one static route (with real-weight furniture on HTML pages when the site is heavy)."""
        res = self.routes()[key]()
        if self.weight == "light" or not res.content_type.startswith("text/html"):
            return res
        cls = "article" if key in self._article_keys() else "list"
        text = weights.dress_page(self, key, res.body.decode(self.encoding), cls)
        return Resource(res.content_type, text.encode(self.encoding), res.modified, res.headers)

    def _article_keys(self) -> set[str]:
        """Route keys of article pages (every part), collected once."""
        if self._articles_seen is None:
            self._articles_seen = {path for article in self.articles for path in (article.path, *article.part_paths)}
        return self._articles_seen

    def body_parts(self, article: ArticleSpec) -> list[list[Block]]:
        """Body blocks of each part as served: the flavour's body, made heavier at real weight."""
        parts = self.article_body(article)
        return weights.weigh_body(self, article, parts) if self.weight == "real" else parts

    def resource(self, key: str) -> Resource:
        """Rendered resource of a route key (cached)."""
        self.routes()
        assert self._cache is not None
        return self._cache(key)

    def all_paths(self) -> list[str]:
        """Every static path served, sorted."""
        return sorted(self.routes())

    def respond(self, path_and_query: str, headers: dict[str, str] | None = None,
                method: str = "GET", body: bytes = b"") -> SamplePage:
        """Answer a request target the way the legacy server would."""
        lowered = {key.lower(): value for key, value in (headers or {}).items()}
        parts = urlsplit(path_and_query)
        path, query = parts.path or "/", parts.query
        page = self.dynamic(path, query, body.decode("utf-8", "replace") if body else "")
        if page is not None:
            return page
        if method == "POST":
            return self.error_page(405)
        key = self.canonical(path, query)
        routes = self.routes()
        if key not in routes and path.endswith("/") and path + "index.html" in routes and not query:
            key = path + "index.html"
        if key in routes:
            return self._answer(self.resource(key), lowered)
        if not query and not path.endswith("/") and path + "/index.html" in routes:
            return SamplePage(301, "text/html", b"", {"Location": path + "/"})
        return self.error_page(404)

    def _answer(self, res: Resource, headers: dict[str, str]) -> SamplePage:
        """200 or 304 with validators."""
        etag = etag_for(res.body)
        extra = {"ETag": etag, "Last-Modified": format_datetime(res.modified, usegmt=True),
                 "Server": self.server_header, **res.headers}
        if not_modified(headers, etag, res.modified):
            return SamplePage(304, None, b"", extra)
        return SamplePage(200, res.content_type, res.body, extra)

    def error_page(self, status: int) -> SamplePage:
        """A plain legacy error page."""
        title = {404: "404 Not Found", 405: "405 Method Not Allowed", 400: "400 Bad Request"}[status]
        text = f"<html><head><title>{title}</title></head><body><h1>{title}</h1><hr><p>{self.server_header}</p></body></html>"
        return SamplePage(status, "text/html", text.encode("ascii", "xmlcharrefreplace"),
                          {"Server": self.server_header})

    # -- truth ----------------------------------------------------------------------
    def truth(self, base_url: str) -> list[ArticleRecord]:
        """Expected extraction of every article, absolute URLs, sorted by url."""
        base = base_url.rstrip("/")
        records = [self.truth_record(article, base) for article in self.articles]
        return sorted(records, key=lambda record: record.url)

    def truth_record(self, article: ArticleSpec, base: str) -> ArticleRecord:
        """Expected extraction of one article."""
        parts = self.body_parts(article)
        texts = [body_text(blocks) for blocks in parts]
        header = article.header or {}
        return ArticleRecord(
            url=base + article.path, site=self.site_id, column_path=list(article.column.path),
            title=article.title, published=article.published_iso(), source=article.source,
            publisher=header.get("publisher"), index_no=header.get("index_no"), doc_no=header.get("doc_no") or None,
            written=header.get("written"), topic=header.get("topic"),
            body_text="\n".join(text for text in texts if text),
            attachments=[self._attachment_ref(spec, base) for spec in article.attachments],
            images=[base + spec.path for spec in article.images],
            spam_links=[url for blocks in parts for url in spam_urls(blocks)],
            part_urls=[base + path for path in article.part_paths],
        )

    def _attachment_ref(self, spec: FileSpec, base: str) -> AttachmentRef:
        """Truth reference of one attachment."""
        data = spec.data()
        return AttachmentRef(url=base + spec.path, name=spec.name.strip(), bytes=len(data),
                             sha256=hashlib.sha256(data).hexdigest())

    # -- helpers for the flavours -----------------------------------------------------
    def file_resource(self, spec: FileSpec) -> Resource:
        """Resource of a binary file."""
        return Resource(blobs.CONTENT_TYPES[spec.kind], spec.data(), spec.modified, dict(spec.headers))

    def html_resource(self, text: str, modified: datetime, content_type: str | None = None) -> Resource:
        """Resource of an HTML page in the site's encoding."""
        return Resource(content_type or self.html_content_type(), text.encode(self.encoding), modified)

    def robots(self) -> Resource:
        """robots.txt: allow all but the search endpoint."""
        text = "User-agent: *\nDisallow: /search/\n"
        return Resource("text/plain", text.encode("ascii"), datetime(2014, 1, 1, tzinfo=UTC))


@dataclass
class Fleet:
    """The sample legacy fleet."""

    sites: list[SampleSite]
    reference_date: date = date(2026, 11, 1)

    def site(self, site_id: str) -> SampleSite:
        """Site by id."""
        for site in self.sites:
            if site.site_id == site_id:
                return site
        raise KeyError(site_id)
