"""Money is integer fen, parsed exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.errors import InvalidInput
from desktop.money import format_yuan, parse_yuan, yuan_text


@pytest.mark.parametrize("text, fen", [
    ("12.5", 1250), ("0.01", 1), ("200", 20000), ("¥1,000.00", 100000), (12, 1200),
    ("  3.10元 ", 310), ("0.1", 10),
])
def test_parse(text, fen) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("bad", ["-1", "NaN", "nan", "Infinity", "1.001", "", "abc", None,
                                 True, "1e30", "--1"])
def test_refuse(bad) -> None:
    with pytest.raises(InvalidInput):
        parse_yuan(bad)


@given(st.integers(min_value=0, max_value=10**10))
def test_round_trip(fen: int) -> None:
    assert parse_yuan(format_yuan(fen)) == fen


@pytest.mark.parametrize("fen, text", [
    (0, "¥0.00"), (5, "¥0.05"), (123450, "¥1,234.50"), (-123450, "-¥1,234.50"),
    (100_000_000_00, "¥100,000,000.00")])
def test_yuan_text_groups_thousands_with_integers(fen: int, text: str) -> None:
    assert yuan_text(fen) == text
