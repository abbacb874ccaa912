"""Money as integer fen. Yuan amounts from people are parsed exactly, never via float."""

from __future__ import annotations

import math
import re
import unicodedata

from desktop.errors import InvalidInput
from local_db.event_schema import MAX_FEN

__all__ = ["MAX_FEN", "format_yuan", "parse_yuan", "yuan_text"]

# What staff type: digits, one decimal point, at most two decimals that matter.
_AMOUNT = re.compile(r"^([0-9]{1,15})(?:\.([0-9]*))?\Z|^\.([0-9]+)\Z")
# A comma only ever groups thousands: 1,000 and 12,345.60, never 12,5 or 4,99.
_GROUPED = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?\Z")
_CURRENCY = ("¥", "元", "CNY", "RMB")


def _refuse(code: str, field: str, value: object, **params: object) -> InvalidInput:
    return InvalidInput(code, field=field, value=str(value)[:40], **params)


def parse_yuan(value: object, field: str = "amount", max_fen: int | None = None) -> int:
    """Convert a yuan amount (``"12.5"``, ``12``, ``"¥1,000.00"``, ``"１２．５"``) to fen.

    Full-width digits and signs are read as their ASCII forms. Refuses, with
    :class:`InvalidInput` naming *field* and the form expected: a decimal comma
    (``12,5``), exponents (``1e9``), signs, more than two decimals, and amounts above
    *max_fen* (the policy's ``compensation.max_amount_fen``; without it, the most an
    event may carry).
    """
    if isinstance(value, bool) or value is None:
        raise _refuse("input.amount_not_number", field, value)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _refuse("input.amount_not_number", field, value)
        text = repr(value)  # 1e+16 stays an exponent, and is refused as one
    elif isinstance(value, str):
        text = value
    else:
        raise _refuse("input.amount_not_number", field, value)
    text = unicodedata.normalize("NFKC", text).strip()
    for sign in _CURRENCY:
        text = text.replace(sign, "")
    text = text.strip()
    if text.startswith("-") and _AMOUNT.match(text[1:].replace(",", "")):
        raise _refuse("input.amount_negative", field, value)
    if "," in text:
        if not _GROUPED.match(text):
            raise _refuse("input.amount_decimal_comma", field, value)
        text = text.replace(",", "")
    match = _AMOUNT.match(text)
    if match is None:
        kind = "input.amount_format" if any(ch.isdecimal() for ch in text) else (
            "input.amount_not_number")
        raise _refuse(kind, field, value)
    whole, decimals = (match.group(1) or "0"), (match.group(2) or match.group(3) or "")
    if decimals[2:].strip("0"):
        raise _refuse("input.amount_too_precise", field, value)
    fen = int(whole) * 100 + int(decimals[:2].ljust(2, "0"))
    limit = MAX_FEN if max_fen is None else min(max_fen, MAX_FEN)
    if fen > limit:
        raise _refuse("input.amount_too_large", field, value, max=yuan_text(limit))
    return fen


def format_yuan(fen: int) -> str:
    """``12345`` → ``"123.45"``."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def yuan_text(fen: int) -> str:
    """``123450`` → ``"¥1,234.50"``: money as reports and dashboards show it."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"
