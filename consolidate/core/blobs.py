"""Content-addressed file store for attachments and images (sha256 → bytes), on disk or in object storage.

With remote storage a blob is uploaded once: a conditional PUT (If-None-Match: *), so two workers that fetched
the same file at once never both write it; a spooled (large) file gets a HEAD first, so no bytes are sent for a
blob already there. The crawler uploads in threads beside its event loop (`store_soon`), one PUT per hash at a
time in a process; a blob counts as stored only once its PUT returned.
The local folder is then a cache that readers (push, triage) fill on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from consolidate.core.storage import LocalStorage, Storage

BLOB_PREFIX = "blobs/"
UPLOAD_THREADS = 8  # blob PUTs in flight at once per process (they wait on the network, not the CPU)

_uploads: ThreadPoolExecutor | None = None
_uploads_lock = threading.Lock()


def _upload_pool() -> ThreadPoolExecutor:
    """The process's threads for blob uploads (started on first use)."""
    global _uploads
    with _uploads_lock:
        if _uploads is None:
            _uploads = ThreadPoolExecutor(UPLOAD_THREADS, thread_name_prefix="blob-upload")
        return _uploads


class BlobStore:
    """Files kept once per content hash under `blobs/ab/abcdef…` of the storage (default: the `root` folder)."""

    def __init__(self, root: Path, storage: Storage | None = None) -> None:
        self.root = root
        self.storage = storage if storage is not None and storage.remote else None
        self.uploaded = 0  # blobs this process wrote to remote storage
        self.already = 0  # blobs it found there already (or lost the conditional PUT for)
        self._in_flight: dict[str, asyncio.Future[str]] = {}  # hash → its upload running in a thread

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

    async def store_soon(self, data: bytes | None, source: Path | None, sha256: str) -> str:
        """Store bytes or a spooled file without blocking the event loop (remote storage: the PUT runs in a
        thread); returns once the blob is stored. A second caller with the same hash waits for the first's PUT
        (its spooled file is dropped) instead of sending the bytes again."""
        if self.storage is None:  # the local folder: as quick as it always was, done here
            return self.put_file(source, sha256) if source is not None else self.put_bytes(data or b"")
        running = self._in_flight.get(sha256)
        if running is not None:
            if source is not None:
                source.unlink(missing_ok=True)
            return await asyncio.shield(running)
        loop = asyncio.get_running_loop()
        job = (lambda: self.put_file(source, sha256)) if source is not None else (lambda: self.put_bytes(data or b""))
        future = asyncio.ensure_future(loop.run_in_executor(_upload_pool(), job))
        self._in_flight[sha256] = future
        future.add_done_callback(lambda _: self._in_flight.pop(sha256, None))
        return await asyncio.shield(future)  # a cancelled caller leaves the PUT to finish: never half-counted

    def _note(self, uploaded: bool) -> None:
        """Count an upload, or a blob that was there already."""
        if uploaded:
            self.uploaded += 1
        else:
            self.already += 1

    def read(self, sha256: str) -> bytes:
        """The blob's bytes."""
        return self.path(sha256).read_bytes()
