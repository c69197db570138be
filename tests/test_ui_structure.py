"""The structure of the package: imports go down the layers (domain, database and file formats,
services, windows), Qt stays in the windows, no module imports itself back through others, and
the two main windows build their shared parts from the same components.

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


@pytest.mark.parametrize("window", ["entry", "consolidation"])
def test_both_windows_are_built_from_the_shared_parts(window: str) -> None:
    """Each window (its shell and its rooms) builds its filter bar, menus, panes and
    placement from ``ui.parts.layout``, and none of them does it again by hand."""
    used: set[str] = set()
    calls: set[str] = set()
    for path in sorted((ROOT / "ui" / window).glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used |= {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == f"{PACKAGE}.ui.parts.layout"
            for alias in node.names
        }
        calls |= {
            node.func.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        }
    assert used >= SHARED_PARTS, SHARED_PARTS - used
    assert not calls & COPIED_CALLS, calls & COPIED_CALLS


# ==== direction ==================================================================================

# The layers, from the bottom: a module may import its own layer and the layers below it,
# never one above. ``base`` is what every layer stands on (errors, log, folders, saving a file);
# the file formats (workbook, reports, plans, mail) know the domain, never the database; the
# services are the use cases; the windows and the command line stand on the services.
LAYERS = {
    "base": 0,
    "domain": 1,
    "db": 2,
    "formats": 2,
    "services": 3,
    "ui": 4,
    "app": 5,
}
BASE = {"", "errors", "logs", "paths", "saving", "locking", "failures", "interpreter"}
FORMATS = {"workbook", "reports", "plans", "mail"}
# Edges between layers of the same height that are allowed: none between the database and the
# file formats (neither needs the other).
FORBIDDEN_SIDEWAYS = {("db", "formats"), ("formats", "db")}


def layer_of(module: str) -> str:
    top = module.split(".")[1] if module.count(".") else ""
    if top in BASE:
        return "base"
    if top in FORMATS:
        return "formats"
    if top in ("app", "cli", "__main__"):
        return "app"
    return top


def test_every_module_is_in_a_layer() -> None:
    assert {layer_of(name) for name in modules()} <= set(LAYERS)


def test_imports_go_down_the_layers_only() -> None:
    upward = []
    for source, targets in sorted(import_graph().items()):
        for target in sorted(targets):
            below, above = layer_of(source), layer_of(target)
            if LAYERS[above] > LAYERS[below] or (below, above) in FORBIDDEN_SIDEWAYS:
                upward.append(f"  {source} ({below}) → {target} ({above})")
    assert not upward, "Imports against the layers:\n" + "\n".join(upward)


def test_the_domain_imports_only_itself() -> None:
    found = [
        f"  {source} → {target}"
        for source, targets in sorted(import_graph().items())
        if layer_of(source) == "domain"
        for target in sorted(targets)
        if layer_of(target) != "domain"
    ]
    assert not found, "The domain imports another layer:\n" + "\n".join(found)


def test_the_views_need_neither_database_nor_transaction() -> None:
    """``services/views`` is what the windows show: made of the domain alone, so that it is
    computed (and tested) without a database, and a window reading it never reaches one."""
    views = f"{PACKAGE}.services.views"
    found = [
        f"  {source} → {target}"
        for source, targets in sorted(import_graph().items())
        if source.startswith(views)
        for target in sorted(targets)
        if layer_of(target) not in ("domain", "base") and not target.startswith(views)
    ]
    assert not found, "\n".join(found)


def test_the_windows_never_touch_the_database() -> None:
    found = [
        f"  {source} → {target}"
        for source, targets in sorted(import_graph().items())
        if layer_of(source) == "ui"
        for target in sorted(targets)
        if layer_of(target) == "db"
    ]
    assert not found, "\n".join(found)


def qt_importers() -> list[str]:
    """The modules that import Qt (PySide6), anywhere in them."""
    found = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"), name)
        for node in ast.walk(tree):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n.split(".")[0] == "PySide6" for n in names):
                found.append(name)
                break
    return found


def test_qt_only_in_the_windows() -> None:
    """Below ``ui/`` nothing imports Qt: the core runs (and is tested) without it."""
    outside = [
        name for name in qt_importers() if layer_of(name) != "ui" and name != f"{PACKAGE}.app"
    ]
    assert outside == []


def test_the_structure_checks_see_a_wrong_import() -> None:
    """The checks themselves: an upward import and Qt in a service are found."""
    graph = import_graph()
    graph[f"{PACKAGE}.domain.plan"] = graph[f"{PACKAGE}.domain.plan"] | {
        f"{PACKAGE}.services.database"
    }
    assert (
        LAYERS[layer_of(f"{PACKAGE}.services.database")]
        > LAYERS[layer_of(f"{PACKAGE}.domain.plan")]
    )
    assert layer_of(f"{PACKAGE}.ui.entry.window") == "ui"
    assert layer_of(f"{PACKAGE}.saving") == "base"
    assert layer_of(f"{PACKAGE}.mail.reader") == "formats"
