"""The dependency rules of the architecture, enforced on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def _imports(package: str) -> list[tuple[Path, str]]:
    found = []
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # "from pkg import mod" names pkg.mod, so rules can tell modules apart.
                found += [(path, f"{node.module}.{alias.name}") for alias in node.names]
    return found


@pytest.mark.parametrize("package, forbidden", [
    ("desktop", ("PySide6", "ui")),
    ("local_db", ("PySide6", "ui", "desktop", "sync", "httpx")),
    ("sync", ("PySide6", "ui", "desktop")),
])
def test_layer_does_not_import(package: str, forbidden: tuple[str, ...]) -> None:
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path, name in _imports(package)
        if name.split(".")[0] in forbidden and not _server_may_import(path, name)
    ]
    assert bad == []


# The central server grades channel complaints and folds tickets with the very code and
# policy the desks run, so it may use these pure modules (no storage, no Qt, no I/O).
SERVER_MAY_IMPORT = frozenset({
    "domain.triage", "domain.policy", "domain.errors",
    "domain.hlc", "domain.ids", "local_db.projection", "local_db.eventlog",
    "domain.event_schema",
})


def _allowed(name: str, modules: frozenset[str] | tuple[str, ...]) -> bool:
    return any(name == m or name.startswith(m + ".") for m in modules)


def _server_may_import(path: Path, name: str) -> bool:
    return (ROOT / "sync" / "server") in path.parents and _allowed(name, SERVER_MAY_IMPORT)


def test_server_imports_only_pure_desk_modules() -> None:
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path, name in _imports("sync/server")
        if name.split(".")[0] in ("desktop", "local_db", "ui", "PySide6")
        and not _allowed(name, SERVER_MAY_IMPORT)
    ]
    assert bad == []


def test_client_sync_does_not_import_local_db_beyond_sync_state() -> None:
    # The desk engine reaches the database only through local_db.sync_state; the wire
    # types are bounded with the pure event schema's markers.
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path, name in _imports("sync")
        if (ROOT / "sync" / "server") not in path.parents
        and name.split(".")[0] == "local_db"
        and not _allowed(name, ("local_db.sync_state", "local_db.errors",
                                "domain.event_schema"))
    ]
    assert bad == []


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
