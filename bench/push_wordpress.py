"""Bench: WordPress exporter posts/s at concurrency 1/4/8 against the ceiling of the same instance.

The ceiling is a bare REST loop POSTing the very payloads the exporter would send (plain httpx, same
concurrency, fresh sub-site); the exporter run goes through put_article. Target: exporter ≥ 0.8 × ceiling.
Starts its own private WordPress Multisite (tests/services/wordpress.py). Usage:
    .venv/bin/python bench/push_wordpress.py [--posts 60]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consolidate.core.config import Portal  # noqa: E402
from exporters.base import ExportArticle, ExportColumn, ExportContext, create_exporter  # noqa: E402
from tests.services.wordpress import WordPressService, running_wordpress  # noqa: E402

ENV = "CONSOLIDATE_BENCH_WP_PASSWORD"
PARAGRAPH = "为进一步做好全市教育系统安全工作，根据上级有关文件精神，结合我市实际，现将有关事项通知如下。"


def _articles(count: int, tag: str) -> list[ExportArticle]:
    """Synthetic articles shaped like the sample fleet's (≈ 3 KB of Chinese body each)."""
    body = "".join(f"<p>{PARAGRAPH}{i}</p>" for i in range(12))
    return [ExportArticle(
        source_key=f"article:bench:{tag}-{i}", source_url=f"http://legacy.example/{tag}/{i}.html", site_id="bench",
        site_name="临江市教育局", subsite=None, column_key="column:portal:bench", column_id="bench",
        title=f"关于做好2026年校园安全工作的通知（{tag}-{i}）", published=f"2026-03-0{i % 9 + 1} 09:30",
        source="临江市教育局", publisher="临江市教育局", index_no=f"11331082MB{i:06d}/2026-0{i}", doc_no="临教〔2026〕3号",
        written="2026-03-01", topic="教育", body_html=body, content_hash=f"{tag}{i}") for i in range(count)]


def _exporter(wp: WordPressService, site_url: str, concurrency: int):
    """A WordPress exporter in main mode on one site."""
    portal = Portal(name="bench", base_url="https://portal.example/", columns=[])
    context = ExportContext(workspace=Path(tempfile.gettempdir()), portal=portal, programme_name="bench")
    exporter = create_exporter("wordpress", {"url": site_url, "user": wp.user, "app_password_env": ENV,
                                             "subsite_mode": "main", "concurrency": concurrency}, context)
    exporter.start()
    return exporter


def _run(count: int, concurrency: int, send) -> float:
    """Posts per second for `count` sends at a concurrency."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(send, range(count)))
    return count / (time.perf_counter() - started)


def ceiling(wp: WordPressService, count: int, concurrency: int) -> float:
    """A bare REST post loop with the exporter's payloads."""
    exporter = _exporter(wp, wp.new_subsite(), concurrency)
    column = exporter.put_column(ExportColumn("column:portal:bench", "bench", "基准栏目", ["基准栏目"], None, None), None)
    payloads = [exporter._post_payload(a, column, exporter._root) for a in _articles(count, f"c{concurrency}")]
    url = exporter._root.api + "wp/v2/posts"
    exporter.close()
    with httpx.Client(auth=(wp.user, wp.password), timeout=60,
                      limits=httpx.Limits(max_connections=concurrency * 2)) as client:
        return _run(count, concurrency, lambda i: client.post(url, json=payloads[i]).raise_for_status())


def through_exporter(wp: WordPressService, count: int, concurrency: int) -> float:
    """put_article for `count` articles at the concurrency."""
    exporter = _exporter(wp, wp.new_subsite(), concurrency)
    column = exporter.put_column(ExportColumn("column:portal:bench", "bench", "基准栏目", ["基准栏目"], None, None), None)
    articles = _articles(count, f"e{concurrency}")
    try:
        return _run(count, concurrency, lambda i: exporter.put_article(articles[i], column, None))
    finally:
        exporter.close()


def main() -> None:
    """Print posts/s per concurrency and the ratio to the ceiling."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-wp-") as base, running_wordpress(Path(base)) as wp:
        os.environ[ENV] = wp.password
        print(f"WordPress at {wp.url}; {args.posts} posts per run")
        print(f"{'concurrency':>11} {'ceiling/s':>10} {'exporter/s':>11} {'ratio':>6}")
        for concurrency in (1, 4, 8):
            runs = [(ceiling(wp, args.posts, concurrency), through_exporter(wp, args.posts, concurrency))
                    for _ in range(2)]  # interleaved, best of two: the instance warms and fills as it goes
            bare, ours = max(r[0] for r in runs), max(r[1] for r in runs)
            print(f"{concurrency:>11} {bare:>10.1f} {ours:>11.1f} {ours / bare:>6.2f}")


if __name__ == "__main__":
    main()
