"""migrations.yaml: pydantic models and a loader whose errors point at the file's line."""

from __future__ import annotations

import datetime as dt
import difflib
import ipaddress
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from consolidate.core.errors import ConfigError, ExporterError, ExporterOptionsError
from consolidate.core.registry import exporter_options

SITE_ID_PATTERN = r"^[a-z][a-z0-9_-]{0,39}$"
HOST_PORT = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,252})(:[0-9]{1,5})?")
SECRET_KEY_WORDS = ("password", "secret", "token", "apikey", "api_key")
MAX_CONFIG_BYTES = 4 * 1024 * 1024  # a 500-site migrations.yaml is ~0.5 MB
MAX_NESTING = 64  # mappings and lists inside each other
MAX_VALUES = 200_000  # values once YAML aliases are expanded (a "billion laughs" stops here)
MAX_NUMBER_DIGITS = 30
# In a value that is a URL: user:password@, or a secret-looking query parameter (?password=…, &token=…)
_URL_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^/\s:@?#]*:[^/\s@?#]*@|[^\s]*[?&;](?:password|passwd|pwd|"
                              r"secret|token|access_token|api_?key)=[^&#\s])", re.I)
PATTERN_KEYS = ("include", "exclude", "name_regex", "url_regex")  # regular expressions, not URLs
ArticleField = Literal["title", "doc_no", "index_no", "publisher", "source", "topic", "body_text"]


class StrictModel(BaseModel):
    """Base for every config section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Deadlines(StrictModel):
    """Programme or per-site deadlines (YYYY-MM-DD); any may be left out."""

    retention_application: dt.date | None = None
    migration: dt.date | None = None
    shutdown_application: dt.date | None = None
    notice_start: dt.date | None = None
    identifiers_cancelled: dt.date | None = None


class Programme(StrictModel):
    """The consolidation programme as a whole."""

    name: str
    office: str
    retention_cap: float = Field(0.10, ge=0, le=1)
    notice_period_days: int = Field(30, ge=30)
    deadlines: Deadlines = Deadlines()
    holidays: list[dt.date] = []  # public holidays, skipped in working-day arithmetic
    hit_threshold: int = Field(10, ge=1)  # legacy URLs with this many logged hits must have a disposition


class PortalColumn(StrictModel):
    """One column (栏目) of the portal's target tree."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str
    aliases: list[str] = []
    kind: Literal["news", "notice", "policy", "interpretation", "guide", "personnel", "plan", "other"] = "other"
    children: list[PortalColumn] = []


@dataclass
class ColumnPlace:
    """A portal column with its place in the tree: the names down to it, its parent, its sub-site."""

    column: PortalColumn
    names: list[str]  # column names from the top of its tree down to it
    parent_id: str | None
    subsite: str | None
    subsite_name: str | None
    ancestors: tuple[str, ...] = ()  # ids of the columns above it, top first


def walk_columns(columns: list[PortalColumn], subsite: str | None = None, subsite_name: str | None = None,
                 above: ColumnPlace | None = None) -> Iterator[ColumnPlace]:
    """Depth-first walk of a column tree, parents before their children: the one walk of the portal tree."""
    for column in columns:
        names = [*above.names, column.name] if above else [column.name]
        ancestors = (*above.ancestors, above.column.id) if above else ()
        place = ColumnPlace(column, names, above.column.id if above else None, subsite, subsite_name, ancestors)
        yield place
        yield from walk_columns(column.children, subsite, subsite_name, place)


class SubSite(StrictModel):
    """A department sub-site (子站) of the portal, with its own reduced column set."""

    id: str = Field(pattern=SITE_ID_PATTERN)
    name: str
    path: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    columns: list[PortalColumn] = []


class Portal(StrictModel):
    """The central portal (网站群) that receives the content."""

    name: str
    base_url: str = Field(pattern=r"^https?://")
    columns: list[PortalColumn]
    subsites: list[SubSite] = []
    interaction_url: str | None = Field(None, pattern=r"^https?://")  # the unified 互动交流 platform: old letter pages go there

    def walk(self) -> Iterator[ColumnPlace]:
        """Every column of the portal's tree, then of each sub-site's, parents before their children."""
        yield from walk_columns(self.columns)
        for sub in self.subsites:
            yield from walk_columns(sub.columns, sub.id, sub.name)

    def index(self) -> dict[str, ColumnPlace]:
        """Every portal and sub-site column by id, with its place in the tree."""
        return {place.column.id: place for place in self.walk()}


class Contact(StrictModel):
    """The department's contact for the migration."""

    name: str
    phone: str | None = None
    email: str | None = None


class CrawlSettings(StrictModel):
    """How politely and how far to crawl; per-site `crawl:` entries override these."""

    user_agent: str = "consolidate/0.1 (+government website consolidation; contact the city office)"
    rate_per_host: float = Field(1.0, gt=0, le=1000)
    concurrency_per_host: int = Field(2, ge=1, le=64)
    concurrency: int = Field(32, ge=1, le=1024)
    timeout: float = Field(20.0, gt=0, le=600)
    retries: int = Field(3, ge=0, le=10)
    max_pages: int = Field(100_000, ge=1, le=1_000_000_000)
    max_depth: int = Field(30, ge=0, le=10_000)
    max_bytes: int = Field(50 * 1024 * 1024, ge=1024, le=64 * 1024**3)
    obey_robots: bool = True
    include: list[str] = []
    exclude: list[str] = []
    resolve: dict[str, str] = {}  # host[:port] -> address[:port], as curl's --resolve / --connect-to
    start_urls: list[str] = []  # crawled beside the home page (sections nothing links to)
    _workspace: WorkspaceSettings | None = PrivateAttr(None)  # set by Config.crawl_settings
    _siblings: tuple[str, ...] = PrivateAttr(())  # the other sites' home URLs and aliases (Config.crawl_settings)

    @field_validator("user_agent")
    @classmethod
    def _ascii_user_agent(cls, value: str) -> str:
        """HTTP headers are ASCII: a user agent with other characters cannot be sent."""
        return _check_user_agent(value)

    @field_validator("include", "exclude")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        """Reject scope patterns that are not valid regular expressions."""
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression {pattern!r}: {exc}") from exc
        return patterns

    @field_validator("resolve")
    @classmethod
    def _resolve_pairs(cls, pairs: dict[str, str]) -> dict[str, str]:
        """Each pin maps a host name (optionally :port) to an IP address (optionally :port)."""
        return _check_resolve(pairs)

    @field_validator("start_urls")
    @classmethod
    def _start_urls_http(cls, urls: list[str]) -> list[str]:
        """Start URLs are absolute http(s) URLs."""
        return _check_start_urls(urls)


class CrawlOverrides(StrictModel):
    """Per-site crawl settings; anything left out comes from the top-level `crawl:`."""

    user_agent: str | None = None
    rate_per_host: float | None = Field(None, gt=0, le=1000)
    concurrency_per_host: int | None = Field(None, ge=1, le=64)
    timeout: float | None = Field(None, gt=0, le=600)
    retries: int | None = Field(None, ge=0, le=10)
    max_pages: int | None = Field(None, ge=1, le=1_000_000_000)
    max_depth: int | None = Field(None, ge=0, le=10_000)
    max_bytes: int | None = Field(None, ge=1024, le=64 * 1024**3)
    obey_robots: bool | None = None
    include: list[str] | None = None
    exclude: list[str] | None = None
    resolve: dict[str, str] | None = None
    start_urls: list[str] | None = None

    @field_validator("user_agent")
    @classmethod
    def _ascii_user_agent(cls, value: str | None) -> str | None:
        """HTTP headers are ASCII: a user agent with other characters cannot be sent."""
        return None if value is None else _check_user_agent(value)

    @field_validator("resolve")
    @classmethod
    def _resolve_pairs(cls, pairs: dict[str, str] | None) -> dict[str, str] | None:
        """Each pin maps a host name (optionally :port) to an IP address (optionally :port)."""
        return None if pairs is None else _check_resolve(pairs)

    @field_validator("start_urls")
    @classmethod
    def _start_urls_http(cls, urls: list[str] | None) -> list[str] | None:
        """Start URLs are absolute http(s) URLs."""
        return None if urls is None else _check_start_urls(urls)


def _check_resolve(pairs: dict[str, str]) -> dict[str, str]:
    """Reject pins whose key is not host[:port] or whose value is not an IP address[:port]."""
    for host, address in pairs.items():
        if not HOST_PORT.fullmatch(host):
            raise ValueError(f"resolve key {host!r} is not a host name (www.example.gov.cn or www.example.gov.cn:8080)")
        try:
            split_address(address)
        except ValueError:
            raise ValueError(f"resolve value {address!r} for {host} is not an IP address "
                             "(10.1.2.3, 10.1.2.3:8080 or [::1]:8080)") from None
    return pairs


def split_address(address: str) -> tuple[str, int | None]:
    """(IP address, port or None) of '1.2.3.4', '1.2.3.4:80', '::1' or '[::1]:80'; ValueError otherwise."""
    host, port = address, None
    if address.startswith("["):
        host, _, rest = address[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") else None
    elif address.count(":") == 1:
        host, _, port_text = address.partition(":")
        port = int(port_text)
    ipaddress.ip_address(host)
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"port {port} out of range")
    return host, port


def _check_start_urls(urls: list[str]) -> list[str]:
    """Reject start URLs that are not absolute http(s) URLs."""
    for url in urls:
        if not re.match(r"^https?://[^/\s]+", url):
            raise ValueError(f"start URL {url!r} is not an absolute http(s) URL")
    return urls


def _check_user_agent(value: str) -> str:
    """Reject user agents that are not printable ASCII."""
    if not value.isascii() or not value.isprintable():
        raise ValueError("user_agent must be printable ASCII (HTTP headers cannot carry Chinese text); "
                         "write the office's name in pinyin or English")
    return value


class MappingRule(StrictModel):
    """An explicit column decision: match a legacy column by path, name or regex."""

    path: str | None = None
    name: str | None = None
    name_regex: str | None = None
    url_regex: str | None = None
    decision: Literal["migrate", "drop"] = "migrate"
    target: str | None = None
    reason: str | None = None

    @model_validator(mode="after")
    def _one_matcher_and_target(self) -> MappingRule:
        """Exactly one matcher; a target exactly when migrating."""
        matchers = [m for m in (self.path, self.name, self.name_regex, self.url_regex) if m]
        if len(matchers) != 1:
            raise ValueError("give exactly one of path, name, name_regex, url_regex")
        for pattern in (self.name_regex, self.url_regex):
            if pattern:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"not a valid regular expression {pattern!r}: {exc}") from exc
        if self.decision == "migrate" and not self.target:
            raise ValueError("a migrate rule needs a target column id")
        if self.decision == "drop" and self.target:
            raise ValueError("a drop rule takes no target")
        return self


class RoutingRule(StrictModel):
    """Send matching articles to a portal column: `routing:` in migrations.yaml (top level or per site)."""

    name: str = Field(description="A short label shown as the routing reason.")
    title_regex: str | None = None
    has_field: ArticleField | None = None  # the article has a non-empty value in this field (e.g. doc_no)
    target: str | None = None  # a portal column id …
    target_kind: str | None = None  # … or the site's column of this kind (e.g. policy) …
    target_name_regex: str | None = None  # … or the site's column whose name matches (e.g. 招标|采购)
    only_migrated: bool = True  # never bring back articles of a dropped or unmapped column

    @field_validator("title_regex", "target_name_regex")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        """Patterns must be valid regular expressions."""
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression {pattern!r}: {exc}") from exc
        return pattern

    @model_validator(mode="after")
    def _one_condition_one_target(self) -> RoutingRule:
        """At least one condition, and exactly one way to name the target."""
        if not (self.title_regex or self.has_field):
            raise ValueError("give title_regex and/or has_field")
        if sum(1 for t in (self.target, self.target_kind, self.target_name_regex) if t) != 1:
            raise ValueError("give exactly one of target, target_kind, target_name_regex")
        return self


DEFAULT_ROUTING: tuple[RoutingRule, ...] = (
    RoutingRule(name="招标采购信息进采购栏目", title_regex=r"招标|采购|中标|成交(结果)?公告|比选|询价",
                target_name_regex=r"招标|采购|招投标|公共资源交易"),
    RoutingRule(name="有发文字号的文件进政策文件", has_field="doc_no", target_kind="policy"),
)


class AuditSettings(BaseModel):
    """Thresholds of the audit (`audit:` in migrations.yaml); defaults are the national ones."""

    model_config = ConfigDict(extra="forbid")

    stale_days: dict[str, int] = Field(default_factory=lambda: {
        "news": 14, "notice": 183, "policy": 183, "interpretation": 183, "personnel": 365, "plan": 365})
    homepage_days: int = Field(14, ge=1)
    empty_veto: int = Field(5, ge=1)  # ≥ this many empty columns fail the site
    stale_veto: int = Field(5, ge=1)  # ≥ this many stale news/notice/policy columns fail the site
    script_hosts: list[str] = Field(default_factory=lambda: [
        "hm.baidu.com", "pucha.kaipuyun.cn", "zfwzgl.www.gov.cn", "api.map.baidu.com", "s4.cnzz.com"])


class SiteTarget(StrictModel):
    """Where a site's content goes: a department sub-site, or columns of the main portal."""

    subsite: str | None = None
    column: str | None = None


class Site(StrictModel):
    """One legacy site, with the inventory fields the office keeps."""

    id: str = Field(pattern=SITE_ID_PATTERN)
    name: str  # 网站名称
    site_code: str | None = None  # 网站标识码
    home_url: str = Field(pattern=r"^https?://")
    aliases: list[str] = []
    organiser: str  # 主办单位
    supervisor: str | None = None  # 主管单位
    icp: str | None = None  # ICP备案号
    psb: str | None = None  # 公安机关备案号
    badge: str | None = None  # 党政机关网站标识
    contact: Contact | None = None
    disposition: Literal["migrate", "merge", "retain", "close"]
    target: SiteTarget = SiteTarget()
    deadlines: Deadlines = Deadlines()
    crawl: CrawlOverrides = CrawlOverrides()
    mapping: list[MappingRule] = []
    routing: list[RoutingRule] = []  # applied before the programme's routing rules

    @field_validator("site_code")
    @classmethod
    def _site_code_shape(cls, code: str | None) -> str | None:
        """网站标识码: 10 digits, or `bm` + 8 digits (validated loosely)."""
        if code is not None and not re.fullmatch(r"(\d{10}|bm\d{8})", code):
            raise ValueError("网站标识码 should be 10 digits (e.g. 3310820001) or bm + 8 digits")
        return code


class ExportSettings(StrictModel):
    """Which exporter receives the content, and its options (secrets by env-var name only)."""

    exporter: str = "static"
    options: dict[str, Any] = {}

    @model_validator(mode="after")
    def _exporter_and_options_valid(self) -> ExportSettings:
        """The exporter exists and takes these options (checked when the config loads, not at push time)."""
        try:
            exporter_options(self.exporter, self.options)  # the model found through the registry, no import edge
        except ExporterError as exc:
            where = "options" if isinstance(exc, ExporterOptionsError) else "exporter"
            raise ValueError(f"export.{where}: {exc.message.removeprefix('export.options.')}; {exc.hint}") from None
        return self

    @field_validator("options")
    @classmethod
    def _no_inline_secrets(cls, options: dict[str, Any]) -> dict[str, Any]:
        """Secrets are given as the name of an environment variable (`…_env`), never inline."""
        for key in options:
            lowered = key.lower()
            if any(word in lowered for word in SECRET_KEY_WORDS) and not lowered.endswith("_env"):
                raise ValueError(
                    f"option {key!r} looks like a secret: give the name of an environment variable "
                    f"instead, as {key}_env: MY_VAR"
                )
        return options


class WorkspaceSettings(StrictModel):
    """Where the workspace's files go: the local folder (default) or `s3://bucket/prefix`; the endpoint, region
    and credentials are read from environment variables these options NAME (never given inline)."""

    storage: str | None = None
    endpoint_env: str = "CONSOLIDATE_S3_ENDPOINT"
    region_env: str = "CONSOLIDATE_S3_REGION"
    access_key_env: str = "AWS_ACCESS_KEY_ID"
    secret_key_env: str = "AWS_SECRET_ACCESS_KEY"
    segment_records: int = Field(1000, ge=1, le=1_000_000)  # a WARC segment is uploaded when it holds this many
    segment_mb: int = Field(256, ge=1, le=64 * 1024)  # … or this many megabytes

    @field_validator("storage")
    @classmethod
    def _storage_url(cls, value: str | None) -> str | None:
        """s3://bucket[/prefix], or nothing for the local workspace folder."""
        if value and not re.fullmatch(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/[^\s]*)?", value):
            raise ValueError(f"{value!r} is not s3://bucket/prefix (leave it out for the local workspace folder)")
        return value or None


class Config(StrictModel):
    """The whole of migrations.yaml."""

    programme: Programme
    portal: Portal
    crawl: CrawlSettings = CrawlSettings()
    export: ExportSettings = Field(default_factory=ExportSettings)  # no exporter is loaded at import
    mapping_threshold: float = Field(0.85, ge=0, le=1)  # suggestions below this are left for review
    # a live column with articles and no standard function: kept as a 特色栏目 under 专题专栏, or left for review
    special_columns: Literal["keep", "review"] = "keep"
    routing: list[RoutingRule] = Field(default_factory=lambda: list(DEFAULT_ROUTING))
    audit: AuditSettings = AuditSettings()
    workspace: WorkspaceSettings = WorkspaceSettings()
    sites: list[Site] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> Config:
        """Site and sub-site ids unique; every target sub-site and column exists."""
        seen: dict[str, int] = {}
        for index, site in enumerate(self.sites):
            if site.id in seen:
                raise ValueError(f"sites[{index}].id: duplicate site id {site.id!r} (also sites[{seen[site.id]}].id)")
            seen[site.id] = index
        _no_duplicate_subsites(self.portal.subsites)
        column_ids = self._column_ids()
        subsite_ids = {sub.id for sub in self.portal.subsites}
        for index, site in enumerate(self.sites):
            target = site.target
            if target.subsite and target.column:
                raise ValueError(f"sites[{index}].target: both subsite {target.subsite!r} and column "
                                 f"{target.column!r}; a site's content goes to one place: a sub-site "
                                 f"({{subsite: {target.subsite}}}) or a column of the main portal "
                                 f"({{column: {target.column}}}), not both")
            if target.subsite and target.subsite not in subsite_ids:
                raise ValueError(f"sites[{index}].target.subsite: no sub-site {target.subsite!r} in portal.subsites")
            if target.column and target.column not in column_ids:
                raise ValueError(f"sites[{index}].target.column: no column {target.column!r} in the portal tree")
            for rule_index, rule in enumerate(site.mapping):
                if rule.target and rule.target not in column_ids:
                    raise ValueError(
                        f"sites[{index}].mapping[{rule_index}].target: no column {rule.target!r} in the portal tree"
                    )
            for rule_index, routing in enumerate(site.routing):
                if routing.target and routing.target not in column_ids:
                    raise ValueError(f"sites[{index}].routing[{rule_index}].target: no column {routing.target!r} "
                                     "in the portal tree")
        for rule_index, routing in enumerate(self.routing):
            if routing.target and routing.target not in column_ids:
                raise ValueError(f"routing[{rule_index}].target: no column {routing.target!r} in the portal tree")
        return self

    def _column_ids(self) -> set[str]:
        """Every column id of the portal and its sub-sites; duplicates are an error."""
        ids: set[str] = set()
        for column in self.all_columns():
            if column.id in ids:
                raise ValueError(f"portal: duplicate column id {column.id!r}")
            ids.add(column.id)
        return ids

    def all_columns(self) -> Iterator[PortalColumn]:
        """Every column of the portal's and sub-sites' trees, parents first."""
        return (place.column for place in self.portal.walk())

    def site(self, site_id: str) -> Site:
        """The site with this id (KeyError when absent)."""
        for site in self.sites:
            if site.id == site_id:
                return site
        raise KeyError(site_id)

    def site_for_url(self, url: str) -> Site | None:
        """The configured site a URL belongs to: its home page's host and port, or one of its aliases (an alias
        without a port matches any port); two sites on one server by address are told apart by port."""
        wanted = _host_port(url)
        for site in self.sites:
            for name in (site.home_url, *site.aliases):
                host, port = _host_port(name if "://" in name else f"//{name}")
                if host and host == wanted[0] and (port is None or port == wanted[1]):
                    return site
        return None

    def crawl_settings(self, site: Site) -> CrawlSettings:
        """Top-level crawl settings with the site's overrides applied."""
        overrides = site.crawl.model_dump(exclude_none=True)
        settings = self.crawl.model_copy(update=overrides)
        settings._workspace = self.workspace  # where the crawl's archives and blobs go (not a crawl: option)
        settings._siblings = self.sibling_hosts(site)
        return settings

    def sibling_hosts(self, site: Site) -> tuple[str, ...]:
        """The home URLs and aliases of the other configured sites: a file there is theirs, not this site's, even
        on this site's host name at another port."""
        return tuple(name for other in self.sites if other.id != site.id for name in (other.home_url, *other.aliases))


def _host_port(url: str) -> tuple[str, int | None]:
    """(lower-case host, port: the URL's, its scheme's default, or None when neither says)."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port or default
    except ValueError:  # a port that is no number
        port = default
    return (parts.hostname or "").lower(), port


def _no_duplicate_subsites(subsites: list[SubSite]) -> None:
    """Sub-site ids and paths are unique (a second `jyj` would silently receive the first one's content)."""
    ids: dict[str, int] = {}
    paths: dict[str, int] = {}
    for index, sub in enumerate(subsites):
        if sub.id in ids:
            raise ValueError(f"portal.subsites[{index}].id: duplicate sub-site id {sub.id!r} "
                             f"(also portal.subsites[{ids[sub.id]}].id)")
        if sub.path in paths:
            raise ValueError(f"portal.subsites[{index}].path: duplicate sub-site path {sub.path!r} "
                             f"(also portal.subsites[{paths[sub.path]}].path)")
        ids[sub.id] = paths[sub.path] = index


class LoadedConfig(BaseModel):
    """A validated config and where it came from."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: Path
    config: Config

    @property
    def workspace(self) -> Path:
        """The `.consolidate/` folder beside migrations.yaml (state, archives, outputs)."""
        return self.path.parent / ".consolidate"


def load_config(path: str | os.PathLike[str]) -> LoadedConfig:
    """Read and validate migrations.yaml; raise ConfigError naming file:line and field."""
    file = Path(path)
    try:
        if file.is_file() and file.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{file}:1: the file is {file.stat().st_size:,} bytes, more than the "
                              f"{MAX_CONFIG_BYTES:,} a migrations.yaml may have",
                              hint="check this is the right file; split a huge fleet into several configs")
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such file", hint="run `consolidate init` to write an example") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}", hint="save the file as UTF-8") from None
    return LoadedConfig(path=file.resolve(), config=parse_config(text, str(file)))


def parse_config(text: str, filename: str = "migrations.yaml") -> Config:
    """Validate YAML text as a Config; errors carry filename:line."""
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{filename}:1: the file has {len(text):,} characters, more than the "
                          f"{MAX_CONFIG_BYTES:,} a migrations.yaml may have",
                          hint="check this is the right file; split a huge fleet into several configs")
    _check_shape(text, filename)
    tree = _parse_yaml(text, filename)
    if not isinstance(tree, dict):
        raise ConfigError(f"{filename}:1: the file must be a mapping with programme, portal and sites",
                          hint="start from `consolidate init`")
    plain = _plain(tree, [0], filename)
    _no_url_credentials(plain, tree, filename)
    try:
        return Config.model_validate(plain)
    except ValidationError as exc:
        raise _config_error(exc, tree, filename) from None


def _check_shape(text: str, filename: str) -> None:
    """Refuse, before anything is built, YAML nested too deep or with absurdly long numbers (one pass of events)."""
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent, ScalarEvent

    depth = 0
    try:
        for event in YAML(typ="rt").parse(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    raise ConfigError(f"{filename}:{event.start_mark.line + 1}: YAML nested more than "
                                      f"{MAX_NESTING} levels deep",
                                      hint="a migrations.yaml needs a handful of levels; check the brackets")
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
            elif (isinstance(event, ScalarEvent) and event.style is None and len(event.value) > MAX_NUMBER_DIGITS
                  and re.fullmatch(r"[-+]?[0-9_.eE]+", event.value)):
                raise ConfigError(f"{filename}:{event.start_mark.line + 1}: a number of {len(event.value):,} "
                                  "digits", hint="give a sensible number (or quote the value if it is text)")
    except YAMLError:
        return  # _parse_yaml reports syntax errors with their line


def _parse_yaml(text: str, filename: str) -> Any:
    """Parse YAML keeping line numbers; syntax errors become ConfigError."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    # Dates stay text so that pydantic validates them and a bad one is reported at its line.
    yaml.constructor.add_constructor("tag:yaml.org,2002:timestamp", _scalar_text)
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        if "duplicate key" in str(exc):
            problem = "duplicate key " + str(exc).split('found duplicate key "', 1)[-1].split('"', 1)[0]
        raise ConfigError(f"{filename}:{line}: YAML syntax: {problem}",
                          hint="check indentation and quoting near that line") from None
    except YAMLError as exc:
        raise ConfigError(f"{filename}:1: YAML syntax: {exc}", hint="check the file is valid YAML") from None
    except (ValueError, RecursionError) as exc:  # a value ruamel cannot build (an absurd number, say)
        raise ConfigError(f"{filename}:1: YAML value: {str(exc)[:200]}", hint="check the values of the file") from None


def _scalar_text(constructor: Any, node: Any) -> str:
    """Construct a YAML scalar as its plain text."""
    return str(node.value)


def _plain(node: Any, count: list[int], filename: str) -> Any:
    """Turn ruamel's commented containers into plain dicts and lists, counting values against MAX_VALUES (aliases
    are expanded here: a "billion laughs" document stops at the cap instead of filling memory)."""
    count[0] += 1
    if count[0] > MAX_VALUES:
        raise ConfigError(f"{filename}:1: the YAML expands to more than {MAX_VALUES:,} values (YAML aliases repeated "
                          "inside each other?)", hint="write the values out, or use fewer nested &anchors/*aliases")
    if isinstance(node, dict):
        return {str(key): _plain(value, count, filename) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item, count, filename) for item in node]
    return node


def _no_url_credentials(plain: Any, tree: Any, filename: str) -> None:
    """Refuse a URL with user:password@ or ?password= anywhere in the config: it would be printed and logged."""
    stack: list[tuple[list[str | int], Any]] = [([], plain)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((loc + [key], item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((loc + [index], item) for index, item in enumerate(value))
        elif isinstance(value, str) and _URL_CREDENTIALS.match(value) and not set(PATTERN_KEYS) & set(map(str, loc)):
            raise ConfigError(f"{filename}:{_line_of(tree, loc)}: {_format_loc(loc)}: a URL with a password or "
                              "token in it", hint="put the secret in an environment variable and name it with the "
                                                  "`_env` form of the option (e.g. password_env: WP_PASSWORD)")


def _config_error(exc: ValidationError, tree: Any, filename: str) -> ConfigError:
    """The first validation error as one line: file:line: field: problem."""
    errors = exc.errors()
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])  # a misspelt key first
    loc = [part for part in error["loc"] if not isinstance(part, str) or not part.startswith("function-")]
    message = error["msg"].removeprefix("Value error, ")
    explicit = re.match(r"^([\w\[\].]+): (.*)$", message)
    if explicit:
        loc = _parse_loc(explicit.group(1))
        message = explicit.group(2)
    line = _line_of(tree, loc)
    field = _format_loc(loc) or "(top level)"
    hint = _duplicate_hint(message, tree) or _hint_for(error["type"], loc)
    if error["type"] == "extra_forbidden":
        hint = _did_you_mean(loc, errors) or hint
    return ConfigError(f"{filename}:{line}: {field}: {message}", hint=hint)


_DUPLICATE = re.compile(r"^duplicate (?P<what>[\w -]+?) \S+ \(also (?P<other>[\w\[\].]+)\)$")


def _duplicate_hint(message: str, tree: Any) -> str | None:
    """For a value that must be unique ('duplicate site id 'fgw' (also sites[0].id)'): say so and name the line
    of the other one."""
    match = _DUPLICATE.match(message)
    if match is None:
        return None
    other = match.group("other")
    return f"{match.group('what')}s must be unique: rename one of them (the other is {other}, line " \
           f"{_line_of(tree, _parse_loc(other))})"


def _parse_loc(text: str) -> list[str | int]:
    """'sites[1].target.column' → ['sites', 1, 'target', 'column']."""
    loc: list[str | int] = []
    for name, index in re.findall(r"([A-Za-z_]\w*)|\[(\d+)\]", text):
        loc.append(int(index) if index else name)
    return loc


def _format_loc(loc: list[str | int]) -> str:
    """['sites', 1, 'id'] → 'sites[1].id'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _line_of(tree: Any, loc: list[str | int]) -> int:
    """The 1-based line of the deepest part of `loc` that exists in the YAML tree."""
    node, line = tree, 1
    for part in loc:
        found = _child_line(node, part)
        if found is None:
            break
        line, node = found
    return line


def _child_line(node: Any, part: str | int) -> tuple[int, Any] | None:
    """Line and value of one key or index of a ruamel node."""
    if isinstance(node, dict) and isinstance(part, str) and part in node:
        return node.lc.key(part)[0] + 1, node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node.lc.item(part)[0] + 1, node[part]
    return None


def _did_you_mean(loc: list[str | int], errors: list[Any]) -> str | None:
    """For a misspelt key, the key of the same section it probably meant: a missing required one first, else any
    field of that section's model (`target: {colum: …}` → 'column')."""
    missing = [str(e["loc"][-1]) for e in errors if e["type"] == "missing" and list(e["loc"][:-1]) == loc[:-1]]
    model = _model_at(loc[:-1])
    fields = list(model.model_fields) if model is not None else []
    close = difflib.get_close_matches(str(loc[-1]), missing, n=1) or \
        difflib.get_close_matches(str(loc[-1]), fields, n=1)
    return f"did you mean {close[0]!r}?" if close else None


def _model_at(loc: list[str | int]) -> type[BaseModel] | None:
    """The model of the config section at a location (['sites', 0, 'target'] → SiteTarget), None when it is not
    one (a free-form mapping, or a place the config does not have)."""
    model: type[BaseModel] = Config
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        inner = _model_in(info.annotation) if info is not None else None
        if inner is None:
            return None
        model = inner
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, directly, in a list or optional (list[Site] → Site), else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for m in map(_model_in, get_args(annotation)) if m is not None), None)


ID_RULES = {  # what an id may be, by the model it names (the hint of an id the pattern refuses)
    "Site": "a site id is a lower-case letter, then up to 39 lower-case letters, digits, '-' or '_' (no spaces, "
            "no capitals, no Chinese), e.g. fgw, zjgztb or jyj-2",
    "SubSite": "a sub-site id is a lower-case letter, then up to 39 lower-case letters, digits, '-' or '_' (no "
               "spaces, no capitals), e.g. fgw",
    "PortalColumn": "a column id is letters, digits, '.', '-' or '_' (no spaces, no Chinese), e.g. zwdt or tzgg",
}


def _hint_for(error_type: str, loc: list[str | int]) -> str:
    """A short suggestion for the most common mistakes."""
    if error_type == "extra_forbidden":
        return "remove or rename that key; `consolidate init` writes an example with every valid key"
    if error_type == "missing":
        return "add the missing field (see the config reference in README.md)"
    if loc and loc[-1] == "target" and error_type in ("dict_type", "model_type"):
        return "write the target as a mapping: target: {subsite: <id in portal.subsites>} or " \
               "target: {column: <id in portal.columns>}"
    if loc and loc[-1] == "id" and error_type == "string_pattern_mismatch":
        return ID_RULES.get(getattr(_model_at(loc[:-1]), "__name__", ""), ID_RULES["Site"])
    if loc and loc[-1] == "target" and error_type == "value_error":
        return "keep one: target: {subsite: <id in portal.subsites>} or target: {column: <id in portal.columns>}"
    if loc and loc[-1] in {"target", "subsite", "column"}:
        return "ids must match an entry of portal.columns / portal.subsites"
    return "fix the value (see the config reference in README.md)"
