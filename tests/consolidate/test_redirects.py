"""Redirects: every legacy URL has an outcome, the nginx map answers it for real, the CSV round trip is checked."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from consolidate import pipeline
from consolidate.core.errors import ConsolidateError
from consolidate.redirects import import_csv, load_redirects, location, render, request_uri, site_new_home
from tests.conftest import push_sites


@pytest.mark.parametrize("site_id", ["fgw", "sfj"])
def test_nginx_answers_every_legacy_url_as_mapped(crawled: pipeline.Workspace, nginx_runner, site_id: str) -> None:
    """Load the generated nginx config into a real nginx and request every legacy URL through it."""
    push_sites(crawled)
    snippet = re.sub(r"listen \d+;", "listen 127.0.0.1:{PORT};", render(crawled, site_id, "nginx", unresolved="home"))
    redirects = load_redirects(crawled, site_id)
    assert {r.status for r in redirects} >= {"301", "410"}
    home = site_new_home(crawled, site_id, redirects)
    with nginx_runner(snippet) as port, httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        for r in redirects:
            answer = client.get(request_uri(r.old_url), follow_redirects=False)
            if r.status == "301":
                assert answer.status_code == 301, r.old_url
                assert answer.headers.get("location") == location(r.new_url), r.old_url
                assert answer.headers["location"].isascii() and unquote(answer.headers["location"]) == r.new_url
            elif r.status == "410":
                assert answer.status_code == 410, r.old_url
            else:  # unresolved: a temporary redirect to the site's new home, never 410, never permanent
                assert (answer.status_code, answer.headers.get("location")) == (302, location(home)), r.old_url


def test_every_fetched_legacy_page_has_an_outcome(crawled: pipeline.Workspace) -> None:
    """Articles, list pages, files and other pages all appear in the URL map."""
    push_sites(crawled)
    from sqlalchemy import select

    from consolidate.core.store import Resource

    with crawled.store.session() as session:
        fetched = set(session.scalars(select(Resource.url).where(Resource.site_id == "jyj",
                                                                 Resource.status == "fetched")))
    mapped = {r.old_url for r in load_redirects(crawled, "jyj")}
    assert fetched <= mapped


def test_csv_round_trip_and_row_precise_errors(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Export → edit → import changes exactly the edited row; a bad row is named and changes nothing."""
    push_sites(crawled)
    rows = list(csv.DictReader(io.StringIO(render(crawled, "fgw", "csv"))))
    target = next(r for r in rows if r["status"] == "301")
    target["status"], target["new_url"] = "410", ""
    sheet = tmp_path / "redirects.csv"
    _write(sheet, rows)
    assert import_csv(crawled, "fgw", sheet).changed == 1
    assert import_csv(crawled, "fgw", sheet).changed == 0
    edited = {r.old_url: r for r in load_redirects(crawled, "fgw")}
    assert edited[target["old_url"]].status == "410"
    rows[3]["status"] = "302"
    _write(sheet, rows)
    with pytest.raises(ConsolidateError, match=r"redirects.csv:5: status '302'"):
        import_csv(crawled, "fgw", sheet)
    rows[3]["status"] = "410"
    rows[3]["new_url"] = ""
    rows.append({"old_url": "http://elsewhere.example/x", "new_url": "", "status": "410", "note": ""})
    _write(sheet, rows)
    before = {r.old_url: (r.status, r.new_url) for r in load_redirects(crawled, "fgw")}
    with pytest.raises(ConsolidateError, match=rf"redirects.csv:{len(rows) + 1}: old_url"):
        import_csv(crawled, "fgw", sheet)
    assert {r.old_url: (r.status, r.new_url) for r in load_redirects(crawled, "fgw")} == before


def test_apache_rules_cover_every_resolved_url(crawled: pipeline.Workspace) -> None:
    """One RewriteRule per 301/410 URL plus the fallback to the portal."""
    push_sites(crawled)
    text = render(crawled, "sfj", "apache")
    resolved = [r for r in load_redirects(crawled, "sfj") if r.status in ("301", "410")]
    assert text.count("RewriteRule") == len(resolved) + 1
    assert "[G,L]" in text and "QSD" in text


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["old_url", "new_url", "status", "note"])
        writer.writeheader()
        writer.writerows(rows)


def test_a_site_never_crawled_is_told_to_crawl_not_to_push(tmp_path: Path) -> None:
    """No URL map because nothing was crawled: the error says so and hints at crawl (push would refuse anyway);
    under `redirects --all` each site's error keeps its hint."""
    from typer.testing import CliRunner

    from consolidate.cli import app
    from tests.conftest import make_workspace

    ws = make_workspace(tmp_path, {"fgw": "http://127.0.0.1:9/fgw/", "jyj": "http://127.0.0.1:9/jyj/",
                                   "sfj": "http://127.0.0.1:9/sfj/"})
    with pytest.raises(ConsolidateError, match="has not been crawled yet") as caught:
        load_redirects(ws, "fgw")
    assert caught.value.hint == "run `consolidate crawl fgw` first"
    result = CliRunner().invoke(app, ["redirects", "--all", "-f", "csv", "-o", str(tmp_path / "out"),
                                      "-c", str(ws.loaded.path), "--db", ws.store.url])
    assert result.exit_code != 0 and result.output.count("hint: run `consolidate crawl") == 3, result.output
