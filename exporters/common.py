"""What every exporter shares: the one file-naming policy, publish dates, secrets from the environment, an HTTP
client that retries (honouring Retry-After), atomic writes, a change journal and a process lock."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import html
import json
import logging
import mimetypes
import os
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx

from consolidate.core.errors import ExporterError
from consolidate.core.http import retry_after_seconds
from consolidate.core.legacy_time import display_time, legacy_instant

log = logging.getLogger(__name__)

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


# Content-Types that say nothing about a file's type (a download servlet's answer), and the document types whose
# extension mimetypes does not know or spells otherwise.
GENERIC_TYPES = frozenset({"application/octet-stream", "text/html", "application/force-download",
                           "application/x-download", "binary/octet-stream"})
TYPE_EXTENSIONS = {"application/pdf": "pdf", "application/msword": "doc", "application/vnd.ms-excel": "xls",
                   "application/zip": "zip", "application/x-rar-compressed": "rar", "application/vnd.rar": "rar",
                   "application/ofd": "ofd", "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}
_MAGIC = ((b"%PDF", "pdf"), (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF8", "gif"), (b"Rar!", "rar"))
_ZIP_PARTS = ((b"word/", "docx"), (b"xl/", "xlsx"), (b"ppt/", "pptx"))
_OLE_STREAMS = (("WordDocument", "doc"), ("Workbook", "xls"), ("PowerPoint Document", "ppt"))


def document_extension(name: str) -> str | None:
    """A name's extension when it names a document type (not a page or a server-side program), else None."""
    ext = extension(name)
    return ext if ext and ext not in SCRIPT_EXTENSIONS else None


def document_name(name: str, url: str = "", content_type: str | None = None, data: bytes = b"") -> str:
    """The one naming policy of re-hosted files: the link text (else the URL's file name) made safe, ending in a
    document extension taken from the name, else the URL, else the Content-Type, else the first bytes of `data`
    (a `.jsp`/`.php` one is replaced); with none known it keeps the name it has (see document_extension)."""
    url_name = url.split("?")[0].rsplit("/", 1)[-1]
    name = (name or "").strip() or url_name or "file"
    if document_extension(name):
        return safe_file_name(name)
    found = document_extension(url_name) or type_extension(content_type) or sniffed_extension(data)
    if found:
        name = f"{name.rsplit('.', 1)[0] if extension(name) else name}.{found}"
    return safe_file_name(name)


def type_extension(content_type: str | None) -> str | None:
    """A document extension for a Content-Type (the legacy server's word); None for generic and page types."""
    mime = (content_type or "").split(";")[0].strip().lower()
    if not mime or mime in GENERIC_TYPES:
        return None
    guessed = TYPE_EXTENSIONS.get(mime) or (mimetypes.guess_extension(mime) or "").lstrip(".")
    return guessed if guessed and guessed not in SCRIPT_EXTENSIONS else None


def sniffed_extension(data: bytes) -> str | None:
    """A document extension from a file's first bytes, where they tell (PDF, OOXML, OLE2 Office, images, RAR)."""
    if data.startswith(b"PK\x03\x04"):
        return next((ext for marker, ext in _ZIP_PARTS if marker in data[:65536]), "zip")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return next((ext for stream, ext in _OLE_STREAMS if stream.encode("utf-16-le") in data), None)
    return next((ext for magic, ext in _MAGIC if data.startswith(magic)), None)


# -- dates ---------------------------------------------------------------------------------------------------

ESTIMATE_SOURCES = {"list page": "栏目列表日期", "HTTP Last-Modified": "服务器文件修改时间"}


def publish_instant(published: str, title: str) -> dt.datetime:
    """A legacy publish time as an instant (Beijing time when it names no zone), or an ExporterError naming the
    article."""
    moment = legacy_instant(published)
    if moment is None:
        raise ExporterError(f"unreadable publish date {published!r} of {title!r}",
                            hint="fix the date in the state store or re-crawl the article")
    return moment


def utc_time(moment: dt.datetime, separator: str = "T") -> str:
    """An instant as UTC 'YYYY-MM-DD?HH:MM:SS' without offset (WordPress's date_gmt, WXR's post_date_gmt)."""
    return moment.astimezone(dt.UTC).strftime(f"%Y-%m-%d{separator}%H:%M:%S")


def metadata_rows(article: Any) -> list[tuple[str, str]]:
    """The 信息公开 fields of an export article as (label, value), when it has any besides its date (an estimated
    date is always shown, saying what it was estimated from)."""
    published = display_time(article.published)
    if published and article.date_estimated:
        published += f"（估计，依据{ESTIMATE_SOURCES.get(article.date_estimated, article.date_estimated)}）"
    fields = [("索引号", article.index_no), ("主题分类", article.topic), ("发布机构", article.publisher),
              ("成文日期", article.written), ("发文字号", article.doc_no), ("发布日期", published),
              ("有效性", article.validity)]
    present = [(label, value) for label, value in fields if value]
    return present if len(present) > 1 or article.date_estimated else []


# -- secrets and HTTP ----------------------------------------------------------------------------------------

def secret_from_env(variable: str, what: str) -> str:
    """A secret from the environment variable the options name (never the config itself), or an ExporterError
    naming the variable; the value never appears in a message."""
    value = os.environ.get(variable, "").strip()
    if not value:
        raise ExporterError(f"the environment variable {variable} is not set", hint=f"export {variable}=<{what}>")
    return value


RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER = 120.0  # seconds: a longer Retry-After is cut to this
OVERLOADED = "the target is overloaded or unreachable; retry later"


class TransientError(ExporterError):
    """A 429/5xx answer or a transport failure that a retry may cure; `wait` is what the server asked (or 1 s)."""

    def __init__(self, message: str, wait: float) -> None:
        super().__init__(message, hint=OVERLOADED)
        self.wait = wait


class RetryingClient:
    """Requests through an httpx client, repeated with backoff on 429/5xx answers and transport failures (waiting
    what Retry-After asks, capped); any other 4xx/5xx not accepted by the caller becomes `refused(response, what)`."""

    def __init__(self, client: httpx.Client, retries: int, refused: Callable[[httpx.Response, str], Exception],
                 name: str = "the target") -> None:
        self.client, self.retries, self.refused, self.name = client, retries, refused, name

    def request(self, method: str, url: str, retries: int | None = None, accept: tuple[int, ...] = (),
                **kwargs: Any) -> httpx.Response:
        """The answer (a success or an accepted status) after at most `retries` repeats; TransientError after."""
        retries = self.retries if retries is None else retries
        attempt = 0
        while True:
            wait, problem = self._attempt(method, url, accept, kwargs)
            if isinstance(problem, httpx.Response):
                return problem
            if attempt >= retries:
                raise TransientError(problem, wait if wait is not None else 1.0)
            wait = wait if wait is not None else min(0.5 * 2 ** attempt, 30.0)
            log.warning("%s %s: %s; retrying in %.1fs", method, url_path(url), problem, wait)
            time.sleep(wait)
            attempt += 1

    def close(self) -> None:
        """Release the connections."""
        self.client.close()

    def _attempt(self, method: str, url: str, accept: tuple[int, ...],
                 kwargs: dict[str, Any]) -> tuple[float | None, httpx.Response | str]:
        """One try: the accepted response, or (seconds the server asked to wait, what went wrong)."""
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            return None, f"cannot reach {self.name} ({type(exc).__name__})"
        if response.status_code in RETRY_STATUSES and response.status_code not in accept:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            return (None if wait is None else min(wait, MAX_RETRY_AFTER)), \
                f"HTTP {response.status_code} on {method} {url_path(url)}"
        if response.status_code < 400 or response.status_code in accept:
            return 0.0, response
        raise self.refused(response, f"{method} {url_path(url)}")


def url_path(url: str) -> str:
    """The path of a URL, for messages (never its query, which may carry a token)."""
    return httpx.URL(url).path


def error_text(response: httpx.Response) -> str:
    """An error answer in one line: its JSON `message`, else the start of its body without markup."""
    try:
        body = response.json()
        if isinstance(body, dict) and body.get("message"):
            return html.unescape(re.sub(r"<[^>]+>", "", str(body["message"])))[:300]
    except ValueError:
        pass
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))[:200].strip()


# -- files ---------------------------------------------------------------------------------------------------

def temp_path(path: Path) -> Path:
    """The temporary file a write of `path` goes through: hidden, short, and the same on every try, so the next
    write of the file takes over what a killed one left (writers hold the output's ProcessLock)."""
    return path.with_name(f".{hashlib.sha1(path.name.encode('utf-8')).hexdigest()[:16]}.tmp")


def write_atomic(path: Path, data: bytes, sync: bool = False) -> None:
    """Replace a file's content in one step (a temporary file beside it, renamed over it); with `sync`, on disk
    (data and rename) when this returns, so a journal it replaces may be dropped even before a power cut."""
    write_atomic_parts(path, (data,), sync)


def write_atomic_parts(path: Path, parts: Iterable[bytes], sync: bool = False) -> None:
    """write_atomic of a file given in parts (written as they come, never joined in memory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    try:
        with tmp.open("wb") as out:
            for data in parts:
                out.write(data)
            if sync:
                out.flush()
                os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if sync:
        sync_directory(path.parent)


def sync_directory(directory: Path) -> None:
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
        # split on newlines only, not splitlines(): a title may hold U+2028, which the journal writes as it is
        for line in self.path.read_text(encoding="utf-8", errors="replace").split("\n"):
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

    def change(self, entries: dict[str, Any], section: str, key: str, entry: Any) -> None:
        """Set `entries[key]` (None removes it), the change journaled first so a killed push loses nothing;
        nothing happens when it is unchanged. `entries` is `section` of the state replay() fills."""
        if entries.get(key) == entry:
            return
        self.append(section, key, entry)
        if entry is None:
            entries.pop(key, None)
        else:
            entries[key] = entry

    def clear(self) -> None:
        """Drop the journal once the state it holds is saved (with write_atomic's `sync`)."""
        self.path.unlink(missing_ok=True)


_HELD: dict[str, list[Any]] = {}  # lock path → [handle, users] within this process


class ProcessLock:
    """An exclusive lock between processes on `path` (released by the OS on a crash), shared within one; taken
    by acquire() (an exporter's start), not when made."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.key: str | None = None  # while held

    @property
    def held(self) -> bool:
        """True between acquire() and close()."""
        return self.key is not None

    def acquire(self) -> None:
        """Wait for the lock (a second call does nothing)."""
        if self.key is not None:
            return
        key = str(self.path.resolve())
        held = _HELD.get(key)
        if held is None:
            handle = self.path.open("a")
            fcntl.flock(handle, fcntl.LOCK_EX)
            held = _HELD[key] = [handle, 0]
        held[1] += 1
        self.key = key

    def close(self) -> None:
        """Drop this user; the last one unlocks."""
        if self.key is None:
            return
        key, self.key = self.key, None
        held = _HELD[key]
        held[1] -= 1
        if held[1] == 0:
            held[0].close()
            del _HELD[key]
