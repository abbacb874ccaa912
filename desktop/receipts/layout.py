"""Line breaking for Chinese text mixed with ASCII (a small subset of JIS X 4051 / CLREQ).

A line may break between any two CJK characters, but never before closing punctuation
(，。、！？ and closing brackets: 行头禁则) and never after an opening bracket (行尾禁则);
ASCII words and numbers stay whole when they fit. The function is pure: it takes the
width of a string as a callable, so it is tested without a PDF and measured with the
embedded font when drawing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Characters that may not begin a line: they hang on to the text before them.
NO_LINE_START = frozenset(
    "，。、！？：；」』）】》〉〕〗〙〛｝］”’〞〟…‥·・ー～%"
    "々〻ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
    ",.!?:;)]}"
)
# Characters that may not end a line: they go down with the text after them.
NO_LINE_END = frozenset("「『（【《〈〔〖〘〚｛［“‘〝([{")

# One ASCII word or number ("12.50", "XT01-D2-20261122-0001", "138****5678"): its inner
# punctuation belongs to it, a trailing dot or comma does not.
_ASCII_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-/@*#%+&'=~]*[A-Za-z0-9*%]|[A-Za-z0-9]")

Width = Callable[[str], float]


def _units(paragraph: str) -> list[str]:
    """Split a paragraph into the smallest pieces a line may break between."""
    units: list[str] = []
    i = 0
    while i < len(paragraph):
        match = _ASCII_WORD.match(paragraph, i)
        if match:
            units.append(match.group())
            i = match.end()
        else:
            units.append(paragraph[i])
            i += 1
    return units


def _clusters(paragraph: str) -> list[str]:
    """Join units that must stay on one line: closing marks and spaces hang on the unit
    before them, and an opening bracket goes with the unit after it."""
    clusters: list[str] = []
    glue_next = False
    for unit in _units(paragraph):
        attach = bool(clusters) and (glue_next or unit in NO_LINE_START or unit.isspace())
        if attach:
            clusters[-1] += unit
        else:
            clusters.append(unit)
        # An opening bracket holds on to what follows it, through any spaces.
        glue_next = unit in NO_LINE_END or (glue_next and unit.isspace())
    return clusters


def _legal_break(text: str, i: int) -> bool:
    """May a line inside one over-long cluster end just before ``text[i]``?"""
    return (0 < i < len(text) and text[i] not in NO_LINE_START
            and not text[i].isspace() and text[:i].rstrip()[-1:] not in NO_LINE_END)


def _split_long(cluster: str, width: Width, max_width: float) -> list[str]:
    """Cut a cluster wider than a line (a long number, a run of hanging punctuation) at the
    legal places nearest the width; where there is none the piece overflows, since breaking
    a rule would be worse than a glyph in the margin."""
    pieces: list[str] = []
    rest = cluster
    while rest and width(rest.rstrip()) > max_width:
        cut = 0
        for i in range(1, len(rest)):
            if not _legal_break(rest, i):
                continue
            if width(rest[:i].rstrip()) <= max_width or cut == 0:
                cut = i
            if width(rest[:i].rstrip()) > max_width:
                break
        if cut == 0:
            break
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces


def _wrap_paragraph(paragraph: str, width: Width, max_width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    line_width = 0.0  # including its trailing spaces, which count once text follows them
    for cluster in _clusters(paragraph):
        # Trailing spaces cost nothing: they vanish at the end of a printed line.
        if line_width + width(cluster.rstrip()) <= max_width:
            line += cluster
            line_width += width(cluster)
            continue
        if line:
            lines.append(line)
        pieces = _split_long(cluster, width, max_width)
        lines.extend(pieces[:-1])
        line = pieces[-1]
        line_width = width(line)
    if line or not lines:
        lines.append(line)
    return lines


def break_lines(text: str, width: Width, max_width: float) -> list[str]:
    """Break *text* into lines no wider than *max_width* where the rules allow.

    ``"".join(result) == text``: a hard line break stays at the end of its line (strip
    it when drawing). No line starts with :data:`NO_LINE_START` unless the text or a
    paragraph starts with it, and no soft break follows :data:`NO_LINE_END`.
    """
    lines: list[str] = []
    paragraphs = text.split("\n")
    for n, paragraph in enumerate(paragraphs):
        wrapped = _wrap_paragraph(paragraph, width, max_width)
        if n < len(paragraphs) - 1:
            wrapped[-1] += "\n"
        elif paragraph == "" and n > 0:
            continue  # the text ends with a line break: no empty line after it
        lines.extend(wrapped)
    return lines
