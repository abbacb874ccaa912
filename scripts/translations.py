"""Refresh the Qt translation sources from the code and compile them.

    python scripts/translations.py          # lupdate (keeps existing translations) + lrelease

``lupdate`` collects every ``tr()``/``translate()`` string of ``ui/`` into
``resources/i18n/kesu_zh_CN.ts``; translate the new entries (Qt Linguist, or by hand), then
run this again to compile ``kesu_zh_CN.qm``, which is committed so that an installed
Kesu needs no Qt tools. ``tests/ui/test_translations.py`` fails when either is stale.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "resources" / "i18n"
LANGUAGES = ("zh_CN",)


def tool(name: str) -> str:
    """A PySide6 tool next to the running interpreter, else on PATH."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install PySide6")
    return found


def sources() -> list[str]:
    """The Python files whose strings are translated."""
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "ui").rglob("*.py"))


def lupdate(ts: Path) -> None:
    """Merge the code's current strings into *ts* (obsolete ones are dropped)."""
    subprocess.run([tool("pyside6-lupdate"), "-no-obsolete", "-locations", "none",
                    *sources(), "-ts", str(ts)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def lrelease(ts: Path, qm: Path) -> None:
    """Compile *ts* into *qm*."""
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)],
                   cwd=ROOT, check=True)


def main() -> int:
    for lang in LANGUAGES:
        ts = I18N / f"kesu_{lang}.ts"
        lupdate(ts)
        lrelease(ts, I18N / f"kesu_{lang}.qm")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
