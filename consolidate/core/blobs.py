"""Content-addressed file store for attachments and images (sha256 → bytes), on disk or in object storage.

With remote storage a blob is uploaded once: a conditional PUT (If-None-Match: *), so two workers that fetched
the same file at once never both write it; a spooled (large) file gets a HEAD first, so no bytes are sent for a
blob already there.
The local folder is then a cache that readers (push, triage) fill on demand.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from consolidate.core.storage import LocalStorage, Storage

BLOB_PREFIX = "blobs/"


class BlobStore:
    """Files kept once per content hash under `blobs/ab/abcdef…` of the storage (default: the `root` folder)."""

    def __init__(self, root: Path, storage: Storage | None = None) -> None:
        self.root = root
        self.storage = storage if storage is not None and storage.remote else None
        self.uploaded = 0  # blobs this process wrote to remote storage
        self.already = 0  # blobs it found there already (or lost the conditional PUT for)

    @staticmethod
    def key(sha256: str) -> str:
        """The storage key of a blob."""
        return f"{BLOB_PREFIX}{sha256[:2]}/{sha256}"

    def path(self, sha256: str) -> Path:
        """A local file with the blob's bytes (downloaded into the cache from remote storage when needed)."""
        local = self.root / sha256[:2] / sha256
        if self.storage is not None and not local.is_file():
            with contextlib.suppress(FileNotFoundError):
                self.storage.download(self.key(sha256), local)
        return local

    def has(self, sha256: str) -> bool:
        """True when the blob is stored."""
        if self.storage is not None:
            return self.storage.exists(self.key(sha256))
        return self.path(sha256).is_file()

    def put_bytes(self, data: bytes) -> str:
        """Store bytes; return their sha256."""
        sha = hashlib.sha256(data).hexdigest()
        if self.storage is not None:
            self._note(self.storage.put_bytes(self.key(sha), data, create_only=True))  # small: no HEAD first
            return sha
        target = self.path(sha)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".tmp{os.getpid()}")
            tmp.write_bytes(data)
            tmp.replace(target)
        return sha

    def put_file(self, source: Path, sha256: str) -> str:
        """Move an already-hashed spooled file into the store."""
        if self.storage is not None:
            key = self.key(sha256)
            if self.storage.exists(key):
                source.unlink(missing_ok=True)
                self._note(False)
            else:
                self._note(self.storage.put_file(key, source, create_only=True))
            return sha256
        target = self.path(sha256)
        if target.exists():
            source.unlink(missing_ok=True)
        else:
            LocalStorage(self.root).put_file(f"{sha256[:2]}/{sha256}", source)
        return sha256

    def _note(self, uploaded: bool) -> None:
        """Count an upload, or a blob that was there already."""
        if uploaded:
            self.uploaded += 1
        else:
            self.already += 1

    def read(self, sha256: str) -> bytes:
        """The blob's bytes."""
        return self.path(sha256).read_bytes()
