#!/usr/bin/env bash
# The two quick-start commands, each doing its own set-up on a fresh machine:
#   ./dev.sh demo    run the whole job on the built-in sample fleet
#   ./dev.sh test    lint and run the whole test suite (two pytest-xdist workers; TEST_WORKERS=1: one process)
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

ensure_venv() {
  if [ ! -x .venv/bin/consolidate ] || [ pyproject.toml -nt .venv/.installed ]; then
    echo "setting up .venv (Python >= 3.11 needed: $($PYTHON --version 2>&1))" >&2
    "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[test,postgres]'
    touch .venv/.installed
  fi
}

case "${1:-}" in
  demo)
    shift
    ensure_venv
    exec .venv/bin/consolidate demo "$@"
    ;;
  test)
    shift
    ensure_venv
    bash scripts/install-services.sh
    .venv/bin/ruff check .
    # 2 pytest-xdist workers by default (CI has 2 cores; serially the suite takes ~19.5 min), whole files per
    # worker (module fixtures run once per file; a set of real sites is crawled once a run, tests/conftest.py);
    # TEST_WORKERS=1 runs one process; an explicit -n or -p no:xdist wins.
    workers=${TEST_WORKERS:-2}
    for arg in "$@"; do
      case "$arg" in -n|-n[0-9]*|--numprocesses*|no:xdist) workers=1 ;; esac
    done
    if [ "$workers" -le 1 ]; then
      exec .venv/bin/python -m pytest -q "$@"
    fi
    exec .venv/bin/python -m pytest -q -n "$workers" --dist loadfile "$@"
    ;;
  *)
    echo "usage: ./dev.sh demo [--workdir DIR] | ./dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac
