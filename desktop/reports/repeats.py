"""The product key in the desk's SQL (its day cache, drill-down and the index
``tickets_report_products`` use this expression; keep them identical).

The rule is ``domain.products.product_key`` where it exists; this is its SQLite
spelling.
"""

from __future__ import annotations

# The product key: the SKU when there is one, else the product name lower-cased without
# spaces ("normalised"), so "Milk 1L" and "milk1l" are the same product. Also the
# expression of the index ``tickets_report_products`` (keep them identical).
PRODUCT_KEY_SQL = (
    "CASE WHEN product_sku IS NOT NULL AND product_sku != '' THEN 'sku:' || product_sku "
    "WHEN product_name IS NOT NULL AND trim(product_name) != '' "
    "THEN 'name:' || lower(replace(product_name, ' ', '')) END"
)
