"""Every field of every article page of the real sample sites' truth (../shared/samples/truth.jsonl)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from consolidate.samplefleet.realsites import samples_dir
from crawlers.archive import extract_file
from crawlers.encoding import decode_html
from crawlers.extract import SiteExtractor

SAMPLES = samples_dir() or Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"  # CONSOLIDATE_SAMPLES
HOSTS = {"jspn_js_cn": "www.jspn.js.cn", "hncic_net": "www.chinajsxx.com", "zjgztb_com": "www.szzyjy.com.cn",
         "fjmjzz_com": "www.snpo.org.cn", "lgedu_net": "www.lgedu.net", "pmodlh_ac_cn": "www.dlh.pmo.cas.cn"}

pytestmark = pytest.mark.skipif(not (SAMPLES / "truth.jsonl").is_file(),
                                reason="../shared/samples is absent (real sample sites are not part of the repo)")


def _articles() -> list[dict]:
    """The article rows of truth.jsonl (none when the samples are absent)."""
    path = SAMPLES / "truth.jsonl"
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row["type"] == "article"]


def _iso(shown: str) -> str:
    """A printed date ("19-01-04", "2020-08-26 14:55:0") as ISO at the printed precision."""
    match = re.fullmatch(r"(\d{2}|\d{4})-(\d{1,2})-(\d{1,2})(?: (\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?", shown)
    assert match is not None, shown
    year, month, day, hour, minute, second = match.groups()
    out = f"{'20' + year if len(year) == 2 else year}-{int(month):02d}-{int(day):02d}"
    if hour is not None:
        out += f"T{int(hour):02d}:{int(minute):02d}"
    return out + (f":{int(second):02d}" if second is not None else "")


def _record(row: dict):
    """The record of one truth page, extracted from its file under its original URL."""
    return extract_file(SAMPLES / row["site"] / row["path"], f"http://{HOSTS[row['site']]}/{row['path']}")


ARTICLES = _articles()
IDS = [f"{row['site']}/{row['path']}" for row in ARTICLES]


@pytest.mark.parametrize("row", ARTICLES, ids=IDS)
def test_title_date_source(row: dict) -> None:
    rec = _record(row)
    assert rec.title == row["title"]
    want = _iso(row["date"])
    assert rec.published is not None and rec.published[:len(want)] == want, (rec.published, row["date"])
    assert rec.published_source is not None
    assert (rec.source or "") == row.get("info_source", "")


@pytest.mark.parametrize("row", ARTICLES, ids=IDS)
def test_open_government_fields(row: dict) -> None:
    rec = _record(row)
    for name in ("index_no", "doc_no", "publisher"):
        if name in row:
            assert (getattr(rec, name) or "") == row[name], name
    if "written" in row:
        assert (rec.written or "") == row["written"]


@pytest.mark.parametrize("row", ARTICLES, ids=IDS)
def test_attachments(row: dict) -> None:
    rec = _record(row)
    assert len(rec.attachments) == row["attachments"], [a.name for a in rec.attachments]
    names = [a.name for a in rec.attachments]
    for want in row["attachment_names"]:
        options = {want, *re.findall(r"^(.*?) \((.*)\)$", want)[0]} if want.endswith(")") and " (" in want else {want}
        assert options & set(names), (want, names)
    for att in rec.attachments:
        assert att.status in ("unreachable", None)
        assert att.status != "unreachable" or att.reason


def test_bodies_are_article_text() -> None:
    """Bodies never are the 信息公开 table, the breadcrumb or the date line; an empty article stays empty."""
    for row in ARTICLES:
        rec = _record(row)
        assert not rec.body_text.startswith(("文号", "索引号", "当前位置", "您的位置")), row["path"]
        if row["path"].endswith("t20151120_4470807.html"):
            assert rec.body_text == ""  # title and date only
        elif not row["attachments"]:
            assert len(rec.body_text) >= 40, row["path"]


def test_template_path_agrees() -> None:
    """A site's SiteExtractor (templates after the first pages) gives the generic path's records."""
    for site in sorted({row["site"] for row in ARTICLES}):
        rows = [row for row in ARTICLES if row["site"] == site]
        extractor = SiteExtractor(None, learn_after=2)
        for _ in range(2):
            for row in rows:
                path = SAMPLES / row["site"] / row["path"]
                url = f"http://{HOSTS[site]}/{row['path']}"
                html = decode_html(path.read_bytes(), None).text
                got = extractor.extract(html, url)
                want = _record(row)
                got.compute_hash()
                assert got == want, url
