"""The bundle exporter alone at scale: N articles of real weight put into a fresh bundle, then re-pushed with a
tenth changed and a hundredth removed; peak RSS and CPU seconds of each pass, each N in its own process.

    PYTHONPATH=. .venv/bin/python bench/bundle_memory.py --articles 10000 100000 [--body-kib 10] [--dir DIR]

Isolates the exporter from the push stage (store reads, planning, link rewriting), whose memory is its own.
Bodies are CJK text of --body-kib KiB each (the real-weight store's articles average ~10 KiB of body), every
article with one of 300 attachments.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consolidate.core.config import Portal  # noqa: E402
from exporters.base import ExportArticle, ExportColumn, ExportContext, ExportFile, TargetRef  # noqa: E402
from exporters.bundle import BundleExporter, BundleOptions  # noqa: E402

FILES = 300


_RANDOM = random.Random(0)
POOL = array("H", (0x4E00 + _RANDOM.randrange(20902) for _ in range(1 << 20))).tobytes().decode("utf-16-le")


def body(rng: random.Random, kib: int) -> str:
    """An article body of about `kib` KiB of CJK text in paragraphs (slices of a random pool)."""
    starts = (rng.randrange(len(POOL) - 100) for _ in range(kib * 1024 // 300))
    return "".join(f"<p>{POOL[start:start + 100]}</p>" for start in starts)


def article(number: int, rng: random.Random, kib: int, version: int) -> ExportArticle:
    """Article `number` (its text a function of number and version)."""
    sha = hashlib.sha256(str(number % FILES).encode()).hexdigest()
    return ExportArticle(
        source_key=f"article:s{number % 3}:{number:07d}", source_url=f"https://x.gov.cn/{number}.html",
        site_id=f"s{number % 3}", site_name="站", subsite=None, column_key="column:s:a", column_id="a",
        title=f"标题{number}（{version}）", published=f"20{number % 24:02d}-01-{number % 28 + 1:02d}", source="来源",
        publisher="机构", index_no=None, doc_no=None, written=None, topic=None, body_html=body(rng, kib),
        content_hash=f"{number}.{version}",
        attachments=[{"url": f"files/{sha[:2]}/{sha}", "name": "附件.pdf", "source_url": f"https://x.gov.cn/{number}.pdf"}])


def push(root: Path, articles: int, kib: int, second: bool) -> None:
    """One pass: a fresh push, or (second) a tenth of the articles changed and a hundredth removed."""
    portal = Portal(name="门户", base_url="https://portal.example.gov.cn/", columns=[])
    writer = BundleExporter(BundleOptions(dir=str(root)), ExportContext(root.parent, portal, "p"))
    writer.start()
    writer.put_column(ExportColumn("column:s:a", "a", "栏目", ["a"], None, None), None)
    blob = root.parent / "blob"
    blob.write_bytes(b"%PDF-1.4 " * 100)
    for n in range(FILES):
        sha = hashlib.sha256(str(n).encode()).hexdigest()
        writer.put_file(ExportFile(f"file:{n}", f"https://x.gov.cn/{n}.pdf", f"附件{n}.pdf", sha, 900, blob,
                                   "attachment", None))
    rng = random.Random(articles)
    for n in range(articles):
        if second and n % 100 == 0:
            writer.delete(f"article:s{n % 3}:{n:07d}", TargetRef("", ""))
        elif not second or n % 10 == 0:
            writer.put_article(article(n, rng, kib, 2 if second else 1), TargetRef("a", ""), None)
    writer.finish()
    writer.close()


def main() -> None:
    """Run each size in its own process (peak RSS is per process) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--body-kib", type=int, default=10)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--one", nargs=3, default=None, help=argparse.SUPPRESS)  # root articles pass
    args = parser.parse_args()
    if args.one:
        root, count, which = Path(args.one[0]), int(args.one[1]), args.one[2]
        started = time.monotonic()
        push(root, count, args.body_kib, which == "re-push")
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(f"{time.monotonic() - started:.1f} {usage.ru_utime + usage.ru_stime:.1f} {usage.ru_maxrss / 1024:.0f}")
        return
    for count in args.articles:
        work = Path(tempfile.mkdtemp(prefix="bundle-memory-", dir=args.dir))
        for which in ("push", "re-push"):
            done = subprocess.run([sys.executable, __file__, "--body-kib", str(args.body_kib), "--one",
                                   str(work / "bundle"), str(count), which], capture_output=True, text=True)
            if done.returncode:
                sys.exit(done.stderr[-2000:])
            wall, cpu, rss = done.stdout.split()
            size = (work / "bundle" / "articles.jsonl").stat().st_size >> 20
            print(f"{count:>8} {which:8} wall {wall:>7}s  cpu {cpu:>7}s  peak RSS {rss:>5} MB  "
                  f"articles.jsonl {size} MB", flush=True)
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
