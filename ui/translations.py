"""Loading the UI language: Kesu's own catalogue plus Qt's for standard buttons.

Source strings are English (Qt's convention, so ``lupdate`` and translators can work with
them); Simplified Chinese is the default language and comes from
``resources/i18n/kesu_zh_CN.qm``. Domain words (states, roles, categories) come from the
core's catalogues and the policy, so the command line and the app say the same thing.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from desktop.i18n import DEFAULT_LANGUAGE, LANGUAGES
from resources import translations_dir

_installed: list[QTranslator] = []


def qm_path(language: str) -> str:
    """The compiled catalogue of *language* (there is none for English, the source)."""
    return str(translations_dir() / f"kesu_{language}.qm")


def install_language(language: str) -> str:
    """Make *language* the application's language; return the one installed.

    Unknown languages fall back to Chinese. Replaces translators installed earlier, so the
    login screen can switch language before anyone logs in. The core's messages (limits,
    refusals, receipts' reprint marks) follow too: they read ``KESU_LANG``.
    """
    app = QCoreApplication.instance()
    assert app is not None, "create the QApplication first"
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if language != "en":
        own = QTranslator(app)
        if not own.load(qm_path(language)):
            raise FileNotFoundError(qm_path(language))
        qt = QTranslator(app)
        if qt.load(f"qtbase_{language}",
                   QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            _installed.append(qt)
        _installed.append(own)
        for t in _installed:
            app.installTranslator(t)
    os.environ["KESU_LANG"] = language
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China)
                       if language == "zh_CN" else QLocale(QLocale.Language.English))
    return language
