"""The import structure of the project's own modules (migrations and tests left out): no
import cycle, ``products`` independent of ``quotes`` and ``pricing``, and ``pricing`` free of
``quotes``' models. Imports are read from the source (ast), wherever they appear in a
module (a deferred import inside a function counts), except under ``if TYPE_CHECKING:``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {"migrations", "tests", "bench", "static", "templates", "docs", "var", "node_modules"}


def _packages() -> list[Path]:
    """The project's top-level packages: directories at the root with an ``__init__.py``."""
    return sorted(
        p
        for p in ROOT.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in SKIP_DIRS
        if (p / "__init__.py").exists()
    )


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in _packages():
        for path in package.rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if any(part in SKIP_DIRS or part.startswith(".") for part in parts):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Dotted names a module imports (``from a import b`` gives ``a`` and ``a.b``)."""
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                base = package[: len(package) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports, with the packages on the way (importing
    ``a.b.c`` runs ``a/__init__.py`` and ``a/b/__init__.py``)."""
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        targets = set()
        for imported in _imported_names(tree, name, path.name == "__init__.py"):
            parts = imported.split(".")
            for i in range(1, len(parts) + 1):
                prefix = ".".join(parts[:i])
                # A module's own packages run before it anyway: not an edge of its own.
                if prefix in modules and prefix != name and not name.startswith(prefix + "."):
                    targets.add(prefix)
        graph[name] = targets
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a path a → … → a) per strongly connected component that has one."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def strongconnect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                strongconnect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            strongconnect(node)

    cycles = []
    for component in components:
        start = min(component)
        path, seen = [start], {start}
        while True:  # walk inside the component until we come back round
            nxt = min(n for n in graph[path[-1]] if n in component)
            if nxt in seen:
                cycles.append([*path[path.index(nxt) :], nxt])
                break
            path.append(nxt)
            seen.add(nxt)
    return cycles


def test_the_checker_reports_a_cycle_with_its_path():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_the_checker_sees_relative_and_deferred_imports():
    tree = ast.parse(
        "from . import services\n"
        "from ..models import Quote\n"
        "def f():\n    from quotes.tasks import x\n"
        "if TYPE_CHECKING:\n    from pricing import engine\n"
    )
    names = _imported_names(tree, "quotes.sending.views", is_package=False)
    assert {"quotes.sending.services", "quotes.models.Quote", "quotes.tasks.x"} <= names
    assert not any(n.startswith("pricing") for n in names)


def test_every_app_is_seen():
    modules = project_modules()
    for module in ("customers.services", "products.models", "pricing.engine", "quotes.tasks"):
        assert module in modules
    assert not any(".migrations" in m for m in modules)


def test_no_import_cycle():
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_products_import_nothing_from_quotes_or_pricing():
    offending = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if module.split(".")[0] == "products"
        for target in targets
        if target.split(".")[0] in ("quotes", "pricing")
    ]
    assert not offending, offending


def test_pricing_imports_no_model_of_quotes():
    """Not directly, nor through another module it imports."""
    graph = import_graph()
    offending = []
    for module in graph:
        if module.split(".")[0] != "pricing":
            continue
        seen, todo = {module}, [(module, [module])]
        while todo:
            node, path = todo.pop()
            for nxt in graph[node]:
                if nxt == "quotes.models":
                    offending.append(" → ".join([*path, nxt]))
                elif nxt not in seen:
                    seen.add(nxt)
                    todo.append((nxt, [*path, nxt]))
    assert not offending, offending
