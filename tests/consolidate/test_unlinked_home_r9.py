"""The home page's entries that link nowhere are said and counted by the crawl as a list page's are
(items_without_address, once for the home page served at two addresses), so crawl, messages and the checklist
agree."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from consolidate.checklist import listed_nowhere, nowhere_pages
from consolidate.cli import app
from consolidate.core.store import EventRow, Resource
from tests.conftest import crawl_real_sites

SITE = "hncic"  # DedeCMS: its home page (at `/` and `/index.html`) shows 32 entries that link nowhere


def test_the_home_pages_entries_that_link_nowhere_are_named_once(tmp_path: Path) -> None:
    """hncic's home page gets one items_without_address message (at one of its two addresses) for its 32 entries;
    the messages add up to the checklist's count, and `messages` lists it."""
    ws = crawl_real_sites(tmp_path / "ws", [SITE])
    with ws.store.session() as session:
        said = session.execute(select(EventRow.url, EventRow.message).where(
            EventRow.site_id == SITE, EventRow.code == "items_without_address")).all()
        homes = set(session.scalars(select(Resource.url).where(Resource.site_id == SITE, Resource.kind == "home")))
    home_said = [(url, message) for url, message in said if url in homes]
    assert nowhere_pages(ws, SITE)["home"] == 32
    assert len(home_said) == 1 and home_said[0][1].startswith("32 entries of this page link nowhere"), home_said
    assert sum(int(message.split(" ", 1)[0]) for _url, message in said) == listed_nowhere(ws, SITE)
    result = CliRunner().invoke(app, ["messages", SITE, "--stage", "crawl", "--json", "-c", str(ws.loaded.path),
                                      "--db", ws.store.url])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert home_said[0][0] in {r.get("url") for r in rows if r.get("code") == "items_without_address"}
