"""Round 10: a signal ends a command in one line with its exit code (Ctrl-C 130, SIGTERM 143), also while the
command line is still loading its modules; a config error met late (an exporter's options) is exit 2."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consolidate.cli import app
from consolidate.demo import config_for_urls
from consolidate.samplefleet import FleetServer
from tests.processes import parent_pids

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
PATIENCE = 120.0  # seconds to wait for a state the test needs (a deadline against hanging, not a timing)
ROOT = Path(__file__).resolve().parents[2]

# Runs the command line as the console script does, sending itself a signal when cli.py imports typer: the
# point where a Ctrl-C in the first second of a command used to end in a KeyboardInterrupt traceback.
SIGNAL_WHILE_LOADING = """
import builtins, os, sys
signum = int(sys.argv[1])
sys.argv = ["consolidate", *sys.argv[2:]]
real_import = builtins.__import__

def import_then_signal(name, *args, **kwargs):
    if name == "typer":
        builtins.__import__ = real_import
        os.kill(os.getpid(), signum)
    return real_import(name, *args, **kwargs)

builtins.__import__ = import_then_signal
from consolidate.cli import main
main()
"""


def _one_line(err: str) -> str:
    """The only non-blank line of stderr (the test fails when there are more, or a traceback)."""
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(("signum", "code", "said"), [(signal.SIGINT, 130, "interrupted"),
                                                      (signal.SIGTERM, 143, "stopped (SIGTERM)")])
def test_a_signal_while_the_command_line_loads_is_one_line(tmp_path: Path, signum: int, code: int,
                                                           said: str) -> None:
    """Ctrl-C or SIGTERM before a command has started: one line saying nothing was done, exit 130 / 143."""
    done = subprocess.run([sys.executable, "-c", SIGNAL_WHILE_LOADING, str(int(signum)), "status", "-c",
                           str(tmp_path / "migrations.yaml")], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=PATIENCE)
    assert done.returncode == code, done.stderr
    line = _one_line(done.stderr)
    assert line.startswith(said) and "nothing was done yet" in line, line


def test_importing_the_command_line_leaves_the_signals_alone() -> None:
    """A program (or this test run) importing consolidate.cli keeps Python's own Ctrl-C and SIGTERM handling."""
    import consolidate.cli  # noqa: F401 - the import is what is tested

    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` (Linux /proc)."""
    parents = parent_pids()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _wait_until(condition: object, what: str) -> None:
    """Poll a callable until it is true, or fail after PATIENCE."""
    deadline = time.monotonic() + PATIENCE
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.05)


@linux_only
def test_sigterm_stops_a_crawl_with_one_line_and_exit_143(tmp_path: Path, fleet_server: FleetServer) -> None:
    """SIGTERM to the crawl process alone (as `kill PID` or a service manager sends it): the crawl stops as after a
    Ctrl-C, says in one line what is kept and how to go on, exits 143, and leaves no parser process behind."""
    config = tmp_path / "migrations.yaml"
    config.write_text(config_for_urls(fleet_server.urls, 20), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "consolidate.cli", "crawl", "--all", "-c", str(config)],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    helpers: set[int] = set()

    def parser_running() -> bool:
        assert process.poll() is None, process.communicate()
        helpers.update(_descendants(process.pid))
        return len(helpers) >= 2  # the fork server and a worker it forked

    _wait_until(parser_running, "a parser worker")
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=PATIENCE)
    assert process.returncode == 143, err
    line = _one_line(err)
    assert line.startswith("stopped (SIGTERM)") and "run the same command again" in line, line
    _wait_until(lambda: not helpers & set(parent_pids()), "the parser processes gone")


def test_exporter_options_that_do_not_validate_are_a_config_error(tmp_path: Path) -> None:
    """`push --exporter wordpress` with a config whose export block is the static exporter's: the options
    WordPress needs are missing — a configuration error, exit 2 as README says, not exit 1."""
    config = tmp_path / "migrations.yaml"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(config)]).exit_code == 0
    for command in (["push", "fgw", "--exporter", "wordpress"], ["push", "fgw", "--exporter", "wordpress",
                                                                 "--dry-run"]):
        result = runner.invoke(app, [*command, "-c", str(config)])
        assert result.exit_code == 2, (command, result.output)
        assert "export.options.url: Field required" in result.output and "valid options for wordpress" in \
            result.output and "Traceback" not in result.output
