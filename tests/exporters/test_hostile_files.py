"""Hostile attachment names and active-content types, pushed through every file-writing exporter of the real
pipeline: no crash, names within 255 bytes, never `.`/`..`/hidden, no executable type served, a finding each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consolidate import pipeline
from consolidate.core.store import ArticleRow, EventRow, Resource
from exporters.base import ExportFile
from exporters.common import MAX_NAME_BYTES, SAFE_EXTENSIONS, document_name, safe_file_name, served_file_name
from exporters.wordpress import upload_name

CJK = "关于印发" * 25  # 100 CJK characters: 300 bytes
HOSTILE = ["..", ".", CJK, CJK + ".pdf", ".htaccess", "a/b", "..\\..\\evil.pdf", "x\x00y.doc", " . ",
           "report\u202efdp.exe"]
ACTIVE = ["drawing.svg", "page.xhtml", "feed.xml", "inc.shtml", "app.js", "shell.php5", "run.phtml",
          "photo.php.jpg", "movie.swf"]


def _check_name(name: str) -> None:
    assert name and name not in (".", "..") and not name.startswith("."), repr(name)
    assert "/" not in name and "\\" not in name and "\x00" not in name, repr(name)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES, (len(name.encode("utf-8")), name)


@pytest.mark.parametrize("name", HOSTILE + ACTIVE + ["x" * 400 + ".docx", "中" * 90 + ".xlsx"])
def test_one_naming_policy(name: str) -> None:
    """safe_file_name, the push's document_name and WordPress's upload name all obey the policy; documents keep
    their extension even when cut."""
    for safe in (safe_file_name(name), served_file_name(name)[0],
                 document_name(name, "http://legacy.example/down.jsp?id=1", "application/pdf"),
                 upload_name(ExportFile("file:x", "http://legacy.example/a.pdf", document_name(name, "http://l/a.pdf"),
                                        "0" * 64, 4, Path("/nonexistent"), "attachment", None), b"%PDF")):
        _check_name(safe)
    if name.endswith((".docx", ".xlsx")):
        assert safe_file_name(name).endswith(name[-5:])
    served, neutral = served_file_name(name)
    assert neutral == (served.rsplit(".", 1)[-1] not in SAFE_EXTENSIONS) or served.endswith(".bin")
    assert served.rsplit(".", 1)[-1] in SAFE_EXTENSIONS | {"bin"}


def _poison(ws: pipeline.Workspace, names: list[str]) -> dict[str, str]:
    """Give the fetched attachments of the first articles hostile link texts; legacy URL → name given."""
    given: dict[str, str] = {}
    with ws.store.session() as session:
        fetched = {r.url for r in session.scalars(select(Resource).where(
            Resource.kind == "attachment", Resource.status == "fetched", Resource.sha256.is_not(None)))}
        shas = {r.url: r.sha256 for r in session.scalars(select(Resource).where(Resource.url.in_(fetched)))}
        used: set[str] = set()
        for article in session.scalars(select(ArticleRow).order_by(ArticleRow.id)):
            attachments = [dict(a) for a in article.attachments or []]
            changed = False
            for attachment in attachments:
                if names and attachment["url"] in fetched and shas[attachment["url"]] not in used:
                    used.add(shas[attachment["url"]])
                    attachment["name"] = names.pop(0)
                    given[attachment["url"]] = attachment["name"]
                    changed = True
            if changed:
                article.attachments = attachments
    assert not names, f"the fleet has too few attachments for the test ({len(given)})"
    return given


def _files_written(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and "files" in p.relative_to(root).parts[:1]]


@pytest.mark.parametrize("exporter", ["static", "bundle", "wxr"])
def test_hostile_names_and_active_types_are_pushed_safely(exporter: str, crawled: pipeline.Workspace,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Every site pushes with 0 failures; every written file name obeys the policy; no active type is served by
    the preview or the WXR files; each neutralised file is a recorded finding; verify passes."""
    given = _poison(crawled, HOSTILE + ACTIVE)
    target = pipeline.open_exporter(crawled, exporter, {})
    try:
        summaries = [pipeline.push_site(crawled, site.id, target) for site in crawled.config.sites]
    finally:
        target.close()
    assert sum(s.failed for s in summaries) == 0 and sum(s.files for s in summaries) >= len(given)
    out = {"static": crawled.dir / "preview", "bundle": crawled.dir / "bundle", "wxr": crawled.dir}[exporter]
    written = _files_written(out)
    for path in written:
        _check_name(path.name)
    with crawled.store.session() as session:
        findings = session.scalar(select(func.count()).select_from(EventRow).where(
            EventRow.code == "active_content_renamed")) or 0
    served = exporter in ("static", "wxr")
    if served:
        assert all(p.suffix.lstrip(".").lower() in SAFE_EXTENSIONS | {"bin"} for p in written)
        # .svg .xml .js .swf (and the disguised .exe) neutralised; .xhtml .shtml .php5 .phtml took the URL's
        # real type in the push's document_name; photo.php.jpg keeps .jpg (its inner .php loses its dot)
        assert findings == sum(p.suffix == ".bin" for p in written) >= 5
    if exporter == "bundle":
        names = {n for f in (json.loads(line) for line in (out / "files.jsonl").read_text().splitlines())
                 for n in f["names"]}
        for name in names:
            _check_name(name)
    reader = pipeline.open_exporter(crawled, exporter, {})
    try:
        from consolidate.verify import verify_site

        results = [verify_site(crawled, site.id, reader) for site in crawled.config.sites]
    finally:
        reader.close()
    with capsys.disabled():
        print(f"\n[hostile files] {exporter}: {len(given)} hostile names pushed, 0 failed, "
              f"{len(written)} files written, {findings} active-content findings, "
              f"verify {sum(r.ok for r in results)} ok / {sum(r.mismatch + r.missing for r in results)} not")
    assert sum(r.mismatch + r.missing for r in results) == 0
