"""`redirects --all -f nginx -o FOLDER` when every site is refused: no file of the earlier run stays in the folder
to be served by an `include FOLDER/*.conf;`, the shared http-level file included, and the output says so."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.samplefleet import FleetServer
from tests.conftest import make_workspace, push_sites

SITE = "sfj"


def _redirects(ws: pipeline.Workspace, out: Path, *extra: str) -> tuple[int, str]:
    """`consolidate redirects --all -f nginx -o out`: exit code and output, whitespace folded."""
    result = CliRunner().invoke(app, ["redirects", "--all", "-f", "nginx", "-o", str(out), *extra,
                                      "-c", str(ws.loaded.path), "--db", ws.store.url])
    return result.exit_code, " ".join(result.output.split())


def test_a_folder_whose_every_site_is_refused_keeps_no_config(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Two articles a site pushed, so the rest of its URLs are unresolved: written with --unresolved home (each site's file and
    00-consolidate-http.conf), then refused: the folder holds no .conf at all and the shared file's removal is
    said; a third refused run removes nothing more and says nothing of it."""
    push_sites(crawled, limit=2, allow_untriaged=True)
    out = tmp_path / "redirects"
    sites = [s.id for s in crawled.config.sites]
    code, said = _redirects(crawled, out, "--unresolved", "home")
    assert code == 0, said
    shared = out / pipeline.NGINX_HTTP_FILE
    assert {f"{s}.conf" for s in sites} | {shared.name} == {p.name for p in out.iterdir()}
    code, said = _redirects(crawled, out)
    assert code == 1 and "every site was refused" in said, said
    assert not list(out.glob("*.conf")), [p.name for p in out.iterdir()]
    assert f"removed the older {shared}" in said, said
    code, said = _redirects(crawled, out)
    assert code == 1 and "removed the older" not in said and not list(out.glob("*.conf")), said


def _one_site(ws: pipeline.Workspace) -> pipeline.Workspace:
    """The workspace with its config's sites cut to SITE."""
    path = ws.loaded.path
    text = path.read_text(encoding="utf-8")
    sites = text.index("\nsites:\n")
    start = text.index(f"  - id: {SITE}\n", sites)
    end = text.find("\n  - id: ", start + 1)
    path.write_text(text[:sites] + "\nsites:\n" + text[start:None if end < 0 else end + 1], encoding="utf-8")
    return pipeline.Workspace.open(path, db_url=ws.store.url)


def test_the_fleets_only_site_refused_leaves_no_config(fleet_server: FleetServer, tmp_path: Path) -> None:
    """A programme of one site (`--all` is that site): refused, its file and the shared file both go, each
    said."""
    ws = _one_site(make_workspace(tmp_path / "one", {SITE: fleet_server.urls[SITE]}))
    pipeline.crawl(ws, [SITE])
    push_sites(ws, [SITE], limit=2, allow_untriaged=True)
    out = tmp_path / "redirects"
    code, said = _redirects(ws, out, "--unresolved", "home")
    assert code == 0 and {p.name for p in out.iterdir()} == {f"{SITE}.conf", pipeline.NGINX_HTTP_FILE}, said
    code, said = _redirects(ws, out)
    assert code == 1 and not list(out.glob("*.conf")), [p.name for p in out.iterdir()]
    assert f"removed the older {out / pipeline.NGINX_HTTP_FILE}" in said and f"{SITE} is refused now" in said, said
