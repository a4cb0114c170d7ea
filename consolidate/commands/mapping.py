"""Commands of the map stage: columns, map."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from consolidate import pipeline
from consolidate.cli_common import (
    DEFAULT_CONFIG,
    ConfigOption,
    DbOption,
    JsonOption,
    console,
    friendly_errors,
    open_workspace,
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""

    @app.command()
    @friendly_errors
    def columns(site: Annotated[str, typer.Argument(help="Site id.")], config: ConfigOption = DEFAULT_CONFIG,
                db: DbOption = None, as_json: JsonOption = False) -> None:
        """The legacy columns found on a site, with article counts and last update."""
        ws = open_workspace(config, db)
        rows = pipeline.legacy_columns(ws, ws.site(site).id)
        if as_json:
            for c in rows:
                print(json.dumps({"path": c.path, "name": c.name, "url": c.url, "articles": c.article_count,
                                  "last_published": c.last_published, "flags": c.flags}, ensure_ascii=False))
            return
        table = Table(title=f"{site}: {len(rows)} columns")
        for header in ("column", "articles", "last update", "flags", "url"):
            table.add_column(header)
        for c in rows:
            table.add_row(c.path, str(c.article_count), c.last_published or "", ",".join(c.flags), c.url or "")
        console.print(table)


    @app.command("map")
    @friendly_errors
    def map_(site: Annotated[str, typer.Argument(help="Site id.")], config: ConfigOption = DEFAULT_CONFIG,
             db: DbOption = None, as_json: JsonOption = False,
             unmapped: Annotated[bool, typer.Option("--unmapped", help="Only columns without a decision.")] = False,
             flagged: Annotated[bool, typer.Option("--flagged", help="Only flagged columns (empty …).")] = False) -> None:
        """Decide where every legacy column goes (rules in migrations.yaml, then name/alias matches)."""
        ws = open_workspace(config, db)
        rows = pipeline.map_site(ws, ws.site(site).id)
        if unmapped:
            rows = [(c, d) for c, d in rows if d.decision == "unmapped"]
        if flagged:
            rows = [(c, d) for c, d in rows if c.flags]
        if as_json:
            for c, d in rows:
                print(json.dumps({"column": c.path, "articles": c.article_count, "last_published": c.last_published,
                                  "flags": c.flags, "decision": d.decision, "target": d.target,
                                  "confidence": d.confidence, "reason": d.reason, "decided_by": d.decided_by},
                                 ensure_ascii=False))
            return
        table = Table(title=f"{site}: column decisions")
        for header in ("legacy column", "articles", "last update", "flags", "decision", "target", "conf.", "reason"):
            table.add_column(header)
        for c, d in rows:
            style = {"unmapped": "yellow", "drop": "dim"}.get(d.decision, "")
            table.add_row(c.path, str(c.article_count), c.last_published or "", ",".join(c.flags), d.decision,
                          d.target or "", f"{d.confidence:.2f}", d.reason, style=style)
        console.print(table)
