"""The package's shape: no private name crosses a module, no import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).parents[1] / "reconcile"


def modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts)
        out[name.removesuffix(".__init__")] = ast.parse(path.read_text(encoding="utf-8"))
    return out


def absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_no_module_imports_another_modules_private_name():
    found = []
    for module, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                found += [f"{module}: from {node.module} import {a.name}"
                          for a in node.names if private(a.name)]
    assert not found


def test_no_private_attribute_of_another_object_is_touched():
    """``obj._x`` only on ``self`` or ``cls``: composition, not reaching inside."""
    found = []
    for module, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and private(node.attr):
                owner = node.value
                if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                    found.append(f"{module}:{node.lineno}: .{node.attr}")
    assert not found


def test_no_import_cycle_between_modules():
    mods = modules()
    graph = nx.DiGraph()
    for module, tree in mods.items():
        is_package = (PACKAGE.parent / module.replace(".", "/") / "__init__.py").exists()
        graph.add_node(module)
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.ImportFrom):
                target = absolute(module, node, is_package)
                targets = [target]
                # "from . import x" names a module x of the package
                targets += [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in mods]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for target in targets:
                if target in mods and target != module and not module.startswith(target + "."):
                    # A package's __init__ re-exports its modules: importing a
                    # package is importing its __init__ only.
                    graph.add_edge(module, target)
    cycles = [c for c in nx.simple_cycles(graph) if len(c) > 1]
    assert not cycles, cycles[:5]
