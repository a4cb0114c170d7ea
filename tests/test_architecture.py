"""The house's shape, read from the imports: three floors, no import cycles, no private reaches across packages.

Floors, bottom up: `consolidate.core` imports nothing of this project above it; `crawlers`, `mappers` and
`exporters` import only `consolidate.core` and their own package; the stages and the CLI (the rest of
`consolidate`) sit on top. Every import counts, including those inside functions: an import moved into a function
to dodge a cycle is still a cycle. An import under `if TYPE_CHECKING:` counts for the floors and private names but
not for cycles (it never runs; it is how two modules name each other's types in annotations).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("consolidate", "crawlers", "mappers", "exporters")
MIDDLE = ("crawlers", "mappers", "exporters")
CORE = "consolidate.core"


@dataclass(frozen=True)
class Import:
    """One import statement's reach into the project: who, which module, which names, where."""

    source: str
    target: str
    names: tuple[str, ...]
    line: int
    typing_only: bool = False


def module_name(path: Path) -> str:
    """Dotted module name of a file under ROOT."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every module of the four packages, by dotted name."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def absolute(node: ast.ImportFrom, source: str, is_package: bool) -> str:
    """The absolute module an ImportFrom names, resolving relative levels against `source`."""
    if not node.level:
        return node.module or ""
    base = source.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_in(source: str, path: Path, known: dict[str, Path]) -> list[Import]:
    """All project imports of one module, wherever they stand in it."""
    found: list[Import] = []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    typing_only = typing_only_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            here = [Import(source, a.name, (), node.lineno) for a in node.names if a.name in known]
        elif isinstance(node, ast.ImportFrom):
            here = from_imports(node, source, path.name == "__init__.py", known)
        else:
            continue
        found += [replace(imp, typing_only=True) for imp in here] if id(node) in typing_only else here
    return found


def typing_only_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes under an `if TYPE_CHECKING:` (or `if typing.TYPE_CHECKING:`) block."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        test = node.test if isinstance(node, ast.If) else None
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
                (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"):
            inside |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    return inside


def from_imports(node: ast.ImportFrom, source: str, is_package: bool, known: dict[str, Path]) -> list[Import]:
    """One `from X import a, b`: a name that is itself a module becomes an import of that module."""
    module = absolute(node, source, is_package)
    found: list[Import] = []
    plain: list[str] = []
    for alias in node.names:
        if f"{module}.{alias.name}" in known:
            found.append(Import(source, f"{module}.{alias.name}", (), node.lineno))
        else:
            plain.append(alias.name)
    if plain and module in known:
        found.append(Import(source, module, tuple(plain), node.lineno))
    return found


def all_imports() -> list[Import]:
    """Every project import of every project module."""
    known = project_modules()
    return [imp for name, path in known.items() for imp in imports_in(name, path, known)]


def floor(module: str) -> int:
    """0 for the core, 1 for the plug-in packages, 2 for the stages and the CLI."""
    if module == CORE or module.startswith(CORE + "."):
        return 0
    return 1 if module.split(".")[0] in MIDDLE else 2


def floor_violation(imp: Import) -> bool:
    """True when an import reaches up a floor, or sideways between two plug-in packages."""
    low, high = floor(imp.source), floor(imp.target)
    if high > low:
        return True
    return low == high == 1 and imp.source.split(".")[0] != imp.target.split(".")[0]


def private_reach(imp: Import) -> bool:
    """True when a module takes a private module or name from another top-level package."""
    if imp.source.split(".")[0] == imp.target.split(".")[0]:
        return False
    private = [p for p in imp.target.split(".") + list(imp.names) if p.startswith("_") and not p.startswith("__")]
    return bool(private)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (or a module importing itself), Tarjan's way."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        """Tarjan's recursive step."""
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def one_cycle(component: list[str], edges: dict[str, set[str]]) -> list[str]:
    """One concrete loop through a component, for the failure message: a -> b -> ... -> a."""
    members = set(component)
    start = component[0]
    path, seen = [start], {start}
    while True:
        nxt = sorted(edges[path[-1]] & members)
        back = [n for n in nxt if n in seen]
        if back:
            return path[path.index(back[0]) :] + [back[0]]
        path.append(nxt[0])
        seen.add(nxt[0])


def graph(imports: list[Import]) -> dict[str, set[str]]:
    """Module -> the project modules it imports."""
    edges: dict[str, set[str]] = {}
    for imp in imports:
        if not imp.typing_only:
            edges.setdefault(imp.source, set()).add(imp.target)
    return edges


def describe(imp: Import) -> str:
    """One line naming an import by file and line."""
    names = f" ({', '.join(imp.names)})" if imp.names else ""
    return f"{imp.source}:{imp.line} imports {imp.target}{names}"


def test_the_walk_sees_the_whole_project():
    """The walk finds the packages and their imports (an empty walk would pass everything)."""
    imports = all_imports()
    assert {CORE + ".config", "crawlers.extract", "mappers.columns", "exporters.base"} <= set(project_modules())
    assert any(imp.target.startswith(CORE) for imp in imports)


def test_floors():
    """The core imports nothing above it; plug-in packages import only the core and themselves."""
    bad = [describe(imp) for imp in all_imports() if floor_violation(imp)]
    assert not bad, "imports across floors:\n" + "\n".join(bad)


def test_no_import_cycles():
    """No two modules import each other, directly or round a loop, wherever the import stands."""
    edges = graph(all_imports())
    loops = [f"{' -> '.join(one_cycle(c, edges))}  (all tied together: {', '.join(c)})" for c in cycles(edges)]
    assert not loops, "import cycles:\n" + "\n".join(loops)


def test_no_private_reach_across_packages():
    """No module takes a `_private` name or module from another top-level package."""
    bad = [describe(imp) for imp in all_imports() if private_reach(imp)]
    assert not bad, "private names taken across packages:\n" + "\n".join(bad)


def test_the_checks_catch_what_they_guard():
    """Each check fires on a hand-made offender, so a green run means something."""
    assert floor_violation(Import(CORE + ".config", "mappers.audit", ("AuditSettings",), 1))
    assert floor_violation(Import("crawlers.interaction", "consolidate.interaction", ("save_record",), 1))
    assert floor_violation(Import("mappers.audit", "crawlers.urls", ("canonical_url",), 1))
    assert not floor_violation(Import("mappers.audit", CORE + ".config", ("Portal",), 1))
    assert private_reach(Import("mappers.audit", "crawlers._common", (), 1))
    assert private_reach(Import("consolidate.push", "exporters.wordpress", ("_wp_date",), 1))
    assert not private_reach(Import("crawlers.extract", "crawlers._fields", (), 1))
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert one_cycle(["a", "b", "c"], {"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\nimport b\n")
    hidden = typing_only_nodes(tree)
    assert [n.names[0].name for n in ast.walk(tree) if isinstance(n, ast.Import) and id(n) in hidden] == ["a"]
    assert graph([Import("a", "b", (), 1, typing_only=True)]) == {}


if __name__ == "__main__":
    pytest.main([__file__, "-q"])
