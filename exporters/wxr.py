"""One WordPress eXtended RSS (WXR 1.2) file of the consolidated content, for the WordPress importer.

Categories keep their parents (nicename = portal column id), posts carry post_date/post_date_gmt = the
original publish date and postmeta with the source key and the 信息公开 fields, files are attachment items
whose attachment_url is `<files_base_url><sha256[:2]>/<sha256>/<name>`; the bytes are copied to `files/`
next to the WXR file, to be served at files_base_url while the importer runs. Ids are stable across runs
(kept in `<file>.state.json`); the file is rewritten only when its content changes. Every change is journaled
(`<file>.journal`) before a put returns, so a killed push loses nothing: the next run replays it and writes the
file. `read()` (verify) parses the WXR file itself, so it reports what an import would really get.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, unquote

from consolidate.core.errors import ExporterError
from consolidate.core.legacy_time import legacy_instant
from exporters import base
from exporters.common import (
    Journal,
    ProcessLock,
    copy_atomic,
    publish_instant,
    served_file_name,
    utc_time,
    write_if_changed,
)

NS = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
META_FIELDS = ("source", "publisher", "index_no", "doc_no", "written", "topic", "validity")


class WxrOptions(base.ExporterOptions):
    """Options of the WXR export."""

    file: str | None = None  # default: <workspace>/export.wxr.xml
    files_base_url: str | None = None  # default: <portal.base_url>consolidate-files/


class WxrExporter(base.Exporter):
    """Writes categories, attachments and posts into one WXR 1.2 file."""

    name = "wxr"
    options_model = WxrOptions
    capabilities = base.Capabilities(planned_urls=True)  # post links are ?p=<stable id>

    def __init__(self, options: WxrOptions, context: Any) -> None:
        super().__init__(options, context)
        self.path = context.output_path(options.file, "export.wxr.xml")
        self.site_url = context.portal.base_url.rstrip("/") + "/"
        self.files_base_url = options.files_base_url or f"{self.site_url}consolidate-files/"
        self.state_path = self.path.with_name(self.path.name + ".state.json")
        self.journal = Journal(self.path.with_name(self.path.name + ".journal"))
        self._lock = ProcessLock(self.path.with_name(f".{self.path.name}.lock"))  # one writer at a time
        self.state: dict[str, Any] = {"ids": {}, "objects": {}}
        self._parsed: tuple[tuple[int, int], dict[str, ET.Element]] | None = None
        self._planned: dict[str, Any] | None = None  # the ids a dry run plans with (never written)

    def start(self) -> None:
        """Create the folder, wait for the lock (one writer at a time), load the ids and replay the journal."""
        if self._lock.held:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExporterError(f"cannot create {self.path.parent}: {exc.strerror}",
                                hint="set export.options.file to a writable path") from None
        self._lock.acquire()
        self.state = self._load_state()
        self.journal.replay(self.state)

    @property
    def target(self) -> str:
        """Keyed by the output file."""
        return f"wxr:{self.path.resolve()}"

    def planned_url(self, kind: str, source_key: str, **facts: Any) -> str | None:
        """Post links are ?p=<id> of the stable id; file URLs follow from the hash and name."""
        if kind == "article":
            return f"{self.site_url}?p={self._id(source_key) if self._lock.held else self._planned_id(source_key)}"
        return None

    def _planned_id(self, source_key: str) -> int:
        """The id a push would give a key, asked without start() (a dry run): the stored ids read (a killed
        push's journal replayed in memory), new ones assigned in memory only: nothing is written."""
        if self._planned is None:
            self._planned = self._load_state()
            self.journal.replay(self._planned)
        ids = self._planned["ids"]
        return ids.setdefault(source_key, max(ids.values(), default=0) + 1)

    def put_column(self, column: base.ExportColumn, parent: base.TargetRef | None) -> base.TargetRef:
        """Record the category (parent by nicename)."""
        term_id = self._id(column.source_key)
        self._set(column.source_key, {
            "kind": "category", "id": term_id, "nicename": column.column_id, "name": column.name,
            "parent": self.state["objects"].get(column.parent_key or "", {}).get("nicename", ""),
            "subsite": column.subsite})
        return base.TargetRef(target_id=str(term_id), url=f"{self.site_url}?cat={term_id}")

    def put_file(self, file: base.ExportFile) -> base.TargetRef:
        """Copy the bytes beside the WXR file (under a safe, served name) and record an attachment item."""
        name, neutralised = served_file_name(file.name)
        relative = f"{file.sha256[:2]}/{file.sha256}/{name}"
        target = self.path.parent / "files" / relative
        if not target.exists() or target.stat().st_size != file.size:
            if not file.blob_path.exists():
                raise ExporterError(f"file {file.name!r} is missing from the blob store",
                                    hint="re-crawl the site to fetch it again")
            copy_atomic(file.blob_path, target)
        if neutralised:
            self.findings.append(base.Finding(
                "warning", "active_content_renamed", f"attachment {file.name!r} is served as {name!r}: its type "
                "may carry script or server code", file.source_url))
        url = self.files_base_url + quote(relative)
        self._set(file.source_key, {
            "kind": "attachment", "id": self._id(file.source_key), "name": file.name, "url": url,
            "sha256": file.sha256, "source_url": file.source_url})
        return base.TargetRef(target_id=str(self.state["objects"][file.source_key]["id"]), url=url)

    def put_article(self, article: base.ExportArticle, column: base.TargetRef,
                    existing: base.TargetRef | None) -> base.TargetRef:
        """Record the post with its dates, category and metadata."""
        post_id = self._id(article.source_key)
        category = self.state["objects"].get(article.column_key, {})
        self._set(article.source_key, {
            "kind": "post", "id": post_id, "title": article.title, "date": _wall_time(article.published, article.title),
            "body": article.body_html, "category": category.get("nicename", article.column_id),
            "category_name": category.get("name", article.column_id), "source_url": article.source_url,
            "content_hash": article.content_hash, "subsite": article.subsite,
            "meta": {f"consolidate_{f}": getattr(article, f) or "" for f in META_FIELDS},
            "attachments": [{"name": a.get("name"), "url": a.get("url")} for a in article.attachments]})
        return base.TargetRef(target_id=str(post_id), url=f"{self.site_url}?p={post_id}")

    def find(self, source_key: str) -> base.TargetRef | None:
        """An object already in the export."""
        entry = self.state["objects"].get(source_key)
        if entry is None:
            return None
        url = entry.get("url") or f"{self.site_url}?p={entry['id']}"
        return base.TargetRef(target_id=str(entry["id"]), url=url)

    def delete(self, source_key: str, ref: base.TargetRef) -> None:
        """Leave an object out of the export."""
        if source_key in self.state["objects"]:
            self._set(source_key, None)

    def read(self, source_key: str, ref: base.TargetRef) -> base.TargetSnapshot | None:
        """A post (or attachment) as the WXR file on disk holds it, its files hashed from the bytes beside it."""
        item = self._items().get(source_key)
        if item is None:
            return None
        meta = _meta(item)
        if item.findtext(_wp("post_type")) == "attachment":
            url = item.findtext(_wp("attachment_url")) or ""
            return base.TargetSnapshot(title=item.findtext("title") or "", published=None, body_html="",
                                       column_ids=[], url=url,
                                       attachments=[self._file_facts(item.findtext("title") or "", url)])
        try:
            listed = json.loads(meta.get("consolidate_attachments") or "[]")
        except ValueError:
            listed = []
        return base.TargetSnapshot(
            title=item.findtext("title") or "", published=_gmt_instant(item.findtext(_wp("post_date_gmt"))),
            body_html=item.findtext(f"{{{NS['content']}}}encoded") or "",
            column_ids=[c.get("nicename") or "" for c in item.findall("category")],
            attachments=[self._file_facts(a.get("name") or "", a.get("url") or "") for a in listed
                         if isinstance(a, dict)],
            url=item.findtext("link") or "")

    def finish(self) -> None:
        """Write the WXR file (only when it changed) and the id state."""
        write_if_changed(self.path, self._document(), sync=True)
        self._save_state()

    def close(self) -> None:
        """Persist the ids and objects recorded so far, and let the next writer in."""
        if self._lock.held:
            self._save_state()
            self._lock.close()

    def _save_state(self) -> None:
        """Write the state file and drop the journal it now contains."""
        write_if_changed(self.state_path, json.dumps(self.state, ensure_ascii=False, sort_keys=True, indent=1),
                         sync=True)
        self.journal.clear()

    def _set(self, source_key: str, entry: dict[str, Any] | None) -> None:
        """Change an object, journaling the change first so a killed push loses nothing."""
        self.journal.change(self.state["objects"], "objects", source_key, entry)

    def _items(self) -> dict[str, ET.Element]:
        """The items of the WXR file on disk by source key (parsed again when the file changed)."""
        stat = self.path.stat() if self.path.exists() else None
        stamp = (stat.st_mtime_ns, stat.st_size) if stat else (0, 0)
        if self._parsed is None or self._parsed[0] != stamp:
            items: dict[str, ET.Element] = {}
            if stat is not None:
                try:
                    channel = ET.parse(self.path).getroot().find("channel")
                except ET.ParseError as exc:
                    raise ExporterError(f"{self.path} is not well-formed XML ({exc})",
                                        hint="push again to rewrite it") from None
                for item in channel.findall("item") if channel is not None else []:
                    key = _meta(item).get("consolidate_source_key")
                    if key:
                        items[key] = item
            self._parsed = (stamp, items)
        return self._parsed[1]

    def _file_facts(self, name: str, url: str) -> tuple[str, str, int]:
        """(name, sha256, size) of the bytes an attachment URL points at beside the WXR file ('' and 0 if none)."""
        if not url.startswith(self.files_base_url):
            return (name, "", 0)
        files = (self.path.parent / "files").resolve()
        path = (files / unquote(url[len(self.files_base_url):])).resolve()
        if not path.is_relative_to(files) or not path.is_file():
            return (name, "", 0)
        data = path.read_bytes()
        return (name, hashlib.sha256(data).hexdigest(), len(data))

    def _id(self, source_key: str) -> int:
        """A stable numeric id for a source key (assigned once, kept in the state file)."""
        ids = self.state["ids"]
        if source_key not in ids:
            ids[source_key] = max(ids.values(), default=0) + 1
            self.journal.append("ids", source_key, ids[source_key])
        return ids[source_key]

    def _load_state(self) -> dict[str, Any]:
        """Ids and objects of earlier runs."""
        if not self.state_path.exists():
            return {"ids": {}, "objects": {}}
        try:
            return json.loads(self.state_path.read_text(encoding="utf-8"))
        except ValueError:
            raise ExporterError(f"{self.state_path} is damaged",
                                hint="delete it and the WXR file, then push again") from None

    def _document(self) -> str:
        """The WXR XML."""
        for prefix, uri in NS.items():
            ET.register_namespace(prefix, uri)
        rss = ET.Element("rss", {"version": "2.0"})
        channel = ET.SubElement(rss, "channel")
        _text(channel, "title", self.context.portal.name)
        _text(channel, "link", self.site_url)
        _text(channel, "description", self.context.programme_name)
        _text(channel, "language", "zh-CN")
        _text(channel, _wp("wxr_version"), "1.2")
        _text(channel, _wp("base_site_url"), self.site_url)
        _text(channel, _wp("base_blog_url"), self.site_url)
        objects = sorted(self.state["objects"].items(), key=lambda kv: kv[1]["id"])
        for _key, obj in _parents_first([o for o in objects if o[1]["kind"] == "category"]):
            _category(channel, obj)
        for key, obj in objects:
            if obj["kind"] == "attachment":
                self._attachment_item(channel, key, obj)
        for key, obj in objects:
            if obj["kind"] == "post":
                self._post_item(channel, key, obj)
        ET.indent(rss, space=" ")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"

    def _post_item(self, channel: ET.Element, key: str, obj: dict[str, Any]) -> None:
        """One post item."""
        item = _item(channel, obj["id"], obj["title"], f"{self.site_url}?p={obj['id']}", obj["date"], "post",
                     "publish")
        _text(item, f"{{{NS['content']}}}encoded", obj["body"])
        category = ET.SubElement(item, "category", {"domain": "category", "nicename": obj["category"]})
        category.text = obj["category_name"]
        meta = {"consolidate_source_key": key, "consolidate_source_url": obj["source_url"],
                "consolidate_content_hash": obj["content_hash"], "consolidate_subsite": obj["subsite"] or "",
                "consolidate_attachments": json.dumps(obj["attachments"], ensure_ascii=False), **obj["meta"]}
        _postmeta(item, meta)

    def _attachment_item(self, channel: ET.Element, key: str, obj: dict[str, Any]) -> None:
        """One attachment item, fetched by the importer from attachment_url."""
        item = _item(channel, obj["id"], obj["name"], obj["url"], None, "attachment", "inherit")
        _text(item, _wp("attachment_url"), obj["url"])
        _postmeta(item, {"consolidate_source_key": key, "consolidate_sha256": obj["sha256"],
                         "consolidate_source_url": obj["source_url"]})


def _wp(tag: str) -> str:
    """A tag in the wp: namespace."""
    return f"{{{NS['wp']}}}{tag}"


def _text(parent: ET.Element, tag: str, text: Any) -> ET.Element:
    """A child element with text."""
    element = ET.SubElement(parent, tag)
    element.text = "" if text is None else str(text)
    return element


def _item(channel: ET.Element, post_id: int, title: str, link: str, date: str | None, post_type: str,
          status: str) -> ET.Element:
    """The fields every WXR item has."""
    item = ET.SubElement(channel, "item")
    _text(item, "title", title)
    _text(item, "link", link)
    _text(item, "guid", link).set("isPermaLink", "false")
    moment = legacy_instant(date)
    if moment is not None:
        _text(item, "pubDate", format_datetime(moment))
    _text(item, f"{{{NS['dc']}}}creator", "consolidate")
    _text(item, f"{{{NS['excerpt']}}}encoded", "")
    gmt = utc_time(moment, " ") if moment is not None else ""
    for tag, value in (("post_id", post_id), ("post_date", (date or "").replace("T", " ")),
                       ("post_date_gmt", gmt), ("comment_status", "closed"),
                       ("ping_status", "closed"), ("post_name", ""), ("status", status), ("post_parent", 0),
                       ("menu_order", 0), ("post_type", post_type), ("post_password", ""), ("is_sticky", 0)):
        _text(item, _wp(tag), value)
    return item


def _meta(item: ET.Element) -> dict[str, str]:
    """An item's wp:postmeta as a dict."""
    return {m.findtext(_wp("meta_key")) or "": m.findtext(_wp("meta_value")) or ""
            for m in item.findall(_wp("postmeta"))}


def _postmeta(item: ET.Element, meta: dict[str, str]) -> None:
    """wp:postmeta entries."""
    for key, value in sorted(meta.items()):
        entry = ET.SubElement(item, _wp("postmeta"))
        _text(entry, _wp("meta_key"), key)
        _text(entry, _wp("meta_value"), value)


def _category(channel: ET.Element, obj: dict[str, Any]) -> None:
    """A wp:category with its parent and the column id as term meta."""
    category = ET.SubElement(channel, _wp("category"))
    _text(category, _wp("term_id"), obj["id"])
    _text(category, _wp("category_nicename"), obj["nicename"])
    _text(category, _wp("category_parent"), obj["parent"])
    _text(category, _wp("cat_name"), obj["name"])
    meta = ET.SubElement(category, _wp("termmeta"))
    _text(meta, _wp("meta_key"), "consolidate_column_id")
    _text(meta, _wp("meta_value"), obj["nicename"])


def _parents_first(categories: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """Categories ordered so that each parent precedes its children (the importer needs that)."""
    done: set[str] = set()
    ordered: list[tuple[str, dict[str, Any]]] = []
    pending = list(categories)
    while pending:
        ready = [c for c in pending if not c[1]["parent"] or c[1]["parent"] in done
                 or c[1]["parent"] not in {p[1]["nicename"] for p in pending}]
        ready = ready or pending[:1]
        for entry in ready:
            ordered.append(entry)
            done.add(entry[1]["nicename"])
            pending.remove(entry)
    return ordered


def _wall_time(published: str | None, title: str) -> str | None:
    """The legacy publish time as Beijing wall time 'YYYY-MM-DDTHH:MM:SS' (WXR's post_date), None when undated."""
    return publish_instant(published, title).strftime("%Y-%m-%dT%H:%M:%S") if published else None


def _gmt_instant(text: str | None) -> str | None:
    """WXR's post_date_gmt read back as an ISO instant in UTC."""
    return f"{text.strip().replace(' ', 'T')}+00:00" if text and text.strip() else None

