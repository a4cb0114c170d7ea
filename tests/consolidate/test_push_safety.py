"""Push safety found by review: trial pushes, office edits, dropped columns, dry runs that tell the truth."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.errors import ConsolidateError
from consolidate.core.store import ColumnMapping, PushRecord
from consolidate.redirects import import_csv, load_redirects, render


def _push(ws: pipeline.Workspace, site: str, **options: object) -> pipeline.PushSummary:
    exporter = pipeline.open_exporter(ws)
    try:
        return pipeline.push_site(ws, site, exporter, **options)
    finally:
        exporter.close()


def _outcomes(ws: pipeline.Workspace, site: str) -> dict[str, tuple[str | None, str]]:
    return {r.old_url: (r.new_url, r.status) for r in load_redirects(ws, site)}


def test_trial_push_changes_only_what_it_pushed(crawled: pipeline.Workspace) -> None:
    """`--limit` after a full push leaves every other legacy URL's redirect as it was."""
    _push(crawled, "jyj")
    before = _outcomes(crawled, "jyj")
    _push(crawled, "jyj", limit=2)
    _push(crawled, "jyj", limit=0)
    assert _outcomes(crawled, "jyj") == before


def test_first_trial_push_leaves_unpushed_articles_unresolved_not_gone(crawled: pipeline.Workspace) -> None:
    """A trial push of two articles: the rest are 'unresolved: not pushed yet', never 410."""
    _push(crawled, "sfj", limit=2)
    statuses = Counter(status for _new, status in _outcomes(crawled, "sfj").values())
    redirects = {r.old_url: r for r in load_redirects(crawled, "sfj")}
    pushed = [r for r in redirects.values() if r.status == "301" and "index.php" in r.old_url and "a=show" in
              r.old_url]
    assert len(pushed) == 2
    assert statuses["unresolved"] >= 40
    assert all(r.note == "not pushed yet" for r in redirects.values()
               if r.status == "unresolved" and "a=show" in r.old_url)


def test_office_redirect_edits_survive_later_pushes(crawled: pipeline.Workspace, tmp_path) -> None:
    """An imported CSV edit is kept by the next push, which changes nothing else."""
    _push(crawled, "fgw")
    rows = render(crawled, "fgw", "csv").splitlines()
    header, first = rows[0], next(r for r in rows[1:] if ",301," in r)
    old_url = first.split(",", 1)[0]
    edited = tmp_path / "r.csv"
    edited.write_text(f"{header}\n{old_url},https://www.linjiang.gov.cn/special.html,301,moved by hand\n",
                      encoding="utf-8")
    assert import_csv(crawled, "fgw", edited).changed == 1
    _push(crawled, "fgw")
    kept = {r.old_url: r for r in load_redirects(crawled, "fgw")}[old_url]
    assert (kept.new_url, kept.note) == ("https://www.linjiang.gov.cn/special.html", "office: moved by hand")


def test_dropping_a_column_after_push_removes_its_articles_from_the_portal(crawled: pipeline.Workspace) -> None:
    """The office drops 政策解读 after a push: its pages leave the preview, the map and the target agree."""
    _push(crawled, "fgw")
    with crawled.store.session() as session:
        session.execute(update(ColumnMapping).where(ColumnMapping.site_id == "fgw",
                                                    ColumnMapping.column_path == "信息公开 > 政策解读")
                        .values(decision="drop", target=None, decided_by="王明", reason="栏目取消"))
    predicted = _push(crawled, "fgw", dry_run=True)
    summary = _push(crawled, "fgw")
    assert summary.removed > 0 and predicted.removed == summary.removed  # the dry run says what will be removed
    manifest = json.loads((crawled.dir / "preview" / "_manifest.json").read_text(encoding="utf-8"))
    with crawled.store.session() as session:
        in_target = session.scalars(select(PushRecord.source_key).where(
            PushRecord.site_id == "fgw", PushRecord.kind == "article",
            PushRecord.status.in_(("pushed", "updated")))).all()
        dropped = session.scalars(select(PushRecord).where(PushRecord.reason.like("column dropped%"),
                                                           PushRecord.site_id == "fgw")).all()
    fgw_pages = {k for k in manifest["articles"] if k.startswith("article:fgw:")}
    assert fgw_pages == set(in_target)
    assert dropped and all("removed from the portal" in r.reason for r in dropped if r.target_id)
    assert not list((crawled.dir / "preview" / "fgw" / "fgw-zcjd").glob("*.html"))[1:]


def test_dry_run_predicts_the_push_exactly(crawled: pipeline.Workspace) -> None:
    """On a fresh site and on an unchanged one, --dry-run counts what the real push then does."""
    for _ in range(2):
        predicted = _push(crawled, "jyj", dry_run=True)
        actual = _push(crawled, "jyj")
        assert (predicted.pushed, predicted.updated, predicted.unchanged, dict(predicted.skipped)) == \
            (actual.pushed, actual.updated, actual.unchanged, dict(actual.skipped))
    assert actual.unchanged > 0 and actual.pushed == 0


def test_unknown_only_url_is_an_error(crawled: pipeline.Workspace) -> None:
    """--only with a URL that is no article of the site names it instead of doing nothing (a usage error: exit 2)."""
    with pytest.raises(ConsolidateError, match="not an article") as raised:
        _push(crawled, "fgw", only=["http://elsewhere.example/x.html"])
    assert raised.value.exit_code == 2


def test_preview_pages_show_column_names_and_file_sizes(crawled: pipeline.Workspace) -> None:
    """Breadcrumbs name the columns; attachments show their size."""
    _push(crawled, "fgw")
    pages = list((crawled.dir / "preview" / "fgw").rglob("*.html"))
    article = next(p.read_text(encoding="utf-8") for p in pages if "附件" in p.read_text(encoding="utf-8")
                   and p.name != "index.html")
    crumbs = re.search(r'<nav class="crumbs">(.*?)</nav>', article).group(1)
    names = [re.sub(r"<[^>]+>", "", part).strip() for part in crumbs.split("&gt;")]
    assert names[0] == "首页" and all(len(n) > 1 for n in names)
    assert re.search(r"\(\d[\d,]* 字节\)", article)


def test_push_warns_when_the_config_now_maps_columns_otherwise(crawled: pipeline.Workspace) -> None:
    """migrations.yaml edited after `map` (a rule removed): push names the columns whose recorded decision differs
    and says to run map; after map, nothing is outdated."""
    pipeline.map_site(crawled, "fgw")
    assert pipeline.outdated_decisions(crawled, "fgw") == []
    config = crawled.dir.parent / "migrations.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"\n *- \{name: 人事信息, decision: drop[^\n]*", "", text), encoding="utf-8")
    edited = pipeline.Workspace.open(config, db_url=str(crawled.store.engine.url))
    assert pipeline.outdated_decisions(edited, "fgw") == ["信息公开 > 人事信息"]
    result = CliRunner().invoke(app, ["push", "fgw", "--dry-run", "-c", str(config), "--db",
                                      str(crawled.store.engine.url)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "1 column decision(s) recorded by `map` differ" in result.output and "consolidate map fgw" in result.output
    pipeline.map_site(edited, "fgw")
    assert pipeline.outdated_decisions(edited, "fgw") == []


def test_a_legacy_home_page_goes_to_its_new_home(crawled: pipeline.Workspace) -> None:
    """fgw became sub-site fgw: its old home redirects to the sub-site's home page, which the preview renders
    with the sub-site's columns; sfj merged into 政务动态: its old home goes to that column's page."""
    for site in ("fgw", "sfj"):
        _push(crawled, site)
    homes = {site: next(r.new_url for r in load_redirects(crawled, site) if r.note == "legacy home page")
             for site in ("fgw", "sfj")}
    base = crawled.config.portal.base_url
    assert homes["fgw"] == base + "fgw/index.html"
    page = (crawled.dir / "preview" / "fgw" / "index.html").read_text(encoding="utf-8")
    assert "工作动态" in page and 'href="../fgw/fgw-gzdt/index.html"' in page and "教育动态" not in page
    assert homes["sfj"] == base + "portal/zwdt/index.html"
    assert (crawled.dir / "preview" / "portal" / "zwdt" / "index.html").is_file()
