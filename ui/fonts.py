"""Chinese on screen everywhere: register the bundled CJK font when the system has none."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from resources import CJK_FONT_FAMILY, cjk_font_path


def system_has_chinese_font() -> bool:
    """True when some installed font covers Simplified Chinese."""
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    return any(f != CJK_FONT_FAMILY for f in families)


def ensure_cjk_font(app: QApplication) -> str | None:
    """Register the bundled font if no installed font covers Chinese; return its family.

    The font goes in as a fallback after the system's own UI font, so Latin text keeps
    the platform look and Chinese characters come from the bundled face.
    """
    if system_has_chinese_font():
        return None
    font_id = QFontDatabase.addApplicationFont(str(cjk_font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return None
    family = families[0]
    font = app.font()
    font.setFamilies([font.family(), family])
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    app.setFont(font)
    return family
