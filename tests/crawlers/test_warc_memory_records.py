"""Records of responses held in memory are written without warcio's record objects: every shape of them must still
be the record warcio's own writer makes (dates and record ids aside), each its own gzip member."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.fetch import FetchResult
from crawlers.warc import WarcArchive, iter_responses, read_response
from tests.crawlers.test_warc_records import VARYING, _members, _warcio_records

BODY = "<html><p>通知公告</p></html>".encode() * 2000  # several of warcio's 16 KiB read pieces


def _response(url: str, status: int = 200, reason: str = "OK", headers: dict[str, str] | None = None,
              body: bytes = BODY, **extra: object) -> FetchResult:
    """An in-memory response as the fetcher returns it."""
    return FetchResult(url=url, final_url=url, status=status, reason=reason, headers=headers or {}, body=body,
                       size=len(body), **extra)  # type: ignore[arg-type]


CASES = [
    (_response("http://a.example/新闻/1.html", headers={"content-type": "text/html; charset=utf-8"}),
     "http://a.example/%E6%96%B0%E9%97%BB/1.html"),  # a Chinese URL, ASCII headers: UTF-8 WARC headers
    (_response("http://a.example/empty", headers={"content-length": "0"}, body=b""), None),
    (_response("http://a.example/exact", body=b"x" * 16384), None),  # one whole read piece
    (_response("http://a.example/odd", status=200, reason="", headers={"Server": "IIS"}), None),
    (_response("http://a.example/teapot", status=418, reason="I'm a teapot", body=b"short"), None),
    (_response("http://a.example/moved", status=302, reason="Found",
               headers={"location": "http://a.example/%E6%96%B0", "transfer-encoding": "chunked",
                        "content-encoding": "gzip", "set-cookie": "a=1; path=/"}, body=b""), "http://a.example/m"),
    (_response("http://a.example/big", headers={"content-length": "999999999"}, body=b"", too_large=True), None),
]


@pytest.mark.parametrize("index", range(len(CASES)))
def test_memory_record_is_warcios(tmp_path: Path, index: int) -> None:
    """The record of each in-memory response equals warcio's, byte for byte apart from date and id."""
    result, requested = CASES[index]
    archive = WarcArchive(tmp_path / "warc", "s")
    archive.write(result, requested_url=requested)
    archive.close()
    written = _members(archive.path)
    expected = _warcio_records([(result, requested)])
    assert len(written) == 1
    assert VARYING.sub(b"", written[0]) == VARYING.sub(b"", expected[0])
    assert len(VARYING.findall(written[0])) == 2
    found = list(iter_responses([archive.path]))
    assert [(r.url, r.final_url, r.status) for r in found] == [(requested or result.url, result.url, result.status)]
    assert read_response(found[0])[1] == (b"" if result.too_large else result.body)


def test_non_ascii_header_falls_back_to_warcio(tmp_path: Path) -> None:
    """A header warcio percent-encodes (a GBK file name read as text) is still written its way."""
    result = _response("http://a.example/d?id=1", headers={"content-disposition": 'attachment; filename="通知.doc"'})
    archive = WarcArchive(tmp_path / "warc", "s")
    archive.write(result)
    archive.close()
    written, expected = _members(archive.path), _warcio_records([(result, None)])
    assert b"filename*=UTF-8''" in expected[0]
    assert VARYING.sub(b"", written[0]) == VARYING.sub(b"", expected[0])
