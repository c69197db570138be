"""The structure of the package: no module imports itself back through others, and the two
main windows build their shared parts from the same components.

Imports are read from the source (``ast``), not by importing: every ``import`` counts, at the
top of a module, inside a function (a lazy import is still a dependency) or under
``TYPE_CHECKING`` (a type that names the other module ties the two together just as much).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "sradar_desktop"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

# Imports left out of the graph, each with its reason. Keep this empty unless a cycle is the
# lesser evil, and say why.
EXCLUDED: dict[tuple[str, str], str] = {}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def imported(name: str, source: str, known: set[str], *, is_package: bool = False) -> set[str]:
    """The package's modules that module ``name`` (its ``source``) imports (``from x import y``
    counts ``x.y`` when ``y`` is a module, ``x`` otherwise)."""
    tree = ast.parse(source, name)
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = []
            for alias in node.names:
                child = f"{base}.{alias.name}"
                targets.append(child if child in known else base)
        else:
            continue
        for target in targets:
            # ``import a.b.c`` depends on ``a.b.c``; keep the longest known prefix.
            parts = target.split(".")
            while parts and ".".join(parts) not in known:
                parts.pop()
            if parts:
                found.add(".".join(parts))
    found.discard(name)
    return {target for target in found if (name, target) not in EXCLUDED}


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {
        name: imported(
            name, path.read_text(encoding="utf-8"), known, is_package=path.name == "__init__.py"
        )
        for name, path in found.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def path_within(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One cycle through the component, to say where to cut."""
    members = set(component)
    start = component[0]
    trail = [start]
    seen = {start}
    node = start
    while True:
        nexts = sorted(graph[node] & members)
        back = [n for n in nexts if n == start]
        if back and len(trail) > 1:
            return [*trail, start]
        fresh = [n for n in nexts if n not in seen]
        if not fresh:
            return [*trail, nexts[0]] if nexts else trail
        node = fresh[0]
        seen.add(node)
        trail.append(node)


def test_the_graph_sees_lazy_and_type_checking_imports() -> None:
    """The walker itself: an import inside a function or under TYPE_CHECKING is an edge, and a
    relative import is resolved."""
    graph = import_graph()
    assert f"{PACKAGE}.services.database" in graph[f"{PACKAGE}.services.questionnaires"]
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from sradar_desktop.ui.entry import window\n"
        "def later():\n"
        "    import sradar_desktop.services.database\n"
        "from .parts.widgets import Banner\n"
    )
    edges = imported(f"{PACKAGE}.ui.sample", source, set(graph))
    assert edges == {
        f"{PACKAGE}.ui.entry.window",
        f"{PACKAGE}.services.database",
        f"{PACKAGE}.ui.parts.widgets",
    }


def test_no_import_cycle() -> None:
    graph = import_graph()
    found = cycles(graph)
    described = ["  " + " → ".join(path_within(graph, component)) for component in found]
    assert not found, "Import cycles in the package:\n" + "\n".join(described)


def test_every_exclusion_says_why() -> None:
    assert all(reason.strip() for reason in EXCLUDED.values())


SHARED_PARTS = {
    "FilterBar",
    "PaneSizer",
    "WorkIndicator",
    "add_menu",
    "bring_to_front",
    "restore_placement",
}
# What the shared parts do, which a window doing itself again would be a copy.
COPIED_CALLS = {"restoreGeometry", "addMenu", "raise_", "setSizes", "showMaximized"}


@pytest.mark.parametrize("window", ["entry/window", "consolidation/window"])
def test_both_windows_are_built_from_the_shared_parts(window: str) -> None:
    path = ROOT / "ui" / f"{window}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == f"{PACKAGE}.ui.parts.layout"
        for alias in node.names
    }
    assert used >= SHARED_PARTS, SHARED_PARTS - used
    calls = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert not calls & COPIED_CALLS, calls & COPIED_CALLS
