"""The example exporter of docs/exporters.md (tests/exporters/jsonl_exporter.py), found the way a third party's is:
through the `consolidate.exporters` entry point of an installed distribution. `consolidate push` and `verify` run
through it; what it wrote is every pushed article with its fields and the bytes of its files."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from consolidate import pipeline
from consolidate.core import registry
from consolidate.core.errors import ExporterError
from consolidate.core.store import ArticleRow, PushRecord
from consolidate.verify import verify_site
from exporters.base import ExportContext
from tests.exporters.jsonl_exporter import JsonLinesExporter, JsonLinesOptions

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = "tests.exporters.jsonl_exporter:JsonLinesExporter"


def _installed(directory: Path) -> Path:
    """A folder holding a distribution's metadata that declares the entry point, as `pip install` leaves it."""
    info = directory / "consolidate_jsonl_example-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: consolidate-jsonl-example\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[consolidate.exporters]\njsonl = {EXAMPLE}\n")
    return directory


def _cli(ws: pipeline.Workspace, path: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`consolidate ARGS` on the workspace, with PYTHONPATH = `path`."""
    command = [sys.executable, "-m", "consolidate.cli", *args, "-c", str(ws.loaded.path), "--db", ws.store.url]
    return subprocess.run(command, env={**os.environ, "PYTHONPATH": path}, cwd=ws.dir.parent, capture_output=True,
                          text=True)


def _use_jsonl(ws: pipeline.Workspace, options: str = "") -> None:
    """Point the workspace's migrations.yaml at the jsonl exporter."""
    text = ws.loaded.path.read_text(encoding="utf-8")
    export = text[text.index("\nexport:"):text.index("\nsites:")]
    ws.loaded.path.write_text(text.replace(export, f"\nexport:\n  exporter: jsonl\n{options}"), encoding="utf-8")


def _written(path: Path) -> dict[str, dict]:
    """The objects export.jsonl holds: the last line of each key."""
    objects: dict[str, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        objects[entry["key"]] = entry
    return {key: entry for key, entry in objects.items() if entry["kind"] is not None}


def test_push_and_verify_through_an_entry_point_exporter(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """push --all through the entry point: every pushed article is a line with its fields, every attachment's
    bytes are beside it; verify (reading the file back) passes; without the distribution the name is unknown,
    said at migrations.yaml's line with exit 2."""
    site_packages = str(_installed(tmp_path / "site"))
    _use_jsonl(crawled)
    crawled.store.engine.dispose()
    pushed = _cli(crawled, f"{site_packages}{os.pathsep}{REPO}", "push", "--all")
    assert pushed.returncode == 0, pushed.stderr
    written = _written(crawled.dir / "export.jsonl")
    with crawled.store.session() as session:
        records = {r.source_key for r in session.scalars(select(PushRecord).where(
            PushRecord.kind == "article", PushRecord.status == "pushed"))}
        rows = {pipeline.article_key(a.site_id, a.url): a for a in session.scalars(select(ArticleRow))}
    articles = {key: entry for key, entry in written.items() if entry["kind"] == "article"}
    assert set(articles) == records and len(records) > 10
    attachments = 0
    for key, entry in articles.items():
        assert (entry["title"], entry["published"], entry["doc_no"]) == \
            (rows[key].title, rows[key].published, rows[key].doc_no)
        for attachment in entry["attachments"]:
            sha = attachment["url"].removeprefix("files/")
            assert hashlib.sha256((crawled.dir / attachment["url"]).read_bytes()).hexdigest() == sha
            attachments += 1
    assert attachments > 0
    checked = _cli(crawled, f"{site_packages}{os.pathsep}{REPO}", "verify", "--all")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    unknown = _cli(crawled, str(REPO), "status")
    assert unknown.returncode == 2 and "unknown exporter 'jsonl'" in unknown.stderr + unknown.stdout
    line = crawled.loaded.path.read_text(encoding="utf-8").splitlines().index("  exporter: jsonl") + 1
    assert f"migrations.yaml:{line}" in unknown.stderr + unknown.stdout


def test_exporter_registered_in_process(crawled: pipeline.Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A program embedding the library registers a dotted path: push and verify run through it, its options are
    checked (the error lists the valid ones), and a path that is no exporter is a clear error."""
    monkeypatch.setitem(registry._ADDED, "jsonl", EXAMPLE)
    monkeypatch.setitem(registry._ADDED, "broken", "tests.exporters.jsonl_exporter:JsonLinesOptions")
    exporter = pipeline.open_exporter(crawled, "jsonl", {"file": "out/site.jsonl"})
    try:
        summary = pipeline.push_site(crawled, "fgw", exporter)
        checked = verify_site(crawled, "fgw", exporter)
    finally:
        exporter.close()
    assert summary.pushed > 0 and summary.failed == 0 and checked.ok == summary.pushed
    assert (crawled.dir.parent / "out" / "site.jsonl").exists()
    with pytest.raises(ExporterError) as bad:
        pipeline.open_exporter(crawled, "jsonl", {"colour": "red"})
    assert "colour" in bad.value.message and "file" in (bad.value.hint or "")
    with pytest.raises(ExporterError, match="not an exporter class"):
        pipeline.open_exporter(crawled, "broken", {})


class _FullDisk(JsonLinesExporter):
    """The example exporter on a disk that fills up at the first file."""

    finished = 0

    def put_file(self, file: object) -> object:
        """Fail as a full disk does."""
        raise OSError(28, "No space left on device")

    def finish(self) -> None:
        """Count the calls."""
        self.finished += 1


def test_push_failing_part_way_still_finishes_the_output(crawled: pipeline.Workspace) -> None:
    """An unexpected failure part way (a full disk) reaches the caller, after finish() completed the output with
    what was put (the columns); push_site starts an exporter it is handed unstarted."""
    exporter = _FullDisk(JsonLinesOptions(), ExportContext(crawled.dir, crawled.config.portal, "p"))
    with pytest.raises(OSError, match="No space left"):
        for site in crawled.config.sites:
            pipeline.push_site(crawled, site.id, exporter)
    exporter.close()
    assert exporter.finished == 1
    assert any(entry["kind"] == "column" for entry in _written(crawled.dir / "export.jsonl").values())
