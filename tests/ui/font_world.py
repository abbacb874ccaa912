"""What the app does about Chinese fonts in one font world, printed as JSON.

Run as ``python -m tests.ui.font_world`` with ``FONTCONFIG_FILE`` naming a fontconfig file
whose font directories make the world (no Chinese font, Droid Sans Fallback installed as
a system font, another CJK family installed). Also used in-process by the tests.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtGui import QFont, QFontDatabase, QTextLayout
from PySide6.QtWidgets import QApplication

SAMPLE = "客诉受理中文"


def glyph_families(font: QFont, text: str = SAMPLE) -> list[str]:
    """The families whose glyphs draw *text* in *font* (after Qt's fallback); fails when
    a character has no glyph (index 0: the empty box)."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    families: list[str] = []
    drawn = 0
    for run in layout.glyphRuns():
        indexes = list(run.glyphIndexes())
        assert indexes and 0 not in indexes, f"{text!r} has missing glyphs: {indexes}"
        drawn += len(indexes)
        families.append(run.rawFont().familyName())
    assert drawn == len(text), f"only {drawn} of {len(text)} characters drawn"
    return families


def main() -> int:
    """Start a QApplication, let the app pick its Chinese font, report what it did."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    from ui.fonts import ensure_cjk_font

    before = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    registered = ensure_cjk_font(app)
    again = ensure_cjk_font(app)
    print(json.dumps({
        "system_families": before, "registered": registered, "again": again,
        "app_families": app.font().families(), "glyph_families": glyph_families(app.font()),
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
