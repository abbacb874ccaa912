"""Money as integer fen. Yuan amounts from people are parsed exactly, never via float."""

from __future__ import annotations

import math
import re
import unicodedata

from domain.errors import InvalidInput
from domain.event_schema import MAX_FEN

__all__ = ["MAX_FEN", "capital_yuan", "format_yuan", "parse_yuan", "yuan_text"]

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


def yuan_amount(fen: int) -> str:
    """``120000`` → ``"¥1200.00"``: an amount inside a sentence (notifications, the
    customer's progress page), without digit grouping."""
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{format_yuan(abs(fen))}"


def yuan_text(fen: int) -> str:
    """``123450`` → ``"¥1,234.50"``: money as reports and dashboards show it."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


# 人民币大写: the digits and units of the convention for cheques and vouchers (中国人民银行
# 《正确填写票据和结算凭证的基本规定》), which make an amount hard to alter.
CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_IN_GROUP = ("仟", "佰", "拾", "")  # units of a four-digit group, thousands first
_GROUPS = ("亿", "万", "")  # groups of four digits, highest first
CAPITAL_MAX_FEN = 10**12 * 100 - 1  # 9999亿…: beyond any amount an event may carry


def _capital_group(value: int) -> str:
    """1..9999 in capitals: 壹仟零壹, 壹拾 (the 壹 is always written, so 拾 cannot be
    turned into 叁拾); a run of zeros inside is one 零, trailing zeros are not written."""
    text = ""
    zero = False
    for digit, unit in zip(f"{value:04d}", _IN_GROUP, strict=True):
        if digit == "0":
            zero = bool(text)  # a zero after a written digit, kept only if a digit follows
            continue
        if zero:
            text += "零"
            zero = False
        text += CAPITAL_DIGITS[int(digit)] + unit
    return text


def capital_yuan(fen: int) -> str:
    """An amount in fen as Chinese capital numerals (大写金额), without the "人民币" prefix.

    ``100000`` → ``壹仟元整``, ``12345`` → ``壹佰贰拾叁元肆角伍分``, ``100005`` →
    ``壹仟元零伍分``, ``5`` → ``伍分``, ``0`` → ``零元整``. The rules of the convention: 整
    after 元 and after 角 when no 分 follows (never after 分); a run of zeros between
    digits is one 零 (壹仟零壹元); a zero 元 digit before 角, and a zero 角 between 元 and
    分, are written 零 (壹拾元零伍角整, 壹佰元零伍分); a group of four digits below 壹仟
    after a higher group starts with 零 (壹万零壹拾元整), a zero group is one 零 before
    the next digit (壹亿零壹元整). Raises ``ValueError`` for a negative amount or one of
    a trillion yuan or more.
    """
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("fen must be an int")
    if fen < 0 or fen > CAPITAL_MAX_FEN:
        raise ValueError(f"no capital form for {fen} fen")
    yuan, jiao, cents = fen // 100, fen // 10 % 10, fen % 10
    text = ""
    gap = False  # zeros have been passed since the last written digit
    for index, unit in enumerate(_GROUPS):
        group = yuan // 10 ** (4 * (len(_GROUPS) - 1 - index)) % 10_000
        if group == 0:
            gap = gap or bool(text)
            continue
        if text and (gap or group < 1000):
            text += "零"
        text += _capital_group(group) + unit
        gap = False
    if yuan:
        text += "元"
    if jiao:
        if yuan and yuan % 10 == 0:
            text += "零"
        text += CAPITAL_DIGITS[jiao] + "角"
    elif cents and yuan:
        text += "零"
    if cents:
        return text + CAPITAL_DIGITS[cents] + "分"
    return (text or "零元") + "整"
