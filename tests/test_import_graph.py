"""The package's import graph: no circles, and every import points to its own stage or an earlier one.

The graph is read from the source (each file's AST), not from ``sys.modules``, so it sees every
import: at module level, inside functions (a lazy import that closes a circle is still a
circle: it only moves the failure from import time to the first call), and under
``TYPE_CHECKING`` (a type that points back up is a dependency that points back up). Nothing of
``nlp`` is imported here, so the test can be pointed at any checkout of the tree.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nlp"


def module_files(package: Path) -> dict[str, tuple[Path, bool]]:
    """``{dotted module name: (file, is_package)}`` for every ``.py`` file under ``package``."""
    root = package.parent
    out: dict[str, tuple[Path, bool]] = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        out[".".join(parts)] = (path, is_package)
    return out


def _known(name: str, modules: dict[str, tuple[Path, bool]]) -> str | None:
    """The longest prefix of ``name`` that is a module of ours (``nlp.a.b.func`` -> ``nlp.a.b``)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_edges(package: Path) -> dict[str, set[str]]:
    """``{module: modules of the package it imports}``, every import statement anywhere in it.

    ``import a.b`` points at ``a.b``; ``from a import b`` at the submodule ``a.b`` when there is
    one, else at ``a`` itself; relative imports resolve against the importing module's package.
    The parent packages that Python also runs on the way are not edges: counting them would make
    every package whose ``__init__`` re-exports one of its modules a circle.
    """
    modules = module_files(package)
    top = package.name
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, (path, is_package) in modules.items():
        here = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                    source = ".".join([*base, node.module] if node.module else base)
                else:
                    source = node.module or ""
                targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source for alias in node.names]
            for target in targets:
                if target == top or target.startswith(top + "."):
                    known = _known(target, modules)
                    if known is not None:
                        edges[name].add(known)
    return edges


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit to meet)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def _one_circle(component: list[str], edges: dict[str, set[str]]) -> list[str]:
    """A shortest path from the component's first module back to itself, for the message."""
    members = set(component)
    first = component[0]
    previous: dict[str, str] = {}
    queue = deque([first])
    while queue:
        node = queue.popleft()
        for child in sorted(edges[node] & members):
            if child == first:
                path = [node]
                while path[-1] != first:
                    path.append(previous[path[-1]])
                return [first, *reversed(path[:-1]), first] if node != first else [first, first]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    return component


def import_circles(package: Path) -> list[list[str]]:
    """Each import circle in ``package`` as a path ``[a, b, ..., a]``; empty when there is none."""
    edges = import_edges(package)
    circles = []
    for component in strongly_connected(edges):
        if len(component) > 1 or component[0] in edges[component[0]]:
            circles.append(_one_circle(component, edges))
    return circles


def test_no_import_circles() -> None:
    edges = import_edges(PACKAGE)
    tangles = [c for c in strongly_connected(edges) if len(c) > 1 or c[0] in edges[c[0]]]
    lines = [f"{' -> '.join(_one_circle(c, edges))}  (modules in this tangle: {', '.join(c)})" for c in tangles]
    assert not tangles, "import circles:\n" + "\n".join(lines)


#: The package's rooms in the order data flows (ARCHITECTURE.md); a module may import from its own
#: room or an earlier one, never a later one. The shared modules come first; ``nlp/__init__.py``
#: (the public API) and ``__main__`` may import anything.
LAYERS = (
    ("records", "errors", "about", "paths", "files"),
    ("text",),
    ("classify",),
    ("extract",),
    ("pipeline", "scoring", "scored_parquet", "backfill"),
    ("index",),
    ("store",),
    ("serve",),
    ("research",),
    ("cli",),
)


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__main__":
        return None
    return next(i for i, names in enumerate(LAYERS) if parts[1] in names)


def test_imports_point_to_earlier_stages_only() -> None:
    edges = import_edges(PACKAGE)
    assert {m.split(".")[1] for m in edges if "." in m} - {"__main__"} <= {n for names in LAYERS for n in names}, "a new room: add it to LAYERS"
    upward = [f"{a} -> {b}" for a, bs in sorted(edges.items()) for b in sorted(bs)
              if _layer(a) is not None and _layer(b) is not None and _layer(b) > _layer(a)]
    assert not upward, "imports from a later stage:\n" + "\n".join(upward)


def test_the_graph_covers_the_package() -> None:
    # Guards the walker itself: it must see the pipeline's main edges, lazy ones included.
    edges = import_edges(PACKAGE)
    assert "nlp.classify.artifacts" in edges["nlp.pipeline"]
    assert "nlp.extract.tickers" in edges["nlp.pipeline"]  # imported inside a method
    assert "nlp.store.queries" in edges["nlp.serve.routes.index"]  # `from nlp.store import queries`


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "nlp"


@pytest.mark.parametrize(
    "files, expected",
    [
        pytest.param(
            {"nlp/__init__.py": "", "nlp/a.py": "from nlp.b import x\n", "nlp/b.py": "def f():\n    from nlp import a\n"},
            [["nlp.a", "nlp.b", "nlp.a"]],
            id="lazy-import-inside-a-function",
        ),
        pytest.param(
            {"nlp/__init__.py": "", "nlp/p/__init__.py": "", "nlp/p/a.py": "from . import b\n",
             "nlp/p/b.py": "from ..p.c import y\n", "nlp/p/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from nlp.p.a import z\n"},
            [["nlp.p.a", "nlp.p.b", "nlp.p.c", "nlp.p.a"]],
            id="relative-imports-and-type-checking",
        ),
        pytest.param(
            {"nlp/__init__.py": "", "nlp/a.py": "import nlp.a\n"},
            [["nlp.a", "nlp.a"]],
            id="a-module-importing-itself",
        ),
        pytest.param(
            {"nlp/__init__.py": "from nlp.a import A\n", "nlp/a.py": "from nlp.b import B\n", "nlp/b.py": "import json\n"},
            [],
            id="a-package-re-exporting-its-module-is-no-circle",
        ),
    ],
)
def test_circles_are_found(tmp_path: Path, files: dict[str, str], expected: list[list[str]]) -> None:
    assert import_circles(_write(tmp_path, files)) == expected
