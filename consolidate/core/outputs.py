"""Writing a file the user named (a sheet, a report): an OS error is one clear line, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from consolidate.core.errors import ConsolidateError


def save_output(path: Path, write: Callable[[Path], object]) -> Path:
    """Run `write(path)`; a missing folder, a refused permission or a full disk becomes a ConsolidateError."""
    try:
        write(path)
    except OSError as exc:
        raise ConsolidateError(f"cannot write {path}: {exc.strerror or exc}",
                               hint="check the folder exists and is writable") from None
    return path
