"""The audit on the crawled sample fleet: every planted empty/stale column, dead link, 暗链 and foreign script
is found; hidden drop-down menus are not 暗链; the CLI prints JSON lines."""

from __future__ import annotations

import datetime as dt
import json

from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.audit import audit_summary, site_findings
from consolidate.cli import app
from consolidate.core.config import AuditSettings
from consolidate.samplefleet import Fleet
from crawlers.defects import page_defects
from mappers.audit import column_findings, homepage_finding

AS_OF = dt.date(2026, 11, 1)


def _paths(findings: list[dict], rule: str) -> set[str]:
    """Site-relative paths of the evidence URLs of one rule."""
    return {"/" + f["evidence"]["url"].split("/", 3)[-1] for f in findings if f["rule"] == rule}


def test_planted_defects_are_found(crawled: pipeline.Workspace, fleet: Fleet) -> None:
    """Empty and stale columns, dead links, 暗链 and the foreign script of each site, nothing more."""
    for sample in fleet.sites:
        findings = site_findings(crawled, sample.site_id, AS_OF)
        planted = sample.planted
        assert _paths(findings, "empty_column") == set(planted["empty_columns"]), sample.site_id
        assert _paths(findings, "stale_column") == set(planted["stale_columns"]), sample.site_id
        assert _paths(findings, "broken_link") | _paths(findings, "broken_attachment") == \
            set(planted["dead_links"]), sample.site_id
        assert _paths(findings, "spam_link") == set(planted["spam_pages"]), sample.site_id
        assert _paths(findings, "foreign_script") == set(planted["foreign_script"]), sample.site_id
        assert _paths(findings, "undated_item") == set(planted["undated"]), sample.site_id
        assert not _paths(findings, "homepage_stale"), sample.site_id


def test_finding_shape_and_vetoes(crawled: pipeline.Workspace) -> None:
    """Each finding names site, rule, veto, severity and evidence; 暗链 is a veto of its own."""
    findings = site_findings(crawled, "fgw", AS_OF)
    for item in findings:
        assert {"site", "rule", "veto", "severity", "evidence", "message"} <= set(item)
        assert item["site"] == "fgw" and "url" in item["evidence"]
    spam = next(f for f in findings if f["rule"] == "spam_link")
    assert spam["severity"] == "veto" and spam["veto"] == "严重问题"
    assert "http://www.bet365-xx.com/" in spam["evidence"]["links"]
    stale = next(f for f in findings if f["rule"] == "stale_column")
    assert stale["evidence"]["date"] == "2023-10-28" and stale["severity"] == "warning"
    assert audit_summary(findings)["vetoes"] == ["严重问题"]


def test_later_audit_date_makes_more_columns_stale(crawled: pipeline.Workspace) -> None:
    """A year on, the news and notice columns and the home page are stale too (guides have no limit)."""
    later = site_findings(crawled, "sfj", dt.date(2027, 11, 1))
    assert len(_paths(later, "stale_column")) == 3
    assert _paths(later, "homepage_stale") == {"/"}


def test_hidden_menus_are_not_spam() -> None:
    """display:none menus of internal links are ordinary UI; hidden links to foreign hosts are 暗链."""
    html = ('<html><body><ul><li><a href="/a/">A</a><ul style="display:none"><li><a href="/a/b.html">B</a></li>'
            '<li><a href="http://www.gov.cn/">国务院</a></li></ul></li></ul>'
            '<div style="position:absolute;left:-9999px"><a href="http://casino-xx.com/">赌场</a></div>'
            '<script src="http://hm.baidu.com/h.js"></script><script src="http://evil.example.net/x.js"></script>'
            '</body></html>')
    defects = page_defects(html, "http://127.0.0.1:9/", AuditSettings().script_hosts)
    assert defects.spam == ["http://casino-xx.com/"]
    assert defects.scripts == ["http://evil.example.net/x.js"]


def test_veto_thresholds() -> None:
    """Five empty columns fail the site; four are a warning; undated home items count as not updated."""
    from mappers.audit import ColumnFacts

    settings = AuditSettings()
    columns = [ColumnFacts(f"c{i}", f"http://x/{i}", "news", 0, 0, None) for i in range(5)]
    assert {f["severity"] for f in column_findings("s", columns, AS_OF, settings)} == {"veto"}
    assert {f["severity"] for f in column_findings("s", columns[:4], AS_OF, settings)} == {"warning"}
    assert homepage_finding("s", "http://x/", [None, None], AS_OF, settings)["veto"] == "首页不更新"
    assert homepage_finding("s", "http://x/", ["2026-10-30T09:00:00"], AS_OF, settings) is None


def test_cli_audit_json(crawled: pipeline.Workspace) -> None:
    """`consolidate audit --all --json --as-of` prints one finding per line for every site."""
    result = CliRunner().invoke(app, ["audit", "--all", "--json", "--as-of", "2026-11-01",
                                      "-c", str(crawled.loaded.path), "--db", crawled.store.url])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert {f["site"] for f in lines} == {"fgw", "jyj", "sfj"}
    bad = CliRunner().invoke(app, ["audit", "fgw", "--as-of", "soon", "-c", str(crawled.loaded.path),
                                   "--db", crawled.store.url])
    assert bad.exit_code != 0 and "--as-of 'soon' is not a date" in bad.output


def test_audit_table_shows_five_of_a_rule_and_counts_the_rest() -> None:
    """Twelve dead links are five rows and one '… and 7 more' line; a rule with two findings shows both."""
    from consolidate.cli_common import console
    from consolidate.commands.mapping import _print_findings

    dead = [{"severity": "warning", "rule": "dead_link", "veto": None, "message": f"404: http://x/{i}"}
            for i in range(12)]
    empty = [{"severity": "veto", "rule": "empty_column", "veto": "空白栏目", "message": f"column c{i} is empty"}
             for i in range(2)]
    with console.capture() as captured:
        _print_findings("s", dead + empty, {"findings": 14, "vetoes": ["空白栏目"]})
    text = captured.get()
    assert sum(f"http://x/{i}" in text for i in range(12)) == 5
    assert "and 7 more" in text
    assert "column c0 is empty" in text and "column c1 is empty" in text
