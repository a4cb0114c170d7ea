"""WARC archive of every response, one file per site and crawl run (warcio), and reading it back."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import os
import time
import uuid
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from consolidate.core.store import Resource, Store, WarcPending, url_hash, utcnow
from crawlers.fetch import FetchResult

if TYPE_CHECKING:
    from consolidate.core.storage import Storage

REQUESTED_URL_HEADER = "WARC-X-Requested-URI"  # the frontier URL, when redirects led elsewhere
GZIP_MAGIC = b"\x1f\x8b\x08"  # each record is its own gzip member: a damaged one is skipped to the next
READ_ERRORS = (ArchiveLoadFailed, OSError, ValueError, EOFError, zlib.error)
WARC_DATE = "%Y-%m-%dT%H:%M:%SZ"  # WARC/1.0 dates, as warcio writes them (UTC, whole seconds)
BODY_CHUNK = 16384  # warcio's read size: its writer compresses a payload in pieces of this size
GZIP_LEVEL = 2  # deflate's fast path: on the real sample pages 0.29 -> 0.16 ms a record (level 6, zlib's default),
# files +9 %; level 1 saves no more CPU on the fleet's pages for +12 to +18 % (warcio wrote level 9)


WARC_PREFIX = "warc/"
OPEN_SEGMENTS = "warc-open"  # folder of the workspace where segments for remote storage are written


INSERT_PENDING = insert(WarcPending.__table__)


def pending_row(site_id: str, worker_id: str, segment: str, url: str) -> dict[str, str]:
    """The row noting one record of an open segment."""
    return {"site_id": site_id, "worker_id": worker_id, "segment": segment, "url_hash": url_hash(url)}


def forget_segment(session: Session, segment: str) -> None:
    """The segment reached the storage: its records are no longer pending (the rows stay until the worker ends
    well: a page whose record is stored but whose results the worker never committed is fetched again, but
    not archived twice)."""
    session.execute(update(WarcPending).where(WarcPending.segment == segment).values(stored=True),
                    execution_options={"synchronize_session": False})


def forget_worker(session: Session, worker_id: str) -> None:
    """A worker ended with every page committed and every segment stored: drop its rows."""
    session.execute(delete(WarcPending).where(WarcPending.worker_id == worker_id),
                    execution_options={"synchronize_session": False})


def requeue_unstored(store: Store, site_id: str, live_seconds: float,
                     storage: Storage | None) -> tuple[int, set[str]]:
    """Queue again the URLs whose records sat in a segment a stopped worker never uploaded (a worker is gone when
    it is not running or its heartbeat is older than `live_seconds`); a segment found in the storage was uploaded
    before its worker died (the note had not reached the store): its records are kept. Returns the URLs queued
    again and the hashes of URLs whose record is stored though their page was never committed (fetched again,
    not archived again)."""
    with store.session() as session:
        return requeue_unstored_in(session, site_id, live_seconds, storage)


def requeue_unstored_in(session: Session, site_id: str, live_seconds: float,
                        storage: Storage | None) -> tuple[int, set[str]]:
    """`requeue_unstored` inside a transaction someone else commits."""
    from crawlers.frontier import CrawlWorker  # the frontier imports the crawl's tables; import late

    since = utcnow() - dt.timedelta(seconds=live_seconds)
    live = select(CrawlWorker.id).where(CrawlWorker.state == "running", CrawlWorker.heartbeat_at >= since)
    rows = session.execute(select(WarcPending.id, WarcPending.segment, WarcPending.url_hash, WarcPending.stored)
                           .where(WarcPending.site_id == site_id,
                                  WarcPending.worker_id.not_in(live.scalar_subquery()))).all()
    unsure = {row.segment for row in rows if not row.stored}
    stored = {row.segment for row in rows if row.stored}
    stored |= {name for name in unsure if storage is not None and storage.exists(WARC_PREFIX + name)}
    hashes = sorted({row.url_hash for row in rows if row.segment not in stored})
    kept = {row.url_hash for row in rows if row.segment in stored}
    unfinished = set(session.scalars(select(Resource.url_hash).where(
        Resource.site_id == site_id, Resource.status.in_(("fetching", "queued")),
        Resource.url_hash.in_(sorted(kept))))) if kept else set()
    for start in range(0, len(hashes), 500):
        session.execute(update(Resource).where(Resource.site_id == site_id,
                                               Resource.url_hash.in_(hashes[start:start + 500]))
                        .values(status="queued"), execution_options={"synchronize_session": False})
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 500):
        session.execute(delete(WarcPending).where(WarcPending.id.in_(ids[start:start + 500])),
                        execution_options={"synchronize_session": False})
    return len(hashes), unfinished


def _digest(digest: Any) -> str:
    """A WARC digest header value as warcio writes it (sha1:BASE32)."""
    return "sha1:" + base64.b32encode(digest.digest()).decode("ascii")


class GzipMembers:
    """A file wrapper that writes each record (everything up to a flush) as its own gzip member, as warcio's gzip
    writer does, at GZIP_LEVEL."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self._compressor: Any = None  # only while a record is written: a compressor holds ~270 KB, a fleet
        # crawl has an archive open per site

    def write(self, data: bytes) -> None:
        """Compress bytes into the open member (opened by the record's first bytes)."""
        if self._compressor is None:
            self._compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out.write(self._compressor.compress(data))

    def flush(self) -> None:
        """End the member (a record is complete)."""
        if self._compressor is not None:
            self.out.write(self._compressor.flush())
            self._compressor = None
        self.out.flush()


class WarcArchive:
    """Appends response records to `dir/<site>-<UTC stamp>.warc.gz`.

    With remote storage, records go to local segments under `dir` that are uploaded to `warc/` of the storage
    when closed (after `segment_records` records or `segment_bytes` bytes, and at the end), then kept in
    `cache` (the local copy readers use). `on_record(segment, url)` is told of every record written, and
    `on_stored(segment)` of every segment that reached the storage.
    """

    def __init__(self, directory: Path, site_id: str, storage: Storage | None = None, cache: Path | None = None,
                 segment_records: int = 1000, segment_bytes: int = 256 << 20,
                 on_record: Callable[[str, str], None] | None = None,
                 on_stored: Callable[[str], None] | None = None, skip: set[str] | None = None) -> None:
        self.directory, self.site_id = directory, site_id
        self.storage = storage if storage is not None and storage.remote else None
        self.cache = cache or directory
        self.segment_records, self.segment_bytes = segment_records, segment_bytes
        self.on_record, self.on_stored = on_record, on_stored
        self.skip = skip if skip is not None else set()  # hashes of URLs whose record is already stored (written once, not again)
        self.records = 0  # in all segments of this run
        self.stored: list[str] = []  # keys of the uploaded segments
        self.sealed: list[Path] = []  # closed segments waiting for upload
        self._open()

    def _open(self) -> None:
        """Start a new file (a new segment)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")
        self.path = self.directory / f"{self.site_id}-{stamp}.warc.gz"
        self._handle: BinaryIO = self.path.open("ab")
        self._members = GzipMembers(self._handle)
        self._writer = WARCWriter(self._members, gzip=False)
        self._segment_records = 0

    def write(self, result: FetchResult, requested_url: str | None = None) -> None:
        """Archive one HTTP response (body from memory or the spooled file)."""
        if result.status is None:
            return
        if self.skip and url_hash(requested_url or result.url) in self.skip:
            self.skip.discard(url_hash(requested_url or result.url))
            return
        headers = [(k, v) for k, v in result.headers.items() if k not in ("transfer-encoding", "content-encoding")]
        status_line = f"{result.status} {result.reason or 'OK'}".strip()
        if result.body_file is None and self._write_in_memory(result, requested_url, status_line, headers):
            self._written(requested_url or result.url)
            return
        http_headers = StatusAndHeaders(status_line, headers, protocol="HTTP/1.1")
        extra = {REQUESTED_URL_HEADER: requested_url or result.url}
        body = b"" if result.too_large else result.body
        payload: BinaryIO = result.body_file.open("rb") if result.body_file else io.BytesIO(body)
        try:
            # The length given, warcio digests the payload in place (without it, it copies the body into a
            # temporary file twice and digests it three times); the record is the same.
            length = os.fstat(payload.fileno()).st_size if result.body_file else len(body)
            record = self._writer.create_warc_record(result.final_url, "response", payload=payload,
                                                     length=length, http_headers=http_headers,
                                                     warc_headers_dict=extra)
            self._writer.write_record(record)
        finally:
            payload.close()
        self._written(requested_url or result.url)

    def _write_in_memory(self, result: FetchResult, requested_url: str | None, status_line: str,
                         headers: list[tuple[str, str]]) -> bool:
        """Write the record of a response held in memory as warcio's writer does (the same bytes, without its
        header objects and stream copies); False, nothing written, when its HTTP headers are not all ASCII
        (warcio percent-encodes such values, or refuses them) or it has no URL: warcio's writer then writes it."""
        http_text = "".join((f"HTTP/1.1 {status_line}\r\n", *(f"{k}: {v}\r\n" for k, v in headers), "\r\n"))
        if not http_text.isascii() or not result.final_url:
            return False
        http = http_text.encode("ascii")
        body = b"" if result.too_large else result.body
        block = hashlib.sha1(http)
        block.update(body)
        warc = (f"WARC/1.0\r\n{REQUESTED_URL_HEADER}: {requested_url or result.url}\r\nWARC-Type: response\r\n"
                f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\nWARC-Target-URI: {result.final_url}\r\n"
                f"WARC-Date: {time.strftime(WARC_DATE, time.gmtime())}\r\n"
                f"WARC-Payload-Digest: {_digest(hashlib.sha1(body))}\r\nWARC-Block-Digest: {_digest(block)}\r\n"
                f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http) + len(body)}\r\n"
                "\r\n").encode()
        out = self._members
        out.write(warc)
        out.write(http)
        view = memoryview(body)
        for start in range(0, len(body), BODY_CHUNK):  # the pieces warcio's writer hands its compressor
            out.write(view[start:start + BODY_CHUNK])
        out.write(b"\r\n\r\n")
        out.flush()
        return True

    def _written(self, url: str) -> None:
        """Count a record written; with remote storage, note it and seal a full segment."""
        self.records += 1
        self._segment_records += 1
        if self.storage is None:
            return
        if self.on_record is not None:
            self.on_record(self.path.name, url)
        if self._segment_records >= self.segment_records or self._handle.tell() >= self.segment_bytes:
            self._seal()
            self._open()

    def _seal(self) -> None:
        """Close the current segment; it waits in `sealed` for `upload` (the caller first makes sure the store
        holds the pending notes of its records)."""
        self._handle.close()
        if self._segment_records == 0:
            self.path.unlink(missing_ok=True)
        else:
            self.sealed.append(self.path)

    def take_sealed(self) -> list[Path]:
        """The sealed segments not yet handed out for upload."""
        sealed, self.sealed = self.sealed, []
        return sealed

    def upload(self, path: Path) -> None:
        """Upload a sealed segment whole, keep it in the cache folder and report it stored."""
        key = WARC_PREFIX + path.name
        self.storage.upload(key, path)
        self.cache.mkdir(parents=True, exist_ok=True)
        path.replace(self.cache / path.name)
        self.stored.append(key)
        if self.on_stored is not None:
            self.on_stored(path.name)

    def close(self) -> None:
        """Flush and close the archive (the last segment is sealed, for `upload`); remove it if nothing was
        written."""
        if self.storage is not None:
            self._seal()
            return
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
    content_type: str = ""


def site_archives(directory: Path, site_id: str) -> list[Path]:
    """A site's WARC files, oldest first (names carry the UTC start time)."""
    return sorted(p for p in directory.glob(f"{site_id}-*.warc.gz") if _of_site(p.name, site_id))


def _of_site(name: str, site_id: str) -> bool:
    """True when a WARC file name is one of this site's (`<site>-<digits>.warc.gz`)."""
    return name.startswith(f"{site_id}-") and name[len(site_id) + 1:][:1].isdigit() and name.endswith(".warc.gz")


def mirror_site_archives(storage: Storage | None, directory: Path, site_id: str) -> list[Path]:
    """A site's WARC files as local paths: with remote storage, the segments stored there, downloaded into
    `directory` when missing or of another size (segments never change once stored); else the local files."""
    if storage is None or not storage.remote:
        return site_archives(directory, site_id)
    paths = []
    for key, size in sorted(storage.list(WARC_PREFIX).items()):
        name = key.rsplit("/", 1)[-1]
        if not _of_site(name, site_id):
            continue
        local = directory / name
        if not local.is_file() or local.stat().st_size != size:
            storage.download(key, local)
        paths.append(local)
    return sorted(paths)


def archive_stored_on(storage: Storage | None, directory: Path, site_id: str) -> dt.date | None:
    """The day a site's archive was first stored (local date), or None when nothing is: with remote storage the
    upload time the service keeps for the earliest segment (never a local cache file's time: a download is
    no archiving); else the earliest local WARC file's time."""
    if storage is not None and storage.remote:
        times = [when for key, when in storage.stored_at(WARC_PREFIX).items() if _of_site(key.rsplit("/", 1)[-1],
                                                                                            site_id)]
    else:
        times = [dt.datetime.fromtimestamp(p.stat().st_mtime, dt.UTC) for p in site_archives(directory, site_id)
                 if p.stat().st_size > 0]
    return min(times).astimezone().date() if times else None


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
                content_type = record.http_headers.get_header("Content-Type") or ""
                yield ArchivedResponse(path, offset, url, final_url, status, content_type)
    except READ_ERRORS as exc:
        return last_ok, _reason(exc)
    if last_ok is not None and _stopped_early(path, last_ok):
        return last_ok, "reading stopped before the file's end"
    return last_ok, None


def _stopped_early(path: Path, last: int) -> bool:
    """True when more of the file follows the member at `last`, the last record warcio read before it ended
    without an error (warcio logs a damaged member and can go on as if the archive ended there); a cut-short
    last member alone is a killed crawl's last write, not damage."""
    end = _member_end(path, last)
    if end is None:  # that member itself is damaged (warcio logged it and went on as if the archive ended)
        return _next_member(path, last + 1) is not None
    if end >= path.stat().st_size:
        return False
    return _member_readable(path, end) or _next_member(path, end + 1) is not None


def _member_end(path: Path, offset: int) -> int | None:
    """The byte just after the whole gzip member at `offset`, or None when it does not decompress whole."""
    inflater = zlib.decompressobj(wbits=31)
    position = offset
    with path.open("rb") as handle:
        handle.seek(offset)
        try:
            while not inflater.eof:
                data = handle.read(1 << 16)
                if not data:
                    return None
                position += len(data)
                while data and not inflater.eof:
                    inflater.decompress(data, 1 << 20)
                    data = inflater.unconsumed_tail
                if inflater.eof:
                    return position - len(inflater.unused_data) - len(data)
        except zlib.error:
            return None
    return position


def _member_readable(path: Path, offset: int) -> bool:
    """True when the gzip member at `offset` decompresses whole with a good checksum (output discarded)."""
    return _member_end(path, offset) is not None


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
    """Headers (lower-cased) and body of one archived response; a damaged gzip member raises zlib.error (warcio
    itself logs a damaged body to stderr and returns what it got, so the member is inflated and checked here)."""
    with response.path.open("rb") as handle:
        handle.seek(response.offset)
        plain = _inflate_member(handle)
    stream = io.BytesIO(plain) if plain is not None else response.path.open("rb")
    with stream:
        if plain is None:
            stream.seek(response.offset)
        for record in ArchiveIterator(stream):
            headers = {k.lower(): v for k, v in record.http_headers.headers}
            return headers, record.content_stream().read()
    return {}, b""


def _inflate_member(handle: BinaryIO) -> bytes | None:
    """The whole gzip member at the handle's position, its checksum verified (zlib.error when damaged, EOFError
    when cut short); None when no gzip member starts there (an uncompressed WARC)."""
    head = handle.read(len(GZIP_MAGIC))
    if head != GZIP_MAGIC:
        return None
    inflater = zlib.decompressobj(wbits=31)
    parts = [inflater.decompress(head)]
    while not inflater.eof:
        data = handle.read(1 << 16)
        if not data:
            raise EOFError("gzip member cut short")
        parts.append(inflater.decompress(data))
    return b"".join(parts)
