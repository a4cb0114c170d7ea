"""Parser processes import crawlers.pageparse and what it needs to analyse and extract pages, not the store:
SQLAlchemy and consolidate.core.store cost a parser process ~23 MB (round 11: 58 → 31 MB of modules), and every
crawl runs one or two of them."""

from __future__ import annotations

import subprocess
import sys


def test_the_parser_module_does_not_import_the_store() -> None:
    """A fresh interpreter importing crawlers.pageparse has neither sqlalchemy nor consolidate.core.store loaded."""
    code = ("import sys, crawlers.pageparse; "
            "print(sorted(m for m in ('sqlalchemy', 'consolidate.core.store') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
