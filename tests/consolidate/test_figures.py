"""Typed figures: attributes for the code, the same JSON shape for --json, templates and scripts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from consolidate.crawl_figures import PROBLEMS
from consolidate.figures import (
    CrawlFigures,
    FleetReport,
    MappingFigures,
    ReconciliationLine,
    SiteDetails,
    SiteFigures,
)


def _site(**overrides: Any) -> SiteFigures:
    """A site's figures with small made-up numbers."""
    values: dict[str, Any] = dict(
        id="fgw", name="发改委", organiser=None, disposition="migrate", home_url="http://fgw.example/", cms="trs",
        stage="pushed", target="static", targets=[], ledger={"urls": 3},
        crawl=CrawlFigures(fetched=3, files_fetched=1, unfetchable_files=0, errors=0, skipped=0, queued=0, bytes=9),
        articles=2, columns=1, mapping=MappingFigures(migrate=1, drop=0, unmapped=0), push={"in_target": 2},
        redirects={"301": 2}, verification={}, monitor={}, spam_links_removed=0, triage={"rows": []},
        letters={"rows": []}, messages={}, errors=[],
        reconciliation=ReconciliationLine(target="static", crawled=2, pushed=2, skipped=0, failed=0, unresolved=0,
                                          skipped_by={}, held=0, unaccounted=0, pages={}, unfetchable_files=0,
                                          notes=[], ok=True))
    values.update(overrides)
    return SiteFigures(**values)


def test_checklist_and_details_keys_appear_only_once_set() -> None:
    """Without a checklist or details the JSON has neither; once set, the checklist keys and the details' keys
    stand flat beside the figures, in that order."""
    site = _site()
    assert "checklist" not in site and "inventory" not in site and list(site)[-2:] == ["errors", "errors_total"]
    site.checklist, site.next_step, site.behind = {"steps": []}, "notice_posted", True
    site.details = SiteDetails(inventory={"name": "发改委"}, decisions=[], audit={"findings": []}, vanished=[])
    assert list(site)[-8:] == ["checklist", "next_step", "next_due", "behind", "inventory", "decisions", "audit",
                               "vanished"]
    assert site["next_step"] == "notice_posted" and site["inventory"] == {"name": "发改委"}


def test_report_as_json_is_plain_data_and_keys_can_be_replaced() -> None:
    """as_dict() is plain dicts and lists (json.dumps takes it); a figure replaced by key is the attribute."""
    site = _site()
    report = FleetReport(programme="p", office=None, portal="门户", generated_at="2026-12-06T00:00:00+00:00",
                         as_of="2026-12-06", sites=[site], totals={}, stages={"pushed": 1}, reconciled=True,
                         behind_schedule=[], retention={})
    document = json.loads(json.dumps(report.as_dict(), ensure_ascii=False))
    assert document["sites"][0]["crawl"] == {"fetched": 3, "files_fetched": 1, "unfetchable_files": 0, "errors": 0,
                                             "skipped": 0, "queued": 0, "bytes": 9,
                                             "problems": dict.fromkeys(PROBLEMS, 0), "problem_causes": {},
                                             "dead_pages": {}}
    assert document["sites"][0]["reconciliation"]["ok"] is True and site.reconciliation == {**site.reconciliation}
    report["sites"][0]["name"] = "=1+1"
    assert site.name == "=1+1"
    with pytest.raises(KeyError):
        site["no such figure"] = 1
