"""A JSON manifest of sections (section → key → entry) whose large sections live on disk, not in memory.

The static preview's manifest lists every article pushed: at 100k articles, held as dicts, it was the bulk of a push's
memory, and rewriting it (`json.dumps` of the whole) added its size twice more. Here the large sections sit in a
private scratch SQLite database (SQLite's temporary database: its pages spill to an unlinked file, nothing is left
behind), read from the manifest file a value at a time and written back in the exact bytes `json.dumps(manifest,
ensure_ascii=False, indent=1, sort_keys=True)` gives, a chunk at a time. Entries keep a dict's order (insertion order;
an update keeps its place), so listings sorted with ties broken by that order come out as a dict's would.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from exporters.common import write_atomic_parts

CHUNK = 1 << 16  # characters read, and bytes written, at a time
INSERT_BATCH = 1000


class ScratchIndex:
    """The scratch database holding the on-disk sections (one per open manifest; gone when closed)."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("", check_same_thread=False, isolation_level=None)
        for pragma in ("cache_size=-4096", "temp_store=FILE", "journal_mode=OFF", "synchronous=OFF"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute("CREATE TABLE entries (section TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, "
                        "entry TEXT NOT NULL, col TEXT, spub TEXT, stitle TEXT, PRIMARY KEY (section, key))")
        self.db.execute("CREATE INDEX listing ON entries (section, col, spub, stitle, seq)")
        self.lock = threading.RLock()
        self.seq = 0

    def next_seq(self) -> int:
        """The place of an entry added now (after every entry so far)."""
        self.seq += 1
        return self.seq

    def close(self) -> None:
        """Drop the database (its temporary file goes with it)."""
        self.db.close()


class DiskSection:
    """One section of the manifest on disk, used as a dict: get, [], in, pop, len."""

    def __init__(self, index: ScratchIndex, name: str) -> None:
        self.index, self.name = index, name

    def get(self, key: str, default: Any = None) -> Any:
        """The entry of `key`, else `default`."""
        with self.index.lock:
            row = self.index.db.execute("SELECT entry FROM entries WHERE section = ? AND key = ?",
                                        (self.name, key)).fetchone()
        return json.loads(row[0]) if row is not None else default

    def __getitem__(self, key: str) -> Any:
        """The entry of `key` (KeyError when absent)."""
        entry = self.get(key, _ABSENT)
        if entry is _ABSENT:
            raise KeyError(key)
        return entry

    def __contains__(self, key: object) -> bool:
        """True when the section holds `key`."""
        return isinstance(key, str) and self.get(key, _ABSENT) is not _ABSENT

    def __setitem__(self, key: str, entry: Any) -> None:
        """Add or replace an entry (a replaced one keeps its place)."""
        self.put_many([(key, entry)])

    def put_many(self, items: Iterable[tuple[str, Any]]) -> None:
        """Add or replace entries, INSERT_BATCH per statement."""
        batch: list[tuple[Any, ...]] = []
        for key, entry in items:
            batch.append(self._row(key, entry))
            if len(batch) >= INSERT_BATCH:
                self._upsert(batch)
                batch = []
        if batch:
            self._upsert(batch)

    def _row(self, key: str, entry: Any) -> tuple[Any, ...]:
        """The stored row of an entry: its JSON as the manifest file shows it, and the fields listings sort by."""
        facts = entry if isinstance(entry, dict) else {}
        return (self.name, key, self.index.next_seq(), _dumps(entry), _text(facts.get("column")),
                _text(facts.get("published")) or "", _text(facts.get("title")) or "")

    def _upsert(self, rows: list[tuple[Any, ...]]) -> None:
        """Write rows; a key already present keeps its place (seq)."""
        with self.index.lock:
            self.index.db.executemany(
                "INSERT INTO entries (section, key, seq, entry, col, spub, stitle) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (section, key) DO UPDATE SET entry = excluded.entry, col = excluded.col, "
                "spub = excluded.spub, stitle = excluded.stitle", rows)

    def pop(self, key: str, default: Any = None) -> Any:
        """Remove an entry; it, else `default`."""
        with self.index.lock:
            entry = self.get(key, _ABSENT)
            if entry is _ABSENT:
                return default
            self.index.db.execute("DELETE FROM entries WHERE section = ? AND key = ?", (self.name, key))
        return entry

    def __len__(self) -> int:
        """How many entries the section holds."""
        with self.index.lock:
            return self.index.db.execute("SELECT count(*) FROM entries WHERE section = ?", (self.name,)).fetchone()[0]

    def sorted_json(self) -> Iterator[tuple[str, str]]:
        """(key, entry as `json.dumps(entry, ensure_ascii=False, indent=1, sort_keys=True)`) in key order."""
        yield from self._rows("SELECT key, entry FROM entries WHERE section = ? ORDER BY key", (self.name,))

    def listing(self, column: str) -> Iterator[dict[str, Any]]:
        """The entries filed under `column`, newest first: as `sorted(..., key=(published or "", title or ""),
        reverse=True)` over the dict's values orders them."""
        for (text,) in self._rows("SELECT entry FROM entries WHERE section = ? AND col = ? "
                                  "ORDER BY spub DESC, stitle DESC, seq", (self.name, column)):
            yield json.loads(text)

    def latest(self, columns: list[str] | None, limit: int) -> list[dict[str, Any]]:
        """The `limit` newest entries (of these columns when given), ties in the dict's order."""
        where, args = "section = ?", [self.name]
        if columns is not None:
            where += f" AND col IN ({', '.join('?' * len(columns))})"
            args += columns
        with self.index.lock:
            rows = self.index.db.execute(f"SELECT entry FROM entries WHERE {where} "  # noqa: S608 - placeholders only
                                         "ORDER BY spub DESC, seq LIMIT ?", [*args, limit]).fetchall()
        return [json.loads(text) for (text,) in rows]

    def counts(self) -> dict[str, int]:
        """Entries per column."""
        with self.index.lock:
            return dict(self.index.db.execute("SELECT col, count(*) FROM entries WHERE section = ? AND col IS NOT "
                                              "NULL GROUP BY col", (self.name,)).fetchall())

    def _rows(self, sql: str, args: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
        """Rows of a query, read INSERT_BATCH at a time (never the whole section at once)."""
        with self.index.lock:
            cursor = self.index.db.execute(sql, args)
        while True:
            with self.index.lock:
                rows = cursor.fetchmany(INSERT_BATCH)
            if not rows:
                return
            yield from rows


_ABSENT = object()


def _dumps(value: Any) -> str:
    """JSON as the manifest file shows it (at the top level: nested levels are indented when written)."""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


def _text(value: Any) -> str | None:
    """A field listings sort or filter by, as text (None stays None)."""
    return value if value is None or isinstance(value, str) else str(value)


def manifest_chunks(sections: dict[str, Any]) -> Iterator[str]:
    """The manifest's text as `json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)` writes it (the
    on-disk sections read in key order), a piece at a time."""
    if not sections:
        yield "{}"
        return
    for number, name in enumerate(sorted(sections)):
        yield ("{\n " if number == 0 else ",\n ") + json.dumps(name, ensure_ascii=False) + ": "
        section = sections[name]
        items = section.sorted_json() if isinstance(section, DiskSection) else \
            ((key, _dumps(section[key])) for key in sorted(section))
        empty = True
        for key, text in items:
            yield ("{\n  " if empty else ",\n  ") + json.dumps(key, ensure_ascii=False) + ": " + \
                text.replace("\n", "\n  ")
            empty = False
        yield "{}" if empty else "\n }"
    yield "\n}"


def write_chunks_if_changed(path: Path, chunks: Any, sync: bool = True) -> bool:
    """Write a file from `chunks()` (called again for the write) atomically (and durably, with `sync`), only when
    its content differs from the file's; True when it was written. The comparison stops at the first difference."""
    if _same_content(path, chunks()):
        return False
    write_atomic_parts(path, _encoded(chunks()), sync=sync)  # the manifest's rename is durable: the journal may go
    return True


def _encoded(chunks: Iterable[str]) -> Iterator[bytes]:
    """The chunks as UTF-8, gathered to about CHUNK bytes each."""
    pending: list[str] = []
    size = 0
    for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= CHUNK:
            yield "".join(pending).encode("utf-8")
            pending, size = [], 0
    if pending:
        yield "".join(pending).encode("utf-8")


def _same_content(path: Path, chunks: Iterable[str]) -> bool:
    """True when the file holds exactly these chunks' bytes."""
    if not path.is_file():
        return False
    with path.open("rb") as old:
        for data in _encoded(chunks):
            if old.read(len(data)) != data:
                return False
        return old.read(1) == b""


def read_manifest(path: Path) -> Iterator[tuple[str, Any]]:
    """(section name, section) pairs of a manifest file, where a section is an object read an entry at a time
    (an iterator of (key, entry)); any other value comes whole. The caller consumes each section before the next."""
    with path.open(encoding="utf-8") as handle:
        stream = _JsonStream(handle)
        stream.take("{")
        while stream.peek() != "}":
            name = stream.value()
            stream.take(":")
            if stream.peek() == "{":
                yield name, _object_items(stream)
            else:
                yield name, stream.value()
            if stream.peek() != ",":
                break
            stream.take(",")
        stream.take("}")


def _object_items(stream: _JsonStream) -> Iterator[tuple[str, Any]]:
    """The (key, value) pairs of the object the stream is at, one at a time."""
    stream.take("{")
    while stream.peek() != "}":
        key = stream.value()
        stream.take(":")
        yield key, stream.value()
        if stream.peek() != ",":
            break
        stream.take(",")
    stream.take("}")


class _JsonStream:
    """A JSON text read from a file a value at a time."""

    def __init__(self, handle: Any) -> None:
        self.handle, self.buffer, self.pos, self.eof = handle, "", 0, False
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        """Read more of the file; False at its end."""
        if self.eof:
            return False
        chunk = self.handle.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buffer, self.pos = self.buffer[self.pos:] + chunk, 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\n\r":
                self.pos += 1
            if self.pos < len(self.buffer) or not self._fill():
                return self.buffer[self.pos] if self.pos < len(self.buffer) else ""

    def take(self, char: str) -> None:
        """Step over `char`, which must come next."""
        if self.peek() != char:
            raise json.JSONDecodeError(f"Expecting {char!r}", self.buffer, self.pos)
        self.pos += 1

    def value(self) -> Any:
        """The next JSON value (read on until it is whole: a number cut by the buffer's end is read on too)."""
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError:
                if not self._fill():
                    raise
                continue
            if end < len(self.buffer) or not self._fill():
                self.pos = end
                return value
