"""The product key equals SQLite's evaluation of the desk's PRODUCT_KEY_SQL; the
cross-store alert rule at its boundaries; the policy's ``alerts`` section."""

from __future__ import annotations

import copy
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.reports.repeats import PRODUCT_KEY_SQL
from domain.errors import PolicyInvalid
from domain.policy import AlertsPolicy, parse_policy
from domain.products import Mention, alert_window, product_key

DEFAULT = json.loads(
    (Path(__file__).parents[2] / "resources" / "policy" / "default.json").read_text("utf-8"))

SKUS = [None, "", " ", "6901234567890", "ABC-1", "Ａ１", "牛奶"]
NAMES = [None, "", " ", "   ", "Milk 1L", "milk1l", " MILK 1L ", "纯牛奶 1L", "纯牛奶",
         "ＭＩＬＫ　１Ｌ", "Ünïcode Ä", "ÀÉÎ", "a\tb", "蒙牛 纯牛奶 250ml", "\u3000", "Straße",
         "ΣΑΣ", "İstanbul", "Z z", "@[`{"]


def _sqlite_key(conn: sqlite3.Connection, sku: str | None, name: str | None) -> str | None:
    value = conn.execute(
        f"SELECT {PRODUCT_KEY_SQL} FROM (SELECT ? AS product_sku, ? AS product_name)",
        (sku, name)).fetchone()[0]
    return None if value is None else str(value)


def test_product_key_equals_sqlite_on_many_inputs() -> None:
    conn = sqlite3.connect(":memory:")
    checked = 0
    for sku in SKUS:
        for name in NAMES:
            assert product_key(sku, name) == _sqlite_key(conn, sku, name), (sku, name)
            checked += 1
    # Every printable BMP character once, as a name and in a longer name.
    for code in range(0x20, 0x3100):
        ch = chr(code)
        for name in (ch, f"A{ch} B"):
            assert product_key(None, name) == _sqlite_key(conn, None, name), repr(name)
            checked += 1
    assert checked > 20000


def test_product_key_examples() -> None:
    assert product_key("690", "Milk") == "sku:690"
    assert product_key("", "Milk 1L") == "name:milk1l"
    assert product_key(None, "ＭＩＬＫ 1L") == "name:ＭＩＬＫ1l"  # full-width kept as is
    assert product_key(None, "   ") is None
    assert product_key(None, None) is None


T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def _m(store: str, hours: float, n: int = 0) -> Mention:
    return Mention(store, f"{store}-{hours}-{n}", T0 + timedelta(hours=hours))


def test_alert_needs_n_distinct_stores() -> None:
    two = [_m("S1", 0), _m("S2", 1), _m("S2", 2), _m("S1", 3)]
    assert alert_window(two, 3, 7) is None  # N-1 stores, many tickets
    window = alert_window([*two, _m("S3", 5)], 3, 7)
    assert window is not None
    assert window.stores == ("S1", "S2", "S3")
    assert window.last == T0 + timedelta(hours=5)
    assert window.tickets == 5


def test_alert_window_is_under_m_days() -> None:
    just_inside = [_m("S1", 0), _m("S2", 24), _m("S3", 7 * 24 - 0.01)]
    assert alert_window(just_inside, 3, 7) is not None
    exactly_m = [_m("S1", 0), _m("S2", 24), _m("S3", 7 * 24)]
    assert alert_window(exactly_m, 3, 7) is None
    spread = [_m("S1", 0), _m("S2", 4 * 24), _m("S3", 8 * 24)]
    assert alert_window(spread, 3, 7) is None
    # A fourth store later brings S2, S3, S4 within 7 days: the window starts at S2.
    window = alert_window([*spread, _m("S4", 9 * 24)], 3, 7)
    assert window is not None and window.stores == ("S2", "S3", "S4")
    assert window.first == T0 + timedelta(days=4)


def test_alert_order_of_mentions_does_not_matter() -> None:
    ms = [_m("S3", 50), _m("S1", 0), _m("S2", 30)]
    assert alert_window(ms, 3, 7) == alert_window(list(reversed(ms)), 3, 7)


def test_policy_alerts_section() -> None:
    assert parse_policy(copy.deepcopy(DEFAULT)).alerts == AlertsPolicy(3, 7)
    doc = copy.deepcopy(DEFAULT)
    del doc["alerts"]
    assert parse_policy(doc).alerts == AlertsPolicy()
    doc["alerts"] = {"product_days": 14}
    assert parse_policy(doc).alerts == AlertsPolicy(3, 14)
    for bad, path in (({"product_stores": 1}, "alerts.product_stores"),
                      ({"product_stores": "3"}, "alerts.product_stores"),
                      ({"product_days": 0}, "alerts.product_days"),
                      ({"product_days": 400}, "alerts.product_days")):
        doc["alerts"] = bad
        with pytest.raises(PolicyInvalid) as err:
            parse_policy(doc)
        assert path in str(err.value.params), err.value.params
