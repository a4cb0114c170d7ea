"""The CLI's commands go through one front door: consolidate.pipeline (the core floor and cli_common beside it)."""

from __future__ import annotations

import ast
from pathlib import Path

import consolidate.commands

ALLOWED = ("consolidate.pipeline", "consolidate.cli_common", "consolidate.core")


def _project_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of this project's modules in a file, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] if node.module != "consolidate" else [f"consolidate.{a.name}" for a in node.names]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return [(line, name) for line, name in found
            if name.split(".")[0] in ("consolidate", "crawlers", "mappers", "exporters")]


def test_commands_import_only_the_front_door() -> None:
    """No command module reaches past consolidate.pipeline into a stage, crawler, mapper or exporter."""
    folder = Path(consolidate.commands.__file__).parent
    stray = [f"{path.name}:{line} imports {name}" for path in sorted(folder.glob("*.py"))
             for line, name in _project_imports(path) if not name.startswith(ALLOWED)]
    assert stray == []


def test_the_check_sees_a_stray_import(tmp_path: Path) -> None:
    """The walk finds an import inside a function too (so the test above could fail)."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from consolidate.report import fleet_report\n", encoding="utf-8")
    assert _project_imports(sample) == [(2, "consolidate.report")]
