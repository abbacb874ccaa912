"""The layers of the architecture (docs/architecture.md), enforced on the source.

domain ← local_db ← desktop ← ui (the desk); domain ← sync ← sync.server (the wire and
the centre). Nothing imports upwards, the desk and the centre share only the domain and
the wire, nothing but ``ui`` imports PySide6, and no module imports itself round a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = ("domain", "local_db", "desktop", "ui", "sync")

# What each layer may import of ours; everything else of ours is upwards or sideways.
MAY_IMPORT = {
    "domain": {"domain"},
    "local_db": {"domain", "local_db"},
    "desktop": {"domain", "local_db", "sync", "desktop"},
    "ui": {"domain", "local_db", "sync", "desktop", "ui"},
    "sync": {"domain", "sync"},
    "sync.server": {"domain", "sync", "sync.server"},
}
# Libraries that belong to one layer only.
ONLY_IN = {
    "PySide6": {"ui"},
    "sqlite3": {"local_db", "desktop", "ui"},
    "httpx": {"desktop", "ui", "sync.server"},
    "sqlalchemy": {"sync.server"},
    "fastapi": {"sync.server"},
    "starlette": {"sync.server"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    return "sync.server" if module.startswith("sync.server") else module.split(".")[0]


def _type_checking_only(tree: ast.Module) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skipped


def _imports(path: Path) -> Iterator[tuple[str, bool]]:
    """(imported module, at module level) for every import statement in *path*."""
    tree = ast.parse(path.read_text("utf-8"))
    skipped = _type_checking_only(tree)
    top = {id(n) for n in tree.body}
    module = _module_name(path)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, id(node) in top
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: -node.level + (path.name == "__init__.py")]
                base = ".".join([*package, base] if base else package)
            for alias in node.names:
                yield f"{base}.{alias.name}", id(node) in top


def _sources() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield _module_name(path), path


def _ours(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


@pytest.mark.parametrize("layer", sorted(MAY_IMPORT))
def test_layer_imports_only_layers_below(layer: str) -> None:
    bad = sorted(
        f"{module} imports {name}"
        for module, path in _sources() if _layer(module) == layer
        for name, _ in _imports(path)
        if _ours(name) and _layer(name) not in MAY_IMPORT[layer]
    )
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("library", sorted(ONLY_IN))
def test_library_stays_in_its_layers(library: str) -> None:
    bad = sorted(
        f"{module} imports {name}"
        for module, path in _sources()
        for name, _ in _imports(path)
        if name.split(".")[0] == library and _layer(module) not in ONLY_IN[library]
    )
    assert not bad, "\n".join(bad)


def _known(name: str, modules: set[str]) -> str | None:
    # "from pkg import mod" names pkg.mod; "from mod import func" names mod.func.
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def test_no_import_cycles() -> None:
    # Every import counts, also those inside functions: a lazy import hides a cycle
    # from Python, not from a reader.
    sources = dict(_sources())
    graph: dict[str, set[str]] = {}
    for module, path in sources.items():
        targets = {_known(name, set(sources)) for name, _ in _imports(path) if _ours(name)}
        graph[module] = {t for t in targets if t and t != module
                         and not module.startswith(t + ".")}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "\n".join(" → ".join(c) for c in cycles)


def test_the_command_line_starts_without_drawing_or_qt_libraries() -> None:
    # Every `kesu ticket add` from a till pays for what desktop.cli imports at start:
    # reportlab (receipts, report PDF) and Qt load only for the commands that draw.
    import subprocess
    import sys

    code = ("import sys, desktop.cli; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'reportlab', 'PySide6', 'segno', 'pypdf'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "[]"
