"""`python -m consolidate.samplefleet serve`: serve the sample fleet until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import threading

from consolidate.samplefleet.fleet import build_fleet
from consolidate.samplefleet.server import FleetServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line: serve [--port-base N] [--seed N] [--articles N] [--host H]."""
    parser = argparse.ArgumentParser(prog="python -m consolidate.samplefleet")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the sample legacy fleet on 127.0.0.1")
    serve.add_argument("--port-base", type=int, default=8701, help="first port; site i gets port-base + i")
    serve.add_argument("--seed", type=int, default=7)
    serve.add_argument("--articles", type=int, default=None, help="articles per site (default: the small mix)")
    serve.add_argument("--host", default="127.0.0.1")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted, printing one line per site."""
    args = parse_args(argv)
    fleet = build_fleet(seed=args.seed, articles_per_site=args.articles)
    ports = {site.site_id: args.port_base + index for index, site in enumerate(fleet.sites)}
    with FleetServer(fleet, host=args.host, ports=ports) as server:
        for site in fleet.sites:
            print(f"{site.site_id}\t{server.urls[site.site_id]}\t{site.name} ({site.cms}, {site.encoding})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
