"""WARC archive of every response, one file per site and crawl run (warcio), and reading it back."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawlers.fetch import FetchResult

REQUESTED_URL_HEADER = "WARC-X-Requested-URI"  # the frontier URL, when redirects led elsewhere


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


def iter_responses(paths: list[Path]) -> Iterator[ArchivedResponse]:
    """Every response record of the files, in archive order, without reading bodies."""
    for path in paths:
        try:
            with path.open("rb") as handle:
                iterator = ArchiveIterator(handle)
                for record in iterator:
                    if record.rec_type != "response" or record.http_headers is None:
                        continue
                    final_url = record.rec_headers.get_header("WARC-Target-URI") or ""
                    url = record.rec_headers.get_header(REQUESTED_URL_HEADER) or final_url
                    status = int(record.http_headers.get_statuscode() or 0)
                    yield ArchivedResponse(path, iterator.get_record_offset(), url, final_url, status)
        except (OSError, ValueError, EOFError):  # a truncated archive of an interrupted run: use what is there
            continue


def latest_ok(paths: list[Path]) -> dict[str, ArchivedResponse]:
    """The newest 200 response per requested URL."""
    latest: dict[str, ArchivedResponse] = {}
    for response in iter_responses(paths):
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
