"""What every exporter shares: one file-naming policy, atomic writes, a change journal and a process lock."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import threading
import unicodedata
from pathlib import Path
from typing import Any

MAX_NAME_BYTES = 255  # the file-name limit of ext4, XFS, btrfs and NTFS (in UTF-8 bytes)
# Extensions that name a page or a server-side program, not a document: a link text or URL ending in one says
# nothing about the file's type, and a file so named would be run or rendered by a web server.
SCRIPT_EXTENSIONS = frozenset({
    "jsp", "jspx", "php", "php3", "php4", "php5", "php7", "phtml", "phar", "asp", "aspx", "ashx", "asmx", "do",
    "action", "cgi", "pl", "py", "rb", "htm", "html", "shtml", "shtm", "xhtml", "stm"})
# Attachment types a portal serves as they are: documents, archives, images, audio and video. Anything else (svg,
# xml, js, swf, htaccess, server pages …) may carry script or server-side code and is given a neutral name.
SAFE_EXTENSIONS = frozenset({
    "pdf", "ofd", "doc", "docx", "dot", "dotx", "xls", "xlsx", "xlt", "xltx", "csv", "ppt", "pptx", "pps", "ppsx",
    "wps", "wpt", "et", "ett", "dps", "dpt", "odt", "ods", "odp", "rtf", "txt", "ceb", "caj",
    "zip", "rar", "7z", "gz", "tgz", "bz2", "xz", "tar",
    "jpg", "jpeg", "png", "gif", "bmp", "webp", "tif", "tiff", "ico",
    "mp3", "wav", "wma", "m4a", "aac", "mp4", "m4v", "avi", "wmv", "flv", "mov", "mpg", "mpeg", "webm"})
NEUTRAL_EXTENSION = "bin"
_SEPARATORS = re.compile(r"[/\\]+")
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,6})$")


def extension(name: str) -> str | None:
    """The lower-cased extension of a file name (1–6 letters/digits after the last dot), if any."""
    match = _EXTENSION.search(name)
    return match.group(1).lower() if match else None


def safe_file_name(name: str, fallback: str = "file", max_bytes: int = MAX_NAME_BYTES) -> str:
    """A name any file system takes: no separators or control characters, never `.`/`..` or hidden, and at most
    `max_bytes` UTF-8 bytes with its extension kept (the stem is cut on a character boundary)."""
    text = "".join(ch for ch in unicodedata.normalize("NFC", name or "")
                   if unicodedata.category(ch)[0] != "C")
    text = _SEPARATORS.sub("_", text).strip()
    ext = extension(text)
    suffix = f".{ext}" if ext else ""
    stem = _clean_stem(text[: -len(suffix)] if ext else text) or fallback
    room = max_bytes - len(suffix.encode("utf-8"))
    return (_clean_stem(stem.encode("utf-8")[:room].decode("utf-8", "ignore")) or fallback) + suffix


def _clean_stem(stem: str) -> str:
    """A stem without leading dots (hidden files, `.`/`..`) or trailing dots and spaces (Windows drops them)."""
    return stem.strip().lstrip(".").rstrip(". ").strip()


def served_file_name(name: str, fallback: str = "file") -> tuple[str, bool]:
    """A safe name for a file a web server will serve, and whether its type was neutralised: documents and images
    keep their extension, anything else ends in `.bin` (its own extension kept in the stem). An inner script
    extension loses its dot, so no server runs a second extension (Apache's `x.php.pdf`)."""
    safe = safe_file_name(name, fallback)
    ext = extension(safe)
    stem = safe[: -len(ext) - 1] if ext else safe
    first, *rest = stem.split(".")
    stem = first + "".join(("_" if part.lower() in SCRIPT_EXTENSIONS else ".") + part for part in rest)
    if ext in SAFE_EXTENSIONS:
        return safe_file_name(f"{stem}.{ext}", fallback), False
    return safe_file_name(f"{stem}_{ext}.{NEUTRAL_EXTENSION}" if ext else f"{stem}.{NEUTRAL_EXTENSION}",
                          fallback), True


def temp_path(path: Path) -> Path:
    """The temporary file a write of `path` goes through: hidden, short, and the same on every try, so the next
    write of the file takes over what a killed one left (writers hold the output's ProcessLock)."""
    return path.with_name(f".{hashlib.sha1(path.name.encode('utf-8')).hexdigest()[:16]}.tmp")


def write_atomic(path: Path, data: bytes, sync: bool = False) -> None:
    """Replace a file's content in one step (a temporary file beside it, renamed over it); with `sync`, on disk
    (data and rename) when this returns, so a journal it replaces may be dropped even before a power cut."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    try:
        with tmp.open("wb") as out:
            out.write(data)
            if sync:
                out.flush()
                os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if sync:
        _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    """fsync a directory, making the renames in it durable."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def write_if_changed(path: Path, text: str, sync: bool = False) -> bool:
    """Write a text file atomically, only when its content differs; True when it was written."""
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    write_atomic(path, data, sync)
    return True


def copy_atomic(source: Path, target: Path) -> None:
    """Copy a file so that the target is either absent or whole (a killed copy leaves only a temporary file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(target)
    try:
        with tmp.open("wb") as out, source.open("rb") as data:
            while chunk := data.read(1 << 20):
                out.write(chunk)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class Journal:
    """Changes since an exporter's state was last saved, one JSON line each, written before a put returns and so
    before the push map records it: a killed push loses nothing; the next open replays them. Lines are not fsynced
    (that made a WXR push 6x slower); the store's SQLite runs synchronous=NORMAL, so a power cut is covered only
    as far as the store is, and `verify` reads the output back to find any gap."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def replay(self, state: dict[str, dict[str, Any]]) -> int:
        """Apply the journal to `state` (section → key → entry); lines cut short by a kill are ignored."""
        if not self.path.exists():
            return 0
        applied = 0
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                section, key, entry = json.loads(line)
            except (ValueError, TypeError):
                continue
            if section not in state:
                continue
            if entry is None:
                state[section].pop(key, None)
            else:
                state[section][key] = entry
            applied += 1
        return applied

    def append(self, section: str, key: str, entry: Any) -> None:
        """Record one change (None = removed); on disk when this returns."""
        line = json.dumps([section, key, entry], ensure_ascii=False) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as journal:
            journal.write(line)

    def clear(self) -> None:
        """Drop the journal once the state it holds is saved (with write_atomic's `sync`)."""
        self.path.unlink(missing_ok=True)


_HELD: dict[str, list[Any]] = {}  # lock path → [handle, users] within this process


class ProcessLock:
    """An exclusive lock between processes on `path` (released by the OS on a crash), shared within one."""

    def __init__(self, path: Path) -> None:
        self.key = str(path.resolve())
        held = _HELD.get(self.key)
        if held is None:
            handle = path.open("a")
            fcntl.flock(handle, fcntl.LOCK_EX)
            held = _HELD[self.key] = [handle, 0]
        held[1] += 1
        self.closed = False

    def close(self) -> None:
        """Drop this user; the last one unlocks."""
        if self.closed:
            return
        self.closed = True
        held = _HELD[self.key]
        held[1] -= 1
        if held[1] == 0:
            held[0].close()
            del _HELD[self.key]
