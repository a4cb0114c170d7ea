"""While crawls run the garbage collector skips the objects made before them and collects young ones less often;
the process gets its own settings back when the last crawl ends, whichever ends first and in whichever thread."""

from __future__ import annotations

import gc
import threading
import time

import pytest

from crawlers import crawler
from crawlers.crawler import GC_YOUNG_THRESHOLD, collecting_young


def test_settings_back_after_overlapping_crawls() -> None:
    """Two overlapping crawls: the settings change with the first and come back with the last."""
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    first, second = collecting_young(), collecting_young()
    first.__enter__()
    assert gc.get_threshold()[0] == max(before[0], GC_YOUNG_THRESHOLD)
    assert gc.get_freeze_count() > frozen
    second.__enter__()
    first.__exit__(None, None, None)  # the first crawl ends while the second still runs
    assert gc.get_threshold()[0] == max(before[0], GC_YOUNG_THRESHOLD)
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_settings_back_after_a_failed_crawl() -> None:
    """A crawl that raises gives the settings back too."""
    before = gc.get_threshold()
    try:
        with collecting_young():
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_heap_the_process_froze_stays_frozen() -> None:
    """Objects the process froze itself (before forking workers, say) are not thawed by a crawl's end."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collecting_young():
            assert gc.get_threshold()[0] >= GC_YOUNG_THRESHOLD
        assert gc.get_freeze_count() > frozen // 2  # not thawed (a few frozen objects may have died)
    finally:
        gc.unfreeze()


class _SlowGc:
    """The real garbage collector, each call of it a few milliseconds long: a thread changing the settings is
    overtaken by the others, as a busy machine may do to it at any time."""

    def __getattr__(self, name: str) -> object:
        real = getattr(gc, name)

        def slow(*args: object) -> object:
            time.sleep(0.002)
            return real(*args)

        return slow


def test_crawls_in_several_threads_share_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Crawls starting and ending in several threads at once: every crawl runs with the heap frozen and the young
    threshold set, and the process's own settings come back once the last one ends."""
    monkeypatch.setattr(crawler, "gc", _SlowGc())
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    seen: list[tuple[int, int]] = []

    def crawl_often() -> None:
        for _ in range(15):
            with collecting_young():
                seen.append((gc.get_threshold()[0], gc.get_freeze_count()))
                time.sleep(0.001)

    threads = [threading.Thread(target=crawl_often) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 90
    assert all(threshold >= GC_YOUNG_THRESHOLD and count > frozen for threshold, count in seen)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen
