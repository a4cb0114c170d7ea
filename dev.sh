#!/usr/bin/env bash
# The two quick-start commands, each doing its own set-up on a fresh machine:
#   ./dev.sh demo    run the whole job on the built-in sample fleet
#   ./dev.sh test    lint and run the whole test suite
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
    exec .venv/bin/python -m pytest -q "$@"
    ;;
  *)
    echo "usage: ./dev.sh demo [--workdir DIR] | ./dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac
