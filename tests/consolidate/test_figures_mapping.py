"""status says a site is not mapped yet instead of counting 0 unmapped columns before `map` has run."""

from __future__ import annotations

from consolidate.figures import MappingFigures


def test_no_decisions_reads_not_mapped_yet() -> None:
    """A crawled site with columns and no stored decision is 'not mapped yet', never '0 unmapped'."""
    assert MappingFigures(migrate=0, drop=0, unmapped=0).text(203) == "not mapped yet"


def test_decisions_read_as_unmapped_count() -> None:
    """Once map has run the count of columns left for review is shown, 0 included."""
    assert MappingFigures(migrate=140, drop=20, unmapped=43).text(203) == "43 unmapped"
    assert MappingFigures(migrate=3, drop=0, unmapped=0).text(3) == "0 unmapped"
    assert MappingFigures(migrate=0, drop=0, unmapped=0).text(0) == "0 unmapped"
