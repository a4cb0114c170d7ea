"""A site's signed sheet changes only that site's decisions (round-9 trial, finding 2): jspn's office dropped its
图片新闻 and pmodlh's 新闻动态 > 图片新闻, of the same name, was sent back to review, so the next pmodlh push took its
4 published articles off the portal. Another site's signature is now a note in the reason (or a suggestion where the
column is undecided): status counts what `map --unmapped` lists; push warns of nothing."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import ColumnMapping, utcnow
from consolidate.figures import site_figures
from consolidate.mapping import (
    automatic_decisions,
    import_sheet,
    map_site,
    outdated_decisions,
    stored_decisions,
)
from mappers.columns import Learned, LegacyColumn, decide, learned_key
from tests.conftest import crawl_real_sites, push_sites
from tests.mappers.test_fleet_mapping import _bare_workspace
from tests.mappers.test_fleet_offer_reasons import _sign

PICTURES = "新闻动态 > 图片新闻"  # pmodlh: 4 articles, migrated and pushed


def test_signing_jspn_never_takes_pmodlh_articles_off_the_portal(tmp_path: Path) -> None:
    """The trial on the real samples: jspn's 图片新闻 signed 不迁移; pmodlh's 图片新闻 keeps its decision (the signature
    noted), the import sends nothing back, the next pmodlh push removes nothing, status counts what map leaves undecided, push warns of nothing."""
    ws = crawl_real_sites(tmp_path, ["jspn", "pmodlh"])
    map_site(ws, "jspn")
    before = {c.path: (c, d) for c, d in map_site(ws, "pmodlh")}
    column, auto = before[PICTURES]
    assert column.article_count > 0 and auto.decision == "migrate", auto
    first = push_sites(ws, ["pmodlh"])[0]
    assert first.pushed > 0
    signed = import_sheet(ws, "jspn", _sign(ws, "jspn", ["图片新闻"], tmp_path))
    assert [c.path for c in signed] == ["图片新闻"] and signed.waiting == []
    result = CliRunner().invoke(app, ["map", "pmodlh", "--unmapped", "--json", "-c", str(ws.loaded.path),
                                      "--db", ws.store.url])
    assert result.exit_code == 0, result.output
    assert PICTURES not in result.output
    after = {c.path: d for c, d in map_site(ws, "pmodlh")}[PICTURES]
    assert (after.decision, after.target, after.decided_by) == (auto.decision, auto.target, "consolidate")
    assert "jspn" in after.reason and "jspn" in after.reason_zh
    assert stored_decisions(ws, "pmodlh")[PICTURES].decision == "migrate"
    assert outdated_decisions(ws, "pmodlh") == []
    again = push_sites(ws, ["pmodlh"])[0]
    assert again.removed == 0 and again.failed == 0
    undecided = [d for _c, d in map_site(ws, "pmodlh") if d.decision == "unmapped"]
    assert site_figures(ws, "pmodlh").mapping.unmapped == len(undecided)


def test_a_signature_elsewhere_is_a_suggestion_only_where_nothing_is_decided() -> None:
    """A column the system decided keeps its decision whatever another site signed (noted, both languages); an
    undecided like column is offered the signed decision, still undecided."""
    from consolidate.core.config import parse_config
    from consolidate.demo import example_config_text

    config = parse_config(example_config_text())
    full = LegacyColumn("公示公告", "公示公告", article_count=6)
    auto = decide(config, config.site("sfj"), [full])[0]
    assert (auto.decision, auto.target) == ("migrate", "tzgg")
    key = learned_key("公示公告", "notice")
    for signed in (Learned("drop", None, "jspn", "公示公告", "王明", held=9),
                   Learned("migrate", "bmdt", "jspn", "公示公告", "王明", held=9)):
        kept = decide(config, config.site("sfj"), [full], learned={key: signed})[0]
        assert (kept.decision, kept.target, kept.suggested) == ("migrate", "tzgg", None), signed
        assert "jspn" in kept.reason and "其他站点的签署不改变本站的决定" in kept.reason_zh
    empty = LegacyColumn("公示公告", "公示公告", flags=["empty"])
    offered = decide(config, config.site("sfj"), [empty], learned={key: Learned("drop", None, "jspn", "公示公告",
                                                                               "王明", held=9)})[0]
    assert (offered.decision, offered.suggested) == ("unmapped", "drop")


def test_an_offer_to_an_undecided_column_is_no_outdated_decision(crawled: pipeline.Workspace,
                                                                  tmp_path: Path) -> None:
    """jyj's 校园风采 is undecided (no rules); fgw's office then signs a like column migrated: jyj's column is offered
    that target as a suggestion, still undecided, and push is not told migrations.yaml decides it otherwise."""
    crawled = _bare_workspace(crawled, tmp_path)
    jyj = {c.path: d for c, d in map_site(crawled, "jyj")}
    assert jyj["校园风采"].decision == "unmapped"
    target = next(d.target for d in jyj.values() if d.decision == "migrate")
    with crawled.store.session() as session:
        session.add(ColumnMapping(site_id="fgw", column_path="校园风采", decision="migrate", target=target,
                                  reason="office decision signed by 王明", confidence=1.0, decided_by="王明",
                                  decided_at=utcnow()))
    offered = automatic_decisions(crawled, "jyj")["校园风采"]
    assert (offered.decision, offered.target) == ("unmapped", target)
    assert outdated_decisions(crawled, "jyj") == []
