"""A later verify run supersedes the earlier one's differences: once the portal reads back clean, `messages
--stage verify`, status's message counts and the report's errors show none of the old mismatches (round-10 trial:
27 'error mismatch' stayed after a clean verify); a difference still there stays listed, once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import EventRow, PushRecord
from consolidate.verify import VerifySummary, verify_site

SITE = "fgw"


def verify(ws: pipeline.Workspace) -> VerifySummary:
    """One verify run of SITE."""
    exporter = pipeline.open_exporter(ws)
    try:
        return verify_site(ws, SITE, exporter)
    finally:
        exporter.close()


def verify_messages(ws: pipeline.Workspace) -> list[dict[str, Any]]:
    """What `messages --stage verify` lists for SITE."""
    return pipeline.site_messages(ws, SITE, "verify")


def report_errors(ws: pipeline.Workspace) -> tuple[list[dict[str, Any]], int]:
    """The report's listed errors of SITE and their total."""
    figures = pipeline.fleet_report(ws, [SITE]).sites[0]
    return figures.errors, figures.errors_total


def test_a_clean_verify_supersedes_the_earlier_differences(crawled: pipeline.Workspace) -> None:
    """Tamper a title and delete a page: verify lists a mismatch and a missing; verify again unchanged: still those
    two, once each; mend both and verify: none listed, counted or reported, while the events stay in the store."""
    ws = crawled
    exporter = pipeline.open_exporter(ws)
    try:
        pipeline.push_site(ws, SITE, exporter, allow_untriaged=True)
    finally:
        exporter.close()
    before_errors = report_errors(ws)[1]
    with ws.store.session() as session:
        first, second = session.scalars(select(PushRecord).where(
            PushRecord.site_id == SITE, PushRecord.kind == "article", PushRecord.status == "pushed")
            .order_by(PushRecord.id).limit(2)).all()
    tampered, deleted = ws.dir / "preview" / first.target_id, ws.dir / "preview" / second.target_id
    html, kept = tampered.read_text(encoding="utf-8"), deleted.read_bytes()
    title = html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    tampered.write_text(html.replace(f"<h1>{title}</h1>", "<h1>被篡改的标题</h1>"), encoding="utf-8")
    deleted.unlink()
    for _ in range(2):  # a second run that finds the same differences lists them once
        found = verify(ws)
        assert (found.mismatch, found.missing) == (1, 1)
        listed = {(m["code"], m["url"]) for m in verify_messages(ws)}
        assert listed == {("mismatch", first.source_url), ("missing", second.source_url)}, listed
        assert len(verify_messages(ws)) == 2
    assert pipeline.fleet_report(ws, [SITE]).sites[0].messages.get("verify") == 2
    assert report_errors(ws)[1] == before_errors + 2

    tampered.write_text(html, encoding="utf-8")
    deleted.write_bytes(kept)
    clean = verify(ws)
    assert (clean.mismatch, clean.missing) == (0, 0)
    assert verify_messages(ws) == []
    figures = pipeline.fleet_report(ws, [SITE]).sites[0]
    assert "verify" not in figures.messages, figures.messages
    errors, total = report_errors(ws)
    assert total == before_errors and not any(e["code"] in ("mismatch", "missing") for e in errors)
    base = ["-c", str(ws.loaded.path), "--db", ws.store.url]
    status = CliRunner().invoke(app, ["status", *base])
    assert status.exit_code == 0 and "verify" not in status.output.split("messages (", 1)[-1].split(")", 1)[0]
    text = CliRunner().invoke(app, ["messages", SITE, "--stage", "verify", *base]).output
    assert text.strip().endswith("0 messages"), text
    with ws.store.session() as session:  # history kept in the store
        assert session.scalar(select(EventRow).where(EventRow.stage == "verify", EventRow.code == "mismatch"))
