"""Workspace storage: the local folder and S3-compatible object storage behave alike; crawls write archives and
blobs there; `extract --from-archive` reads them back; a worker killed mid-segment loses nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select

from consolidate import pipeline
from consolidate.core.blobs import BlobStore
from consolidate.core.config import WorkspaceSettings, load_config
from consolidate.core.errors import ConfigError, StoreError
from consolidate.core.storage import (
    MIRROR_STATE,
    LocalStorage,
    S3Storage,
    Storage,
    StorageError,
    mirror_folder,
    open_storage,
)
from consolidate.core.store import SCHEMA_VERSION, UPGRADES, Meta, Resource, SiteRow, Store
from consolidate.demo import config_for_urls
from consolidate.samplefleet import FleetServer
from crawlers.archive import reextract_site
from crawlers.warc import (
    INSERT_PENDING,
    WarcPending,
    archive_stored_on,
    iter_responses,
    mirror_site_archives,
    pending_row,
)
from tests.services.s3 import S3Server


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """Each storage kind, empty."""
    if request.param == "local":
        return LocalStorage(tmp_path / "local")
    bucket = request.getfixturevalue("s3_bucket")
    return open_storage(WorkspaceSettings(storage=bucket), tmp_path)


def test_put_get_list_and_usage_agree_across_storages(storage: Storage, tmp_path: Path) -> None:
    """Bytes and files go in under a key, come back the same, are listed with their sizes and counted."""
    assert storage.put_bytes("warc/a.warc.gz", b"alpha")
    source = tmp_path / "spooled.bin"
    source.write_bytes(b"b" * 3000)
    assert storage.put_file("blobs/ab/abc", source)
    assert not source.exists()
    assert storage.get_bytes("warc/a.warc.gz") == b"alpha"
    assert storage.exists("blobs/ab/abc") and not storage.exists("blobs/ab/nope")
    assert storage.list("warc/") == {"warc/a.warc.gz": 5}
    usage = storage.usage()
    assert (usage.objects, usage.bytes) == (2, 3005)
    with pytest.raises(FileNotFoundError):
        storage.get_bytes("warc/missing")
    target = tmp_path / "copy" / "a.warc.gz"
    storage.download("warc/a.warc.gz", target)
    assert target.read_bytes() == b"alpha"


def test_create_only_refuses_a_key_that_exists(storage: Storage) -> None:
    """A conditional write never replaces what is there."""
    assert storage.put_bytes("blobs/x", b"first", create_only=True)
    assert not storage.put_bytes("blobs/x", b"second", create_only=True)
    assert storage.get_bytes("blobs/x") == b"first"


def test_racing_workers_upload_a_blob_once(storage: Storage, tmp_path: Path) -> None:
    """Eight writers store the same content at the same moment: one upload, seven find it there."""
    data = os.urandom(200_000)
    stores = [BlobStore(tmp_path / f"cache{i}", storage) for i in range(8)]
    barrier = threading.Barrier(len(stores))
    results: list[str] = []

    def put(blobs: BlobStore) -> None:
        barrier.wait()
        results.append(blobs.put_bytes(data))

    threads = [threading.Thread(target=put, args=(b,)) for b in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sha = hashlib.sha256(data).hexdigest()
    assert results == [sha] * 8
    if storage.remote:
        assert sum(b.uploaded for b in stores) == 1
        assert sum(b.already for b in stores) == 7
    assert stores[0].read(sha) == data


def test_bad_storage_settings_are_clear_errors(tmp_path: Path) -> None:
    """Not an s3:// URL: a config error naming the field; an unreachable endpoint: one clear line."""
    config = tmp_path / "migrations.yaml"
    config.write_text(config_for_urls({"fgw": "http://127.0.0.1:9/"}) + "workspace:\n  storage: ftp://x/y\n",
                      encoding="utf-8")
    with pytest.raises(ConfigError, match="workspace.storage"):
        load_config(config)
    unreachable = S3Storage("s3://nobucket/p", "http://127.0.0.1:9", "us-east-1", "k", "s")
    with pytest.raises(StorageError, match="cannot"):
        unreachable.put_bytes("x", b"y")


def test_credentials_come_from_the_variables_the_config_names(s3_server: S3Server, tmp_path: Path) -> None:
    """endpoint_env / access_key_env name the variables; the config never holds a secret."""
    s3_server.create_bucket("named-vars")
    settings = WorkspaceSettings(storage="s3://named-vars/p", endpoint_env="MY_ENDPOINT",
                                 access_key_env="MY_KEY", secret_key_env="MY_SECRET")
    env = {"MY_ENDPOINT": s3_server.endpoint, "MY_KEY": "k", "MY_SECRET": "s"}
    storage = open_storage(settings, tmp_path, env)
    assert storage.remote and s3_server.endpoint in storage.location
    assert storage.put_bytes("k", b"v") and storage.get_bytes("k") == b"v"


def _s3_config(directory: Path, urls: dict[str, str], bucket: str, segment_records: int,
               rate: float = 500) -> Path:
    """A migrations.yaml whose workspace keeps its files in the bucket."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "migrations.yaml"
    config.write_text(config_for_urls(urls, rate) + f"workspace:\n  storage: {bucket}\n"
                      f"  segment_records: {segment_records}\n", encoding="utf-8")
    return config


def _archived_urls(storage: Storage, directory: Path, site_ids: list[str]) -> list[str]:
    """Every requested URL of every response record in the storage's WARC segments (downloaded to a folder)."""
    urls: list[str] = []
    for site_id in site_ids:
        urls += [r.url for r in iter_responses(mirror_site_archives(storage, directory, site_id))]
    return urls


def test_one_worker_crawls_into_s3_and_extract_reads_it_back(tmp_path: Path, fleet_server: FleetServer,
                                                            s3_bucket: str) -> None:
    """Segments and blobs land in the bucket, nothing stays pending; with the local cache gone, re-extracting
    from the archive reads the segments from the bucket."""
    config = _s3_config(tmp_path / "a", fleet_server.urls, s3_bucket, 25)
    ws = pipeline.Workspace.open(config, db_url=f"sqlite:///{tmp_path / 'state.db'}")
    summaries = pipeline.crawl(ws, None)
    storage = open_storage(ws.config.workspace, ws.dir)
    segments = storage.list("warc/")
    assert len(segments) > len(summaries)  # several segments per site
    assert not list((ws.dir / "warc-open").glob("*.warc.gz"))
    with ws.store.session() as session:
        assert session.scalars(select(WarcPending)).all() == []
        files = session.scalars(select(Resource.sha256).where(Resource.kind.in_(("attachment", "image")),
                                                               Resource.sha256.is_not(None))).all()
    blobs = storage.list("blobs/")
    assert files and {k.rsplit("/", 1)[-1] for k in blobs} == set(files)
    urls = _archived_urls(storage, tmp_path / "check", [s.id for s in ws.config.sites])
    assert len(urls) == len(set(urls))
    shutil.rmtree(ws.dir / "warc")
    site = ws.config.sites[0]
    summary = reextract_site(ws.store, site, ws.dir, storage=storage)
    assert summary.articles > 0 and summary.missing == 0 and summary.failed == 0
    assert summary.archives == len([k for k in segments if k.startswith(f"warc/{site.id}-")])


def _crawl(config: Path, db: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "consolidate.cli", "crawl", "--all", "-c", str(config), "--db", db],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def test_two_workers_share_a_bucket_one_killed_every_url_archived_once(tmp_path: Path, fleet_server: FleetServer,
                                                                      s3_bucket: str, pg_url: str) -> None:
    """Two crawl processes with their own local folders share PostgreSQL and one bucket; one is SIGKILLed
    mid-crawl; after the survivor and a re-run, every fetched URL is in exactly one stored WARC record that
    `extract --from-archive` reads, and every file's blob is stored once under its hash."""
    # 100 requests/s per host: slow enough that the victim is still crawling when killed, on a busy machine too
    configs = [_s3_config(tmp_path / name, fleet_server.urls, s3_bucket, 10, 100) for name in ("victim", "survivor")]
    storage = open_storage(WorkspaceSettings(storage=s3_bucket), tmp_path)
    Store(pg_url).engine.dispose()  # the schema first: two processes creating it at once collide
    victim, survivor = _crawl(configs[0], pg_url), _crawl(configs[1], pg_url)
    open_segments = tmp_path / "victim" / ".consolidate" / "warc-open"
    deadline = time.monotonic() + 120
    while victim.poll() is None and time.monotonic() < deadline and (
            len(storage.list("warc/")) < 6 or not any(p.stat().st_size for p in open_segments.glob("*.warc.gz"))):
        time.sleep(0.05)  # each look lists the bucket: moto's CPU, taken from the crawlers on a 2-core machine
    if victim.poll() is not None:
        pytest.fail(f"the victim ended (exit {victim.returncode}) before it could be killed mid-segment: "
                    f"{victim.communicate()[0].decode()[-800:]}")
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    lost = [p for p in open_segments.glob("*.warc.gz") if p.stat().st_size]
    assert lost  # a segment written but never uploaded
    output = survivor.communicate(timeout=300)[0].decode()
    assert survivor.returncode == 0, output
    final = subprocess.run([sys.executable, "-m", "consolidate.cli", "crawl", "--all", "-c", str(configs[1]), "--db", pg_url],
                           capture_output=True, text=True)
    assert final.returncode == 0, final.stdout + final.stderr
    store = Store(pg_url)
    with store.session() as session:
        assert session.scalars(select(WarcPending)).all() == []
        fetched = session.execute(select(Resource.site_id, Resource.url, Resource.kind, Resource.sha256).where(
            Resource.status == "fetched")).all()
    site_ids = sorted({row.site_id for row in fetched})
    urls = _archived_urls(storage, tmp_path / "check", site_ids)
    assert len(urls) == len(set(urls)), sorted({u for u in urls if urls.count(u) > 1})
    assert {row.url for row in fetched} <= set(urls)
    files = {row.sha256 for row in fetched if row.kind in ("attachment", "image") and row.sha256}
    blobs = storage.list("blobs/")
    assert files and {k.rsplit("/", 1)[-1] for k in blobs} == files
    for key in blobs:
        assert hashlib.sha256(storage.get_bytes(key)).hexdigest() == key.rsplit("/", 1)[-1]
    result = subprocess.run([sys.executable, "-m", "consolidate.cli", "extract", site_ids[0], "--from-archive",
                             "--json", "-c", str(configs[0]), "--db", pg_url], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)
    assert summary["articles"] > 0 and summary["missing"] == 0 and summary["failed"] == 0
    victim_ws = pipeline.Workspace.open(configs[0], db_url=pg_url)  # the other sites as the command reads them
    for site_id in site_ids[1:]:
        again = pipeline.reextract_archive(victim_ws, site_id)
        assert again.articles > 0 and again.missing == 0 and again.failed == 0
    victim_ws.store.engine.dispose()


def test_status_shows_the_storage_location_and_usage(tmp_path: Path, fleet_server: FleetServer,
                                                    s3_bucket: str) -> None:
    """`status --json` names the bucket and counts what it holds; the text screen says it in one line."""
    from typer.testing import CliRunner

    from consolidate.cli import app

    config = _s3_config(tmp_path / "a", fleet_server.urls, s3_bucket, 1000)
    db = f"sqlite:///{tmp_path / 'state.db'}"
    storage = open_storage(WorkspaceSettings(storage=s3_bucket), tmp_path)
    storage.put_bytes("warc/x.warc.gz", b"12345")
    result = CliRunner().invoke(app, ["status", "--json", "-c", str(config), "--db", db])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)["storage"]
    assert shown["location"].startswith(s3_bucket) and (shown["objects"], shown["bytes"]) == (1, 5)
    text = CliRunner().invoke(app, ["status", "-c", str(config), "--db", db])
    assert f"storage: {s3_bucket}" in text.output and "1 files" in text.output


def test_mirror_sends_new_and_changed_files_and_deletes_gone_ones(s3_bucket: str, tmp_path: Path) -> None:
    """An output folder mirrored to the bucket: hidden files stay local, a re-run sends only what changed, a file
    gone from the folder goes from the bucket; with local storage nothing is sent and nothing is added."""
    folder = tmp_path / "ws" / "preview"
    (folder / "col").mkdir(parents=True)
    (folder / "index.html").write_text("home", encoding="utf-8")
    (folder / "col" / "a.html").write_text("article a", encoding="utf-8")
    (folder / ".lock").write_text("", encoding="utf-8")
    storage = open_storage(WorkspaceSettings(storage=s3_bucket), tmp_path / "ws")
    assert mirror_folder(storage, folder, "preview") == 2
    assert storage.list("preview/") == {"preview/index.html": 4, "preview/col/a.html": 9}
    assert mirror_folder(storage, folder, "preview") == 0
    (folder / "col" / "a.html").write_text("article a, edited", encoding="utf-8")
    (folder / "index.html").unlink()
    assert mirror_folder(storage, folder, "preview") == 1
    assert storage.list("preview/") == {"preview/col/a.html": 17}
    assert storage.get_bytes("preview/col/a.html") == b"article a, edited"
    local = LocalStorage(tmp_path / "ws")
    assert mirror_folder(local, folder, "preview") == 0
    assert sorted(p.name for p in folder.iterdir()) == [".lock", MIRROR_STATE, "col"]


def test_preview_and_report_land_in_the_bucket(tmp_path: Path, fleet_server: FleetServer, s3_bucket: str) -> None:
    """With `storage: s3://…`, a push to the static preview leaves every preview file in the bucket under
    `preview/`, and `consolidate report -o` leaves the report under `reports/`, byte for byte."""
    from typer.testing import CliRunner

    from consolidate.cli import app

    config = _s3_config(tmp_path / "a", fleet_server.urls, s3_bucket, 1000)
    db = f"sqlite:///{tmp_path / 'state.db'}"
    ws = pipeline.Workspace.open(config, db_url=db)
    site_id = ws.config.sites[0].id
    pipeline.crawl(ws, [site_id])
    exporter = pipeline.open_exporter(ws)
    try:
        assert pipeline.push_site(ws, site_id, exporter).pushed > 0
    finally:
        exporter.close()
    storage = open_storage(ws.config.workspace, ws.dir)
    preview = ws.dir / "preview"
    local = {p.relative_to(preview).as_posix() for p in preview.rglob("*") if p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(preview).parts)}
    stored = storage.list("preview/")
    assert "index.html" in local and {f"preview/{name}" for name in local} == set(stored)
    page = next(name for name in sorted(local) if name.endswith(".html") and name != "index.html")
    assert storage.get_bytes(f"preview/{page}") == (preview / page).read_bytes()
    output = tmp_path / "out" / "report.html"
    output.parent.mkdir()
    result = CliRunner().invoke(app, ["report", "-o", str(output), "-c", str(config), "--db", db])
    assert result.exit_code == 0, result.output
    assert "stored reports/report.html" in result.output
    assert storage.get_bytes("reports/report.html") == output.read_bytes()


def test_report_with_local_storage_writes_only_the_file(tmp_path: Path, fleet_server: FleetServer) -> None:
    """Local storage: `report -o` writes its file and nothing else, as before."""
    from typer.testing import CliRunner

    from consolidate.cli import app

    config = tmp_path / "migrations.yaml"
    config.write_text(config_for_urls(fleet_server.urls), encoding="utf-8")
    output = tmp_path / "r.md"
    result = CliRunner().invoke(app, ["report", "-o", str(output), "-c", str(config), "--db",
                                      f"sqlite:///{tmp_path / 'state.db'}"])
    assert result.exit_code == 0, result.output
    assert output.is_file() and "stored" not in result.output
    assert not (tmp_path / ".consolidate" / "reports").exists()


def test_archive_date_of_s3_segments_is_their_upload_time(tmp_path: Path, s3_bucket: str) -> None:
    """The checklist's archive date for segments in the bucket is when they were uploaded, as the service keeps
    it, not the time of the copy in the local cache (a download a year later is no archiving)."""
    storage = open_storage(WorkspaceSettings(storage=s3_bucket), tmp_path)
    name = "fgw-20250101T000000-abcd.warc.gz"
    before = dt.datetime.now(dt.UTC).astimezone().date()
    storage.put_bytes(f"warc/{name}", b"segment bytes")
    storage.put_bytes("warc/other-20250101T000000-abcd.warc.gz", b"another site")
    cache = tmp_path / "warc"
    cache.mkdir()
    (cache / name).write_bytes(b"segment bytes")
    old = dt.datetime(2020, 3, 1, tzinfo=dt.UTC).timestamp()
    os.utime(cache / name, (old, old))
    uploaded = storage.stored_at("warc/")[f"warc/{name}"]
    assert abs((uploaded - dt.datetime.now(dt.UTC)).total_seconds()) < 3600
    stored = archive_stored_on(storage, cache, "fgw")
    assert stored is not None and before <= stored <= dt.datetime.now(dt.UTC).astimezone().date()
    assert archive_stored_on(storage, cache, "nosite") is None
    assert archive_stored_on(None, cache, "fgw") == dt.date.fromtimestamp(old)  # local storage: the file's time


def test_upgrade_from_schema_3_creates_warc_pending(tmp_path: Path) -> None:
    """A store of schema 3 (before the pending WARC notes) is refused until `consolidate upgrade`, which creates
    `warc_pending` and keeps the rows; a crawl's note then goes in."""
    from typer.testing import CliRunner

    from consolidate.cli import app

    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = Store(url)
    with store.session() as session:
        session.add(SiteRow(id="a", name="A", home_url="http://a/", disposition="migrate", facts={}))
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE warc_pending")
    with store.session() as session:
        session.merge(Meta(key="schema_version", value="3"))
    store.engine.dispose()
    assert "warc_pending" not in inspect(create_engine(url)).get_table_names()
    with pytest.raises(StoreError, match="at schema 3"):
        Store(url)
    config = tmp_path / "migrations.yaml"
    config.write_text(config_for_urls({"a": "http://127.0.0.1:9/"}), encoding="utf-8")
    result = CliRunner().invoke(app, ["upgrade", "-c", str(config), "--db", url])
    assert result.exit_code == 0, result.output
    assert f"schema at version {SCHEMA_VERSION}" in result.output and "[4]" in result.output
    upgraded = Store(url)
    assert upgraded.schema_version() == SCHEMA_VERSION >= 4
    assert "warc_pending" in inspect(upgraded.engine).get_table_names()
    with upgraded.session() as session:
        assert session.get(SiteRow, "a") is not None
        session.execute(INSERT_PENDING, [pending_row("a", "w1", "seg", "http://a/x")])
    with upgraded.session() as session:
        assert [(p.segment, p.stored) for p in session.scalars(select(WarcPending))] == [("seg", False)]


def test_upgrade_step_4_creates_the_table_where_none_is(tmp_path: Path) -> None:
    """The step itself creates the table (not only the store's opening): run on a database that lacks it."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = Store(url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE warc_pending")
        for step in UPGRADES[3]:
            assert callable(step)
            step(conn)
    assert "warc_pending" in inspect(store.engine).get_table_names()


def test_blob_uploads_beside_the_loop_send_one_put_per_hash(s3_bucket: str, tmp_path: Path) -> None:
    """Five pages of one process store the same file at once: one PUT is sent (the others wait for it, their
    spooled copies dropped), and each returns only when the blob is in the bucket."""
    import asyncio

    storage = open_storage(WorkspaceSettings(storage=s3_bucket), tmp_path)
    blobs = BlobStore(tmp_path / "cache", storage)
    data = os.urandom(300_000)
    sha = hashlib.sha256(data).hexdigest()
    spooled = []
    for index in range(2):
        path = tmp_path / f"spool{index}"
        path.write_bytes(data)
        spooled.append(path)

    async def store_all() -> list[str]:
        jobs = [blobs.store_soon(data, None, sha) for _ in range(3)]
        jobs += [blobs.store_soon(None, path, sha) for path in spooled]
        return await asyncio.gather(*jobs)

    assert asyncio.run(store_all()) == [sha] * 5
    assert (blobs.uploaded, blobs.already) == (1, 0)
    assert storage.get_bytes(BlobStore.key(sha)) == data
    assert not any(path.exists() for path in spooled)
    local = BlobStore(tmp_path / "local")
    assert asyncio.run(local.store_soon(b"x", None, hashlib.sha256(b"x").hexdigest())) == hashlib.sha256(b"x").hexdigest()
    assert local.read(hashlib.sha256(b"x").hexdigest()) == b"x"
