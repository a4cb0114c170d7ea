"""Content-addressed file store for attachments and images (sha256 → bytes on disk)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


class BlobStore:
    """Files kept once per content hash under `root/ab/abcdef…`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where the blob with this hash lives."""
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        """True when the blob is stored."""
        return self.path(sha256).is_file()

    def put_bytes(self, data: bytes) -> str:
        """Store bytes; return their sha256."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".tmp{os.getpid()}")
            tmp.write_bytes(data)
            tmp.replace(target)
        return sha

    def put_file(self, source: Path, sha256: str) -> str:
        """Move an already-hashed spooled file into the store."""
        target = self.path(sha256)
        if target.exists():
            source.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            source.replace(target)
        return sha256

    def read(self, sha256: str) -> bytes:
        """The blob's bytes."""
        return self.path(sha256).read_bytes()
