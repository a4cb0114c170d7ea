"""A hand-over bundle for any vendor platform: JSONL of columns and articles, content-addressed files, a manifest.

Layout of the bundle directory:
  columns.jsonl    one portal column per line (id, name, path, parent, sub-site)
  articles.jsonl   one article per line: every metadata field, its column id, attachments by sha256
  files.jsonl      one file per line: sha256, original name(s), size, kind, legacy URL, path in the bundle
  files/<sha256[:2]>/<sha256>   the file bytes
  manifest.xlsx    articles and files as spreadsheets (Chinese headers) for the office, written in finish()
Links in bodies point at `<base_url>files/...` and `<base_url>a/<id>` (base_url empty by default: paths relative
to the bundle root), so an integrator can rewrite them to the platform's URLs by id or sha256.
Idempotent: unchanged content rewrites no file. Every change is journaled (`.changes.journal`) before a put
returns, so a killed push loses nothing: the next run replays the journal and rewrites the JSONL files. `read()`
(verify) reads the JSONL files on disk, so it reports what the hand-over really holds.
"""

from __future__ import annotations

import hashlib
import io
import json
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from consolidate.core.cells import xlsx_append
from consolidate.core.errors import ExporterError
from exporters import base
from exporters.common import Journal, ProcessLock, copy_atomic, safe_file_name, write_atomic, write_if_changed

SECTIONS = ("columns", "articles", "files")
JOURNAL = ".changes.journal"
ARTICLE_SHEET = [("标识", "id"), ("标题", "title"), ("发布日期", "published"), ("栏目", "column_id"),
                 ("子站", "subsite"), ("来源网站", "site_name"), ("原网址", "source_url"), ("信息来源", "source"),
                 ("发布机构", "publisher"), ("索引号", "index_no"), ("发文字号", "doc_no"), ("成文日期", "written"),
                 ("主题分类", "topic"), ("有效性", "validity"), ("附件数", "attachment_count")]
FILE_SHEET = [("SHA-256", "sha256"), ("文件名", "name"), ("大小（字节）", "size"), ("类型", "kind"),
              ("原网址", "source_url"), ("包内路径", "path")]


class BundleOptions(base.ExporterOptions):
    """Options of the bundle."""

    dir: str | None = None  # default: <workspace>/bundle
    base_url: str = ""  # prefix of file and article links in bodies ('' = relative to the bundle root)


class BundleExporter(base.Exporter):
    """Writes the consolidated content as a directory of JSONL, files and a spreadsheet manifest."""

    name = "bundle"
    options_model = BundleOptions
    capabilities = base.Capabilities(planned_urls=True, letter_files=True)  # article and file links are a function of the key

    def __init__(self, options: BundleOptions, context: Any) -> None:
        super().__init__(options, context)
        self.root = context.output_path(options.dir, "bundle")
        self.base_url = options.base_url
        self.journal = Journal(self.root / JOURNAL)
        self._lock = ProcessLock(self.root / ".lock")  # one writer at a time: others wait their turn
        self._entries: dict[str, dict[str, dict[str, Any]]] | None = {s: {} for s in SECTIONS}
        self._disk: dict[str, tuple[tuple[int, int], _LineIndex]] = {}
        self._by_path: dict[str, dict[str, Any]] | None = None  # section → (file stamp, where its lines are)

    def start(self) -> None:
        """Create the folder, wait for the lock (one writer at a time), load the entries and replay the journal."""
        if self._lock.held:
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExporterError(f"cannot create the bundle folder {self.root}: {exc.strerror}",
                                hint="set export.options.dir to a writable folder") from None
        self._lock.acquire()
        self._entries = None  # read when first needed: verify reads the files on disk line by line instead
        if self.journal.path.exists():  # a killed push's changes: replayed now, so close() saves them
            self._load()

    @property
    def entries(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Section → key → entry: the JSONL files with the journal replayed (read at first use)."""
        return self._entries if self._entries is not None else self._load()

    def _load(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Read the JSONL files and replay the journal."""
        entries = {s: _read_jsonl(self.root / f"{s}.jsonl") for s in SECTIONS}
        self.journal.replay(entries)
        self._entries, self._by_path = entries, None
        return entries

    @property
    def target(self) -> str:
        """Keyed by the bundle folder."""
        return f"bundle:{self.root.resolve()}"

    def planned_url(self, kind: str, source_key: str, **facts: Any) -> str | None:
        """Article and file links are a function of the key, known before pushing."""
        if kind == "file" and facts.get("sha256"):
            return self.base_url + _file_path(facts["sha256"])
        return self.base_url + f"a/{_article_id(source_key)}" if kind == "article" else None

    def put_column(self, column: base.ExportColumn, parent: base.TargetRef | None) -> base.TargetRef:
        """Record the column."""
        self._set("columns", column.source_key, {
            "source_key": column.source_key, "id": column.column_id, "name": column.name, "path": column.path,
            "parent_key": column.parent_key, "subsite": column.subsite, "subsite_name": column.subsite_name})
        return base.TargetRef(target_id=column.column_id, url="")

    def put_file(self, file: base.ExportFile) -> base.TargetRef:
        """Copy the blob to files/<sha[:2]>/<sha> (once) and record its names."""
        path = _file_path(file.sha256)
        target = self.root / path
        if not target.exists() or target.stat().st_size != file.size:
            if not file.blob_path.exists():
                raise ExporterError(f"file {file.name!r} is missing from the blob store",
                                    hint="re-crawl the site to fetch it again")
            copy_atomic(file.blob_path, target)
        entry = self.entries["files"].get(file.source_key) or {"names": []}
        names = sorted({*entry["names"], safe_file_name(file.name)})
        self._set("files", file.source_key, {
            "source_key": file.source_key, "sha256": file.sha256, "name": names[0], "names": names,
            "size": file.size, "kind": file.kind, "content_type": file.content_type,
            "source_url": entry.get("source_url") or file.source_url, "path": path})
        return base.TargetRef(target_id=path, url=self.base_url + path)

    def put_article(self, article: base.ExportArticle, column: base.TargetRef,
                    existing: base.TargetRef | None) -> base.TargetRef:
        """Record the article with every field; attachments by sha256."""
        entry = asdict(article)
        entry["id"] = _article_id(article.source_key)
        entry["attachments"] = [self._attachment(a) for a in article.attachments]
        self._set("articles", article.source_key, entry)
        return base.TargetRef(target_id=entry["id"], url=self.base_url + f"a/{entry['id']}")

    def find(self, source_key: str) -> base.TargetRef | None:
        """An entry already in the bundle for this key."""
        for section in SECTIONS:
            entry = self.entries[section].get(source_key)
            if entry is not None:
                return _entry_ref(section, entry, self.base_url)
        return None

    def delete(self, source_key: str, ref: base.TargetRef) -> None:
        """Remove an entry (and a file's bytes) from the bundle."""
        for section in SECTIONS:
            entry = self.entries[section].get(source_key)
            if entry is None:
                continue
            self._set(section, source_key, None)
            if section == "files":
                (self.root / entry["path"]).unlink(missing_ok=True)

    def read(self, source_key: str, ref: base.TargetRef) -> base.TargetSnapshot | None:
        """An article (or file) as the bundle's JSONL files on disk hold it."""
        entry = self.stored("articles", source_key)
        if entry is not None:
            return base.TargetSnapshot(
                title=entry["title"], published=entry["published"], body_html=entry["body_html"],
                column_ids=[entry["column_id"]], url=self.base_url + f"a/{entry['id']}",
                attachments=[self._file_facts(a["name"], a.get("sha256")) for a in entry["attachments"]])
        entry = self.stored("files", source_key)
        if entry is not None:
            return base.TargetSnapshot(title=entry["name"], published=None, body_html="", column_ids=[],
                                       url=self.base_url + entry["path"],
                                       attachments=[self._file_facts(entry["name"], entry["sha256"])])
        return None

    def stored(self, section: str, source_key: str) -> dict[str, Any] | None:
        """An entry as the section's JSONL file on disk holds it: found through an index of where each line
        starts (re-made when the file changed), so the file is never held in memory."""
        path = self.root / f"{section}.jsonl"
        stat = path.stat() if path.exists() else None
        stamp = (stat.st_mtime_ns, stat.st_size) if stat else (0, 0)
        cached = self._disk.get(section)
        if cached is None or cached[0] != stamp:
            cached = self._disk[section] = (stamp, _LineIndex(path))
        return cached[1].get(source_key)

    def finish(self) -> None:
        """Write the JSONL files and (when the content changed) the spreadsheet manifest."""
        self._write_jsonl()
        digest = hashlib.sha256(json.dumps(self.entries, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        stamp = self.root / ".manifest.sha256"
        if stamp.exists() and stamp.read_text() == digest and (self.root / "manifest.xlsx").exists():
            return
        self._write_manifest()
        write_if_changed(stamp, digest)

    def close(self) -> None:
        """Persist what was recorded even when finish() was not reached, and let the next writer in."""
        if self._lock.held:
            if self._entries is not None:  # never read: the files on disk are the state already
                self._write_jsonl()
            self._lock.close()

    def _set(self, section: str, key: str, entry: dict[str, Any] | None) -> None:
        """Change an entry, journaling the change first so a killed push loses nothing."""
        self.journal.change(self.entries[section], section, key, entry)
        if section == "files":
            self._by_path = None

    def _files_by_path(self) -> dict[str, dict[str, Any]]:
        """The file entries by path in the bundle (made again after a file changed, not once per attachment:
        a scan per attachment grows with articles × files)."""
        if self._by_path is None:
            self._by_path = {}
            for entry in self.entries["files"].values():
                self._by_path.setdefault(entry["path"], entry)
        return self._by_path

    def _attachment(self, attachment: dict[str, Any]) -> dict[str, Any]:
        """An attachment reference: name, sha256, size and path in the bundle."""
        url = attachment.get("url") or ""
        path = url[len(self.base_url):] if url.startswith(self.base_url) else url
        file = self._files_by_path().get(path)
        return {"name": attachment.get("name") or "", "sha256": file["sha256"] if file else None,
                "size": file["size"] if file else None, "path": path if file else None,
                "source_url": attachment.get("source_url")}

    def _file_facts(self, name: str, sha256: str | None) -> tuple[str, str, int]:
        """(name, sha256 of the bytes in the bundle, size) — hashed from disk, not trusted from the JSONL."""
        path = self.root / _file_path(sha256) if sha256 else None
        if path is None or not path.exists():
            return (name, "", 0)
        data = path.read_bytes()
        return (name, hashlib.sha256(data).hexdigest(), len(data))

    def _write_jsonl(self) -> None:
        """columns.jsonl, articles.jsonl, files.jsonl, sorted by key, rewritten only when changed."""
        for section in SECTIONS:
            lines = [json.dumps(self.entries[section][k], ensure_ascii=False, sort_keys=True)
                     for k in sorted(self.entries[section])]
            write_if_changed(self.root / f"{section}.jsonl", "".join(line + "\n" for line in lines), sync=True)
        self.journal.clear()  # every change it held is in the JSONL files now

    def _write_manifest(self) -> None:
        """manifest.xlsx: an articles sheet and a files sheet, frozen headers, filters."""
        book = Workbook()
        articles = book.active
        articles.title = "文章"
        rows = [{**a, "attachment_count": len(a["attachments"])} for a in self.entries["articles"].values()]
        _fill_sheet(articles, ARTICLE_SHEET, sorted(rows, key=lambda a: (a["published"] or "", a["id"])))
        files = book.create_sheet("附件")
        _fill_sheet(files, FILE_SHEET, sorted(self.entries["files"].values(), key=lambda f: f["sha256"]))
        buffer = io.BytesIO()
        book.save(buffer)
        write_atomic(self.root / "manifest.xlsx", buffer.getvalue())


def _fill_sheet(sheet: Any, columns: list[tuple[str, str]], rows: list[dict[str, Any]]) -> None:
    """Header row (bold, frozen, filtered) and one row per entry."""
    sheet.append([title for title, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        xlsx_append(sheet, [row.get(key) for _, key in columns])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, (title, _) in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(10, len(title) * 2 + 4)


def _entry_ref(section: str, entry: dict[str, Any], base_url: str) -> base.TargetRef:
    """The TargetRef of a bundle entry."""
    if section == "files":
        return base.TargetRef(target_id=entry["path"], url=base_url + entry["path"])
    if section == "articles":
        return base.TargetRef(target_id=entry["id"], url=base_url + f"a/{entry['id']}")
    return base.TargetRef(target_id=entry["id"], url="")


def _article_id(source_key: str) -> str:
    """A short stable id of an article in the bundle."""
    return hashlib.sha1(source_key.encode("utf-8")).hexdigest()[:16]


def _file_path(sha256: str) -> str:
    """Where a file's bytes live in the bundle."""
    return f"files/{sha256[:2]}/{sha256}"


class _LineIndex:
    """Where each line of a JSONL file of entries starts, by a 64-bit digest of its key, sorted: 16 bytes an
    entry however large the entries; a lookup reads the lines of that digest and checks their keys."""

    def __init__(self, path: Path) -> None:
        self.path = path
        digests, offsets = array("Q"), array("Q")
        for offset, entry in _entries_at(path):
            digests.append(_key_digest(entry["source_key"]))
            offsets.append(offset)
        order = sorted(range(len(digests)), key=digests.__getitem__)  # stable: a later line of a key wins
        self.digests = array("Q", (digests[i] for i in order))
        self.offsets = array("Q", (offsets[i] for i in order))

    def get(self, source_key: str) -> dict[str, Any] | None:
        """The (last) entry of this key in the file, or None."""
        digest, found = _key_digest(source_key), None
        position = bisect_left(self.digests, digest)
        if position == len(self.digests) or self.digests[position] != digest:
            return None
        with self.path.open("rb") as handle:
            while position < len(self.digests) and self.digests[position] == digest:
                handle.seek(self.offsets[position])
                entry = json.loads(handle.readline())
                found = entry if entry["source_key"] == source_key else found
                position += 1
        return found


def _key_digest(key: str) -> int:
    """A 64-bit digest of an entry's key."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


def _entries_at(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(byte offset, entry) of each line of a JSONL file of entries, one line in memory at a time; a damaged
    line is a clear error."""
    if not path.exists():
        return
    offset = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    entry = json.loads(line)
                    entry["source_key"]  # noqa: B018 - an entry without a key is damaged
                except (ValueError, KeyError, TypeError):
                    raise ExporterError(f"{path}:{number}: not a bundle entry",
                                        hint="restore the bundle from a copy, or delete it and push again") from None
                yield offset, entry
            offset += len(line)


def _read_jsonl(path: Path) -> dict[str, dict[str, Any]]:
    """Entries of a JSONL file by source key (empty when absent); a damaged file is a clear error."""
    return {entry["source_key"]: entry for _offset, entry in _entries_at(path)}
