"""A file the user names in a folder that does not exist: one line with a hint, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from consolidate.core.errors import ConsolidateError
from consolidate.core.outputs import save_output


def test_a_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    """The writer's OSError becomes a ConsolidateError naming the file, with a hint."""
    target = tmp_path / "no such folder" / "sheet.xlsx"
    with pytest.raises(ConsolidateError) as caught:
        save_output(target, lambda path: path.write_bytes(b"x"))
    assert str(target) in caught.value.message and "No such file or directory" in caught.value.message
    assert caught.value.hint == "check the folder exists and is writable"


def test_a_writable_place_is_written(tmp_path: Path) -> None:
    """Nothing in the way: the file is there and its path comes back."""
    assert save_output(tmp_path / "r.md", lambda path: path.write_text("ok", encoding="utf-8")).read_text() == "ok"
