"""Customer phone numbers: one normal form and one mask, for the desk and the centre.

Kept apart from intake and policy so every surface that shows a number (receipts,
queues, the centre's progress page, the privacy policy's rules) masks it the same way.
"""

from __future__ import annotations

import re

from domain.errors import InvalidInput

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")
_SERVICE = re.compile(r"^[48]00\d{7}$")


def normalise_phone(value: object) -> str | None:
    """A mainland mobile, landline or 400/800 number, digits only; ``None`` when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    digits = re.sub(r"[\s\-()（）]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits.isascii() or not digits.isdigit():
        raise InvalidInput("input.bad_phone", value=text[:40])
    if not (_MOBILE.match(digits) or _LANDLINE.match(digits) or _SERVICE.match(digits)):
        raise InvalidInput("input.bad_phone", value=text[:40])
    return digits


def mask_phone(phone: str | None) -> str | None:
    """``13812345678`` → ``138****5678``: enough to recognise, not to call.

    For receipts, lists and the customer's progress page alike. Separators are dropped
    first (``138-1234-5678`` masks the same), and a number of seven digits or fewer is
    all stars: its first three and last four would show it whole.
    """
    if not phone:
        return None
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
