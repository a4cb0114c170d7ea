"""The example exporter of docs/exporters.md: every put appends one JSON line to `export.jsonl`, the bytes of each
file go to `files/<sha256>` beside it; the last line of a source key wins, so puts are idempotent by key and a
new run carries on from the file."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from exporters import base
from exporters.common import ProcessLock, copy_atomic


class JsonLinesOptions(base.ExporterOptions):
    """Options of the JSON-lines exporter (unknown ones are errors, pointing at migrations.yaml's line)."""

    file: str | None = None  # default: <workspace>/export.jsonl


class JsonLinesExporter(base.Exporter):
    """Columns, files and articles as lines of one JSON-lines file."""

    name = "jsonl"
    options_model = JsonLinesOptions
    # capabilities: the defaults (URLs known once put, one thread, undated articles kept undated)

    def __init__(self, options: JsonLinesOptions, context: Any) -> None:
        super().__init__(options, context)
        self.path = context.output_path(options.file, "export.jsonl")  # only remembered: no I/O here
        self.objects: dict[str, dict[str, Any]] = {}
        self.out: IO[str] | None = None
        self.lock = ProcessLock(self.path.with_name(f".{self.path.name}.lock"))  # taken by start()

    @property
    def target(self) -> str:
        """The push map's key for this target."""
        return f"jsonl:{self.path.resolve()}"

    def start(self) -> None:
        """Take the file (one writer at a time) and load what earlier runs wrote."""
        if self.out is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock.acquire()  # one writer at a time
        self.objects = _load(self.path)
        self.out = self.path.open("a", encoding="utf-8")

    def put_column(self, column: base.ExportColumn, parent: base.TargetRef | None) -> base.TargetRef:
        """One line for the column."""
        return self._put({"key": column.source_key, "kind": "column", "id": column.column_id, "name": column.name,
                          "parent": column.parent_key})

    def put_file(self, file: base.ExportFile) -> base.TargetRef:
        """The bytes to files/<sha256>, and one line naming them."""
        copy_atomic(file.blob_path, self.path.parent / "files" / file.sha256)
        return self._put({"key": file.source_key, "kind": "file", "name": file.name, "sha256": file.sha256,
                          "url": f"files/{file.sha256}"})

    def put_article(self, article: base.ExportArticle, column: base.TargetRef,
                    existing: base.TargetRef | None) -> base.TargetRef:
        """One line with every field of the article."""
        return self._put({"key": article.source_key, "kind": "article", "url": f"#{article.source_key}",
                          **asdict(article)})

    def find(self, source_key: str) -> base.TargetRef | None:
        """The object of this key, if the file holds one."""
        entry = self.objects.get(source_key)
        return base.TargetRef(source_key, entry.get("url", "")) if entry else None

    def delete(self, source_key: str, ref: base.TargetRef) -> None:
        """A line that removes the key."""
        self._put({"key": source_key, "kind": None})

    def read(self, source_key: str, ref: base.TargetRef) -> base.TargetSnapshot | None:
        """The article as the file on disk holds it now, its attachments hashed from the bytes written."""
        entry = _load(self.path).get(source_key)
        if entry is None or entry["kind"] != "article":
            return None
        files = [self._facts(a["name"], a["url"]) for a in entry["attachments"]]
        return base.TargetSnapshot(title=entry["title"], published=entry["published"], body_html=entry["body_html"],
                                   column_ids=[entry["column_id"]], attachments=files, url=entry["url"])

    def close(self) -> None:
        """Close the file and let the next writer in."""
        if self.out is not None:
            self.out.close()
            self.out = None
        self.lock.close()

    def _put(self, entry: dict[str, Any]) -> base.TargetRef:
        """Append the line (flushed before the put returns) and remember it."""
        assert self.out is not None, "start() first"
        self.out.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.out.flush()
        if entry["kind"] is None:
            self.objects.pop(entry["key"], None)
            return base.TargetRef(entry["key"], "")
        self.objects[entry["key"]] = entry
        return base.TargetRef(entry["key"], entry.get("url", ""))

    def _facts(self, name: str, url: str) -> tuple[str, str, int]:
        """(name, sha256, size) of the bytes a file URL names."""
        path = self.path.parent / url
        data = path.read_bytes() if url.startswith("files/") and path.is_file() else b""
        return (name, hashlib.sha256(data).hexdigest() if data else "", len(data))


def _load(path: Path) -> dict[str, dict[str, Any]]:
    """The objects the file holds: the last line of each key, removed keys left out (a cut last line ignored)."""
    objects: dict[str, dict[str, Any]] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry["kind"] is None:
            objects.pop(entry["key"], None)
        else:
            objects[entry["key"]] = entry
    return objects
