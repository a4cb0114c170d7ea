"""Hostile inputs through the real command line: each must end in one error line with exit 2 (or 1), no traceback,
no secret shown, small memory.

    PYTHONPATH=. .venv/bin/python bench/hostile_inputs.py

Every case runs `python -m consolidate.cli …` in a fresh process; peak RSS is that process's own (os.wait4; this
script imports nothing of the tool, so its own memory does not show in the children's high-water mark).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

EXAMPLE = (Path(__file__).resolve().parents[1] / "consolidate" / "example_migrations.yaml").read_text(encoding="utf-8")
SECRET = "hunter2"


def _bomb(levels: int = 9) -> str:
    """Billion laughs: 9**levels strings once every alias is expanded."""
    lines = ['lol0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"lol{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return EXAMPLE + "\n".join(lines) + "\n"


def _sub(old: str, new: str) -> str:
    """The example config with one replacement."""
    assert old in EXAMPLE, old
    return EXAMPLE.replace(old, new, 1)


@dataclass
class Case:
    """One hostile input: a config text, a store set-up, and the command's extra arguments."""

    name: str
    config: str = EXAMPLE
    args: tuple[str, ...] = ("status",)
    store: Callable[[Path], None] | None = None
    expect_exit: int = 2


def _empty_store(work: Path) -> None:
    (work / ".consolidate").mkdir()
    (work / ".consolidate" / "state.db").write_bytes(b"")


def _damaged_store(work: Path) -> None:
    """A real store (made by `status`) with 5,000 URLs, one 8 KiB stretch in its middle overwritten."""
    _spawn(["status", "-c", str(work / "migrations.yaml")], work)
    db = work / ".consolidate" / "state.db"
    with sqlite3.connect(db) as connection:
        connection.execute("INSERT INTO sites (id, name, home_url, disposition, facts) "
                           "VALUES ('fgw', 'x', 'http://x/', 'migrate', '{}')")
        connection.executemany("INSERT INTO resources (site_id, url, url_hash, kind, status, depth, hint, attempts) "
                               "VALUES ('fgw', ?, ?, 'page', 'fetched', 0, '{}', 0)",
                               [(f"http://x/{i}/" + "a" * 200, f"{i:040d}") for i in range(5000)])
    data = bytearray(db.read_bytes())
    data[len(data) // 2:len(data) // 2 + 8192] = b"Z" * 8192
    db.write_bytes(bytes(data))


CASES = [
    Case("YAML alias bomb (9**9 values)", _bomb()),
    Case("YAML nested 20,000 deep (flow)", EXAMPLE + "deep: " + "[" * 20_000 + "]" * 20_000 + "\n"),
    Case("YAML nested 2,000 deep (block)", EXAMPLE + "deep:\n" + "".join(" " * i + "k:\n" for i in range(1, 2000))),
    Case("max_pages with 5,000 digits", _sub("max_pages: 100000 ", "max_pages: " + "9" * 5000 + " ")),
    Case("max_pages with 25 digits", _sub("max_pages: 100000 ", "max_pages: " + "9" * 25 + " ")),
    Case("config of 5 MB", EXAMPLE + "#" + "x" * (5 << 20) + "\n"),
    Case("duplicate portal.subsites id", _sub("    - id: jyj\n", "    - id: fgw\n")),
    Case("site id against its [a-z] pattern", _sub("  - id: sfj", "  - id: SFJ")),
    Case("exporter url with user:pw@", _sub("    dir: .consolidate/preview",
                                           f"    dir: x\n    url: https://admin:{SECRET}@wp.example.gov.cn/")),
    Case("exporter url with ?password=", _sub("    dir: .consolidate/preview",
                                             f"    dir: x\n    url: https://wp.example.gov.cn/?password={SECRET}")),
    Case("home_url with user:pw@", _sub("home_url: http://127.0.0.1:8702/", f"home_url: http://u:{SECRET}@h/")),
    Case("DB URL with ?password= (unreachable)", args=("status", "--db",
                                                      f"postgresql+psycopg://u@127.0.0.1:1/db?password={SECRET}"),
         expect_exit=1),
    Case("DB URL with user:pw@ (unreachable)", args=("status", "--db", f"postgresql+psycopg://u:{SECRET}@127.0.0.1:1/d"),
         expect_exit=1),
    Case("zero-byte state.db", store=_empty_store, expect_exit=1),
    Case("state.db damaged mid-file", store=_damaged_store, expect_exit=1),
]


def run_reaped(case: Case, root: Path) -> tuple[int, str, float]:
    """Exit code, output and peak RSS (MB, the child's own: reaped with wait4) of the command on this case."""
    work = root / case.name.replace(" ", "_").replace("/", "_")
    work.mkdir()
    (work / "migrations.yaml").write_text(case.config, encoding="utf-8")
    if case.store:
        case.store(work)
    return _spawn([*case.args, "-c", str(work / "migrations.yaml")], work)


def _spawn(args: list[str], work: Path) -> tuple[int, str, float]:
    """Run the command line with these arguments in `work`: exit code, output, peak RSS in MB."""
    out = work / "output.txt"
    with out.open("w") as handle:
        pid = os.posix_spawn(sys.executable, [sys.executable, "-m", "consolidate.cli", *args],
                             {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
                             file_actions=[(os.POSIX_SPAWN_DUP2, handle.fileno(), 1),
                                           (os.POSIX_SPAWN_DUP2, handle.fileno(), 2)])
        _, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), out.read_text(), usage.ru_maxrss / 1024


def main() -> None:
    """Run every case and print one line each, then the totals."""
    failures = 0
    peaks: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print(f"{'case':42} {'exit':>4} {'lines':>5} {'RSS MB':>7}  verdict")
        for case in CASES:
            code, output, rss = run_reaped(case, root)
            peaks.append(rss)
            error_lines = [line for line in output.splitlines() if line.startswith("error:")]
            problems = []
            if code != case.expect_exit:
                problems.append(f"exit {code}, wanted {case.expect_exit}")
            if "Traceback" in output:
                problems.append("traceback")
            if SECRET in output:
                problems.append("secret shown")
            if len(error_lines) != 1:
                problems.append(f"{len(error_lines)} error lines")
            if "pattern" in case.name and "[a-z]" not in output:
                problems.append("pattern eaten")
            failures += bool(problems)
            print(f"{case.name:42} {code:>4} {len(error_lines):>5} {rss:7.0f}  {'; '.join(problems) or 'ok'}")
    print(f"\n{len(CASES)} bad inputs tried: {len(CASES) - failures} handled (one line, right exit, no traceback, "
          f"no secret), {failures} not; peak RSS max {max(peaks):.0f} MB")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
