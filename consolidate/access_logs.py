"""Legacy servers' access logs read into hits per requested path: nginx/Apache combined, IIS W3C, CSV; gzip too."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from consolidate.core.errors import InputFileError

FORMATS = ("combined", "w3c", "csv")
# host ident user [time] "METHOD target PROTOCOL" status …  (common and combined log formats)
COMBINED = re.compile(r'^\S+ \S+ \S+ \[(?P<time>[^\]]*)\] "(?P<method>[A-Z]+) (?P<target>\S+)(?: [^"]*)?" '
                      r'(?P<status>\d{3}) ')
PATH_FIELDS = ("path", "url", "uri", "request_uri", "cs-uri-stem", "request", "page", "路径", "网址")
HITS_FIELDS = ("hits", "count", "requests", "pageviews", "访问量", "次数")
QUERY_FIELDS = ("query", "cs-uri-query")
STATUS_FIELDS = ("status", "sc-status")
COUNTED_METHODS = ("GET", "HEAD")
MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                      "Dec"), 1)}


@dataclass
class LogCount:
    """What one log file says: hits per requested path (with query), and lines that were not requests."""

    name: str
    sha256: str
    log_format: str
    hits: Counter[str] = field(default_factory=Counter)
    last: dict[str, str] = field(default_factory=dict)  # path → last day requested (YYYY-MM-DD)
    requests: int = 0
    unreadable: int = 0


def read_log(path: Path) -> LogCount:
    """Count one log file, streamed (gzip when it starts with the gzip magic); its format is recognised from its
    first lines; it is identified by the hash of its bytes as stored."""
    try:
        with path.open("rb") as raw:
            gzipped = raw.read(2) == b"\x1f\x8b"
        digest = _file_hash(path)
        with _open_text(path, gzipped) as stream:
            head = list(itertools.islice(stream, 50))
            kind = detect_format("".join(head))
            if kind is None:
                raise InputFileError(f"{path}: not an access log this tool reads",
                                     hint="use nginx/Apache combined or common format, IIS W3C (#Fields:), or a CSV "
                                          "with a path or url column")
            count = LogCount(path.name, digest, kind)
            {"combined": _combined, "w3c": _w3c, "csv": _csv}[kind](itertools.chain(head, stream), count)
    except OSError as exc:  # unreadable, or a broken/truncated gzip stream
        raise InputFileError(f"{path}: cannot read: {exc.strerror or exc}",
                             hint="check the path, and that a .gz file is complete") from None
    except EOFError:
        raise InputFileError(f"{path}: the gzip file ends early", hint="copy the complete file") from None
    return count


def _file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _open_text(path: Path, gzipped: bool) -> IO[str]:
    """The file as text lines (UTF-8, undecodable bytes replaced)."""
    if gzipped:
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", errors="replace", newline="")
    return path.open("r", encoding="utf-8-sig", errors="replace", newline="")


def detect_format(text: str) -> str | None:
    """combined, w3c or csv from the first meaningful lines, or None."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if any(line.startswith("#Fields:") for line in lines):
        return "w3c"
    if any(COMBINED.match(line) for line in lines):
        return "combined"
    if lines:
        header = [h.strip().lower() for h in next(csv.reader([lines[0]]))]
        if any(h in PATH_FIELDS for h in header):
            return "csv"
    return None


def _add(count: LogCount, target: str, day: str | None, hits: int = 1) -> None:
    """Count a request target (path with query), skipping absolute-form proxies' scheme and host."""
    target = target.strip()
    if target.startswith(("http://", "https://")):
        target = "/" + target.split("/", 3)[-1] if target.count("/") >= 3 else "/"
    if not target.startswith("/"):
        count.unreadable += 1
        return
    count.hits[target] += hits
    count.requests += hits
    if day and day > count.last.get(target, ""):
        count.last[target] = day


def _combined(lines: Iterable[str], count: LogCount) -> None:
    """nginx/Apache common or combined lines."""
    for line in lines:
        if not line.strip():
            continue
        match = COMBINED.match(line)
        if match is None:
            count.unreadable += 1
        elif match["method"] in COUNTED_METHODS:
            _add(count, match["target"], _clf_day(match["time"]))


def _clf_day(stamp: str) -> str | None:
    """'10/Oct/2026:13:55:36 +0800' → '2026-10-10'."""
    match = re.match(r"(\d{2})/([A-Z][a-z]{2})/(\d{4})", stamp)
    if match is None or match[2] not in MONTHS:
        return None
    return f"{match[3]}-{MONTHS[match[2]]:02d}-{match[1]}"


def _w3c(lines: Iterable[str], count: LogCount) -> None:
    """IIS W3C extended lines, read by the latest #Fields: directive."""
    fields: list[str] = []
    for line in lines:
        if line.startswith("#Fields:"):
            fields = line.split()[1:]
            continue
        if line.startswith("#") or not line.strip():
            continue
        values = line.split()
        row = dict(zip(fields, values, strict=False))
        stem = row.get("cs-uri-stem")
        if not fields or len(values) != len(fields) or not stem:
            count.unreadable += 1
            continue
        if row.get("cs-method", "GET") not in COUNTED_METHODS:
            continue
        query = row.get("cs-uri-query", "-")
        _add(count, stem + (f"?{query}" if query and query != "-" else ""), row.get("date"))


def _csv(lines: Iterable[str], count: LogCount) -> None:
    """A CSV with a path (or URL) column and, optionally, a hits column."""
    reader = csv.DictReader(lines)
    columns = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    path_col = next(columns[f] for f in PATH_FIELDS if f in columns)
    hits_col = next((columns[f] for f in HITS_FIELDS if f in columns), None)
    query_col = next((columns[f] for f in QUERY_FIELDS if f in columns), None)
    for row in reader:
        target = (row.get(path_col) or "").strip()
        query = (row.get(query_col) or "").strip() if query_col else ""
        if query and query != "-":
            target += f"?{query}"
        try:
            hits = int((row.get(hits_col) or "1").strip() or 1) if hits_col else 1
        except ValueError:
            count.unreadable += 1
            continue
        if hits < 0:
            count.unreadable += 1
            continue
        _add(count, target, None, hits)
