"""WARC archive of every response, one file per site and crawl run (warcio)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawlers.fetch import FetchResult


class WarcArchive:
    """Appends response records to `dir/<site>-<UTC stamp>.warc.gz`."""

    def __init__(self, directory: Path, site_id: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
        self.path = directory / f"{site_id}-{stamp}.warc.gz"
        self._handle: BinaryIO = self.path.open("ab")
        self._writer = WARCWriter(self._handle, gzip=True)
        self.records = 0

    def write(self, result: FetchResult) -> None:
        """Archive one HTTP response (body from memory or the spooled file)."""
        if result.status is None:
            return
        headers = [(k, v) for k, v in result.headers.items() if k not in ("transfer-encoding", "content-encoding")]
        status_line = f"{result.status} {result.reason or 'OK'}".strip()
        http_headers = StatusAndHeaders(status_line, headers, protocol="HTTP/1.1")
        payload: BinaryIO
        payload = result.body_file.open("rb") if result.body_file else io.BytesIO(result.body)
        try:
            record = self._writer.create_warc_record(result.final_url, "response", payload=payload,
                                                     http_headers=http_headers)
            self._writer.write_record(record)
        finally:
            payload.close()
        self.records += 1

    def close(self) -> None:
        """Flush and close the archive; remove it if nothing was written."""
        self._handle.close()
        if self.records == 0:
            self.path.unlink(missing_ok=True)
