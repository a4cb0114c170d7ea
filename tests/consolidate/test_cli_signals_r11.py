"""Round 11: Ctrl-C or SIGTERM at any moment of a command's start and end is one line with its exit code (130 /
143), never a traceback or click's "Aborted!": while typing loads (it loaded before the start-up guard was up),
when main() is called (the guard was lifted at the end of the import and raised again there), the instant the
command's own handlers go up, and the instant they come down after the command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

PATIENCE = 120.0  # seconds a child may take (a deadline against hanging, not a timing)
ROOT = Path(__file__).resolve().parents[2]

# Runs the command line as its console script does (sys.argv[0] 'consolidate', then main()) and sends itself a
# signal at one moment: `import:NAME` as the first `import NAME` runs, `call:NAME` as the function NAME is called,
# `handlers:up` the instant Ctrl-C becomes Python's KeyboardInterrupt for the command (its handlers going up),
# `handlers:down` the instant they are taken down after it. os.kill to itself runs the handler at once, there.
SIGNAL_AT = """
import _signal, builtins, os, signal, sys
signum, moment = int(sys.argv[1]), sys.argv[2]
sys.argv = ["consolidate", *sys.argv[3:]]
kind, _, name = moment.partition(":")

def fire():
    os.kill(os.getpid(), signum)

def due(frame, event, arg):
    if kind == "call":
        return event == "call" and frame.f_code.co_name == name
    if arg is not _signal.signal or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return False
    running = signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN) and \\
        getattr(signal.getsignal(signal.SIGTERM), "__name__", "") != "_end_at_start"
    return event == "c_return" and name == "up" or event == "c_call" and name == "down" and running

def watch(frame, event, arg):
    if due(frame, event, arg):
        sys.setprofile(None)
        fire()

if kind == "import":
    real_import = builtins.__import__

    def import_then_signal(module, *args, **kwargs):
        if module == name:
            builtins.__import__ = real_import
            fire()
        return real_import(module, *args, **kwargs)

    builtins.__import__ = import_then_signal
else:
    sys.setprofile(watch)
from consolidate.cli import main
main()
"""
MOMENTS = ("import:typing", "import:typer", "call:main", "handlers:up", "handlers:down")
SIGNALS = {signal.SIGINT: (130, "interrupted"), signal.SIGTERM: (143, "stopped (SIGTERM)")}


@pytest.mark.parametrize("signum", list(SIGNALS))
@pytest.mark.parametrize("moment", MOMENTS)
def test_a_signal_at_any_moment_of_a_command_is_one_line(tmp_path: Path, moment: str, signum: int) -> None:
    """`consolidate init` sent Ctrl-C or SIGTERM at one moment: exit 130 / 143 and one line saying so."""
    done = subprocess.run([sys.executable, "-c", SIGNAL_AT, str(int(signum)), moment, "init",
                           str(tmp_path / "migrations.yaml")], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=PATIENCE)
    code, said = SIGNALS[signum]
    assert "Traceback" not in done.stderr and "Aborted" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert (done.returncode, len(lines)) == (code, 1), (done.returncode, done.stderr)
    assert lines[0].startswith(said), lines[0]
    if not moment.startswith("handlers:"):  # the command line still loading: nothing was done
        assert "nothing was done yet" in lines[0], lines[0]


def test_python_m_consolidate_cli_keeps_the_guard_until_the_command_runs(tmp_path: Path) -> None:
    """`python -m consolidate.cli` is the command too: a signal as main() is called is the guard's one line."""
    script = SIGNAL_AT.replace("from consolidate.cli import main\nmain()",
                               "import runpy\nrunpy.run_module('consolidate.cli', run_name='__main__', "
                               "alter_sys=True)")
    done = subprocess.run([sys.executable, "-c", script, str(int(signal.SIGINT)), "call:main", "init",
                           str(tmp_path / "migrations.yaml")], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=PATIENCE)
    assert done.returncode == 130 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().startswith("interrupted while starting"), done.stderr
