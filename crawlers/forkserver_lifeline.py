"""Imported only inside the multiprocessing fork server (as a preload module): it ends when the crawl does.

The fork server is started by the crawl process itself, so its parent at import time is the crawl; a parent that
is already gone (reparented to init) means the crawl died first, and the fork server leaves at once.
"""

from __future__ import annotations

import os

from crawlers.lifeline import exit_when_gone

_parent = os.getppid()
if _parent <= 1:
    os._exit(1)
exit_when_gone(_parent)
