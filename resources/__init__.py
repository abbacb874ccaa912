"""Packaged data: default policy, message catalogues, fonts, Qt translations."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

# Droid Sans Fallback (Apache-2.0, see fonts/NOTICE): a TrueType (glyf) CJK font, so
# both Qt and reportlab can use and embed it on a machine with no Chinese fonts.
CJK_FONT_FILE = "DroidSansFallbackFull.ttf"
CJK_FONT_FAMILY = "Droid Sans Fallback"


def cjk_font_path() -> Path:
    """The bundled CJK TrueType font file."""
    return Path(str(resources.files("resources").joinpath("fonts", CJK_FONT_FILE)))


def translations_dir() -> Path:
    """Where the Qt translation sources (``.ts``) and compiled catalogues (``.qm``) live."""
    return Path(str(resources.files("resources").joinpath("i18n")))
