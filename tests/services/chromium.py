"""Test service: headless Chromium that renders a local HTML file and hands back its DOM, console errors and
a screenshot.

The `chromium` session fixture runs scripts/install-services.sh (idempotent), finds /usr/bin/chromium and
returns a `Chromium` whose `render(path)` runs the browser headless with a fresh profile and no network
services. Without a browser the fixture fails when CI=true and skips otherwise.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["Chromium", "Rendered", "chromium"]

REPO = Path(__file__).resolve().parents[2]
CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0")
CONSOLE_LINE = re.compile(r"CONSOLE[:(]\d+\)?\]\s*(.*)")
RENDER_TIMEOUT = 120


@dataclass
class Rendered:
    """What Chromium made of a page."""

    dom: str
    screenshot: Path
    stderr: str
    js_errors: list[str]  # console messages and uncaught exceptions (pages without scripts print none)


@dataclass
class Chromium:
    """A headless Chromium binary."""

    binary: str
    workdir: Path

    def _run(self, extra: list[str], url: str) -> subprocess.CompletedProcess[str]:
        """Run the browser once with a fresh profile."""
        profile = tempfile.mkdtemp(prefix="profile-", dir=self.workdir)
        try:
            return subprocess.run([self.binary, *FLAGS, f"--user-data-dir={profile}", *extra, url],
                                  capture_output=True, text=True, timeout=RENDER_TIMEOUT, check=False)
        finally:
            shutil.rmtree(profile, ignore_errors=True)

    def render(self, page: Path | str, width: int = 1280, height: int = 2000) -> Rendered:
        """The page's DOM after load (with any JS console errors) and a PNG screenshot; `page` is a local file or
        an http(s) URL."""
        url = page if isinstance(page, str) else page.resolve().as_uri()
        dumped = self._run(["--dump-dom", "--virtual-time-budget=2000"], url)
        if dumped.returncode != 0 or not dumped.stdout.strip():
            raise RuntimeError(f"chromium --dump-dom failed ({dumped.returncode}): {dumped.stderr[-2000:]}")
        stem = page.stem if isinstance(page, Path) else hashlib.sha256(page.encode()).hexdigest()[:16]
        shot = self.workdir / f"{stem}.png"
        taken = self._run([f"--screenshot={shot}", f"--window-size={width},{height}", "--hide-scrollbars"], url)
        if not shot.is_file():
            raise RuntimeError(f"chromium --screenshot failed ({taken.returncode}): {taken.stderr[-2000:]}")
        stderr = dumped.stderr + taken.stderr
        messages = list(dict.fromkeys(CONSOLE_LINE.findall(stderr)))
        return Rendered(dumped.stdout, shot, stderr, messages)


def _find_binary() -> str | None:
    """Install the suite's Debian packages when missing, then look for the browser."""
    script = REPO / "scripts" / "install-services.sh"
    if script.is_file():
        subprocess.run(["bash", str(script)], capture_output=True, text=True, check=False, timeout=1800)
    for candidate in CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Chromium:
    """Headless Chromium for rendering local pages; fails under CI=true when missing, else skips."""
    binary = _find_binary()
    if binary is None:
        message = "chromium is not installed (scripts/install-services.sh installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return Chromium(binary, tmp_path_factory.mktemp("chromium"))
