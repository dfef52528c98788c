"""The Python packages import without cycles, and nothing hides an import inside a function.

Reads the source with `ast` (nothing is imported): every `import` and `from ... import`
statement of `sync/` and `mailchimp_sandbox/` counts, wherever it stands - at module level,
under `if TYPE_CHECKING:`, or inside a function - so a cycle cannot be dodged by moving an
import out of sight. `from pkg import name` is an edge to the module `pkg.name` when there is
one, else to `pkg`. Importing a submodule also runs its package's `__init__`; that implicit
edge is not counted (a package may re-export its modules, as `mailchimp_sandbox` does).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sync", "mailchimp_sandbox")


def module_files() -> dict[str, Path]:
    """Module name -> file, for every module of the packages."""
    out: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _owner(name: str, modules: dict[str, Path]) -> str | None:
    """The module of ours that `name` (a dotted path) lives in, if any."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, node, is_package)
                targets = [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                owner = _owner(target, modules)
                if owner is not None and owner != module:
                    graph[module].add(owner)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_the_graph_sees_the_packages_and_their_imports() -> None:
    graph = import_graph()
    assert "sync.cli.app" in graph and "mailchimp_sandbox.server" in graph
    assert "sync.errors" in graph["sync.mailchimp.client"]
    assert "mailchimp_sandbox.api" in graph["mailchimp_sandbox.server"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_no_imports_inside_functions() -> None:
    """Imports stand at the top of the module, where a reader (and this test) sees them."""
    hidden = []
    for module, path in module_files().items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(func):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        hidden.append(f"{module}:{node.lineno} (in {func.name})")
    assert not hidden, "imports inside functions: " + ", ".join(hidden)


def test_errors_is_a_leaf() -> None:
    """Every layer may raise engage's errors, so sync.errors must import nothing of ours."""
    assert import_graph()["sync.errors"] == set()


def test_the_sync_does_not_depend_on_the_sandbox() -> None:
    """Only the demo (and the CLI that registers `engage sandbox`) may use the sandbox."""
    allowed = {"sync.jobs.demo_mailchimp", "sync.cli.app"}
    users = {
        m
        for m, targets in import_graph().items()
        if m.startswith("sync") and any(t.startswith("mailchimp_sandbox") for t in targets)
    }
    assert users <= allowed, users - allowed


def test_the_installed_package_registers_no_pytest_plugin() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "pytest11" not in project.get("entry-points", {})
