"""The bundle streams: changes beyond one in-memory chunk go to sorted runs on disk and are merged at finish();
the output is the same whatever the chunk size, and a re-push keeps, replaces and removes entries as it should."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from openpyxl import load_workbook

from consolidate.core.config import Portal
from exporters.base import ExportArticle, ExportColumn, ExportContext, ExportFile, TargetRef
from exporters.bundle import RUNS, BundleExporter, BundleOptions


def _bundle(root: Path, chunk_size: int) -> BundleExporter:
    portal = Portal(name="门户", base_url="https://portal.example.gov.cn/", columns=[])
    writer = BundleExporter(BundleOptions(dir=str(root)), ExportContext(root.parent, portal, "p"), chunk_size)
    writer.start()
    return writer


def _article(number: int, title: str, published: str | None = "2024-01-02", files: int = 0) -> ExportArticle:
    attachments = [{"url": f"files/{_sha(n)[:2]}/{_sha(n)}", "name": f"附件{n}.pdf",
                    "source_url": f"https://x.gov.cn/f{n}.pdf"} for n in range(files)]
    return ExportArticle(source_key=f"article:s:{number:04d}", source_url=f"https://x.gov.cn/{number}.html",
                         site_id="s", site_name="站", subsite=None, column_key="column:s:a", column_id="a",
                         title=title, published=published, source=None, publisher=None, index_no=None,
                         doc_no=None, written=None, topic=None, body_html=f"<p>正文{number}</p>" * 20,
                         content_hash=title, attachments=attachments)


def _sha(number: int) -> str:
    return f"{number:02x}" * 32


def _file(tmp: Path, number: int, name: str) -> ExportFile:
    blob = tmp / f"blob{number}"
    blob.write_bytes(b"%PDF" + bytes([number]) * 10)
    return ExportFile(source_key=f"file:s:{number}", source_url=f"https://x.gov.cn/f{number}.pdf", name=name,
                      kind="attachment", sha256=_sha(number), size=14, content_type="application/pdf",
                      blob_path=blob, subsite=None)


def _push(root: Path, chunk_size: int, articles: list[ExportArticle], files: list[ExportFile] = (),
          removed: list[str] = ()) -> None:
    writer = _bundle(root, chunk_size)
    writer.put_column(ExportColumn(source_key="column:s:a", column_id="a", name="栏目", path=["a"],
                                   parent_key=None, subsite=None, subsite_name=None), None)
    for file in files:
        writer.put_file(file)
    for article in articles:
        writer.put_article(article, TargetRef("a", ""), None)
    for key in removed:
        writer.delete(key, TargetRef("", ""))
    writer.finish()
    writer.close()


def _outputs(root: Path) -> dict[str, object]:
    """The JSONL bytes, the manifest's cell values and the digest the manifest was written from."""
    book = load_workbook(root / "manifest.xlsx", read_only=True)
    found = {name: (root / name).read_bytes() for name in ("articles.jsonl", "columns.jsonl", "files.jsonl",
                                                           ".manifest.sha256")}
    found["manifest"] = [(sheet.title, list(sheet.values)) for sheet in book.worksheets]
    book.close()
    return found


def test_a_bundle_larger_than_a_chunk_equals_one_written_in_one_chunk(tmp_path: Path) -> None:
    """Pushed in chunks of 1 (more runs than are merged at once), of 7 (runs on disk, merged at finish) or of
    10 000, the bundle is the same bytes; the JSONL is sorted by key and the manifest by date; no run is left."""
    articles = [_article(n, f"标题{n}", f"2024-01-{n % 28 + 1:02d}" if n % 5 else None, files=n % 3)
                for n in reversed(range(70))]
    for chunk in (1, 7, 10_000):
        _push(tmp_path / f"c{chunk}", chunk, articles, [_file(tmp_path, n, f"附件{n}.pdf") for n in (2, 0, 1)])
    small, large = _outputs(tmp_path / "c7"), _outputs(tmp_path / "c10000")
    assert small == large == _outputs(tmp_path / "c1")
    keys = [json.loads(line)["source_key"] for line in small["articles.jsonl"].splitlines()]
    assert keys == sorted(keys) and len(keys) == 70
    rows = small["manifest"][0][1]
    assert rows[0][1] == "标题" and len(rows) == 71
    assert [r[2] or "" for r in rows[1:]] == sorted(r[2] or "" for r in rows[1:])
    assert [r[14] for r in rows[1:] if r[0] == json.loads(small["articles.jsonl"].splitlines()[2])["id"]] == [2]
    assert len(small["manifest"][1][1]) == 4
    assert not (tmp_path / "c7" / RUNS).exists() and not (tmp_path / "c7" / ".changes.journal").exists()
    everything = {name: {(e := json.loads(line))["source_key"]: e for line in small[f"{name}.jsonl"].splitlines()}
                  for name in ("columns", "articles", "files")}  # the stamp of bundles written before streaming
    stamp = hashlib.sha256(json.dumps(everything, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    assert small[".manifest.sha256"].decode() == stamp


def test_a_re_push_keeps_replaces_and_removes_entries(tmp_path: Path) -> None:
    """A second push over a bundle with runs on disk: unchanged entries kept, changed ones replaced, removed ones
    gone, new ones added; it equals a fresh push of the final content, and an unchanged re-push touches nothing."""
    root = tmp_path / "bundle"
    _push(root, 5, [_article(n, f"标题{n}") for n in range(40)])
    second = [_article(n, f"新标题{n}" if n % 4 == 0 else f"标题{n}") for n in range(40) if n % 10]
    _push(root, 5, [*second, _article(77, "新增")], removed=[f"article:s:{n:04d}" for n in range(0, 40, 10)])
    fresh = tmp_path / "fresh"
    _push(fresh, 1000, [*second, _article(77, "新增")])
    assert _outputs(root) == _outputs(fresh)
    held = {json.loads(line)["source_key"]: json.loads(line)["title"]
            for line in (root / "articles.jsonl").read_text(encoding="utf-8").splitlines()}
    assert len(held) == 37 and "article:s:0010" not in held
    assert held["article:s:0004"] == "新标题4" and held["article:s:0005"] == "标题5" and held["article:s:0077"] == "新增"
    before = {p.name: p.stat().st_mtime_ns for p in root.iterdir() if p.is_file()}
    _push(root, 5, [*second, _article(77, "新增")])
    assert {p.name: p.stat().st_mtime_ns for p in root.iterdir() if p.is_file()} == before


def test_finds_and_changes_see_entries_in_runs_and_on_disk(tmp_path: Path) -> None:
    """While a push runs, find() sees an entry wherever it is (chunk, run, file) and a removal hides it; a file
    entry's names gather across puts even when the first put is already in a run."""
    root = tmp_path / "bundle"
    _push(root, 3, [_article(n, f"标题{n}") for n in range(5)])
    writer = _bundle(root, 3)
    writer.put_file(_file(tmp_path, 1, "甲.pdf"))
    for n in range(10, 20):
        writer.put_article(_article(n, f"标题{n}"), TargetRef("a", ""), None)
    writer.put_file(_file(tmp_path, 1, "乙.pdf"))
    writer.delete("article:s:0011", TargetRef("", ""))
    assert len(writer.sections["articles"].runs) >= 2
    assert writer.find("article:s:0002") is not None and writer.find("article:s:0012") is not None
    assert writer.find("article:s:0011") is None and writer.find("article:s:0099") is None
    writer.finish()
    writer.close()
    files = [json.loads(line) for line in (root / "files.jsonl").read_text(encoding="utf-8").splitlines()]
    assert files[0]["names"] == ["乙.pdf", "甲.pdf"]
    keys = [json.loads(line)["source_key"] for line in (root / "articles.jsonl").read_text(encoding="utf-8")
            .splitlines()]
    assert keys == sorted({*(f"article:s:{n:04d}" for n in (*range(5), *range(10, 20)))} - {"article:s:0011"})


def test_a_killed_push_is_replayed_from_its_journal(tmp_path: Path) -> None:
    """Changes journaled by a push that never reached finish() or close() (a kill) are saved by the next run,
    with a title holding U+2028 intact; runs the killed push left are dropped."""
    root = tmp_path / "bundle"
    writer = _bundle(root, 2)
    for n in range(6):
        writer.put_article(_article(n, f"上半\u2028下半{n}"), TargetRef("a", ""), None)
    assert (root / RUNS).exists()
    writer._lock.close()  # the process dies: no finish, no close
    for folder in (root / RUNS).iterdir():  # its runs, named as another (dead) process's
        folder.rename(folder.with_name(f"0.{folder.name.split('.', 1)[1]}"))
    again = _bundle(root, 2)
    again.finish()
    again.close()
    titles = [json.loads(line)["title"] for line in (root / "articles.jsonl").read_bytes().split(b"\n") if line]
    assert titles == [f"上半\u2028下半{n}" for n in range(6)]
    assert not (root / RUNS).exists() and not (root / ".changes.journal").exists()


def test_a_file_out_of_key_order_is_sorted_when_saved(tmp_path: Path) -> None:
    """A JSONL file someone appended to (a key twice, out of order) is merged as its reader sees it: the later
    line of a key wins, and the saved file is sorted with each key once."""
    root = tmp_path / "bundle"
    _push(root, 2, [_article(n, f"旧{n}") for n in range(5)])
    path = root / "articles.jsonl"
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({**first, "title": "改"}, ensure_ascii=False) + "\n")
    _push(root, 2, [_article(9, "新")])
    held = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [e["source_key"] for e in held] == [f"article:s:{n:04d}" for n in (0, 1, 2, 3, 4, 9)]
    assert held[0]["title"] == "改" and held[-1]["title"] == "新"


def test_a_reader_opened_in_the_same_process_keeps_the_writers_runs(tmp_path: Path) -> None:
    """A second exporter of the same bundle in one process (they share the lock, e.g. a verify) leaves the runs
    of the writer in place, so the writer's finish() still holds every change."""
    root = tmp_path / "bundle"
    writer = _bundle(root, 2)
    for n in range(7):
        writer.put_article(_article(n, f"标题{n}"), TargetRef("a", ""), None)
    reader = _bundle(root, 2)
    assert reader.read("article:s:0001", TargetRef("", "")) is None  # not saved yet: verify reads the files
    reader.close()
    writer.finish()
    writer.close()
    keys = [json.loads(line)["source_key"] for line in (root / "articles.jsonl").read_text(encoding="utf-8")
            .splitlines()]
    assert keys == [f"article:s:{n:04d}" for n in range(7)] and not (root / RUNS).exists()
