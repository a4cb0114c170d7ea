"""Exporter zero: the consolidated portal as a browsable static site, for the office to review before go-live."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from selectolax.lexbor import LexborHTMLParser

from consolidate.core.legacy_time import display_time
from exporters import base
from exporters import letters as letter_pages
from exporters.common import (
    Journal,
    ProcessLock,
    copy_atomic,
    metadata_rows,
    served_file_name,
    write_if_changed,
)
from exporters.manifest_index import (
    DiskSection,
    ScratchIndex,
    manifest_chunks,
    read_manifest,
    write_chunks_if_changed,
)

MANIFEST = "_manifest.json"
JOURNAL = "_manifest.journal"  # changes since the manifest was last saved: survives a killed push
SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")
SECTIONS = ("columns", "files", "articles", "letters")
ON_DISK = ("files", "articles")  # sections that grow with the content: in a scratch index on disk, not in memory
LATEST = 30  # articles on a home page


class StaticPreviewOptions(base.ExporterOptions):
    """Options of the static preview."""

    dir: str | None = None  # default: <workspace>/preview
    base_url: str | None = None  # default: portal.base_url — the preview mirrors the portal's URLs


class StaticPreviewExporter(base.Exporter):
    """Writes the portal's column tree and every migrated article as plain HTML files."""

    name = "static"
    options_model = StaticPreviewOptions
    # Paths are a function of the source key; letters become 互动交流 pages: hudong/<site>/ (exporters/letters.py).
    capabilities = base.Capabilities(planned_urls=True, letters=True, browsable_folder=True)

    def __init__(self, options: StaticPreviewOptions, context: Any) -> None:
        super().__init__(options, context)
        self.root = context.output_path(options.dir, "preview")
        self.base_url = (options.base_url or context.portal.base_url).rstrip("/") + "/"
        self.journal = Journal(self.root / JOURNAL)
        self._lock = ProcessLock(self.root / ".lock")  # one writer at a time: others wait their turn
        self.manifest: dict[str, Any] = {}  # section → key → entry (dicts, or DiskSection for ON_DISK)
        self.index: ScratchIndex | None = None
        self.env = Environment(autoescape=select_autoescape(["html"]), keep_trailing_newline=True)
        self.env.filters["display_time"] = display_time  # '2026-08-02 13:09', as the portal shows times

    def start(self) -> None:
        """Create the folder, wait for the lock (one writer at a time), load the manifest and the templates."""
        if self._lock.held:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock.acquire()
        self.manifest = self._load_manifest()
        self.env.loader = PackageLoader("exporters", "templates")

    @property
    def target(self) -> str:
        """Keyed by the output folder."""
        return f"static:{self.root.resolve()}"

    def planned_url(self, kind: str, source_key: str, **facts: Any) -> str | None:
        """Paths are a pure function of the source key, so URLs are known before pushing."""
        return self.base_url + self._relative_path(kind, source_key, **facts)

    def _relative_path(self, kind: str, source_key: str, **facts: Any) -> str:
        """Where an object is written, relative to the preview root."""
        section = facts.get("subsite") or "portal"
        if kind == "column":
            return f"{section}/{facts['column_id']}/index.html"
        if kind == "file":
            name, _neutralised = served_file_name(SAFE_NAME.sub("_", facts.get("name") or "file").strip("_"))
            return f"files/{facts['sha256'][:2]}/{facts['sha256'][:16]}/{name}"
        slug = hashlib.sha1(source_key.encode()).hexdigest()[:12]
        return f"{section}/{facts['column_id']}/{slug}.html"

    def put_column(self, column: base.ExportColumn, parent: base.TargetRef | None) -> base.TargetRef:
        """Record the column; its page is rendered in finish()."""
        path = self._relative_path("column", column.source_key, column_id=column.column_id, subsite=column.subsite)
        self._set("columns", column.source_key, {
            "column_id": column.column_id, "name": column.name, "path": path, "names": column.path,
            "parent": column.parent_key, "subsite": column.subsite, "subsite_name": column.subsite_name,
        })
        return base.TargetRef(target_id=path, url=self.base_url + path)

    def put_file(self, file: base.ExportFile) -> base.TargetRef:
        """Copy the blob into files/ (once per content hash and name); a type that may carry script or server
        code is written under a neutral `.bin` name (served as a download) and noted as a finding."""
        path = self._relative_path("file", file.source_key, sha256=file.sha256, name=file.name)
        target = self.root / path
        if not target.exists() or target.stat().st_size != file.size:
            copy_atomic(file.blob_path, target)
        if served_file_name(SAFE_NAME.sub("_", file.name or "file").strip("_"))[1]:
            self.findings.append(base.Finding(
                "warning", "active_content_renamed", f"attachment {file.name!r} is served as "
                f"{path.rsplit('/', 1)[-1]!r}: its type may carry script or server code", file.source_url))
        self._set("files", file.source_key, {"path": path, "name": file.name, "size": file.size})
        return base.TargetRef(target_id=path, url=self.base_url + path)

    def put_article(self, article: base.ExportArticle, column: base.TargetRef,
                    existing: base.TargetRef | None) -> base.TargetRef:
        """Render the article page."""
        path = self._relative_path("article", article.source_key, column_id=article.column_id,
                                   subsite=article.subsite)
        column_info = self.manifest["columns"].get(article.column_key, {})
        html = self.env.get_template("article.html").render(
            a=article, portal=self.context.portal, programme=self.context.programme_name,
            root=_root_prefix(path), column=_Obj(column_info), column_path=column_info.get("path", ""),
            meta=metadata_rows(article), body=self._localise(article.body_html, path),
        )
        html = self._localise(html, path)
        write_if_changed(self.root / path, html)
        if existing is not None and existing.target_id and existing.target_id != path:
            (self.root / existing.target_id).unlink(missing_ok=True)  # the article moved to another column
        self._set("articles", article.source_key, {
            "path": path, "title": article.title, "published": article.published, "column": article.column_key,
            "site_name": article.site_name,
        })
        return base.TargetRef(target_id=path, url=self.base_url + path)

    def put_letter(self, letter: Any, existing: base.TargetRef | None) -> base.TargetRef:
        """Render an interaction record's page in the Q&A layout."""
        return letter_pages.put_static(self, letter)

    def find(self, source_key: str) -> base.TargetRef | None:
        """An object already written for this key (the manifest on disk is the target's truth)."""
        for section in ("articles", "files", "columns", "letters"):
            entry = self.manifest[section].get(source_key)
            if entry is None:
                continue
            if section == "columns" or (self.root / entry["path"]).exists():
                return base.TargetRef(target_id=entry["path"], url=self.base_url + entry["path"])
        return None

    def read(self, source_key: str, ref: base.TargetRef) -> base.TargetSnapshot | None:
        """An article as its page on disk shows it: title, date, body (portal URLs again), column, files."""
        entry = self.manifest["articles"].get(source_key)
        page = self.root / (entry["path"] if entry else ref.target_id)
        if not page.is_file():
            return None
        tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
        prefix = _root_prefix(page.relative_to(self.root).as_posix())
        body = tree.css_first("div.body")
        time_node = tree.css_first("p.info time")
        attachments = []
        for link in tree.css("div.files a[href]"):
            target = (page.parent / (link.attributes.get("href") or "")).resolve()
            data = target.read_bytes() if target.is_file() else b""
            attachments.append((link.text(strip=True), hashlib.sha256(data).hexdigest() if data else "", len(data)))
        column = self.manifest["columns"].get((entry or {}).get("column", ""), {})
        body_html = body.inner_html if body is not None else ""
        if prefix:
            body_html = re.sub(r'((?:href|src)=")' + re.escape(prefix), lambda m: m.group(1) + self.base_url,
                               body_html)
        title = tree.css_first("h1")
        return base.TargetSnapshot(
            title=title.text() if title is not None else "", body_html=body_html,
            published=(time_node.attributes.get("datetime") or None) if time_node is not None else None,
            column_ids=[column["column_id"]] if column else [], attachments=attachments,
            url=self.base_url + page.relative_to(self.root).as_posix())

    def delete(self, source_key: str, ref: base.TargetRef) -> None:
        """Remove an article page, file or column entry this tool wrote."""
        for section in ("articles", "files", "columns", "letters"):
            entry = self.manifest[section].get(source_key)
            if entry is not None:
                self._set(section, source_key, None)
            if entry or ref.target_id.startswith(section):  # a column's page too: no empty 暂无信息 page is left
                (self.root / (entry["path"] if entry else ref.target_id)).unlink(missing_ok=True)
            if section == "columns" and entry and entry["subsite"] and entry["subsite"] not in self._subsites():
                (self.root / entry["subsite"] / "index.html").unlink(missing_ok=True)  # its last column went

    @property
    def articles(self) -> DiskSection:
        """The manifest's articles (on disk)."""
        return self.manifest["articles"]

    def finish(self) -> None:
        """Render the home page and every column page from the manifest; save the manifest."""
        for key, column in self.manifest["columns"].items():
            self._render_column(key, column)
        letter_pages.render_static_indexes(self)
        self._render_home()
        for subsite in self._subsites():
            self._render_home(subsite)
        self._save_manifest()

    def home_url(self, subsite: str | None) -> str | None:
        """A sub-site's home page in the preview (rendered at finish), once it holds a column; else None."""
        return self.base_url + f"{subsite}/index.html" if subsite in self._subsites() else None

    def _subsites(self) -> set[str]:
        """The sub-sites the preview holds columns of (not started, as for a dry run: those of the manifest on
        disk, read without the lock; nothing is written)."""
        if not self.manifest:
            self.manifest = self._load_manifest()
        return {c["subsite"] for c in self.manifest["columns"].values() if c["subsite"]}

    def _render_column(self, key: str, column: dict[str, Any]) -> None:
        """One column page listing its articles, newest first, compared and written as it renders: a column that
        takes the articles of many merged sites is never held whole (every page is rendered at every finish)."""
        children = [c for c in self.manifest["columns"].values() if c["parent"] == key]
        view = _Obj({**column, "path": column["names"]})
        template = self.env.get_template("column.html")
        write_chunks_if_changed(self.root / column["path"], lambda: template.generate(
            column=view, articles=self.articles.listing(key),  # newest first, read from disk as it renders
            children=children, portal=self.context.portal, programme=self.context.programme_name,
            root=_root_prefix(column["path"])), sync=False)

    def _render_home(self, subsite: str | None = None) -> None:
        """The preview's front page (the column tree and the latest articles), or one sub-site's home page (its
        columns and articles only: where the department's legacy home page now redirects)."""
        columns = None if subsite is None else [k for k, c in self.manifest["columns"].items()
                                                  if c.get("subsite") == subsite]
        latest = self.articles.latest(columns, LATEST)
        path = f"{subsite}/index.html" if subsite else "index.html"
        root = _root_prefix(path)
        html = self.env.get_template("home.html").render(
            portal=self.context.portal, programme=self.context.programme_name, root=root,
            tree_html=self._tree_html(subsite, root), latest=latest,
            letters=[] if subsite else letter_pages.static_site_links(self))
        write_if_changed(self.root / path, html)

    def _tree_html(self, only: str | None = None, root: str = "") -> str:
        """Nested lists of columns with article counts, per sub-site (only one when `only` is given)."""
        counts = self.articles.counts()
        columns = self.manifest["columns"]

        def item(key: str, column: dict[str, Any]) -> str:
            return f'<li><a href="{root}{column["path"]}">{_escape(column["name"])}</a> ({counts.get(key, 0)})' \
                   f'{branch(key)}</li>'

        def branch(parent: str | None) -> str:
            items = [item(k, c) for k, c in sorted(columns.items()) if c["parent"] == parent]
            return f"<ul>{''.join(items)}</ul>" if items else ""

        sections = []
        for subsite in sorted({c["subsite"] or "" for c in columns.values()} if only is None else {only}):
            roots = {k: c for k, c in columns.items() if (c["subsite"] or "") == subsite and c["parent"] is None}
            title = next((c["subsite_name"] for c in roots.values() if c["subsite_name"]), None) or "门户栏目"
            items = "".join(item(k, c) for k, c in sorted(roots.items()))
            sections.append(f"<h3>{_escape(title)}</h3><ul>{items}</ul>")
        return "".join(sections)

    def _localise(self, html: str, page_path: str) -> str:
        """Turn absolute portal URLs into paths relative to the page, so the preview browses from disk."""
        return html.replace(self.base_url, _root_prefix(page_path))

    def _load_manifest(self) -> dict[str, Any]:
        """The manifest of what the preview holds, with the journal of a push that was killed replayed; its
        articles and files are read an entry at a time into the scratch index, never held in memory."""
        if self.index is not None:
            self.index.close()
        self.index = ScratchIndex()
        manifest: dict[str, Any] = {s: DiskSection(self.index, s) if s in ON_DISK else {} for s in SECTIONS}
        path = self.root / MANIFEST
        if path.exists():
            for name, section in read_manifest(path):
                if name not in manifest:  # a section this version does not know is dropped, as before
                    for _entry in section if isinstance(section, Iterator) else ():
                        pass
                    continue
                if not isinstance(section, Iterator):
                    raise ValueError(f"{path}: section {name!r} is not an object")
                if name in ON_DISK:
                    manifest[name].put_many(section)
                else:
                    manifest[name].update(section)
        self.journal.replay(manifest)
        return manifest

    def _set(self, section: str, key: str, entry: dict[str, Any] | None) -> None:
        """Change the manifest, journaling the change first so a killed push loses nothing."""
        self.journal.change(self.manifest[section], section, key, entry)

    def _save_manifest(self) -> None:
        """Write the manifest and drop the journal it now contains."""
        write_chunks_if_changed(self.root / MANIFEST, lambda: manifest_chunks(self.manifest))
        self.journal.clear()

    def close(self) -> None:
        """Persist the manifest even when finish() was not reached, and let the next writer in."""
        if self._lock.held:
            self._save_manifest()
            self._lock.close()
        if self.index is not None:
            self.index.close()
            self.index = None


class _Obj(dict):
    """Dict with attribute access, for templates."""

    __getattr__ = dict.get


def _root_prefix(page_path: str) -> str:
    """'../' repeated to climb from a page back to the preview root."""
    return "../" * page_path.count("/")


def _escape(text: str) -> str:
    """HTML-escape text for hand-built markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
