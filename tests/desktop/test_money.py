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


@pytest.mark.parametrize("text, fen", [
    ("12.5", 1250), ("12.50", 1250), ("¥12.5", 1250), ("￥12.50", 1250), ("１２．５", 1250),
    ("１２．５０元", 1250), ("12,345.60", 1234560), ("1,000", 100000), (".5", 50),
    ("12.500", 1250), (12.5, 1250),
])
def test_people_write_amounts_like_this(text: object, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("bad, code", [
    ("12,5", "input.amount_decimal_comma"), ("4,99", "input.amount_decimal_comma"),
    ("1,00,000", "input.amount_decimal_comma"), ("1e9", "input.amount_format"),
    ("1E2", "input.amount_format"), ("１ｅ９", "input.amount_format"),
    (1e16, "input.amount_format"), ("+5", "input.amount_format"),
    ("12。5", "input.amount_format"), ("-3", "input.amount_negative"),
    ("abc", "input.amount_not_number"), ("٣", "input.amount_format"),
])
def test_other_forms_are_refused_saying_which_form_is_expected(bad: object, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_yuan(bad, "amount")
    assert refused.value.code == code


def test_the_policy_maximum_bounds_every_amount() -> None:
    assert parse_yuan("100000", max_fen=10_000_000) == 10_000_000
    with pytest.raises(InvalidInput) as refused:
        parse_yuan("100000.01", "amount_paid", max_fen=10_000_000)
    assert refused.value.code == "input.amount_too_large"
    assert refused.value.params["max"] == "¥100,000.00"
