"""Interaction records on a real restored site (lgedu's 局长信箱 and 投诉 list in ../shared/samples): found, pushed
into the static preview in the Q&A layout, masked, and the letter page migrated in the ledger. Skipped, with the
reason, when the samples folder is absent (a fresh clone has none)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from consolidate import interaction as stage
from consolidate import letters_push, pipeline
from consolidate.ledger import reconcile, site_ledger
from consolidate.samplefleet.realsites import REAL_SITES, RealSitesServer, samples_dir

SAMPLES = samples_dir()
pytestmark = pytest.mark.skipif(SAMPLES is None, reason="../shared/samples (real legacy sites) is not present; "
                                                        "set CONSOLIDATE_SAMPLES to run these tests")
LETTER = "http://www.lgedu.net/contents/18296/20507.html"  # 局长信箱: a 职称 consultation answered in 2 days
COMPLAINTS = "http://www.lgedu.net/channels/12719.html"  # a list of complaints, rows without pages of their own


@pytest.fixture(scope="module")
def lgedu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pipeline.Workspace]:
    """lgedu served on loopback under its real host name and crawled once."""
    assert SAMPLES is not None
    workdir = tmp_path_factory.mktemp("lgedu-letters")
    with RealSitesServer(SAMPLES, tuple(s for s in REAL_SITES if s.id == "lgedu")) as server:
        config = workdir / "migrations.yaml"
        config.write_text(server.config_text(rate=400.0), encoding="utf-8")
        ws = pipeline.Workspace.open(config, db_url=f"sqlite:///{workdir / 'state.db'}")
        list(pipeline.crawl(ws, None))
        yield ws


def test_lgedu_letters_found_pushed_and_migrated(lgedu, tmp_path):
    """The 局长信箱 letter is a replied consultation with its unit and dates; the complaint list's rows are
    records too; all reach the preview (the letter's page in the Q&A layout) and the letter's old URL is migrated."""
    rows = {row.url: row for row in stage.stored_records(lgedu, "lgedu")}
    letter = rows[LETTER]
    assert (letter.kind, letter.status, letter.received, letter.replied, letter.reply_unit) == (
        "consult", "replied", "2020-12-21", "2020-12-23", "市教育体育局")
    listed = [row for url, row in rows.items() if url.startswith(COMPLAINTS + "#")]
    assert len(listed) >= 10 and {row.kind for row in listed} == {"complaint"}
    exporter = pipeline.open_exporter(lgedu, "static", {"dir": str(tmp_path / "preview")})
    try:
        summary = pipeline.push_site(lgedu, "lgedu", exporter)
    finally:
        exporter.close()
    assert summary.letters["pushed"] == len(rows) and summary.letters["failed"] == 0
    entry = next(e for e in site_ledger(lgedu, "lgedu", summary.target) if e.url == LETTER)
    assert entry.disposition == "migrated" and "/hudong/lgedu/" in (entry.new_url or "")
    page = (tmp_path / "preview" / entry.new_url.split("/", 3)[3]).read_text(encoding="utf-8")
    assert "问</h2>" in page and "答</h2>" in page and "市教育体育局" in page
    if letter.writer and len(letter.writer) >= 2:
        assert letter.writer not in page
    assert letters_push.letter_pages(lgedu, "lgedu") == {LETTER}
    assert reconcile(lgedu, "lgedu", summary.target)["letters"] == {"pages": 1, "migrated": 1}
