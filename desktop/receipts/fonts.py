"""The receipt's fonts: the bundled CJK TrueType (embedded as a subset) plus Helvetica.

Droid Sans Fallback has CJK and CJK punctuation but no Latin letters or digits, so text
is drawn in runs: characters the CJK font has in it, the rest in Helvetica (a PDF base
font every reader has). Characters neither can show (emoji, rare symbols) become "?"
rather than an invisible box.
"""

from __future__ import annotations

from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from resources import cjk_font_path

CJK_FONT = "KesuCJK"
LATIN_FONT = "Helvetica"
REPLACEMENT = "?"


@cache
def cjk_font() -> TTFont:
    """Register the bundled CJK font with reportlab once per process (subset-embedded:
    reportlab writes only the glyphs a document uses)."""
    font = TTFont(CJK_FONT, str(cjk_font_path()))
    pdfmetrics.registerFont(font)
    return font


@cache
def _cjk_codepoints() -> frozenset[int]:
    return frozenset(cjk_font().face.charToGlyph)


def _latin_ok(ch: str) -> bool:
    # Helvetica as reportlab writes it uses WinAnsi (cp1252): anything outside is lost.
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return ch.isprintable()


def font_of(ch: str) -> str | None:
    """The font that draws *ch*, or None when neither can."""
    if ord(ch) in _cjk_codepoints() and not ch.isascii():
        return CJK_FONT
    if _latin_ok(ch):
        return LATIN_FONT
    return None


def printable(text: str) -> str:
    """*text* with what no receipt font can draw replaced; tabs and other control
    characters become spaces, line breaks stay."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append(ch)
        elif ch.isspace() or not ch.isprintable():
            out.append(" ")
        elif font_of(ch) is None:
            out.append(REPLACEMENT)
        else:
            out.append(ch)
    return "".join(out)


def runs(text: str) -> list[tuple[str, str]]:
    """Split printable *text* into (font name, text) runs."""
    result: list[tuple[str, str]] = []
    for ch in text:
        font = font_of(ch) or LATIN_FONT
        if result and result[-1][0] == font:
            result[-1] = (font, result[-1][1] + ch)
        else:
            result.append((font, ch))
    return result


class Measure:
    """Width of text at one size, character widths cached (layout asks for the same
    characters thousands of times; reportlab's stringWidth is per call)."""

    def __init__(self, size: float) -> None:
        self.size = size
        self._widths: dict[str, float] = {}

    def char(self, ch: str) -> float:
        """Width of one character in points."""
        w = self._widths.get(ch)
        if w is None:
            font = font_of(ch) or LATIN_FONT
            w = pdfmetrics.stringWidth(ch, font, self.size)
            self._widths[ch] = w
        return w

    def __call__(self, text: str) -> float:
        """Width of *text* in points."""
        return sum(self.char(ch) for ch in text)
