"""Chinese shows on a fresh machine (bundled font) and on a Chinese desktop (system fonts).

Each font world is a fontconfig file whose only font directory holds what that world has
installed; the app starts in a subprocess under it, so no system font is required here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from resources import CJK_FONT_FAMILY, cjk_font_path

ROOT = Path(__file__).resolve().parents[2]
OTHER_FAMILY = "Kesux Sans Fallback"  # a CJK family of another name, as Noto Sans CJK is


def _font_world(tmp_path: Path, world: str) -> Path:
    """A fontconfig file for *world*: ``none`` (no Chinese font), ``droid`` (the bundled
    family installed as a system font, as fonts-droid-fallback does) or ``other`` (a CJK
    family of another name)."""
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    if world == "droid":
        shutil.copy(cjk_font_path(), fonts / "DroidSansFallbackFull.ttf")
    elif world == "other":
        # The same outlines under another family name: the name table's UTF-16 strings.
        data = cjk_font_path().read_bytes()
        renamed = data.replace("Droid".encode("utf-16-be"), "Kesux".encode("utf-16-be"))
        assert renamed != data
        (fonts / "KesuxSansFallback.ttf").write_bytes(renamed)
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{fonts}</dir>\n  <cachedir>{tmp_path / 'cache'}</cachedir>\n"
        "</fontconfig>\n", encoding="utf-8")
    return config


def _env(config: Path) -> dict[str, str]:
    return {**os.environ, "FONTCONFIG_FILE": str(config), "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": str(ROOT)}


def _run_world(tmp_path: Path, world: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "tests.ui.font_world"], cwd=ROOT,
                          env=_env(_font_world(tmp_path, world)), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_without_chinese_fonts_the_bundled_one_is_registered(tmp_path: Path) -> None:
    world = _run_world(tmp_path, "none")
    assert world["system_families"] == []
    assert world["registered"] == world["again"] == CJK_FONT_FAMILY
    assert CJK_FONT_FAMILY in world["app_families"]
    assert world["glyph_families"] == [CJK_FONT_FAMILY]


def test_droid_sans_fallback_installed_as_a_system_font_is_used_as_is(tmp_path: Path
                                                                        ) -> None:
    # The system font has the bundled font's own name: it is the system's, not ours.
    world = _run_world(tmp_path, "droid")
    assert world["system_families"] == [CJK_FONT_FAMILY]
    assert world["registered"] is None and world["again"] is None
    assert CJK_FONT_FAMILY not in world["app_families"]
    assert world["glyph_families"] == [CJK_FONT_FAMILY]


def test_another_system_cjk_font_shows_chinese_and_nothing_is_registered(tmp_path: Path
                                                                          ) -> None:
    world = _run_world(tmp_path, "other")
    assert world["system_families"] == [OTHER_FAMILY]
    assert world["registered"] is None and world["again"] is None
    assert world["glyph_families"] == [OTHER_FAMILY]


@pytest.mark.parametrize("world", ["droid", "other"])
def test_the_font_test_passes_on_a_chinese_desktop(tmp_path: Path, world: str) -> None:
    # The suite's own font test, run where the system has Chinese fonts of its own.
    test = "tests/ui/test_foundation.py::test_bundled_font_gives_chinese_glyphs"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           test], cwd=ROOT, env=_env(_font_world(tmp_path, world)),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
