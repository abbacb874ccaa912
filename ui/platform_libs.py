"""The system libraries Qt needs to open a window on X11, checked with ``ldd``.

PySide6's wheels bring Qt itself but not the X11 libraries its xcb platform plugin links
(libxcb-icccm4, libxcb-keysyms1, ...). Without one of them the app dies at start with
"Could not load the Qt platform plugin xcb". ``scripts/bootstrap.sh`` installs the
packages below and then runs ``python -m ui.platform_libs``, which lists what ``ldd``
still cannot find (and exits 1), or ``--packages`` to print the Debian packages to install.

No PySide6 import here: this runs exactly when Qt cannot load.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

# Debian package of each library Qt's xcb plugin, its GL integrations, print support and
# the bindings the app imports link outside the wheel (bookworm names; bootstrap.sh's
# DEBS holds them all, a test keeps the two in step).
SONAME_PACKAGES = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libcups.so.2": "libcups2",
    "libXrender.so.1": "libxrender1",
    "libXi.so.6": "libxi6",
}

# What Qt loads to show and print the app's windows on X11 (relative to PySide6/Qt/plugins),
# and the binding modules ui/ imports.
PLUGIN_GLOBS = ("platforms/libqxcb.so", "xcbglintegrations/*.so", "printsupport/*.so",
                "platforminputcontexts/libcompose*.so", "platforminputcontexts/libibus*.so")
BINDINGS = ("QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtPdf", "QtPrintSupport",
            "QtCharts")


def pyside_dir() -> Path | None:
    """The installed PySide6 package directory (None when it is not installed)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def qt_binaries(root: Path | None = None) -> list[Path]:
    """The plugin and binding files whose libraries are checked."""
    root = root or pyside_dir()
    if root is None:
        return []
    plugins = root / "Qt" / "plugins"
    files = [f for pattern in PLUGIN_GLOBS for f in sorted(plugins.glob(pattern))]
    for name in BINDINGS:
        files.extend(sorted(root.glob(f"{name}.*.so")))
    return files


def missing_libraries(files: Iterable[Path]) -> dict[str, list[str]]:
    """Library name → the files that need it, for every library ``ldd`` reports
    "not found" (direct or indirect)."""
    missing: dict[str, list[str]] = {}
    for path in files:
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True,
                             check=False).stdout
        for line in out.splitlines():
            name, sep, where = line.strip().partition("=>")
            if sep and where.strip() == "not found":
                needers = missing.setdefault(name.strip(), [])
                if path.name not in needers:
                    needers.append(path.name)
    return missing


def packages_for(missing: Iterable[str]) -> list[str]:
    """The Debian packages that provide *missing* libraries (known ones only)."""
    return sorted({SONAME_PACKAGES[name] for name in missing if name in SONAME_PACKAGES})


def main(argv: list[str] | None = None) -> int:
    """Print what is missing and exit 1; ``--packages``: print only the package names."""
    args = sys.argv[1:] if argv is None else argv
    if shutil.which("ldd") is None:
        return 0  # not a glibc system: nothing to check this way
    files = qt_binaries()
    if not files:
        sys.stderr.write("platform_libs: PySide6 is not installed\n")
        return 1
    missing = missing_libraries(files)
    if "--packages" in args:
        print(" ".join(packages_for(missing)))
        return 0
    for name, needers in sorted(missing.items()):
        package = SONAME_PACKAGES.get(name, "?")
        sys.stderr.write(f"Qt cannot load: {name} not found (needed by {', '.join(needers)};"
                         f" Debian package {package})\n")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
