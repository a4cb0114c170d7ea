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
Memory stays flat whatever the bundle's size: the entries live on disk (the JSONL files, and the changes of a run
in sorted runs under `.runs/` once more than a chunk of them is waiting), found through indexes of 16 bytes an
entry; finish() merges them line by line and writes the manifest row by row (openpyxl's write-only workbook).
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import os
import shutil
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from consolidate.core.cells import xlsx_append
from consolidate.core.errors import ExporterError
from exporters import base
from exporters.common import (
    Journal,
    ProcessLock,
    copy_atomic,
    safe_file_name,
    sync_directory,
    temp_path,
    write_if_changed,
)

SECTIONS = ("columns", "articles", "files")
JOURNAL = ".changes.journal"
STAMP = ".manifest.sha256"  # the digest of the entries the manifest was written from
RUNS = ".runs"  # sorted runs of changes and of manifest rows while a push runs (removed when saved)
CHUNK_SIZE = 2000  # changes (or manifest rows) held in memory before a sorted run goes to disk
CHUNK_BYTES = 16 << 20  # ... or this many bytes of changes, whichever comes first
FAN_IN = 64  # runs merged at once (open files); more are merged into one first
REMOVED = "~removed"  # a removal in a run of changes: {"source_key": key, "~removed": true}
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

    def __init__(self, options: BundleOptions, context: Any, chunk_size: int = CHUNK_SIZE) -> None:
        super().__init__(options, context)
        self.root = context.output_path(options.dir, "bundle")
        self.base_url = options.base_url
        self.journal = Journal(self.root / JOURNAL)
        self._lock = ProcessLock(self.root / ".lock")  # one writer at a time: others wait their turn
        self.chunk_size = chunk_size  # changes (and manifest rows) held in memory before a sorted run goes to disk
        self.runs_dir = self.root / RUNS / f"{os.getpid()}.{id(self)}"  # this writer's sorted runs
        self.sections = {s: _Section(self.root, self.runs_dir, s, chunk_size) for s in SECTIONS}
        self._by_path: dict[str, tuple[str, int]] | None = None  # a file's path in the bundle → (sha256, size)

    def start(self) -> None:
        """Create the folder, wait for the lock (one writer at a time) and replay the journal of a killed push."""
        if self._lock.held:
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExporterError(f"cannot create the bundle folder {self.root}: {exc.strerror}",
                                hint="set export.options.dir to a writable folder") from None
        self._lock.acquire()
        for folder in (self.root / RUNS).glob("*"):  # a killed push's runs (the journal holds their changes)
            if not folder.name.startswith(f"{os.getpid()}."):  # another writer in this process shares the lock
                shutil.rmtree(folder, ignore_errors=True)
        self._replay()

    def _replay(self) -> None:
        """The changes of a killed push, from its journal, line by line (a line cut short by the kill is ignored;
        a line is ended by \\n only, as a title may hold U+2028); close() saves them."""
        if not self.journal.path.exists():
            return
        with self.journal.path.open("rb") as handle:
            for raw in handle:
                try:
                    section, key, entry = json.loads(raw.decode("utf-8", errors="replace"))
                except (ValueError, TypeError):
                    continue
                if section in self.sections and isinstance(key, str):
                    self.sections[section].put(key, entry)
        self._by_path = None

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
        entry = self.sections["files"].get(file.source_key) or {"names": []}
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
            entry = self.sections[section].get(source_key)
            if entry is not None:
                return _entry_ref(section, entry, self.base_url)
        return None

    def delete(self, source_key: str, ref: base.TargetRef) -> None:
        """Remove an entry (and a file's bytes) from the bundle."""
        for section in SECTIONS:
            entry = self.sections[section].get(source_key)
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
        """An entry as the section's JSONL file on disk holds it (changes not yet saved left out), found through
        an index of where each line starts, so the file is never held in memory."""
        return self.sections[section].disk().get(source_key)

    def finish(self) -> None:
        """Write the JSONL files and (when the content changed) the spreadsheet manifest; nothing when nothing
        changed since they were written."""
        manifest = self.root / "manifest.xlsx"
        if not self._dirty() and (self.root / STAMP).exists() and manifest.exists():
            return
        self._save()

    def close(self) -> None:
        """Persist what was recorded even when finish() was not reached, and let the next writer in."""
        if self._lock.held:
            if self._dirty():
                self._save()
            self._lock.close()

    def _dirty(self) -> bool:
        """True while changes are not saved yet (this run's, or a killed run's journal)."""
        return any(s.changed for s in self.sections.values()) or self.journal.path.exists()

    def _save(self) -> None:
        """Every section merged with its changes into its JSONL file (rewritten only when it differs), streamed once
        for the manifest's digest and rows; the manifest when the digest changed; then the journal is dropped (a
        kill before that replays it). The digest is that of json.dumps(all entries, ensure_ascii=False,
        sort_keys=True), made piece by piece."""
        digest = hashlib.sha256(b"{")
        articles = _RowSorter(self.runs_dir, "articles.rows", self.chunk_size)
        files = _RowSorter(self.runs_dir, "files.rows", self.chunk_size)
        for number, name in enumerate(sorted(SECTIONS)):  # the order json.dumps(sort_keys=True) gives
            digest.update(f"{', ' if number else ''}{json.dumps(name)}: {{".encode())
            for count, (entry, line) in enumerate(self.sections[name].save()):
                key = entry["source_key"]
                digest.update(f"{', ' if count else ''}{json.dumps(key, ensure_ascii=False)}: {line}".encode())
                if name == "articles":
                    row = {**entry, "attachment_count": len(entry["attachments"])}
                    articles.add([entry["published"] or "", entry["id"], key],
                                 [row.get(k) for _, k in ARTICLE_SHEET])
                elif name == "files":
                    files.add([entry["sha256"], key], [entry.get(k) for _, k in FILE_SHEET])
            digest.update(b"}")
        digest.update(b"}")
        stamp, manifest = self.root / STAMP, self.root / "manifest.xlsx"
        if not (stamp.exists() and stamp.read_text() == digest.hexdigest() and manifest.exists()):
            _write_manifest(manifest, articles, files)
            write_if_changed(stamp, digest.hexdigest())
        shutil.rmtree(self.runs_dir, ignore_errors=True)
        with contextlib.suppress(OSError):  # left when another writer of this process has runs
            (self.root / RUNS).rmdir()
        self.journal.clear()  # every change it held is in the files now

    def _set(self, section: str, key: str, entry: dict[str, Any] | None) -> None:
        """Change an entry, journaling the change first so a killed push loses nothing; nothing when unchanged."""
        entries = self.sections[section]
        if entries.get(key) == entry:
            return
        self.journal.append(section, key, entry)
        entries.put(key, entry)
        if section == "files":
            self._by_path = None

    def _files_by_path(self) -> dict[str, tuple[str, int]]:
        """(sha256, size) of the files by path in the bundle (made again after a file changed, not once per
        attachment: a scan per attachment grows with articles × files)."""
        if self._by_path is None:
            self._by_path = {}
            for entry in self.sections["files"].current():
                self._by_path.setdefault(entry["path"], (entry["sha256"], entry["size"]))
        return self._by_path

    def _attachment(self, attachment: dict[str, Any]) -> dict[str, Any]:
        """An attachment reference: name, sha256, size and path in the bundle."""
        url = attachment.get("url") or ""
        path = url[len(self.base_url):] if url.startswith(self.base_url) else url
        file = self._files_by_path().get(path)
        return {"name": attachment.get("name") or "", "sha256": file[0] if file else None,
                "size": file[1] if file else None, "path": path if file else None,
                "source_url": attachment.get("source_url")}

    def _file_facts(self, name: str, sha256: str | None) -> tuple[str, str, int]:
        """(name, sha256 of the bytes in the bundle, size) — hashed from disk, not trusted from the JSONL."""
        path = self.root / _file_path(sha256) if sha256 else None
        if path is None or not path.exists():
            return (name, "", 0)
        data = path.read_bytes()
        return (name, hashlib.sha256(data).hexdigest(), len(data))


def _write_manifest(path: Path, articles: Iterable[list[Any]], files: Iterable[list[Any]]) -> None:
    """manifest.xlsx: an articles sheet and a files sheet, frozen headers, filters; streamed row by row
    (openpyxl's write-only workbook), saved through a temporary file beside it."""
    book = Workbook(write_only=True)
    _fill_sheet(book.create_sheet("文章"), ARTICLE_SHEET, articles)
    _fill_sheet(book.create_sheet("附件"), FILE_SHEET, files)
    tmp = temp_path(path)
    try:
        book.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fill_sheet(sheet: Any, columns: list[tuple[str, str]], rows: Iterable[list[Any]]) -> None:
    """Header row (bold, frozen, filtered) and one row per entry (a write-only sheet: the layout comes first)."""
    sheet.freeze_panes = "A2"
    for index, (title, _) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(title) * 2 + 4)
    header = []
    for title, _ in columns:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        xlsx_append(sheet, row)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"


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
    entry however large the entries; a lookup reads the lines of that digest and checks their keys. `ordered`:
    the file's keys are strictly increasing (as the bundle writes them), so it can be merged as it is."""

    def __init__(self, path: Path, digests: array, offsets: array, ordered: bool = True) -> None:
        order = sorted(range(len(digests)), key=digests.__getitem__)  # stable: a later line of a key wins
        self.path, self.ordered = path, ordered
        self.digests = array("Q", (digests[i] for i in order))
        self.offsets = array("Q", (offsets[i] for i in order))

    @classmethod
    def scan(cls, path: Path) -> _LineIndex:
        """The index of a file, read line by line."""
        digests, offsets, ordered, last = array("Q"), array("Q"), True, None
        for offset, entry in _entries_at(path):
            key = entry["source_key"]
            digests.append(_key_digest(key))
            offsets.append(offset)
            ordered, last = ordered and (last is None or last < key), key
        return cls(path, digests, offsets, ordered)

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


class _Section:
    """One section of the bundle as it stands during a run: its JSONL file on disk, and the changes since, as
    sorted runs on disk (each indexed like the file) and the latest chunk in memory; merged into the file on
    save. Memory holds one chunk and 16 bytes an entry of index, never the section."""

    def __init__(self, root: Path, runs_dir: Path, name: str, chunk_size: int) -> None:
        self.path, self.name, self.chunk_size = root / f"{name}.jsonl", name, chunk_size
        self.runs_dir = runs_dir
        self.chunk: dict[str, str] = {}  # key → its entry's line (a removal: a tombstone line)
        self.chunk_bytes = 0
        self.runs: list[_LineIndex] = []  # oldest first
        self.made = 0  # run files made (their names)
        self._disk: tuple[tuple[int, int], _LineIndex] | None = None

    @property
    def changed(self) -> bool:
        """True when changes are waiting to be saved."""
        return bool(self.chunk or self.runs)

    def disk(self) -> _LineIndex:
        """The index of the file on disk (made again when the file changed)."""
        stat = self.path.stat() if self.path.exists() else None
        stamp = (stat.st_mtime_ns, stat.st_size) if stat else (0, 0)
        if self._disk is None or self._disk[0] != stamp:
            self._disk = (stamp, _LineIndex.scan(self.path))
        return self._disk[1]

    def get(self, key: str) -> dict[str, Any] | None:
        """The entry as it now stands: the newest change of the key, else the file's line; None when absent."""
        line = self.chunk.get(key)
        entry = json.loads(line) if line is not None else self._stored(key)
        return None if entry is None or REMOVED in entry else entry

    def _stored(self, key: str) -> dict[str, Any] | None:
        """The key's newest line in the runs (a removal included), else in the file; None when in neither."""
        for run in reversed(self.runs):
            entry = run.get(key)
            if entry is not None:
                return entry
        return self.disk().get(key)

    def put(self, key: str, entry: dict[str, Any] | None) -> None:
        """Record a change (None removes the entry); a full chunk goes to disk as a sorted run."""
        line = _line({"source_key": key, REMOVED: True} if entry is None else entry)
        self.chunk_bytes += len(line) - len(self.chunk.get(key, ""))
        self.chunk[key] = line
        if len(self.chunk) >= self.chunk_size or self.chunk_bytes >= CHUNK_BYTES:
            self._spill()

    def _spill(self) -> None:
        """The chunk sorted into a run file; too many runs are merged into one (open files stay few)."""
        self.runs.append(_write_sorted(self._run_path(), ((k, self.chunk[k]) for k in sorted(self.chunk))))
        self.chunk, self.chunk_bytes = {}, 0
        if len(self.runs) >= FAN_IN:
            merged = _newest([_run_entries(r.path) for r in self.runs], itemgetter("source_key"))
            index = _write_sorted(self._run_path(), ((e["source_key"], _line(e)) for e in merged))
            for run in self.runs:
                run.path.unlink(missing_ok=True)
            self.runs = [index]

    def _run_path(self) -> Path:
        """The path of a new run file."""
        self.made += 1
        return self.runs_dir / f"{self.name}.{self.made}"

    def current(self) -> Iterator[dict[str, Any]]:
        """The section's entries as they now stand, in key order: the file merged with the runs and the chunk
        (the newest change of a key wins; a removal drops it). A file not in key order is sorted first."""
        disk = self.disk()
        base = [_run_entries(r.path) for r in self._sorted_file()] if not disk.ordered else [_entries_of(self.path)]
        chunk = (json.loads(self.chunk[k]) for k in sorted(self.chunk))
        sources = [*base, *(_run_entries(r.path) for r in self.runs), chunk]
        return (e for e in _newest(sources, itemgetter("source_key")) if REMOVED not in e)

    def _sorted_file(self) -> list[_LineIndex]:
        """The file (written out of key order, or with a key twice) as sorted runs, later lines in later runs."""
        runs: list[_LineIndex] = []
        chunk: dict[str, str] = {}
        for number, (_offset, entry) in enumerate(_entries_at(self.path), start=1):
            chunk[entry["source_key"]] = _line(entry)
            if number % self.chunk_size == 0:
                runs.append(_write_sorted(self._run_path(), ((k, chunk[k]) for k in sorted(chunk))))
                chunk = {}
        runs.append(_write_sorted(self._run_path(), ((k, chunk[k]) for k in sorted(chunk))))
        return runs

    def save(self) -> Iterator[tuple[dict[str, Any], str]]:
        """Write the section as it now stands in place of its file (left untouched when its bytes are the same),
        on disk when done; yields each entry and its line in key order as it goes."""
        if not self.changed and self.path.exists() and self.disk().ordered:
            yield from ((entry, _line(entry)) for entry in _entries_of(self.path))
            return
        tmp = temp_path(self.path)
        digests, offsets, offset = array("Q"), array("Q"), 0
        try:
            with tmp.open("wb") as out:
                for entry in self.current():
                    line = _line(entry)
                    data = (line + "\n").encode("utf-8")
                    out.write(data)
                    digests.append(_key_digest(entry["source_key"]))
                    offsets.append(offset)
                    offset += len(data)
                    yield entry, line
                out.flush()
                os.fsync(out.fileno())
            if _same_bytes(tmp, self.path):
                tmp.unlink()
            else:
                os.replace(tmp, self.path)
                sync_directory(self.path.parent)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        for run in self.runs:
            run.path.unlink(missing_ok=True)
        self.chunk, self.chunk_bytes, self.runs = {}, 0, []
        stat = self.path.stat()
        self._disk = ((stat.st_mtime_ns, stat.st_size), _LineIndex(self.path, digests, offsets))


class _RowSorter:
    """Spreadsheet rows sorted by a key (a list), held a chunk at a time: full chunks go to disk as sorted runs,
    merged when read."""

    def __init__(self, folder: Path, name: str, chunk_size: int) -> None:
        self.folder, self.name, self.chunk_size = folder, name, chunk_size
        self.rows: list[tuple[list[Any], list[Any]]] = []
        self.runs: list[Path] = []
        self.made = 0  # run files made (their names)

    def add(self, key: list[Any], row: list[Any]) -> None:
        """Add a row."""
        self.rows.append((key, row))
        if len(self.rows) >= self.chunk_size:
            self._spill()

    def _spill(self) -> None:
        """The rows in memory sorted into a run file; too many runs are merged into one."""
        self.rows.sort(key=itemgetter(0))
        self.runs.append(self._write(iter(self.rows)))
        self.rows = []
        if len(self.runs) >= FAN_IN:
            merged = heapq.merge(*(_rows_of(p) for p in self.runs), key=itemgetter(0))
            path = self._write(merged)
            for run in self.runs:
                run.unlink()
            self.runs = [path]

    def _write(self, rows: Iterator[tuple[list[Any], list[Any]]]) -> Path:
        """A run file of (key, row) lines."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.made += 1
        path = self.folder / f"{self.name}.{self.made}"
        with path.open("w", encoding="utf-8") as out:
            for key, row in rows:
                out.write(json.dumps([key, row], ensure_ascii=False) + "\n")
        return path

    def __iter__(self) -> Iterator[list[Any]]:
        """The rows in key order (stable)."""
        self.rows.sort(key=itemgetter(0))
        runs = [_rows_of(p) for p in self.runs]
        return (row for _key, row in heapq.merge(*runs, iter(self.rows), key=itemgetter(0)))


def _rows_of(path: Path) -> Iterator[tuple[list[Any], list[Any]]]:
    """(key, row) of each line of a run file of rows."""
    with path.open("rb") as handle:
        for raw in handle:
            key, row = json.loads(raw)
            yield key, row


def _newest(sources: list[Iterator[dict[str, Any]]], key: Callable[[dict[str, Any]], str]
            ) -> Iterator[dict[str, Any]]:
    """Entries of sources each in key order, merged in key order; of entries with one key, the latest source's."""
    ranked = [_ranked(source, -rank, key) for rank, source in enumerate(sources)]
    for _key, group in groupby(heapq.merge(*ranked, key=itemgetter(0, 1)), key=itemgetter(0)):
        yield next(group)[2]


def _ranked(source: Iterator[dict[str, Any]], rank: int, key: Callable[[dict[str, Any]], str]
            ) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(key, rank, entry) of each entry of a source."""
    for entry in source:
        yield key(entry), rank, entry


def _write_sorted(path: Path, lines: Iterator[tuple[str, str]]) -> _LineIndex:
    """A run file of entry lines, given as (key, line) in key order, and its index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    digests, offsets, offset = array("Q"), array("Q"), 0
    with path.open("wb") as out:
        for key, line in lines:
            data = (line + "\n").encode("utf-8")
            out.write(data)
            digests.append(_key_digest(key))
            offsets.append(offset)
            offset += len(data)
    return _LineIndex(path, digests, offsets)


def _same_bytes(one: Path, other: Path) -> bool:
    """True when both files exist and hold the same bytes (read a block at a time)."""
    if not other.exists() or one.stat().st_size != other.stat().st_size:
        return False
    with one.open("rb") as first, other.open("rb") as second:
        while True:
            block = first.read(1 << 20)
            if block != second.read(1 << 20):
                return False
            if not block:
                return True


def _line(entry: dict[str, Any]) -> str:
    """An entry as a line of the bundle's JSONL (keys sorted, text as it is)."""
    return json.dumps(entry, ensure_ascii=False, sort_keys=True)


def _run_entries(path: Path) -> Iterator[dict[str, Any]]:
    """The entries of a run file, which must be there (a run removed under a writer is a clear error, never a
    silent loss)."""
    if not path.exists():
        raise ExporterError(f"a sorted run of the bundle's changes is gone: {path}",
                            hint="push again: the bundle's journal still holds the changes")
    return _entries_of(path)


def _entries_of(path: Path) -> Iterator[dict[str, Any]]:
    """The entries of a JSONL file, one line in memory at a time."""
    return (entry for _offset, entry in _entries_at(path))


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
