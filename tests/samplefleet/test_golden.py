"""The generated pages are pinned: a refactor of the site builders must not move a single random draw.

The digest covers every page the builders write (HTML, lists, XML, assets, mailbox pages) at both weights, not
the binary files (their zlib bytes may differ between zlib builds). When a change to the generated pages is
meant, replace the digest with the one the failure prints and say so in the commit.
"""

from __future__ import annotations

import hashlib

import pytest

from consolidate.samplefleet import build_fleet

GOLDEN = {
    "light": "fff6dece7dfe03bde09062a3d5e1fe0bb299d050ea253728580067c4898f58a8",
    "real": "d805ffdce91dd72ddb761bed3dc683c9035072076f5c7dda70fa65d7b21d2a6f",
}


def pages_digest(weight: str) -> str:
    """sha256 over path, status, headers and body of every generated page of the seed-7 fleet with mailboxes."""
    digest = hashlib.sha256()
    for site in build_fleet(seed=7, weight=weight, mailbox=True).sites:
        digest.update(repr(sorted(site.planted.items())).encode())
        for path in site.all_paths():
            if path in site.files:
                continue
            page = site.respond(path)
            digest.update(repr((site.site_id, path, page.status, page.content_type, sorted(page.headers.items())))
                          .encode() + page.body)
    return digest.hexdigest()


@pytest.mark.parametrize("weight", sorted(GOLDEN))
def test_generated_pages_are_pinned(weight: str) -> None:
    """Every generated page of the seed-7 fleet hashes to the recorded digest."""
    digest = pages_digest(weight)
    assert digest == GOLDEN[weight], f"the {weight} fleet's pages changed (new digest {digest})"
