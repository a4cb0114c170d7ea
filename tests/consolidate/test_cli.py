"""The command line end to end: --help, the demo, status/articles/map output."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app

VERBS = ("init", "status", "crawl", "columns", "articles", "map", "push", "report", "demo")


def test_help_lists_every_verb() -> None:
    """`consolidate --help` names each verb of the quick start."""
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for verb in VERBS:
        assert f" {verb} " in result.output


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    """`consolidate demo` migrates ≥ 95% of the fleet into the preview and the report reconciles."""
    result = CliRunner().invoke(app, ["demo", "--workdir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / ".consolidate" / "report.json").read_text(encoding="utf-8"))
    assert report["reconciled"]
    assert report["totals"]["pushed"] >= 0.95 * report["totals"]["articles"] > 0
    assert (tmp_path / ".consolidate" / "preview" / "index.html").is_file()
    assert "planted on purpose" in result.output and "dead links: 2" in result.output
    _readme_checklist_example_works(tmp_path)


def _readme_checklist_example_works(workdir: Path) -> None:
    """The README's `checklist --done` example, as written, records its step on the demo workspace."""
    readme = Path(__file__).resolve().parents[2] / "README.md"
    line = next(line for line in readme.read_text(encoding="utf-8").splitlines()
                if line.startswith("consolidate checklist fgw --done"))
    args = shlex.split(line.split("  #", 1)[0])[1:]
    result = CliRunner().invoke(app, [*args, "-c", str(workdir / "migrations.yaml")])
    assert result.exit_code == 0 and f"recorded fgw: {args[3]} done" in result.output, (line, result.output)


def test_demo_without_workdir_removes_its_workspace() -> None:
    """Without --workdir the demo's temporary workspace is gone afterwards, and the output says so."""
    result = CliRunner().invoke(app, ["demo"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    removed = re.search(r"the temporary workspace (\S+) was removed", result.output)
    assert removed and not Path(removed.group(1)).exists()


def test_status_articles_and_map_json(crawled: pipeline.Workspace) -> None:
    """status/articles/map print JSON that agrees with the store."""
    runner = CliRunner()
    config = str(crawled.loaded.path)
    db = crawled.store.url
    status = runner.invoke(app, ["status", "--json", "-c", config, "--db", db])
    assert status.exit_code == 0, status.output
    sites = {s["id"]: s for s in json.loads(status.output)["sites"]}
    assert sites["fgw"]["stage"] == "crawled"
    lines = runner.invoke(app, ["articles", "fgw", "--json", "-c", config, "--db", db]).output.splitlines()
    assert len(lines) == sites["fgw"]["articles"]
    first = json.loads(lines[0])
    assert set(first) >= {"url", "title", "published", "index_no", "doc_no", "attachments", "content_hash"}
    mapped = runner.invoke(app, ["map", "fgw", "--json", "-c", config, "--db", db])
    assert mapped.exit_code == 0, mapped.output
    decisions = [json.loads(line) for line in mapped.output.splitlines()]
    assert any(d["decision"] == "drop" and d["decided_by"] == "migrations.yaml" for d in decisions)
    assert any(d["decision"] == "migrate" for d in decisions)


def test_unknown_site_is_one_clear_line(crawled: pipeline.Workspace) -> None:
    """A site id that is not configured: exit 2, the valid ids in the hint, no traceback."""
    result = CliRunner().invoke(app, ["map", "nosuch", "-c", str(crawled.loaded.path), "--db", crawled.store.url])
    assert result.exit_code == 2
    assert "fgw" in result.output and "Traceback" not in result.output


def test_an_output_in_a_missing_folder_is_one_clear_line(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """map --export, triage --export and report -o into a folder that is not there: exit 1, the file named, the
    hint, no traceback (the workbook writers raised FileNotFoundError)."""
    missing = tmp_path / "not here"
    for args in (["map", "fgw", "--export", str(missing / "m.xlsx")], ["report", "-o", str(missing / "r.xlsx")],
                 ["triage", "fgw", "--export", str(missing / "t.xlsx")]):
        result = CliRunner().invoke(app, [*args, "-c", str(crawled.loaded.path), "--db", crawled.store.url])
        assert result.exit_code == 1, (args, result.output)
        assert "cannot write" in result.output and "check the folder exists" in result.output
        assert "Traceback" not in result.output and not missing.exists()


def test_dead_legacy_server_is_an_error_not_a_success(tmp_path: Path) -> None:
    """A site whose server does not answer: crawl exits 1 naming the home page; map and push refuse it."""
    import socket

    from consolidate.demo import config_for_urls

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    config = tmp_path / "migrations.yaml"
    config.write_text(config_for_urls({"sfj": dead}, 50), encoding="utf-8")
    runner = CliRunner()
    crawl = runner.invoke(app, ["crawl", "sfj", "-c", str(config)])
    assert crawl.exit_code == 1
    assert "home page" in crawl.output and "Traceback" not in crawl.output
    for command in (["map", "sfj"], ["push", "sfj"]):
        refused = runner.invoke(app, [*command, "-c", str(config)])
        assert refused.exit_code == 1 and "could not be fetched" in refused.output, refused.output


def test_serve_samples_without_samples_is_one_line_with_a_hint(tmp_path: Path) -> None:
    """`fleet serve-samples` pointed at no samples folder: exit 2, one error line, how to point it."""
    result = CliRunner().invoke(app, ["fleet", "serve-samples", "--samples", str(tmp_path / "none"),
                                      "--config-out", str(tmp_path / "m.yaml")])
    assert result.exit_code == 2 and "no real sample sites" in result.output and "CONSOLIDATE_SAMPLES" in \
        result.output and "Traceback" not in result.output


def test_serve_samples_serves_the_real_sites_and_writes_a_config(tmp_path: Path) -> None:
    """With the samples present: each site answers on its port and the written config pins its host names."""
    import subprocess
    import sys
    import urllib.request

    import pytest

    from consolidate.core.config import load_config
    from consolidate.samplefleet.realsites import samples_dir

    if samples_dir() is None:
        pytest.skip("../shared/samples (real legacy sites) is not present")
    out = tmp_path / "m.yaml"
    process = subprocess.Popen([sys.executable, "-m", "consolidate.cli", "fleet", "serve-samples", "--config-out",
                                str(out)], stdout=subprocess.PIPE, text=True, env={"COLUMNS": "300",
                                                                                  **__import__("os").environ})
    try:
        lines = [process.stdout.readline() for _ in range(7)]
        assert lines[-1].startswith("config:"), lines
        port = re.search(r"127\.0\.0\.1:(\d+)", lines[0]).group(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as answer:
            assert answer.status == 200 and len(answer.read()) > 1000
        config = load_config(out).config
        assert len(config.sites) == 6 and all(site.crawl and site.crawl.resolve for site in config.sites)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_samples_writes_only_the_sites_present(tmp_path: Path) -> None:
    """A samples folder holding one site: the config has that site alone, under a header that says what it is."""
    from consolidate.samplefleet.realsites import REAL_SITES, RealSitesServer, present_sites, samples_dir

    root = samples_dir()
    if root is None:
        import pytest
        pytest.skip("../shared/samples (real legacy sites) is not present")
    partial = tmp_path / "samples"
    partial.mkdir()
    (partial / REAL_SITES[0].folder).symlink_to(root / REAL_SITES[0].folder)
    sites = present_sites(partial)
    assert [s.id for s in sites] == [REAL_SITES[0].id]
    with RealSitesServer(partial, sites) as server:
        text = server.config_text()
    assert text.startswith("# migrations.yaml for the restored real legacy sites") and "8701" not in text
    assert text.count("\n  - id: ") == 1
