"""Duplicates by title + date and by content; the planted republished story of the sample fleet."""

from __future__ import annotations

from consolidate import pipeline
from consolidate.mapping import duplicate_links
from consolidate.samplefleet import Fleet
from mappers.duplicates import DupArticle, find_duplicates, normalise_title

BODY = "临江市发展和改革委员会召开专题会议，研究部署重点项目建设工作。会议强调，要坚持问题导向，压实责任，" * 3


def test_same_title_and_day_in_two_columns() -> None:
    """The same story listed in two columns (different URLs) links to the first."""
    links = find_duplicates([{"url": "a", "title": "【转载】市发改委召开专题会议", "published": "2026-03-01", "body_text": BODY},
                             {"url": "b", "title": "市发改委召开专题会议", "published": "2026-03-01T10:00:00",
                              "body_text": BODY}])
    assert links == {"a": "b"} or links == {"b": "a"}
    assert normalise_title("【转载】市發改委召開專題會議") == normalise_title("市发改委召开专题会议")


def test_republished_copy_links_to_the_older_original() -> None:
    """旧稿重发: same text, new date — the older one is the original."""
    links = find_duplicates([DupArticle("new", "市发改委召开专题会议", "2026-10-29", BODY),
                             DupArticle("old", "市发改委召开专题会议", "2021-11-30", BODY)])
    assert links == {"new": "old"}


def test_the_portal_copy_wins_as_original() -> None:
    """An article already on the portal is the original even when it is newer."""
    links = find_duplicates([DupArticle("legacy", "专题会议", "2020-01-01", BODY),
                             DupArticle("portal", "专题会议", "2026-01-01", BODY, preferred=2)])
    assert links == {"legacy": "portal"}


def test_templated_pages_are_not_duplicates() -> None:
    """Guides share a template body but differ in title: not duplicates."""
    template = "一、事项名称\n项目备案\n二、办理依据\n《管理办法》\n三、申请材料\n申请表\n四、办理时限\n{}个工作日"
    links = find_duplicates([DupArticle("a", "以工代赈备案办理指南", "2026-05-09", template.format(12) * 2),
                             DupArticle("b", "能源保供事项办事指南", "2015-01-27", template.format(9) * 2)])
    assert links == {}


def test_the_fleet_republished_copy_is_found(crawled: pipeline.Workspace, fleet: Fleet) -> None:
    """fgw's planted republished story links to its original, and nothing else on the fleet is a duplicate."""
    copy, original = fleet.site("fgw").planted["republished"]
    links = duplicate_links(crawled, [s.id for s in crawled.config.sites])
    found = {(site, url.split("/", 3)[-1]): (o_site, o_url.split("/", 3)[-1])
             for (site, url), (o_site, o_url) in links.items()}
    assert found == {("fgw", copy.lstrip("/")): ("fgw", original.lstrip("/"))}
