"""Where a workspace keeps its files (WARC archives, blobs, outputs): a local folder or S3-compatible storage.

One small interface, two implementations. Keys are relative paths with `/` (`warc/site-….warc.gz`,
`blobs/ab/abcd…`). S3 goes through `obstore` (measured against s3fs and boto3 on the test server: 351 vs 175
vs 139 PUT/s of 20 kB; one wheel with no botocore pin; conditional PUT for blobs). Endpoint, region and
credentials come from environment variables whose NAMES the config gives, never from the config itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from consolidate.core.errors import ConfigError, ConsolidateError

DEFAULT_ENDPOINT_ENV = "CONSOLIDATE_S3_ENDPOINT"
DEFAULT_REGION_ENV = "CONSOLIDATE_S3_REGION"
DEFAULT_ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID"
DEFAULT_SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY"


class StorageError(ConsolidateError):
    """The object store could not be reached or refused an operation."""


@dataclass
class Usage:
    """How much a storage location holds."""

    objects: int
    bytes: int


class Storage:
    """A place for workspace files addressed by key."""

    location: str = ""
    remote: bool = False

    def put_file(self, key: str, source: Path, create_only: bool = False) -> bool:
        """Store a local file under `key`; with create_only, False (nothing written) when the key exists."""
        raise NotImplementedError

    def put_bytes(self, key: str, data: bytes, create_only: bool = False) -> bool:
        """Store bytes under `key`; with create_only, False (nothing written) when the key exists."""
        raise NotImplementedError

    def upload(self, key: str, source: Path) -> None:
        """Copy a local file to `key`, keeping the file."""
        self.put_bytes(key, source.read_bytes())

    def get_bytes(self, key: str) -> bytes:
        """The object's bytes (FileNotFoundError when absent)."""
        raise NotImplementedError

    def download(self, key: str, target: Path) -> None:
        """Copy the object to a local file (written whole, then renamed into place)."""
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(self.get_bytes(key))
        tmp.replace(target)

    def exists(self, key: str) -> bool:
        """True when the key holds an object."""
        raise NotImplementedError

    def list(self, prefix: str) -> dict[str, int]:
        """Keys under a prefix (`warc/`) and their sizes."""
        raise NotImplementedError

    def stored_at(self, prefix: str) -> dict[str, dt.datetime]:
        """Keys under a prefix and when each was stored (UTC; the object's upload time, or the file's time)."""
        raise NotImplementedError

    def delete(self, key: str) -> None:
        """Remove the object (nothing when it is absent)."""
        raise NotImplementedError

    def usage(self) -> Usage:
        """Objects and bytes stored under this location."""
        sizes = self.list("")
        return Usage(len(sizes), sum(sizes.values()))


class LocalStorage(Storage):
    """Keys are files under a folder (the default: the workspace folder itself)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = str(root)

    def path(self, key: str) -> Path:
        """The file that holds a key."""
        return self.root / key

    def put_file(self, key: str, source: Path, create_only: bool = False) -> bool:
        """Move the file into place (a link first when create_only: atomic, and it fails when the key exists)."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not create_only:
            source.replace(target)
            return True
        try:
            os.link(source, target)
        except FileExistsError:
            return False
        finally:
            source.unlink(missing_ok=True)
        return True

    def put_bytes(self, key: str, data: bytes, create_only: bool = False) -> bool:
        """Write bytes to a temporary file, then move it into place."""
        target = self.path(key)
        if create_only and target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        tmp.write_bytes(data)
        return self.put_file(key, tmp, create_only)

    def get_bytes(self, key: str) -> bytes:
        """The file's bytes."""
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        """True when the file exists."""
        return self.path(key).is_file()

    def list(self, prefix: str) -> dict[str, int]:
        """Files under the prefix folder (temporary files left out)."""
        return {p.relative_to(self.root).as_posix(): p.stat().st_size for p in self._files(prefix)}

    def stored_at(self, prefix: str) -> dict[str, dt.datetime]:
        """Files under the prefix folder and their modification times."""
        return {p.relative_to(self.root).as_posix(): dt.datetime.fromtimestamp(p.stat().st_mtime, dt.UTC)
                for p in self._files(prefix)}

    def _files(self, prefix: str) -> list[Path]:
        """The files under a prefix folder (temporary and hidden files left out)."""
        base = self.path(prefix) if prefix else self.root
        if not base.is_dir():
            return []
        return [p for p in base.rglob("*") if p.is_file() and not p.name.startswith(".")]

    def delete(self, key: str) -> None:
        """Remove the file."""
        self.path(key).unlink(missing_ok=True)


class S3Storage(Storage):
    """Keys are objects under `s3://bucket/prefix` of an S3-compatible service."""

    remote = True

    def __init__(self, url: str, endpoint: str | None, region: str | None, access_key: str | None,
                 secret_key: str | None) -> None:
        try:
            from obstore.store import S3Store
        except ImportError:
            raise ConfigError(f"workspace.storage is {url} but the S3 client (obstore) is not installed",
                              hint="pip install 'consolidate[s3]'") from None

        parts = urlsplit(url)
        self.bucket, self.prefix = parts.netloc, parts.path.strip("/")
        self.location = url + (f" at {endpoint}" if endpoint else "")
        config: dict[str, Any] = {"region": region or "us-east-1"}
        if endpoint:
            config["endpoint"] = endpoint
        if access_key and secret_key:
            config["access_key_id"], config["secret_access_key"] = access_key, secret_key
        allow_http = bool(endpoint and endpoint.startswith("http://"))
        self._store = S3Store(self.bucket, prefix=self.prefix or None, client_options={"allow_http": allow_http},
                              retry_config={"max_retries": 3, "retry_timeout": dt.timedelta(seconds=30),
                                            "backoff": {"init_backoff": dt.timedelta(milliseconds=100),
                                                        "max_backoff": dt.timedelta(seconds=5), "base": 2}},
                              **config)

    def put_file(self, key: str, source: Path, create_only: bool = False) -> bool:
        """Upload a local file (removed afterwards, as the local store moves it)."""
        written = self._put(key, source.read_bytes(), create_only)
        source.unlink(missing_ok=True)
        return written

    def put_bytes(self, key: str, data: bytes, create_only: bool = False) -> bool:
        """Upload bytes."""
        return self._put(key, data, create_only)

    def upload(self, key: str, source: Path) -> None:
        """Upload a local file in one PUT, keeping it (obstore's streamed file upload never completed against the
        moto test server; segments are bounded by `workspace.segment_mb`, so one buffer is affordable)."""
        self._put(key, source.read_bytes(), False)

    def _put(self, key: str, payload: Path | bytes, create_only: bool) -> bool:
        """One PUT; create_only sends If-None-Match: * so a second writer of the key is refused by the service."""
        import obstore

        try:
            with self._service(f"write {key} to", key):
                obstore.put(self._store, key, payload, mode="create" if create_only else "overwrite")
        except FileExistsError:
            return False
        return True

    def get_bytes(self, key: str) -> bytes:
        """Download an object."""
        import obstore

        with self._service(f"read {key} from", key):
            return bytes(obstore.get(self._store, key).bytes())

    def exists(self, key: str) -> bool:
        """HEAD the object."""
        import obstore

        try:
            with self._service("reach", key):
                obstore.head(self._store, key)
        except FileNotFoundError:
            return False
        return True

    def list(self, prefix: str) -> dict[str, int]:
        """List objects under a prefix."""
        return {meta["path"]: int(meta["size"]) for meta in self._listing(prefix)}

    def stored_at(self, prefix: str) -> dict[str, dt.datetime]:
        """Objects under a prefix and their upload times, as the service keeps them."""
        return {meta["path"]: meta["last_modified"] for meta in self._listing(prefix)}

    def _listing(self, prefix: str) -> list[dict[str, Any]]:
        """The service's metadata of every object under a prefix."""
        import obstore

        with self._service("list"):
            return [meta for batch in obstore.list(self._store, prefix or None) for meta in batch]

    def delete(self, key: str) -> None:
        """Delete an object (S3 answers a missing key with success too)."""
        import obstore

        with contextlib.suppress(FileNotFoundError), self._service(f"delete {key} from", key):
            obstore.delete(self._store, key)

    @contextlib.contextmanager
    def _service(self, doing: str, key: str | None = None) -> Iterator[None]:
        """Around a call of the service: on a `key`, not-found raises FileNotFoundError(key) and a refused
        create-only PUT FileExistsError(key); any other error is one StorageError line."""
        from obstore.exceptions import AlreadyExistsError, NotFoundError, PreconditionError

        try:
            yield
        except (NotFoundError, FileNotFoundError) as exc:
            if key is None:
                raise self._error(doing, exc) from None
            raise FileNotFoundError(key) from None
        except (AlreadyExistsError, PreconditionError):
            raise FileExistsError(key) from None
        except Exception as exc:  # noqa: BLE001 - any transport or service error, in one line
            raise self._error(doing, exc) from None

    def _error(self, doing: str, exc: Exception) -> StorageError:
        """`cannot <doing> <location>: <the error in one line>`."""
        return StorageError(f"cannot {doing} {self.location}: {_one_line(exc)}",
                            hint="check the endpoint, bucket and credentials")


def _one_line(exc: BaseException) -> str:
    """An exception in one short line."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def open_storage(settings: Any, workspace: Path, environ: Mapping[str, str] | None = None) -> Storage:
    """The storage the `workspace:` settings name (None or no `storage`: the workspace folder)."""
    url = getattr(settings, "storage", None) if settings is not None else None
    if not url:
        return LocalStorage(workspace)
    env = os.environ if environ is None else environ
    scheme = urlsplit(url).scheme
    if scheme != "s3" or not urlsplit(url).netloc:
        raise ConfigError(f"workspace.storage: {url!r} is not s3://bucket/prefix",
                          hint="give s3://bucket/prefix, or leave it out for the local workspace folder")

    def named(field: str, default: str) -> str | None:
        return env.get(getattr(settings, field, None) or default) or None

    return _s3_storage(url, named("endpoint_env", DEFAULT_ENDPOINT_ENV), named("region_env", DEFAULT_REGION_ENV),
                       named("access_key_env", DEFAULT_ACCESS_KEY_ENV), named("secret_key_env", DEFAULT_SECRET_KEY_ENV))


@functools.lru_cache(maxsize=16)
def _s3_storage(url: str, endpoint: str | None, region: str | None, access_key: str | None,
                secret_key: str | None) -> S3Storage:
    """One client per location and credentials in a process, shared by every crawler and reader (building one
    loads the TLS roots: ~8 ms each, paid once per site of a fleet crawl otherwise; the client is thread-safe)."""
    return S3Storage(url, endpoint, region, access_key, secret_key)


def workspace_storage(config: Any, workspace: Path) -> Storage:
    """The storage of a loaded config's workspace."""
    return open_storage(getattr(config, "workspace", None), workspace)


MIRROR_STATE = ".stored.json"  # in a mirrored folder: what was uploaded, so unchanged files are not sent again
MIRROR_THREADS = 8


def output_key(workspace: Path, path: Path, default_prefix: str) -> str:
    """The key of an output folder: its path inside the workspace (`preview`), or `default_prefix/name` outside."""
    try:
        return path.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return f"{default_prefix}/{path.name}"


def mirror_folder(storage: Storage, folder: Path, prefix: str) -> int:
    """Make `prefix/` in remote storage hold the folder's files (hidden ones left out): new and changed files
    uploaded, files gone from the folder deleted; returns the files sent. Nothing for local storage, where the
    folder is the storage. What was sent is noted in the folder (`.stored.json`), so a re-run sends changes only;
    a run killed midway sends its files again next time."""
    if not storage.remote or not folder.is_dir():
        return 0
    prefix = prefix.strip("/")
    state_file = folder / MIRROR_STATE
    state = _read_state(state_file, f"{storage.location}/{prefix}")
    current = {p.relative_to(folder).as_posix(): [p.stat().st_size, p.stat().st_mtime_ns]
               for p in folder.rglob("*") if p.is_file() and not _hidden(p.relative_to(folder))}
    changed = sorted(name for name, stamp in current.items() if state.get(name) != stamp)
    with ThreadPoolExecutor(MIRROR_THREADS) as pool:  # PUTs wait on the network: several at once
        list(pool.map(lambda name: storage.upload(f"{prefix}/{name}", folder / name), changed))
        list(pool.map(lambda name: storage.delete(f"{prefix}/{name}"), sorted(set(state) - set(current))))
    tmp = state_file.with_name(f"{MIRROR_STATE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"location": f"{storage.location}/{prefix}", "files": current}), encoding="utf-8")
    tmp.replace(state_file)
    return len(changed)


def mirror_output(config: Any, workspace: Path, folder: Path, default_prefix: str) -> int:
    """Mirror an output folder (the static preview) to the workspace's remote storage under its workspace key
    (`preview/…`; `default_prefix/name/…` for a folder outside the workspace); the files sent."""
    storage = workspace_storage(config, workspace)
    return mirror_folder(storage, folder, output_key(workspace, folder, default_prefix)) if storage.remote else 0


def _hidden(relative: Path) -> bool:
    """True for a path with a hidden part (locks, temporary files, the mirror's own state)."""
    return any(part.startswith(".") for part in relative.parts)


def _read_state(path: Path, location: str) -> dict[str, list[int]]:
    """What a folder's last mirroring sent to this location (nothing when it went elsewhere or is unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("files", {}) if isinstance(data, dict) and data.get("location") == location else {}


def store_outputs(config: Any, workspace: Path, paths: Iterable[Path], prefix: str) -> list[str]:
    """Upload output files (a report) to the workspace's remote storage as `prefix/name`; the keys sent (none
    with local storage: the files stay where they were written, as always)."""
    storage = workspace_storage(config, workspace)
    if not storage.remote:
        return []
    keys = []
    for path in paths:
        key = f"{prefix.strip('/')}/{path.name}"
        storage.upload(key, path)
        keys.append(key)
    return keys


def storage_status(config: Any, workspace: Path) -> dict[str, Any]:
    """Where the workspace's files are and how much they take (for `status`); an unreachable store is said so."""
    try:
        storage = workspace_storage(config, workspace)
        usage = storage.usage()
    except ConsolidateError as exc:
        return {"location": getattr(getattr(config, "workspace", None), "storage", None) or str(workspace),
                "remote": True, "objects": None, "bytes": None, "error": exc.message}
    return {"location": storage.location, "remote": storage.remote, "objects": usage.objects, "bytes": usage.bytes,
            "error": None}


def describe_status(status: dict[str, Any]) -> str:
    """One line on the storage for the status screen."""
    if status["error"]:
        return f"storage: {status['location']} — unreachable: {status['error']}"
    size = status["bytes"]
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            break
        size /= 1024
    return f"storage: {status['location']} — {status['objects']:,} files, {size:,.1f} {unit}"
