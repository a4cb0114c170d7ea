"""WARC archive of every response, one file per site and crawl run (warcio), and reading it back."""

from __future__ import annotations

import datetime as dt
import io
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawlers.fetch import FetchResult

REQUESTED_URL_HEADER = "WARC-X-Requested-URI"  # the frontier URL, when redirects led elsewhere
GZIP_MAGIC = b"\x1f\x8b\x08"  # each record is its own gzip member: a damaged one is skipped to the next
READ_ERRORS = (ArchiveLoadFailed, OSError, ValueError, EOFError, zlib.error)


class WarcArchive:
    """Appends response records to `dir/<site>-<UTC stamp>.warc.gz`."""

    def __init__(self, directory: Path, site_id: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")
        self.path = directory / f"{site_id}-{stamp}.warc.gz"
        self._handle: BinaryIO = self.path.open("ab")
        self._writer = WARCWriter(self._handle, gzip=True)
        self.records = 0

    def write(self, result: FetchResult, requested_url: str | None = None) -> None:
        """Archive one HTTP response (body from memory or the spooled file)."""
        if result.status is None:
            return
        headers = [(k, v) for k, v in result.headers.items() if k not in ("transfer-encoding", "content-encoding")]
        status_line = f"{result.status} {result.reason or 'OK'}".strip()
        http_headers = StatusAndHeaders(status_line, headers, protocol="HTTP/1.1")
        extra = {REQUESTED_URL_HEADER: requested_url or result.url}
        payload: BinaryIO
        payload = result.body_file.open("rb") if result.body_file else io.BytesIO(b"" if result.too_large
                                                                                   else result.body)
        try:
            record = self._writer.create_warc_record(result.final_url, "response", payload=payload,
                                                     http_headers=http_headers, warc_headers_dict=extra)
            self._writer.write_record(record)
        finally:
            payload.close()
        self.records += 1

    def close(self) -> None:
        """Flush and close the archive; remove it if nothing was written."""
        self._handle.close()
        if self.records == 0:
            self.path.unlink(missing_ok=True)


@dataclass
class ArchivedResponse:
    """Where one archived response sits, and what it was."""

    path: Path
    offset: int
    url: str  # the URL the frontier asked for
    final_url: str
    status: int


def site_archives(directory: Path, site_id: str) -> list[Path]:
    """A site's WARC files, oldest first (names carry the UTC start time)."""
    return sorted(p for p in directory.glob(f"{site_id}-*.warc.gz") if p.name[len(site_id) + 1:][:1].isdigit())


@dataclass
class DamagedMember:
    """A gzip member of an archive that could not be read (skipped; the records after it are still read)."""

    path: Path
    offset: int
    error: str


def iter_responses(paths: list[Path], damaged: list[DamagedMember] | None = None) -> Iterator[ArchivedResponse]:
    """Every response record of the files, in archive order, without reading bodies; a damaged member is noted in
    `damaged` and reading goes on at the next gzip member that decompresses whole (a file cut short by a killed
    crawl just ends)."""
    noted = damaged if damaged is not None else []
    for path in paths:
        start: int | None = 0
        seen: set[int] = set()
        while start is not None:
            last_ok, error = yield from _responses_from(path, start, seen)
            if error is None:
                break
            if last_ok is None or not _member_readable(path, last_ok):  # the failing member is known
                bad = start if last_ok is None else last_ok
                noted.append(DamagedMember(path, bad, error))
                between = None
            else:  # the last record's member reads whole: the damage lies after it
                bad, between = last_ok, DamagedMember(path, last_ok, f"after this record: {error}")
            start = _next_member(path, bad + 1)
            while start is not None and not _member_readable(path, start):
                noted.append(DamagedMember(path, start, error if between is None else "unreadable gzip member"))
                between, start = None, _next_member(path, start + 1)
            if between is not None:
                noted.append(between)


def _responses_from(path: Path, start: int,
                    seen: set[int]) -> Generator[ArchivedResponse, None, tuple[int | None, str | None]]:
    """The responses of one file from byte `start` on; then the offset of the last WARC record read (None: none)
    and why reading stopped early (None: the file's end)."""
    last_ok: int | None = None
    try:
        with path.open("rb") as handle:
            handle.seek(start)
            iterator = ArchiveIterator(handle)
            for record in iterator:
                if record.format != "warc":  # damaged bytes warcio read as an old ARC record
                    raise ArchiveLoadFailed("not a WARC record")
                offset = last_ok = iterator.get_record_offset()  # the file's own offset (seek counted)
                if offset in seen or record.rec_type != "response" or record.http_headers is None:
                    continue
                seen.add(offset)
                final_url = record.rec_headers.get_header("WARC-Target-URI") or ""
                url = record.rec_headers.get_header(REQUESTED_URL_HEADER) or final_url
                status = int(record.http_headers.get_statuscode() or 0)
                yield ArchivedResponse(path, offset, url, final_url, status)
    except READ_ERRORS as exc:
        return last_ok, _reason(exc)
    return last_ok, None


def _member_readable(path: Path, offset: int) -> bool:
    """True when the gzip member at `offset` decompresses whole with a good checksum (output discarded)."""
    inflater = zlib.decompressobj(wbits=31)
    with path.open("rb") as handle:
        handle.seek(offset)
        try:
            while not inflater.eof:
                data = handle.read(1 << 16)
                if not data:
                    return False
                while data and not inflater.eof:
                    inflater.decompress(data, 1 << 20)
                    data = inflater.unconsumed_tail
        except zlib.error:
            return False
    return True


def _reason(exc: BaseException) -> str:
    """An archive read error in words, without the garbage bytes warcio quotes."""
    text = str(exc).split(":", 1)[0].strip()
    return f"{type(exc).__name__}: {text}"[:120] if text else type(exc).__name__


def _next_member(path: Path, position: int) -> int | None:
    """The offset of the next gzip member header at or after `position`, or None."""
    with path.open("rb") as handle:
        handle.seek(position)
        base, tail = position, b""
        while chunk := handle.read(1 << 20):
            data = tail + chunk
            found = data.find(GZIP_MAGIC)
            if found >= 0:
                return base - len(tail) + found
            tail = data[-(len(GZIP_MAGIC) - 1):]
            base += len(chunk)
    return None


def latest_ok(paths: list[Path], damaged: list[DamagedMember] | None = None) -> dict[str, ArchivedResponse]:
    """The newest 200 response per requested URL (damaged members noted in `damaged`)."""
    latest: dict[str, ArchivedResponse] = {}
    for response in iter_responses(paths, damaged):
        if response.status == 200:
            latest[response.url] = response
    return latest


def read_response(response: ArchivedResponse) -> tuple[dict[str, str], bytes]:
    """Headers (lower-cased) and body of one archived response."""
    with response.path.open("rb") as handle:
        handle.seek(response.offset)
        for record in ArchiveIterator(handle):
            headers = {k.lower(): v for k, v in record.http_headers.headers}
            return headers, record.content_stream().read()
    return {}, b""
