"""Money is integer fen, parsed exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.money import (
    CAPITAL_MAX_FEN,
    MAX_FEN,
    capital_yuan,
    format_yuan,
    parse_yuan,
    yuan_text,
)


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


# --- 大写金额 -----------------------------------------------------------------------------

CAPITALS = "零壹贰叁肆伍陆柒捌玖"


def read_capital(text: str) -> int:
    """An independent reading of a capital amount back to fen: the digits before each
    unit multiplied out, 零 carrying no value, sections closed by 亿 and 万."""
    whole, _, fraction = text.removesuffix("整").partition("元")
    if not _:  # no 元: an amount below one yuan
        whole, fraction = "", text.removesuffix("整")
    units = {"拾": 10, "佰": 100, "仟": 1000}
    total = section = digit = 0
    for ch in whole:
        if ch in CAPITALS:
            digit = CAPITALS.index(ch)
        elif ch in units:
            section += digit * units[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
        else:
            raise AssertionError(f"unexpected {ch!r} in {text}")
    yuan = total + section + digit
    fen = yuan * 100
    digit = 0
    for ch in fraction:
        if ch in CAPITALS:
            digit = CAPITALS.index(ch)
        elif ch == "角":
            fen += digit * 10
        elif ch == "分":
            fen += digit
        else:
            raise AssertionError(f"unexpected {ch!r} in {text}")
    return fen


@pytest.mark.parametrize("fen, text", [
    (0, "零元整"), (5, "伍分"), (10, "壹角整"), (50, "伍角整"), (55, "伍角伍分"),
    (100, "壹元整"), (150, "壹元伍角整"), (1000, "壹拾元整"), (1050, "壹拾元零伍角整"),
    (1500, "壹拾伍元整"), (10005, "壹佰元零伍分"), (12345, "壹佰贰拾叁元肆角伍分"),
    (32504, "叁佰贰拾伍元零肆分"), (100000, "壹仟元整"), (100100, "壹仟零壹元整"),
    (101000, "壹仟零壹拾元整"), (168032, "壹仟陆佰捌拾元零叁角贰分"),
    (1001000, "壹万零壹拾元整"), (1070000, "壹万零柒佰元整"),
    (1640902, "壹万陆仟肆佰零玖元零贰分"), (10700053, "壹拾万柒仟元零伍角叁分"),
    (10000000, "壹拾万元整"), (100000000, "壹佰万元整"), (1000000000, "壹仟万元整"),
    (10000000000, "壹亿元整"), (10000000100, "壹亿零壹元整"),
    (10001000000, "壹亿零壹万元整"), (11000000000, "壹亿壹仟万元整"),
    (99999999999999 // 100 * 100 + 99, "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
])
def test_capital_yuan_table(fen: int, text: str) -> None:
    assert capital_yuan(fen) == text
    assert read_capital(text) == fen


@pytest.mark.parametrize("bad", [-1, CAPITAL_MAX_FEN + 1])
def test_capital_yuan_refuses_what_it_cannot_write(bad: int) -> None:
    with pytest.raises(ValueError):
        capital_yuan(bad)


def test_capital_yuan_covers_every_amount_an_event_may_carry() -> None:
    assert capital_yuan(MAX_FEN) == "壹拾亿元整"


def _any_fen() -> st.SearchStrategy[int]:
    # Amounts with many zeros are where the 零 rules bite: draw digits from a zero-rich set.
    digits = st.lists(st.sampled_from("0000000123456789"), min_size=1, max_size=14)
    return st.one_of(st.integers(min_value=0, max_value=CAPITAL_MAX_FEN),
                     digits.map(lambda d: int("".join(d))))


@given(_any_fen())
def test_capital_yuan_reads_back_and_follows_the_convention(fen: int) -> None:
    text = capital_yuan(fen)
    assert read_capital(text) == fen
    assert set(text) <= set(CAPITALS + "拾佰仟万亿元角分整")
    assert "零零" not in text
    # 零 stands only between two written digits (never before a unit or at an end) ...
    assert not text.startswith("零") or text == "零元整"
    for unit in "拾佰仟万亿元角分整":
        assert f"零{unit}" not in text or text == "零元整"
    # ... every unit of ten and more has its digit written (壹拾, never 拾 alone) ...
    for i, ch in enumerate(text):
        if ch in "拾佰仟角分":
            assert i > 0 and text[i - 1] in CAPITALS[1:], text
    # ... 整 closes an amount without 分, and only then.
    assert text.endswith("分") == bool(fen % 10)
    assert text.endswith("整") == (not fen % 10)
    # Zeros inside the yuan digits are never silent: each run of zeros that separates two
    # non-zero digits within a group of four, or a zero 元 digit before 角, shows as 零.
    yuan, jiao, cents = fen // 100, fen // 10 % 10, fen % 10
    groups = [f"{yuan:012d}"[i:i + 4] for i in (0, 4, 8)]
    inner = sum(1 for g in groups if "0" in g.strip("0"))  # e.g. 1010 → 壹仟零壹拾
    zeros_needed = inner + (1 if yuan and jiao and yuan % 10 == 0 else 0) + (
        1 if yuan and cents and not jiao else 0)
    assert text.count("零") >= zeros_needed


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_capital_yuan_agrees_with_the_figures(fen: int) -> None:
    # The amount written in figures on the voucher and in capitals is the same amount.
    assert read_capital(capital_yuan(fen)) == parse_yuan(format_yuan(fen))
