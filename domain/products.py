"""The product key: which complaints are about the same product.

The SKU when there is one, else the product name with ASCII letters lower-cased and
spaces removed, so "Milk 1L" and "milk1l" are one product. The desk spells it in SQL
(``desktop.reports.repeats.PRODUCT_KEY_SQL``, SQLite's lower() only lowers ASCII).
"""

from __future__ import annotations

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def product_key(sku: str | None, name: str | None) -> str | None:
    """The key of a product given by *sku* and/or *name*; None when neither is given."""
    if sku:
        return f"sku:{sku}"
    if name is not None and name.strip(" ") != "" and name.strip() != "":
        return "name:" + name.replace(" ", "").translate(_ASCII_LOWER)
    return None
