"""Parser processes do not run the crawl's main script again (crawlers.forkserver_lifeline): multiprocessing would
import it as __mp_main__ in every process the fork server forks, and for `consolidate crawl` that is the whole CLI
(SQLAlchemy, the store, the crawler: ~50 MB a parser). They find the parser's modules imported by the fork server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

MAIN = '''
import asyncio

import consolidate.core.store  # noqa: F401 - what a crawl's main script imports (SQLAlchemy)
from crawlers.parsers import ParserPool
from tests.crawlers.test_parser_main_r12 import loaded


async def run():
    pool = await ParserPool(1).connect()
    try:
        return await pool.call(loaded, ("sqlalchemy", "consolidate.core.store", "crawlers.pageparse"))
    finally:
        pool.close()


if __name__ == "__main__":
    print(sorted(asyncio.run(run())))
'''


def loaded(names: tuple[str, ...]) -> list[str]:
    """Which of these modules this process has imported."""
    return [name for name in names if name in sys.modules]


def test_a_parser_has_its_modules_and_not_the_crawls_main(tmp_path: Path) -> None:
    """A crawl script that imports the store starts a pool: its parser has crawlers.pageparse, not the store."""
    script = tmp_path / "crawl_main.py"
    script.write_text(MAIN)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=REPO, env=env,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['crawlers.pageparse']", result.stdout + result.stderr
