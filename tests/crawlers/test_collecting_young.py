"""While crawls run the garbage collector skips the objects made before them and collects young ones less often;
the process gets its own settings back when the last crawl ends, whichever ends first."""

from __future__ import annotations

import gc

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
