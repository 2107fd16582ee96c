"""The layers stay layers: imports point down, and each library has one home.

``cli -> {storage, formats, output -> reports} -> domain``: output draws the
typed reports, so it may read their types; nothing else crosses. Nothing imports the
CLI; the domain imports nothing outside itself (and only the standard library,
dateutil excepted in ``domain/dates.py``). Read with ``ast``, so an import made
inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "syriabrief"

# Which layers each layer may import (besides itself and the shared top-level modules).
ALLOWED = {
    "cli": {"reports", "storage", "formats", "output", "domain"},
    "reports": {"domain"},
    "storage": {"domain"},
    "formats": {"domain"},
    "output": {"reports", "domain"},
    "domain": set(),
}
# Top-level modules anyone may import: the error family and the version.
SHARED = {"errors", "__init__", "__version__"}
# The one home of each third-party library.
HOMES = {
    "typer": {"cli"},
    "click": set(),  # through Typer's public API only
    "rich": {"output"},
    "tinydb": {"storage"},
    "sqlite3": {"storage"},
    "dateutil": {"domain/dates.py"},
}


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        yield rel, rel.parts[0] if len(rel.parts) > 1 else rel.stem, ast.parse(path.read_text(encoding="utf-8"))


def imported(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "imports inside the package are absolute"
            # "from a.b import c" may name a module a.b.c or a function in a.b: keep both readings.
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_imports_point_down_the_layers():
    wrong = []
    for rel, layer, tree in modules():
        for name in imported(tree):
            parts = name.split(".")
            if parts[0] != "syriabrief" or len(parts) < 2 or parts[1] in SHARED or parts[1] == layer:
                continue
            if layer in ALLOWED and parts[1] not in ALLOWED[layer]:
                wrong.append(f"{rel} imports {name}")
            if layer not in ALLOWED and parts[1] == "cli" and rel.name not in ("entry.py", "__main__.py"):
                wrong.append(f"{rel} imports {name}")
    assert wrong == []


def test_each_library_is_imported_in_its_one_home():
    wrong = []
    for rel, layer, tree in modules():
        for name in imported(tree):
            top = name.split(".")[0]
            if top in HOMES and layer not in HOMES[top] and str(rel) not in HOMES[top]:
                wrong.append(f"{rel} imports {name}")
    assert wrong == []


def test_the_domain_uses_the_standard_library_only():
    wrong = []
    for rel, layer, tree in modules():
        if layer != "domain":
            continue
        for name in imported(tree):
            top = name.split(".")[0]
            if top not in sys.stdlib_module_names and top != "syriabrief" and not (top == "dateutil" and rel.name == "dates.py"):
                wrong.append(f"{rel} imports {name}")
    assert wrong == []


def test_there_are_no_import_cycles_between_modules():
    graph: dict[str, set[str]] = {}
    for rel, _, tree in modules():
        me = ".".join(("syriabrief", *rel.with_suffix("").parts)).removesuffix(".__init__")
        graph[me] = {n for n in imported(tree) if n.startswith("syriabrief.")}
    known = set(graph)
    for module, targets in graph.items():
        # "from syriabrief.cli import app" names the package; "syriabrief.x.y" may name a function.
        graph[module] = {t if t in known else t.rpartition(".")[0] for t in targets} & known - {module}
    seen, stack, cycles = set(), [], []

    def visit(node: str) -> None:
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for target in sorted(graph[node]):
            # A package's __init__ importing its own submodules (command registration) is not a cycle.
            if not target.startswith(node + "."):
                visit(target)
        stack.pop()

    for module in sorted(graph):
        visit(module)
    assert cycles == []


def test_command_modules_do_not_defer_their_annotations():
    # Typer reads a command's parameters from its annotations at every run; deferred, each is a
    # string it compiles (cli/__init__.py). Every module of the CLI but its package registers commands.
    deferring = [
        str(rel) for rel, layer, tree in modules()
        if layer == "cli" and rel.name != "__init__.py"
        and any(isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in tree.body)
    ]  # fmt: skip
    assert deferring == []
