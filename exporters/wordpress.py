"""Push into a WordPress (Multisite) portal over the REST API, idempotently by source key.

Portal columns become categories (hierarchy kept), articles become posts, files become media. Legacy times are
Beijing time: a post's `date` is sent in the receiving site's zone (its `timezone_string`, else the option
`timezone`) with its offset, and `date_gmt` as the same instant in UTC. 信息公开 fields are post meta and a
metadata table at the top of the body; comments and pings are closed. Undated articles never reach this exporter
as "now": the push holds them (option `undated: hold`) or sends a date estimated from recorded evidence
(`undated: estimate`), marked in the meta `consolidate_date_estimated` and in the metadata table.
Every object created carries the meta `consolidate_source_key`, registered by the must-use plugin
exporters/wordpress_mu/consolidate-source-key.php, which the portal must have installed (copy it into
wp-content/mu-plugins/). The target, not the local push map, is the truth: `find` asks WordPress, and `delete`
only removes objects carrying our key.

In `subsite` mode each department sub-site of the config (`portal.subsites[].path`) is the WordPress sub-site
at that path under `url` (created through the mu-plugin when missing); content for the portal's own columns
goes to the site at `url`. In `main` mode everything goes to the site at `url`.
Authentication: an Application Password of `user`, read from the environment variable named by
`app_password_env`; the secret never appears in errors, logs or reprs.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import mimetypes
import re
import threading
import time
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import httpx
from pydantic import Field, field_validator

from consolidate.core.errors import ExporterError
from consolidate.core.legacy_time import LEGACY_ZONE_NAME, zone
from exporters import base
from exporters.common import (
    MAX_RETRY_AFTER,
    RetryingClient,
    TransientError,
    document_extension,
    document_name,
    error_text,
    metadata_rows,
    publish_instant,
    secret_from_env,
    url_path,
    utc_time,
)
from exporters.letters import wordpress_payload

log = logging.getLogger(__name__)

MU_PLUGIN = "exporters/wordpress_mu/consolidate-source-key.php"
KEY_META = "consolidate_source_key"
COLLECTIONS = {"category": "wp/v2/categories", "media": "wp/v2/media", "post": "wp/v2/posts",
               "letter": "wp/v2/consolidate_letters"}  # letter: the mu-plugin's post type consolidate_letter
KIND_OF_KEY = {"column": "category", "file": "media", "article": "post", "letter": "letter"}
LETTER_PLUGIN_VERSION = 3  # the plugin version that registers the consolidate_letter post type
POST_STATUSES = "publish,future,draft,pending,private"
ATTACHMENTS_START = "<!-- consolidate:attachments -->"
ATTACHMENTS_END = "<!-- /consolidate:attachments -->"
METADATA_START = '<table class="consolidate-metadata'  # the 信息公开 table opens the body (no comment markers:
METADATA_END = "</table>"  # wpautop would wrap them in an empty paragraph above the table)
PAYLOAD_VERSION = "wp3"  # bumped when the payload's form of posts or letters changes: the next push rewrites
# older ones (wp3: posts and letters carry a stable slug, so those pushed before move to it once; WordPress 301s
# their old slug; letters took it a round after posts, whose pushed hash already held wp3, so posts are not resent)
CLOSED = {"comment_status": "closed", "ping_status": "closed"}
MU_PLUGIN_VERSION = 2  # the plugin version that creates sub-sites with a language and a time zone
AUTH_CODES = ("incorrect_password", "invalid_username", "invalid_email", "rest_not_logged_in",
              "application_passwords_disabled")
SLUG_PREFIX = {"article": "art", "letter": "letter"}  # a slug's prefix where the legacy address has no number
LEGACY_ID = re.compile(r"(?<![0-9A-Za-z])[0-9]{1,20}(?![0-9A-Za-z])")  # an all-digit token of a legacy address


class MissingPasswordError(ExporterError):
    """The environment variable the config names for the Application Password is not set: bad input (exit 2)."""

    exit_code = 2


class WordPressOptions(base.ExporterOptions):
    """Options of the WordPress exporter (the password is given by environment variable name only)."""

    url: str = Field(pattern=r"^https?://")  # the network's base URL (main mode: the receiving site's)
    user: str
    app_password_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    subsite_mode: Literal["subsite", "main"] = "subsite"
    concurrency: int = Field(4, ge=1, le=64)
    timeout: float = Field(30.0, gt=0, le=600)
    verify_tls: bool = True
    retries: int = Field(4, ge=0, le=10)
    timezone: str = LEGACY_ZONE_NAME  # the portal's zone: new sub-sites get it; used where a site's is unreadable
    language: str = Field("zh_CN", pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$")  # WPLANG of the sub-sites created
    undated: Literal["hold", "estimate"] = "hold"  # articles without a publish date: held, or estimated dates

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        """An IANA zone name this machine knows."""
        zone(value)
        return value


@dataclass(frozen=True)
class _Site:
    """One WordPress site of the network: `key` is its path under the network ('.' for the site at url)."""

    key: str
    base: str

    @property
    def api(self) -> str:
        """The REST root of the site."""
        return self.base + "wp-json/"


class WordPressExporter(base.Exporter):
    """Columns → categories, files → media, articles → posts, in a WordPress (Multisite) portal."""

    name = "wordpress"
    options_model = WordPressOptions

    def __init__(self, options: WordPressOptions, context: Any) -> None:
        super().__init__(options, context)
        self.options: WordPressOptions = options
        self.base_url = options.url.rstrip("/") + "/"
        # Links are known once WordPress answers; dates are required (an undated post would show "now");
        # letters are posts of the type consolidate_letter.
        self.capabilities = base.Capabilities(concurrency=options.concurrency, undated=options.undated,
                                              payload_version=PAYLOAD_VERSION, letters=True, live=True)
        self.http: httpx.Client | None = None
        self._lock = threading.Lock()
        self._sites: dict[str, _Site] = {}
        self._zones: dict[str, tzinfo] = {}
        self._root = _Site(".", self.base_url)
        self._info: dict[str, Any] = {}

    def start(self) -> None:
        """Read the Application Password from the environment, connect, authenticate once and make sure the
        mu-plugin is there."""
        if self.http is not None:
            return
        options = self.options
        try:
            password = secret_from_env(options.app_password_env, f"Application Password of {options.user}")
        except ExporterError:
            raise MissingPasswordError(
                f"the environment variable {options.app_password_env} is not set: it holds the Application "
                f"Password of WordPress user {options.user!r} (export.options.app_password_env)",
                hint=f"export {options.app_password_env}=<Application Password> (WordPress: Users → Profile → "
                     "Application Passwords), or name another variable in export.options.app_password_env") from None
        self.http = httpx.Client(
            auth=httpx.BasicAuth(options.user, password), timeout=options.timeout,
            verify=options.verify_tls, follow_redirects=False,
            limits=httpx.Limits(max_connections=options.concurrency * 2,
                                max_keepalive_connections=options.concurrency),
            headers={"User-Agent": "consolidate/0.1 (government website consolidation)"})
        self._client = RetryingClient(self.http, options.retries, self._refused, f"WordPress at {self.base_url}")
        try:
            self._info = self._check_target()
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        """No secret in the repr: only where the password comes from."""
        return (f"WordPressExporter(url={self.base_url!r}, user={self.options.user!r}, "
                f"password from ${self.options.app_password_env})")

    @property
    def target(self) -> str:
        """Keyed by the network URL and mode."""
        suffix = "" if self.options.subsite_mode == "subsite" else "#main"
        return f"wordpress:{self.base_url}{suffix}"

    # -- the protocol -------------------------------------------------------------------------------------

    def put_column(self, column: base.ExportColumn, parent: base.TargetRef | None) -> base.TargetRef:
        """Create the category (parent kept), or adopt ours or an existing one of the same name."""
        site = self._site(column.subsite)
        parent_id = _object_id(parent.target_id) if parent is not None and parent.target_id else 0
        found = self._lookup(site, column.source_key)
        if found is not None:
            if html.unescape(found.get("name", "")) != column.name or found.get("parent") != parent_id:
                found = self._json("POST", f"{site.api}{COLLECTIONS['category']}/{found['id']}",
                                   json={"name": column.name, "parent": parent_id})
            return _ref(site, "category", found)
        same_name = self._term_named(site, column.name, parent_id)
        if same_name is not None:
            return self._adopt_term(site, column, same_name)
        payload = {"name": column.name, "slug": column.column_id, "parent": parent_id,
                   "meta": {KEY_META: column.source_key, "consolidate_column_id": column.column_id}}
        response = self._create(site, "category", column.source_key, json=payload, accept=(400,))
        if response.status_code == 400 and _code(response) == "duplicate_term_slug":
            payload.pop("slug")
            response = self._create(site, "category", column.source_key, json=payload, accept=(400,))
        if response.status_code == 400 and _code(response) == "term_exists":
            term_id = response.json()["data"]["term_id"]
            return self._adopt_term(site, column, {"id": term_id, "meta": {}})
        if response.status_code == 400:
            raise self._refused(response, f"create category {column.name!r}")
        return _ref(site, "category", response.json())

    def put_file(self, file: base.ExportFile) -> base.TargetRef:
        """Upload the file as media (keeping its Chinese name), or adopt the upload carrying its key."""
        site = self._site(file.subsite)
        found = self._lookup(site, file.source_key)
        if found is not None:
            return _ref(site, "media", found)
        try:
            data = file.blob_path.read_bytes()
        except OSError as exc:
            raise ExporterError(f"file {file.name!r} is missing from the blob store ({exc.strerror})",
                                hint="re-crawl the site to fetch it again") from None
        name = upload_name(file, data)
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        fields = {"title": name.rsplit(".", 1)[0], f"meta[{KEY_META}]": file.source_key,
                  "meta[consolidate_sha256]": file.sha256, "meta[consolidate_source_url]": file.source_url, **CLOSED}
        response = self._create(site, "media", file.source_key, files={"file": (name, data, mime)},
                                data=fields, accept=(400, 413, 500))
        if response.status_code >= 400:
            raise self._refused(response, f"upload {file.name!r}",
                                hint="allow the file type and size in Network Admin → Settings (upload file "
                                     f"types, max upload file size), or install {MU_PLUGIN}")
        return _ref(site, "media", response.json())

    def put_article(self, article: base.ExportArticle, column: base.TargetRef,
                    existing: base.TargetRef | None) -> base.TargetRef:
        """Create the post, or update `existing` (no write when the target already holds this version)."""
        if not column.target_id:
            raise ExporterError(f"column {article.column_id!r} of {article.title!r} is not in WordPress",
                                hint="the column failed to push; see the push errors above")
        site = self._site(article.subsite)
        if existing is not None and existing.target_id:
            current = self._get_object(existing.target_id)
            if current is not None and current.get("meta", {}).get(KEY_META) == article.source_key:
                target_site = self._site_for_key(existing.target_id.split("/", 1)[0])
                if current.get("meta", {}).get("consolidate_content_hash") == _stored_hash(article) \
                        and _in_category(current, column):
                    return _ref(target_site, "post", current)
                updated = self._json("POST", f"{target_site.api}{COLLECTIONS['post']}/{current['id']}",
                                     json=self._post_payload(article, column, target_site))
                return _ref(target_site, "post", updated)
        response = self._create(site, "post", article.source_key, json=self._post_payload(article, column, site))
        return _ref(site, "post", response.json())

    def put_letter(self, letter: Any, existing: base.TargetRef | None) -> base.TargetRef:
        """Create the consolidate_letter post (Q&A layout, fields as meta), or update the one carrying its key
        (no write when it already holds this version)."""
        if int(self._info.get("version") or 1) < LETTER_PLUGIN_VERSION:
            raise ExporterError(f"the portal's {MU_PLUGIN} is older than version {LETTER_PLUGIN_VERSION}: it has "
                                "no consolidate_letter post type", hint=f"copy {MU_PLUGIN} into wp-content/mu-plugins/")
        site = self._site(letter.subsite)
        current = self._get_object(existing.target_id) if existing is not None and existing.target_id else None
        if current is None or (current.get("meta") or {}).get(KEY_META) != letter.source_key:
            current, target_site = self._lookup(site, letter.source_key), site
        else:
            target_site = self._site_for_key(existing.target_id.split("/", 1)[0]) if existing else site
        if current is not None and (current.get("meta") or {}).get("consolidate_content_hash") == letter.content_hash:
            return _ref(target_site, "letter", current)
        payload = {**wordpress_payload(letter, self._zone(target_site), KEY_META),
                   "slug": post_slug(letter.source_key, letter.source_url)}
        if current is not None:
            updated = self._json("POST", f"{target_site.api}{COLLECTIONS['letter']}/{current['id']}", json=payload)
            return _ref(target_site, "letter", updated)
        return _ref(site, "letter", self._create(site, "letter", letter.source_key, json=payload).json())

    def find(self, source_key: str) -> base.TargetRef | None:
        """The object carrying this source key, asked of WordPress itself (the local map may be lost)."""
        if self.options.subsite_mode == "main":
            found = self._lookup(self._root, source_key)
            return _ref(self._root, KIND_OF_KEY[_key_kind(source_key)], found) if found else None
        objects = self._json("GET", f"{self.base_url}wp-json/consolidate/v1/objects",
                             params={"key": source_key, "network": 1})
        wanted = KIND_OF_KEY[_key_kind(source_key)]
        ours = {".", ""} | {s.path for s in self.context.portal.subsites}
        for obj in objects:
            # Only a site this config pushes into: the same key in another sub-site (another project, or a path
            # the config no longer names) is not this push's object, and adopting it would move the content there.
            if obj.get("kind") == wanted and (obj.get("site") or ".") in ours:
                site = self._site_for_key(obj.get("site") or ".")
                return base.TargetRef(f"{site.key}/{wanted}/{obj['id']}", str(obj.get("url") or ""))
        return None

    def delete(self, source_key: str, ref: base.TargetRef) -> None:
        """Force-delete an object, only when it carries this source key."""
        current = self._get_object(ref.target_id)
        if current is None:
            return
        if current.get("meta", {}).get(KEY_META) != source_key:
            raise ExporterError(f"{ref.target_id} does not carry the source key {source_key}: left in place",
                                hint="only objects this tool created are deleted")
        site_key, kind, object_id = _parse_target_id(ref.target_id)
        site = self._site_for_key(site_key)
        self._used(site)
        self._request("DELETE", f"{site.api}{COLLECTIONS[kind]}/{object_id}", params={"force": "true"},
                      accept=(404, 410))

    def read(self, source_key: str, ref: base.TargetRef) -> base.TargetSnapshot | None:
        """The post (or category, or media) as WordPress holds it now."""
        current = self._get_object(ref.target_id)
        if current is None:
            return None
        site_key, kind, _ = _parse_target_id(ref.target_id)
        site = self._site_for_key(site_key)
        meta = current.get("meta") or {}
        if kind == "category":
            return base.TargetSnapshot(title=html.unescape(current.get("name", "")), published=None,
                                       body_html="", column_ids=[meta.get("consolidate_column_id") or ""],
                                       attachments=[], url=current.get("link", ""))
        if kind == "media":
            name = current.get("source_url", "").rsplit("/", 1)[-1]
            return base.TargetSnapshot(
                title=_raw(current.get("title")), published=_utc(current.get("date_gmt")), body_html="",
                column_ids=[], url=current.get("source_url", ""),
                attachments=[self._download(name, current.get("source_url", ""))])
        listed = json.loads(meta.get("consolidate_attachments") or "[]")
        return base.TargetSnapshot(
            title=_raw(current.get("title")), published=_utc(current.get("date_gmt")),
            body_html=_strip_added_blocks(_raw(current.get("content"))),
            column_ids=self._column_ids(site, current.get("categories") or []),
            attachments=[self._download(a.get("name", ""), a.get("url", "")) for a in listed],
            url=current.get("link", ""))

    def close(self) -> None:
        """Release the HTTP connections."""
        if self.http is not None:
            self.http.close()
            self.http = None

    # -- sites --------------------------------------------------------------------------------------------

    def _check_target(self) -> dict[str, Any]:
        """Authenticate once and make sure the mu-plugin is there."""
        response = self._request("GET", f"{self.base_url}wp-json/consolidate/v1/info", accept=(404,))
        if response.status_code == 404:
            raise ExporterError(f"{self.base_url} has no consolidate mu-plugin (or is not a WordPress REST API)",
                                hint=f"copy {MU_PLUGIN} into the portal's wp-content/mu-plugins/, and check "
                                     "export.options.url")
        try:
            return response.json()
        except ValueError:
            raise ExporterError(f"{self.base_url} answered the REST API with something that is not JSON",
                                hint="check export.options.url (the WordPress network's base URL)") from None

    def home_url(self, subsite: str | None) -> str | None:
        """A config sub-site's WordPress sub-site home, once this run has used it (subsite mode: a push, or a
        rollback, which never removes a sub-site); else None."""
        if self.options.subsite_mode == "main" or subsite is None:
            return None
        with self._lock:
            site = self._sites.get(subsite)
        return site.base if site is not None else None

    def _used(self, site: _Site) -> None:
        """Note a config sub-site's WordPress sub-site this run worked in (a rollback too): home_url names it."""
        subsite = next((s for s in self.context.portal.subsites if s.path == site.key), None)
        if subsite is not None and self.options.subsite_mode == "subsite":
            with self._lock:
                self._sites.setdefault(subsite.id, site)

    def _site(self, subsite_id: str | None) -> _Site:
        """The site receiving a config sub-site's content (created when missing)."""
        if self.options.subsite_mode == "main" or subsite_id is None:
            return self._root
        with self._lock:
            if subsite_id not in self._sites:
                self._sites[subsite_id] = self._ensure_subsite(subsite_id)
            return self._sites[subsite_id]

    def _ensure_subsite(self, subsite_id: str) -> _Site:
        """The sub-site at the configured path: existing, or created through the mu-plugin."""
        subsite = next((s for s in self.context.portal.subsites if s.id == subsite_id), None)
        if subsite is None:
            raise ExporterError(f"sub-site {subsite_id!r} is not in portal.subsites of the config")
        if not self._info.get("multisite"):
            raise ExporterError(f"{self.base_url} is a single WordPress site, not a multisite network",
                                hint="set export.options.subsite_mode: main, or convert the portal to a network")
        if not self._info.get("is_network_root"):
            raise ExporterError(f"{self.base_url} is not the network's main site",
                                hint="give the network's base URL as export.options.url, or use subsite_mode: main")
        for site in self._info.get("sites", []):
            if site.get("path") == subsite.path:
                return _Site(subsite.path, _slash(site["url"]))
        if int(self._info.get("version") or 1) < MU_PLUGIN_VERSION:
            log.warning("the portal's %s is older than version %d: sub-site /%s/ is created without language %s "
                        "and time zone %s", MU_PLUGIN, MU_PLUGIN_VERSION, subsite.path, self.options.language,
                        self.options.timezone)
        response = self._request("POST", f"{self.base_url}wp-json/consolidate/v1/sites",
                                 json={"path": subsite.path, "title": subsite.name, "language": self.options.language,
                                       "timezone": self.options.timezone}, accept=(401, 403))
        if response.status_code in (401, 403):
            raise ExporterError(f"WordPress sub-site /{subsite.path}/ does not exist and user "
                                f"{self.options.user!r} may not create it",
                                hint=f"create it in Network Admin → Sites → Add New (path {subsite.path}), "
                                     "or push as a super admin")
        created = response.json()
        log.info("created WordPress sub-site /%s/", subsite.path)
        if created.get("language_installed") is False:
            log.warning("WordPress has no %s language pack: sub-site /%s/ shows English labels until it is "
                        "installed (Network Admin → Updates, or the wordpress-l10n package)", self.options.language,
                        subsite.path)
        self._info.setdefault("sites", []).append(created)
        return _Site(subsite.path, _slash(created["url"]))

    def _site_for_key(self, site_key: str) -> _Site:
        """The site named by the first part of a target id."""
        if site_key in (".", ""):
            return self._root
        with self._lock:  # reads, deletes and pushes run on several threads; _used and _site add sites
            known = list(self._sites.values())
        for site in known:
            if site.key == site_key:
                return site
        for site in self._info.get("sites", []):
            if site.get("path") == site_key:
                return _Site(site_key, _slash(site["url"]))
        return _Site(site_key, f"{self.base_url}{site_key}/")

    # -- objects ------------------------------------------------------------------------------------------

    def _lookup(self, site: _Site, source_key: str) -> dict[str, Any] | None:
        """The object of this site carrying the source key (checked on the object, not only the filter)."""
        kind = KIND_OF_KEY[_key_kind(source_key)]
        params: dict[str, Any] = {KEY_META: source_key, "context": "edit", "per_page": 10}
        if kind in ("post", "letter"):
            params["status"] = POST_STATUSES
        items = self._json("GET", site.api + COLLECTIONS[kind], params=params)
        return next((item for item in items if (item.get("meta") or {}).get(KEY_META) == source_key), None)

    def _get_object(self, target_id: str) -> dict[str, Any] | None:
        """An object by target id (None when gone)."""
        site_key, kind, object_id = _parse_target_id(target_id)
        site = self._site_for_key(site_key)
        response = self._request("GET", f"{site.api}{COLLECTIONS[kind]}/{object_id}", params={"context": "edit"},
                                 accept=(404, 410))
        return None if response.status_code in (404, 410) else response.json()

    def _term_named(self, site: _Site, name: str, parent_id: int) -> dict[str, Any] | None:
        """An existing category of this name under this parent (the office may have made it already)."""
        terms = self._json("GET", site.api + COLLECTIONS["category"],
                           params={"search": name, "parent": parent_id, "per_page": 100, "context": "edit"})
        return next((t for t in terms if html.unescape(t.get("name", "")) == name), None)

    def _adopt_term(self, site: _Site, column: base.ExportColumn, term: dict[str, Any]) -> base.TargetRef:
        """Use a category that already exists under this name; mark its column id (once), not our source key."""
        if (term.get("meta") or {}).get("consolidate_column_id") != column.column_id or "link" not in term:
            term = self._json("POST", f"{site.api}{COLLECTIONS['category']}/{term['id']}",
                              json={"meta": {"consolidate_column_id": column.column_id}})
            log.info("adopted existing category %r (%s) for column %s", column.name, term["id"], column.column_id)
        return _ref(site, "category", term)

    def _column_ids(self, site: _Site, term_ids: list[int]) -> list[str]:
        """Portal column ids of categories, from their term meta."""
        if not term_ids:
            return []
        terms = self._json("GET", site.api + COLLECTIONS["category"],
                           params={"include": ",".join(map(str, term_ids)), "context": "edit", "per_page": 100})
        return [(t.get("meta") or {}).get("consolidate_column_id") or "" for t in terms]

    def _download(self, name: str, url: str) -> tuple[str, str, int]:
        """(name, sha256, size) of a file as the target serves it."""
        response = self._request("GET", url, accept=(404, 410))
        if response.status_code >= 400:
            return (name, "", 0)
        return (name, hashlib.sha256(response.content).hexdigest(), len(response.content))

    def _post_payload(self, article: base.ExportArticle, column: base.TargetRef,
                      site: _Site) -> dict[str, Any]:
        """The REST body of a post: dated in the site's zone, comments closed, the metadata table on top."""
        listed = [{"name": a.get("name") or "", "url": a.get("url") or "", "source_url": a.get("source_url") or ""}
                  for a in article.attachments]
        body = _with_metadata(_with_attachments(article.body_html, listed), article)
        payload: dict[str, Any] = {
            "title": article.title, "content": body, "status": "publish", **CLOSED,
            "slug": post_slug(article.source_key, article.source_url),
            "categories": [int(_object_id(column.target_id))],
            "meta": {
                KEY_META: article.source_key, "consolidate_source_url": article.source_url,
                "consolidate_source": article.source or "", "consolidate_publisher": article.publisher or "",
                "consolidate_index_no": article.index_no or "", "consolidate_doc_no": article.doc_no or "",
                "consolidate_written": article.written or "", "consolidate_topic": article.topic or "",
                "consolidate_site_id": article.site_id, "consolidate_column_id": article.column_id,
                "consolidate_content_hash": _stored_hash(article),
                "consolidate_attachments": json.dumps(listed, ensure_ascii=False),
                "consolidate_date_estimated": article.date_estimated or "",
                "consolidate_validity": article.validity or "",
            },
        }
        payload.update(_post_dates(article, self._zone(site)))
        return payload

    def _zone(self, site: _Site) -> tzinfo:
        """The site's time zone: its `timezone_string` (REST settings), else the option `timezone`."""
        if site.key in self._zones:
            return self._zones[site.key]
        found: tzinfo | None = None
        response = self._request("GET", site.api + "wp/v2/settings", accept=(401, 403, 404))
        if response.status_code == 200:
            try:
                found = zone(str((response.json() or {}).get("timezone") or ""))
            except (ValueError, AttributeError):
                found = None  # a UTC offset, not a zone name: WordPress converts the offset-carrying date itself
        with self._lock:
            return self._zones.setdefault(site.key, found or zone(self.options.timezone))

    # -- HTTP ---------------------------------------------------------------------------------------------

    def _create(self, site: _Site, kind: str, source_key: str, accept: tuple[int, ...] = (),
                **kwargs: Any) -> httpx.Response:
        """POST a new object; before retrying a failed create, adopt it if it was created after all."""
        url = site.api + COLLECTIONS[kind]
        attempt = 0
        while True:
            try:
                return self._request("POST", url, retries=0, accept=accept, **kwargs)
            except TransientError as exc:
                if attempt >= self.options.retries:
                    raise ExporterError(exc.message, hint=exc.hint) from None
                found = self._lookup(site, source_key)
                if found is not None:
                    return httpx.Response(201, json=found)
                wait = min(exc.wait * 2 ** attempt, MAX_RETRY_AFTER)
                log.warning("retrying create of %s in %.1fs: %s", source_key, wait, exc.message)
                time.sleep(wait)
                attempt += 1

    def _json(self, method: str, url: str, **kwargs: Any) -> Any:
        """A request whose answer must be a JSON success."""
        response = self._request(method, url, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise ExporterError(f"WordPress answered {method} {url_path(url)} with something that is not JSON",
                                hint="check export.options.url and the portal's PHP error log") from None

    def _request(self, method: str, url: str, retries: int | None = None, accept: tuple[int, ...] = (),
                 **kwargs: Any) -> httpx.Response:
        """Send with backoff on 429/5xx (honouring Retry-After, exporters/common.py); refusals become
        ExporterErrors naming the fix."""
        return self._client.request(method, url, retries, accept, **kwargs)

    def _refused(self, response: httpx.Response, what: str, hint: str | None = None) -> ExporterError:
        """The ExporterError for a refusal; auth failures name the environment variable."""
        code = _code(response)
        env = self.options.app_password_env
        if response.status_code == 401 or code in AUTH_CODES:
            return ExporterError(
                f"WordPress at {self.base_url} refused the credentials of user {self.options.user!r} "
                f"(HTTP {response.status_code} {code or ''})".rstrip(),
                hint=f"put a valid Application Password of {self.options.user!r} in the environment variable "
                     f"{env} (WordPress: Users → Profile → Application Passwords)")
        message = error_text(response)
        if response.status_code == 403:
            return ExporterError(f"WordPress refused to {what}: {message}",
                                 hint=f"give user {self.options.user!r} the Editor role on the site "
                                      "(creating sub-sites needs a super admin)")
        return ExporterError(f"WordPress refused to {what}: HTTP {response.status_code} {code or ''} {message}",
                             hint=hint or "see the portal's PHP error log")


def upload_name(file: base.ExportFile, data: bytes) -> str:
    """The file's name with a real document extension, by the one naming policy (exporters/common.py) with the
    bytes as last witness: WordPress refuses a file whose type it cannot tell."""
    name = document_name(file.name, "", file.content_type, data)
    if document_extension(name) is None:
        raise ExporterError(f"cannot tell the type of attachment {file.name!r} ({file.source_url})",
                            hint="its name has no document extension and its content is ambiguous; "
                                 "rename it in the legacy site or upload it by hand")
    return name


def post_slug(source_key: str, source_url: str) -> str:
    """The slug of an article's post or a letter's, the same on any WordPress and after any rollback: the legacy
    address's id and 6 hex digits of its source key's hash ('383683-1f0c2a'), or, when the address has no id,
    'art-' (a letter: 'letter-') and 10."""
    digest = hashlib.sha256(source_key.encode("utf-8")).hexdigest()
    legacy_id = legacy_article_id(source_url)
    return f"{legacy_id}-{digest[:6]}" if legacy_id else f"{SLUG_PREFIX[_key_kind(source_key)]}-{digest[:10]}"


def legacy_article_id(url: str) -> str | None:
    """The article's number in its legacy address: a numeric query value (one named *id first), else the last
    all-digit token of the last path segment (art_1229_5678901.html, t20190312_123456.html, show.asp?id=210)."""
    parts = urlsplit(url)
    numbers = [(k.lower(), v) for k, v in parse_qsl(parts.query) if LEGACY_ID.fullmatch(v)]
    named = [v for k, v in numbers if k.endswith("id")]  # id=, aid=, contentid=, infoid= before page=, lang=
    if named or numbers:
        return (named or [v for _k, v in numbers])[-1]
    segment = next((s for s in reversed(parts.path.split("/")) if s), "")
    found = LEGACY_ID.findall(segment.rsplit(".", 1)[0] if "." in segment else segment)
    return found[-1] if found else None


def _ref(site: _Site, kind: str, obj: dict[str, Any]) -> base.TargetRef:
    """A TargetRef for a REST object of a site."""
    url = obj.get("source_url") if kind == "media" else obj.get("link")
    return base.TargetRef(target_id=f"{site.key}/{kind}/{obj['id']}", url=str(url or ""))


def _parse_target_id(target_id: str) -> tuple[str, str, str]:
    """(site key, kind, id) of a target id like 'jyj/post/12'."""
    parts = target_id.split("/")
    if len(parts) != 3 or parts[1] not in COLLECTIONS or not parts[2].isdigit():
        raise ExporterError(f"not a WordPress target id: {target_id!r}",
                            hint="the push map holds an id from another exporter; push again with this one")
    return parts[0], parts[1], parts[2]


def _object_id(target_id: str) -> int:
    """The numeric WordPress id of a target id."""
    return int(_parse_target_id(target_id)[2])


def _key_kind(source_key: str) -> str:
    """column | file | article | letter, from a source key."""
    kind = source_key.split(":", 1)[0]
    if kind not in KIND_OF_KEY:
        raise ExporterError(f"not a source key this tool makes: {source_key!r}")
    return kind


def _with_attachments(body: str, listed: list[dict[str, str]]) -> str:
    """The body plus a list of the attachments it does not already link to."""
    missing = [a for a in listed if a["url"] and a["url"] not in body]
    if not missing:
        return body
    items = "".join(f'<li><a href="{html.escape(a["url"])}">{html.escape(a["name"])}</a></li>' for a in missing)
    return f'{body}\n{ATTACHMENTS_START}<div class="attachments"><p>附件：</p><ul>{items}</ul></div>{ATTACHMENTS_END}'


def _strip_added_blocks(content: str) -> str:
    """The body without the metadata table and the attachment list this exporter added."""
    start = content.find(ATTACHMENTS_START)
    content = content if start < 0 else content[:start].rstrip("\n")
    if not content.startswith(METADATA_START):
        return content
    end = content.find(METADATA_END)
    return content if end < 0 else content[end + len(METADATA_END):].lstrip("\n")


def _post_dates(article: base.ExportArticle, site_zone: tzinfo) -> dict[str, str]:
    """`date` (the site's wall time, with its offset) and `date_gmt` of the legacy publish time (Beijing time)."""
    if not article.published:
        raise ExporterError(f"{article.title!r} has no publish date: WordPress would show it as published now",
                            hint="the push holds undated articles for review (export.options.undated: hold), "
                                 "or sends an estimated date (undated: estimate)")
    moment = publish_instant(article.published, article.title)
    return {"date": moment.astimezone(site_zone).isoformat(timespec="seconds"), "date_gmt": utc_time(moment)}


def _utc(date_gmt: str | None) -> str | None:
    """WordPress's `date_gmt` as an ISO instant (it carries no offset of its own)."""
    return f"{date_gmt}+00:00" if date_gmt else None


def _in_category(post: dict[str, Any], column: base.TargetRef) -> bool:
    """True when the post is filed under the column's category (one found again after its category was deleted,
    by a rollback say, sits in WordPress's default one: the same content is not enough to leave it)."""
    return int(_object_id(column.target_id)) in (post.get("categories") or [])


def _stored_hash(article: base.ExportArticle) -> str:
    """The content hash kept on the post: the article's, and the version of the payload's form."""
    return f"{article.content_hash}/{PAYLOAD_VERSION}"


def _with_metadata(body: str, article: base.ExportArticle) -> str:
    """The body with the 信息公开 metadata table on top (two label/value pairs a row, as the preview shows)."""
    rows = metadata_rows(article)
    if not rows:
        return body
    cells = ["".join(f'<th scope="row">{html.escape(label)}</th><td>{html.escape(value)}</td>'
                     for label, value in rows[i:i + 2]) for i in range(0, len(rows), 2)]
    table = (f'{METADATA_START} xxgk-meta"><tbody>' + "".join(f"<tr>{c}</tr>" for c in cells)
             + f"</tbody>{METADATA_END}")
    return f"{table}\n{body}"


def _raw(field: Any) -> str:
    """The raw text of a REST rendered/raw field."""
    if isinstance(field, dict):
        return str(field.get("raw", field.get("rendered", "")))
    return str(field or "")


def _code(response: httpx.Response) -> str | None:
    """WordPress's error code from a JSON error body."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


def _slash(url: str) -> str:
    """A URL with exactly one trailing slash."""
    return url.rstrip("/") + "/"
