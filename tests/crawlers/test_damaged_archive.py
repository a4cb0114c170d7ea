"""A damaged gzip member in a WARC file: skipped and reported, the records after it still read, no traceback."""

from __future__ import annotations

import json
import random
import zlib
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import ArticleRow, EventRow
from crawlers.fetch import FetchResult
from crawlers.warc import DamagedMember, WarcArchive, iter_responses, read_response, site_archives


def _archive(directory: Path, pages: int = 6) -> Path:
    """A WARC file of `pages` small responses."""
    archive = WarcArchive(directory, "s")
    for i in range(pages):
        archive.write(FetchResult(url=f"http://x.example/{i}", final_url=f"http://x.example/{i}", status=200,
                                  headers={"content-type": "text/html"}, body=(f"<p>page {i}</p>" * 200).encode()))
    archive.close()
    return archive.path


def _wide_archive(directory: Path) -> Path:
    """A WARC file of six responses whose members span several of warcio's read blocks (varied text)."""
    rng = random.Random(7)
    archive = WarcArchive(directory, "s")
    for i in range(6):
        body = "".join(f"<p>第{rng.randint(0, 10**6)}段 {'政府信息公开' * rng.randint(1, 5)}</p>" for _ in range(3000))
        archive.write(FetchResult(url=f"http://x.example/{i}", final_url=f"http://x.example/{i}", status=200,
                                  headers={"content-type": "text/html"}, body=body.encode()))
    archive.close()
    return archive.path


def _damage(path: Path, offset: int, length: int = 40) -> None:
    """Overwrite bytes of the file at `offset` with zeros."""
    data = bytearray(path.read_bytes())
    data[offset:offset + length] = b"\0" * length
    path.write_bytes(bytes(data))


def test_damaged_member_is_skipped_and_reported(tmp_path: Path) -> None:
    """The third of six records damaged inside its compressed data: five are read, one member is reported."""
    path = _archive(tmp_path)
    offsets = [r.offset for r in iter_responses([path])]
    _damage(path, (offsets[2] + offsets[3]) // 2)
    damaged: list[DamagedMember] = []
    responses = list(iter_responses([path], damaged))
    assert [r.url.rsplit("/", 1)[1] for r in responses] == ["0", "1", "3", "4", "5"]
    assert [(d.offset, d.path) for d in damaged] == [(offsets[2], path)]
    assert all(read_response(r)[1].startswith(b"<p>page ") for r in responses)


def test_damage_anywhere_in_a_member_is_found_once(tmp_path: Path) -> None:
    """Zeros anywhere in a member's compressed bytes are found exactly once: noted while listing the records, or
    raised when the body is read (warcio alone logs a damaged body and returns what it got)."""
    clean = _wide_archive(tmp_path / "clean")
    offsets = [r.offset for r in iter_responses([clean])]
    path = tmp_path / "damaged.warc.gz"
    for position in range(offsets[2] + 30, offsets[3] - 10, (offsets[3] - offsets[2]) // 40):
        path.write_bytes(clean.read_bytes())
        _damage(path, position)
        damaged: list[DamagedMember] = []
        listed = list(iter_responses([path], damaged))
        responses = [r for r in listed if r.offset not in {d.offset for d in damaged}]
        unreadable = 0
        for response in responses:
            try:
                read_response(response)
            except (zlib.error, EOFError, ValueError):
                unreadable += 1
        assert len(damaged) + unreadable == 1, position


def test_damaged_gzip_header_and_truncated_tail(tmp_path: Path) -> None:
    """A member whose gzip header itself is gone is reported and the rest read; a file cut mid-record (a killed
    crawl's last write) just ends there."""
    path = _archive(tmp_path)
    offsets = [r.offset for r in iter_responses([path])]
    _damage(path, offsets[1], 3)
    path.write_bytes(path.read_bytes()[:offsets[5] + 50])
    damaged: list[DamagedMember] = []
    urls = [r.url.rsplit("/", 1)[1] for r in iter_responses([path], damaged)]
    assert urls == ["0", "2", "3", "4"]
    assert [d.offset for d in damaged] == [offsets[0]] and "after this record" in damaged[0].error


def test_extract_from_damaged_archive_reports_and_goes_on(crawled: pipeline.Workspace) -> None:
    """`extract --from-archive` over a WARC with a damaged member: exit 0, the member reported, others rebuilt."""
    path = site_archives(crawled.dir / "warc", "fgw")[0]
    records = [(r.url, r.offset) for r in iter_responses([path])]
    with crawled.store.session() as session:
        articles = set(session.scalars(select(ArticleRow.url).where(ArticleRow.site_id == "fgw")))
    # an article's response, the widest one: its middle is inside its own gzip member (the midpoint between two
    # small responses can fall on another record, or on an image extraction never reads)
    start, end = max(((offset, following) for (url, offset), (_, following) in zip(records, records[1:], strict=False)
                      if url in articles), key=lambda pair: pair[1] - pair[0])
    _damage(path, (start + end) // 2)
    config, db = str(crawled.loaded.path), crawled.store.url
    result = CliRunner().invoke(app, ["extract", "fgw", "--from-archive", "--json", "-c", config, "--db", db])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["damaged"] == 1 and summary["articles"] > 0
    with crawled.store.session() as session:
        codes = list(session.scalars(select(EventRow.code).where(EventRow.code == "archive_damaged")))
    assert codes == ["archive_damaged"]
