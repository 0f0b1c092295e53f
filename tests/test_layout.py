"""The package's shape: no import cycle among its modules, and the
transport never asks Hypothesis where it runs (it is told: Client.generating)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "conformance"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path: Path, modules: set[str]) -> set[str]:
    """The conformance modules a module imports, at its top or inside functions (an import put off
    into a function only hides a cycle): `from package import submodule` depends on the
    submodule, `from module import name` on the module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{a.name}" for a in node.names} & modules
            found |= submodules or {node.module}
            if len(submodules) < len(node.names):
                found.add(node.module)
    return {name for name in found if name in modules}


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges = {}
    for name, path in modules.items():
        # A package is always initialised before its submodules: that edge is no cycle.
        edges[name] = {m for m in top_level_imports(path, set(modules)) if m != name and not name.startswith(m + ".")}
    return edges


def test_no_import_cycle():
    edges = graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_the_transport_is_told_not_asking():
    for path in (PACKAGE / "transport").glob("*.py"):
        assert "hypothesis" not in path.read_text("utf-8"), path.name
