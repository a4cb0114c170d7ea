"""Imported only inside the multiprocessing fork server (as a preload module): it ends when the crawl does, and it
readies the parser processes it forks.

The fork server is started by the crawl process itself, so its parent at import time is the crawl; a parent that
is already gone (reparented to init) means the crawl died first, and the fork server leaves at once.

Every process the fork server forks would first run the crawl's main script again as `__mp_main__` (multiprocessing
does so for functions defined there): for `consolidate crawl` that is the whole CLI — Typer, SQLAlchemy, the store,
the crawler — ~50 MB more in each parser process that it never uses. A parser runs functions of importable modules
(crawlers.pageparse.parse_page), so the fork server's children leave `__main__` as it is. The fork server imports
the parser's modules once instead, shared by the parsers it forks (copy-on-write).
"""

from __future__ import annotations

import os
from multiprocessing import spawn

from crawlers.lifeline import exit_when_gone

PARSER_MODULES = ("crawlers.pageparse",)  # what a parser process imports to answer its calls


def _keep_main(_main: str) -> None:
    """Leave this process's __main__ as it is (in place of multiprocessing running the crawl's main again)."""


def ready_parsers() -> None:
    """Fork parsers that do not run the crawl's main script and find their modules imported."""
    spawn._fixup_main_from_path = _keep_main  # noqa: SLF001 - the one place multiprocessing runs the main script
    spawn._fixup_main_from_name = _keep_main  # noqa: SLF001 - … or imports the main module by name (python -m)
    for name in PARSER_MODULES:
        __import__(name)


_parent = os.getppid()
if _parent <= 1:
    os._exit(1)
exit_when_gone(_parent)
ready_parsers()
