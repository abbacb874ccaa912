"""A fresh machine can open the window: every library Qt's xcb plugin loads is there,
and bootstrap.sh installs each one (ui/platform_libs.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ui.platform_libs import (
    SONAME_PACKAGES,
    missing_libraries,
    packages_for,
    pyside_dir,
    qt_binaries,
)

ROOT = Path(__file__).resolve().parents[2]
needs_ldd = pytest.mark.skipif(shutil.which("ldd") is None, reason="no ldd (not glibc)")


@needs_ldd
def test_every_library_of_the_xcb_plugin_is_found() -> None:
    files = qt_binaries()
    assert any(f.name == "libqxcb.so" for f in files)
    missing = missing_libraries(files)
    assert missing == {}, "ldd: not found: " + "; ".join(
        f"{name} (needed by {', '.join(by)}; apt-get install "
        f"{SONAME_PACKAGES.get(name, '?')})" for name, by in sorted(missing.items()))


@needs_ldd
def test_the_check_names_a_library_that_is_not_found(tmp_path: Path) -> None:
    # The plugin copied away from the wheel loses its path to Qt's own libraries
    # ($ORIGIN/../../lib): ldd reports them "not found", and so must the check.
    root = pyside_dir()
    assert root is not None
    copy = tmp_path / "libqxcb.so"
    shutil.copy(root / "Qt" / "plugins" / "platforms" / "libqxcb.so", copy)
    missing = missing_libraries([copy])
    assert "libQt6XcbQpa.so.6" in missing
    assert missing["libQt6XcbQpa.so.6"] == ["libqxcb.so"]
    assert packages_for(["libxcb-icccm.so.4", "libQt6XcbQpa.so.6"]) == ["libxcb-icccm4"]


def test_bootstrap_installs_the_package_of_every_library() -> None:
    script = (ROOT / "scripts" / "bootstrap.sh").read_text(encoding="utf-8")
    listed = re.search(r'QT_DEBS="([^"]*)"', script)
    assert listed is not None
    debs = set(listed.group(1).split())
    assert set(SONAME_PACKAGES.values()) <= debs, set(SONAME_PACKAGES.values()) - debs
    # The ones a fresh Debian lacked (issue 14) are among them.
    assert {"libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-render-util0",
            "libxcb-xinerama0", "libxcb-xkb1", "libxkbcommon-x11-0", "libxcb-cursor0",
            "libxcb-shape0", "libxcb-randr0"} <= debs
    assert "python -m ui.platform_libs" in script.replace('"$VENV/bin/python"', "python")
