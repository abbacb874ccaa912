"""Chinese on screen everywhere: register the bundled CJK font when the system has none.

Store PCs in China have Chinese system fonts (Noto Sans CJK, WenQuanYi, or Droid Sans
Fallback itself, the family we bundle); a fresh Debian has none. Which world we are in is
decided once, before the bundled font is registered, so a system font with the bundled
font's own family name counts as a system font too.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from resources import cjk_font_path

# The family registered from resources/fonts, once per process (empty: not registered).
_registered: list[str] = []


def system_has_chinese_font() -> bool:
    """True when some installed (system, not bundled) font covers Simplified Chinese."""
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    if not _registered:
        return bool(families)
    # We register only when no family covered Chinese, so afterwards the system has a
    # Chinese font of its own only if some other family covers it (one installed since).
    return any(f not in _registered for f in families)


def bundled_family() -> str | None:
    """The family this process registered from the bundled font file, if it did."""
    return _registered[0] if _registered else None


def ensure_cjk_font(app: QApplication) -> str | None:
    """Register the bundled font if no installed font covers Chinese; return its family
    (``None`` when the system's own fonts show Chinese). Calling it again is harmless.

    The font goes in as a fallback after the system's own UI font, so Latin text keeps
    the platform look and Chinese characters come from the bundled face.
    """
    family = bundled_family()
    if family is None:
        if system_has_chinese_font():
            return None  # the system's fonts show Chinese; Qt falls back to them itself
        font_id = QFontDatabase.addApplicationFont(str(cjk_font_path()))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if not families:
            return None
        family = families[0]
        _registered.append(family)
    font = app.font()
    if family not in font.families():
        font.setFamilies([font.family(), family])
        font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
        app.setFont(font)
    return family
