"""The crawl's WARC records are the ones warcio's own gzip writer makes of the same responses (dates and record ids
aside), each in its own gzip member: the faster writing path changes no byte a reader sees."""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawlers.fetch import FetchResult
from crawlers.warc import REQUESTED_URL_HEADER, WarcArchive, iter_responses, read_response

VARYING = re.compile(rb"^(WARC-Date|WARC-Record-ID): .*\r\n", re.M)


def _responses(spooled: Path) -> list[tuple[FetchResult, str | None]]:
    """Responses of every shape the crawl archives: a page, a redirect, an error page, a spooled file, a body too
    large to keep, a Chinese file name in a header, a Chinese URL and header value."""
    spooled.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 300)
    return [
        (FetchResult(url="http://a.example/x?y=1", final_url="http://a.example/x?y=1", status=200, reason="OK",
                     headers={"content-type": "text/html; charset=gbk", "content-length": "5", "server": "X"},
                     body=b"hello"), "http://a.example/x?y=1"),
        (FetchResult(url="http://a.example/old", final_url="http://a.example/old", status=301,
                     reason="Moved Permanently", headers={"location": "/new", "transfer-encoding": "chunked"}),
         None),
        (FetchResult(url="http://a.example/gone", final_url="http://a.example/gone", status=404,
                     reason="Not Found", headers={"content-type": "text/html"}, body=b"<h1>404</h1>" * 50),
         "http://a.example/gone"),
        (FetchResult(url="http://a.example/f.pdf", final_url="http://a.example/f.pdf", status=200, reason="OK",
                     headers={"content-type": "application/pdf", "content-encoding": "gzip"},
                     body_file=spooled, size=spooled.stat().st_size), "http://a.example/f.pdf"),
        (FetchResult(url="http://a.example/big.zip", final_url="http://a.example/big.zip", status=200,
                     reason="OK", headers={"content-length": "999999999"}, too_large=True, size=999999999), None),
        (FetchResult(url="http://a.example/d?id=1", final_url="http://a.example/d?id=1", status=200, reason="OK",
                     headers={"content-disposition": 'attachment; filename="通知.doc"'}, body=b"\xd0\xcf" * 999),
         "http://a.example/d?id=1"),
        (FetchResult(url="http://a.example/新闻/1.html", final_url="http://a.example/新闻/1.html", status=200,
                     reason="OK", headers={"content-type": "text/html; charset=utf-8", "x-note": "通知"},
                     body="<p>通知公告</p>".encode() * 3000), None),
    ]


def _warcio_records(responses: list[tuple[FetchResult, str | None]]) -> list[bytes]:
    """The same responses written by warcio's own gzip writer, as the crawl wrote them before (no length)."""
    out = []
    for result, requested in responses:
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=True)
        headers = [(k, v) for k, v in result.headers.items() if k not in ("transfer-encoding", "content-encoding")]
        http_headers = StatusAndHeaders(f"{result.status} {result.reason or 'OK'}".strip(), headers,
                                        protocol="HTTP/1.1")
        payload = result.body_file.open("rb") if result.body_file else io.BytesIO(
            b"" if result.too_large else result.body)
        with payload:
            record = writer.create_warc_record(result.final_url, "response", payload=payload,
                                               http_headers=http_headers,
                                               warc_headers_dict={REQUESTED_URL_HEADER: requested or result.url})
            writer.write_record(record)
        out.append(zlib.decompress(buffer.getvalue(), wbits=31))
    return out


def _members(path: Path) -> list[bytes]:
    """The decompressed gzip members of a file, one by one."""
    data, members = path.read_bytes(), []
    while data:
        inflater = zlib.decompressobj(wbits=31)
        members.append(inflater.decompress(data))
        assert inflater.eof
        data = inflater.unused_data
    return members


def _archived(responses: list, folder: Path) -> WarcArchive:
    """The responses written to a closed archive of one site, in order."""
    archive = WarcArchive(folder, "s")
    for result, requested in responses:
        archive.write(result, requested_url=requested)
    archive.close()
    return archive


def test_records_match_warcio_byte_for_byte(tmp_path: Path) -> None:
    """Every record, headers and payload, is what warcio's writer makes; one gzip member per record."""
    responses = _responses(tmp_path / "spooled")
    archive = _archived(responses, tmp_path / "warc")
    written = _members(archive.path)
    expected = _warcio_records(responses)
    assert len(written) == len(expected) == 7
    for mine, theirs in zip(written, expected, strict=True):
        assert VARYING.sub(b"", mine) == VARYING.sub(b"", theirs)
        assert VARYING.search(mine) is not None


def test_records_read_back(tmp_path: Path) -> None:
    """The reader finds every response with its requested URL, status and body."""
    responses = _responses(tmp_path / "spooled")
    archive = _archived(responses, tmp_path / "warc")
    found = list(iter_responses([archive.path]))
    assert [(r.url, r.status) for r in found] == [(requested or result.url, result.status)
                                                  for result, requested in responses]
    _, body = read_response(found[6])
    assert body == "<p>通知公告</p>".encode() * 3000
    _, body = read_response(found[3])
    assert body == (tmp_path / "spooled").read_bytes()


def test_unencodable_status_line_writes_nothing(tmp_path: Path) -> None:
    """A reason phrase warcio cannot encode raises (the crawl reports it) before a byte is written: the records
    around it stay whole."""
    archive = WarcArchive(tmp_path / "warc", "s")
    page = FetchResult(url="http://a.example/1", final_url="http://a.example/1", status=200, reason="OK",
                       headers={}, body=b"one")
    archive.write(page)
    bad = FetchResult(url="http://a.example/2", final_url="http://a.example/2", status=200, reason="好",
                      headers={}, body=b"two")
    with pytest.raises(UnicodeEncodeError):
        archive.write(bad)
    archive.write(FetchResult(url="http://a.example/3", final_url="http://a.example/3", status=200, reason="OK",
                              headers={}, body=b"three"))
    archive.close()
    assert [r.url for r in iter_responses([archive.path])] == ["http://a.example/1", "http://a.example/3"]
    assert len(_members(archive.path)) == 2
