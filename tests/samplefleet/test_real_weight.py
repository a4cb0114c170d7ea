"""The real-weight fleet: pages as heavy as the real sample sites', the same truth, extracted exactly."""

from __future__ import annotations

import random
import statistics

import pytest

from consolidate.samplefleet import build_fleet
from consolidate.samplefleet.weights import _draws, profile
from crawlers.encoding import decode_html
from crawlers.extract import SiteExtractor

FIELDS = ("title", "published", "source", "publisher", "index_no", "doc_no", "written", "topic", "body_text",
          "images", "spam_links")


@pytest.fixture(scope="module")
def heavy():
    """The default fleet at real weight."""
    return build_fleet(weight="real")


def article_bodies(fleet) -> list[bytes]:
    """Served bytes of every article first page."""
    return [site.respond(a.path, {}).body for site in fleet.sites for a in site.articles]


def test_real_weight_pages_are_as_heavy_as_the_real_sites(heavy) -> None:
    """Median article page near the measured median; a tail of 100–400 KiB statistics-table pages exists."""
    light = build_fleet()
    sizes = sorted(len(body) for body in article_bodies(heavy))
    measured = profile()["article"]["html_bytes"][2]  # p50
    assert 0.6 * measured <= statistics.median(sizes) <= 1.6 * measured
    assert statistics.median(sizes) > 3 * statistics.median(len(b) for b in article_bodies(light))
    tail = [body for body in article_bodies(heavy) if len(body) >= 100 * 1024 and b"MsoNormalTable" in body]
    assert tail and max(len(body) for body in tail) <= 480 * 1024


def test_real_weight_is_deterministic_per_seed(heavy) -> None:
    """The same seed gives the same bytes; another seed other bytes; the article set is the light fleet's."""
    again = build_fleet(weight="real")
    assert article_bodies(again) == article_bodies(heavy)
    assert article_bodies(build_fleet(seed=8, weight="real")) != article_bodies(heavy)
    light = build_fleet()
    for site, light_site in zip(heavy.sites, light.sites, strict=True):
        assert site.all_paths() == light_site.all_paths()
        assert [a.path for a in site.articles] == [a.path for a in light_site.articles]


def test_republished_copy_keeps_the_original_body(heavy) -> None:
    """The body draw follows the body, so a republished copy is still a copy at real weight."""
    site = heavy.site("fgw")
    copy, original = site.planted["republished"]
    by_path = {record.url: record for record in site.truth("http://x")}
    assert by_path["http://x" + copy].body_text == by_path["http://x" + original].body_text


@pytest.mark.parametrize("site_id", ["fgw", "jyj", "sfj"])
def test_extraction_is_exact_on_real_weight_pages(heavy, site_id: str) -> None:
    """The crawl's extractor (templates learned as it goes) gives the truth on every heavy single-page article."""
    site = heavy.site(site_id)
    base = f"http://{site_id}.example.gov.cn"
    extractor = SiteExtractor(site_id)
    checked = 0
    for truth in site.truth(base + "/"):
        if truth.part_urls:
            continue  # multi-page articles are joined by the crawl (tests/crawlers/test_crawl_fleet.py)
        page = site.respond(truth.url.removeprefix(base), {})
        record = extractor.extract(decode_html(page.body, page.content_type).text, truth.url)
        assert {f: getattr(record, f) for f in FIELDS} == {f: getattr(truth, f) for f in FIELDS}, truth.url
        checked += 1
    assert checked > 30


def test_unknown_weight_is_refused() -> None:
    """A misspelt weight is a clear error, not a silently light fleet."""
    with pytest.raises(ValueError, match="light or real"):
        build_fleet(weight="heavy")


@pytest.mark.parametrize(("low", "high"), [(0, 12), (0, 8), (12, 16), (0, 0xFFFFFF), (80, 240), (1, 99), (5, 5)])
def test_filler_draws_are_randints_of_the_same_stream(low: int, high: int) -> None:
    """The filler's fast draws give rng.randint's numbers, and leave the stream where randint leaves it."""
    ours, theirs = random.Random(f"seed:{low}:{high}"), random.Random(f"seed:{low}:{high}")
    draw = _draws(ours, low, high)
    assert [draw() for _ in range(500)] == [theirs.randint(low, high) for _ in range(500)]
    assert ours.random() == theirs.random()
