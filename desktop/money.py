"""Money as integer fen. Yuan amounts from people are parsed exactly, never via float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from desktop.errors import InvalidInput

# Far above any real complaint; stops a mistyped 10^20 from reaching SQLite.
MAX_FEN = 10**11


def parse_yuan(value: object, field: str = "amount") -> int:
    """Convert a yuan amount (``"12.5"``, ``12``, ``"¥1,000.00"``) to integer fen.

    Refuses negative, not-a-number, infinite, more than two decimals and absurd values
    with :class:`InvalidInput` naming *field*.
    """
    if isinstance(value, bool) or value is None:
        raise InvalidInput("input.amount_not_number", field=field, value=str(value))
    text = str(value).strip().replace(",", "").replace("，", "")
    for sign in ("¥", "￥", "元", "CNY", "RMB"):
        text = text.replace(sign, "")
    text = text.strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput("input.amount_not_number", field=field, value=str(value)) from None
    if not amount.is_finite():
        raise InvalidInput("input.amount_not_number", field=field, value=str(value))
    if amount < 0:
        raise InvalidInput("input.amount_negative", field=field, value=str(value))
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise InvalidInput("input.amount_too_precise", field=field, value=str(value))
    if fen > MAX_FEN:
        raise InvalidInput("input.amount_too_large", field=field, value=str(value))
    return int(fen)


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
