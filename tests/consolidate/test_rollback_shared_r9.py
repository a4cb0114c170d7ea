"""A portal column two sites filled is recorded once, under the site that pushed it first: rolling back the
other site keeps it (the first site's articles are in it) and counts it as kept shared."""

from __future__ import annotations

import json
from collections import Counter

from sqlalchemy import select, update
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import ArticleRow, ColumnMapping, PushRecord
from tests.conftest import push_sites

SHARED = "column:fgw:fgw-gzdt"


def _file_jyj_under_fgw(ws: pipeline.Workspace) -> None:
    """jyj's largest column is filed under fgw's 工作动态."""
    pipeline.map_site(ws, "jyj")
    with ws.store.session() as session:
        paths = Counter(" > ".join(a.column_path or []) for a in session.scalars(
            select(ArticleRow).where(ArticleRow.site_id == "jyj")))
        mapping = session.scalars(select(ColumnMapping).where(
            ColumnMapping.site_id == "jyj", ColumnMapping.decision == "migrate",
            ColumnMapping.column_path == paths.most_common(1)[0][0])).one()
        mapping.target = "fgw-gzdt"


def _rollback(ws: pipeline.Workspace, site: str) -> dict:
    """`consolidate rollback SITE --json`: the site's summary."""
    result = CliRunner().invoke(app, ["rollback", site, "--json", "-c", str(ws.loaded.path), "--db", ws.store.url])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["sites"][0]


def test_rolling_back_the_second_site_of_a_shared_column_keeps_it_and_counts_it(crawled: pipeline.Workspace) -> None:
    """jyj's rollback keeps fgw-gzdt (recorded under fgw, fgw's articles still in it) and says it kept 1 shared;
    fgw's rollback then removes it."""
    _file_jyj_under_fgw(crawled)
    push_sites(crawled, ["fgw", "jyj"], allow_untriaged=True)
    with crawled.store.session() as session:
        shared = session.scalars(select(PushRecord).where(PushRecord.source_key == SHARED)).one()
        fgw_in_it = [r.target_id for r in session.scalars(select(PushRecord).where(
            PushRecord.site_id == "fgw", PushRecord.kind == "article", PushRecord.status == "pushed"))]
    assert shared.site_id == "fgw"
    page = crawled.dir / "preview" / shared.target_id
    second = CliRunner().invoke(app, ["rollback", "jyj", "-c", str(crawled.loaded.path), "--db", crawled.store.url])
    assert second.exit_code == 0 and "kept 1 shared with other sites" in second.output, second.output
    assert page.exists() and all((crawled.dir / "preview" / t).exists() for t in fgw_in_it)
    with crawled.store.session() as session:
        assert session.scalar(select(PushRecord.status).where(PushRecord.source_key == SHARED)) == "pushed"
    last = _rollback(crawled, "fgw")
    assert last["kept_shared"] == 0 and last["columns"] > 0 and not last["failed"]
    assert not page.exists()
    with crawled.store.session() as session:
        assert session.scalar(select(PushRecord.status).where(PushRecord.source_key == SHARED)) == "rolled_back"



def test_a_shared_column_stays_while_the_other_sites_articles_in_it_cannot_be_placed(
        crawled: pipeline.Workspace) -> None:
    """The office reopens jyj's column filed under fgw-gzdt after the push (where its articles sit can no longer be
    told from the plan): rolling back fgw keeps fgw-gzdt, which jyj's articles still fill, and counts it kept."""
    _file_jyj_under_fgw(crawled)
    push_sites(crawled, ["fgw", "jyj"], allow_untriaged=True)
    with crawled.store.session() as session:
        page = crawled.dir / "preview" / session.scalars(select(PushRecord.target_id).where(
            PushRecord.source_key == SHARED)).one()
        session.execute(update(ColumnMapping).where(ColumnMapping.site_id == "jyj",
                                                    ColumnMapping.target == "fgw-gzdt").values(decision="unmapped"))
    first = _rollback(crawled, "fgw")
    assert page.exists(), first
    assert first["kept_shared"] == 1 and first["columns"] > 0 and not first["failed"], first  # read back, not all kept
    with crawled.store.session() as session:
        assert session.scalar(select(PushRecord.status).where(PushRecord.source_key == SHARED)) == "pushed"
