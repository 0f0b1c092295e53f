"""The package's shape: layers as folders whose imports only point down, no import cycle among
its modules, and the transport never asks Hypothesis where it runs (it is told: Client.generating).

The layers, lowest first (docs/internals.md says what each holds):

    errors    the two exception families: ConfigurationError (exit 2) and Stopped (unjudged)
    text      what reaches an output: sinks, the redactor, the pieces of secrets
    contract  the contract as data: catalogue, endpoint constants and schemas, choices, domains
    model     what a conformant server answers: oracle, cases, Hypothesis strategies
    wire      targets, exchanges, the transport
    checks    one pure function per requirement, the outcome type
    run       one run against one target: preflight, discovery, sending, routing, covering rows
    verdict   results.json, the gate, waivers
    report    report.html, summary.md, compare.html from results.json
    plugin    the pytest shell
    suite     the conformance tests
    top       cli and __main__: the console script

A layer imports only layers below it. The reference server sits beside the suite's layers, not in
them: it may read the errors, the contract and the wire's target type, and nothing the suite judges with reads
it (only the pytest shell and the command line start it; not even the suite's tests), so no check can
learn from it.
"""

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
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(nxt) :] + [nxt]))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


LAYERS = ("errors", "text", "contract", "model", "wire", "checks", "run", "verdict", "report", "plugin", "suite", "top")
TOP = {"cli": "top", "__main__": "top"}
REFERENCE_MAY_READ = {"errors", "contract", "conformance.wire.target"}
REFERENCE_READ_BY = {"plugin", "top", "reference"}
NO_PYTEST = ("errors", "text", "contract", "model", "wire", "checks", "run", "verdict", "report", "reference")


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "package"
    return TOP.get(parts[1], parts[1])


def test_every_module_sits_in_a_layer():
    loose = sorted(m for m in graph() if layer_of(m) not in (*LAYERS, "reference", "package"))
    assert not loose, f"modules outside the layers (tests/test_layout.py names them): {loose}"


def test_imports_point_down_the_layers():
    wrong = []
    for module, imports in graph().items():
        here = layer_of(module)
        for imported in imports:
            there = layer_of(imported)
            if there == "package" or there == here:
                continue
            if here == "reference":
                ok = there in REFERENCE_MAY_READ or imported in REFERENCE_MAY_READ
            elif there == "reference":
                ok = here in REFERENCE_READ_BY
            else:
                ok = here != "package" and LAYERS.index(there) < LAYERS.index(here)
            if not ok:
                wrong.append(f"{module} ({here}) imports {imported} ({there})")
    assert not wrong, "\n".join(wrong)


def test_the_layers_below_the_shell_never_import_pytest():
    found = []
    for path in PACKAGE.rglob("*.py"):
        if layer_of(module_name(path)) not in NO_PYTEST:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            found += [
                f"{module_name(path)} imports {n}" for n in names if n.split(".")[0] in ("pytest", "_pytest", "xdist")
            ]
    assert not found, found


def test_the_layout_test_sees_a_wrong_arrow(monkeypatch):
    """The rule itself can fail: a check that reads the reference server, or the wire reading the
    run, is named."""
    edges = {
        "conformance.checks.schema": {"conformance.reference.config"},
        "conformance.wire.target": {"conformance.run.runner"},
        "conformance.reference.config": {"conformance.checks"},
        "conformance.report.render": {"conformance.verdict.gate"},
        "conformance.suite.test_auth": {"conformance.reference.faults"},
        "conformance.reference.app": {"conformance.wire.transport.client"},
    }
    monkeypatch.setitem(globals(), "graph", lambda: edges)
    try:
        test_imports_point_down_the_layers()
    except AssertionError as e:
        named = str(e)
    else:
        raise AssertionError("a wrong arrow passed")
    named_modules = ("checks.schema (checks)", "wire.target (wire)", "reference.config (reference)",
                     "suite.test_auth (suite)", "reference.app (reference)")  # fmt: skip
    for module in named_modules:
        assert f"conformance.{module} imports" in named, named
    assert "report.render" not in named, named


def test_the_transport_is_told_not_asking():
    for path in (PACKAGE / "wire" / "transport").glob("*.py"):
        assert "hypothesis" not in path.read_text("utf-8"), path.name
