"""Chinese line breaking: the rules as properties over generated text, and examples."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.receipts.fonts import Measure, printable
from desktop.receipts.layout import NO_LINE_END, NO_LINE_START, break_lines


def fixed_width(text: str) -> float:
    """A stand-in font: CJK 10, ASCII 5, spaces 3 (the property must hold for any)."""
    return sum(3 if ch.isspace() else 5 if ch.isascii() else 10 for ch in text)


PIECES = st.sampled_from([
    *"酸奶过期了孩子喝拉肚服务差", *"，。、！？：；」』）】》〉”", *"「『（【《〈“",
    *",.!?:;)]}([{", " ", "\n", "ABC", "12.50", "XT01-D2-20261122-0001", "12315", "a",
])
TEXTS = st.lists(PIECES, max_size=60).map("".join)


def soft_breaks(lines: list[str]) -> list[tuple[str, str]]:
    """(line before, line after) for each break the function chose (not a hard "\\n")."""
    return [(a, b) for a, b in pairwise(lines) if not a.endswith("\n")]


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.integers(min_value=12, max_value=200))
def test_lines_join_back_to_the_input(text: str, max_width: int) -> None:
    assert "".join(break_lines(text, fixed_width, max_width)) == text


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.integers(min_value=12, max_value=200))
def test_no_line_starts_with_closing_punctuation(text: str, max_width: int) -> None:
    for before, after in soft_breaks(break_lines(text, fixed_width, max_width)):
        assert after[:1] not in NO_LINE_START, (before, after)
        assert not after[:1].isspace(), (before, after)
        assert before.rstrip()[-1:] not in NO_LINE_END, (before, after)


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.integers(min_value=12, max_value=200))
def test_lines_fit_unless_they_cannot_break(text: str, max_width: int) -> None:
    for line in break_lines(text, fixed_width, max_width):
        body = line.rstrip("\n").rstrip()
        if fixed_width(body) <= max_width:
            continue
        # An overflowing line has no place where the rules would let it break.
        legal = [i for i in range(1, len(body)) if body[i] not in NO_LINE_START
                 and not body[i].isspace() and body[:i].rstrip()[-1:] not in NO_LINE_END]
        assert legal == [], (line, legal)


def test_cjk_breaks_between_characters() -> None:
    assert break_lines("酸奶过期了孩子", fixed_width, 30) == ["酸奶过", "期了孩", "子"]


def test_comma_takes_the_character_before_it_down() -> None:
    # 过， does not fit on the first line; the comma may not start the next, so 过 goes too.
    assert break_lines("酸奶过，期了", fixed_width, 30) == ["酸奶", "过，期", "了"]


def test_opening_bracket_goes_down_with_its_text() -> None:
    lines = break_lines("酸奶（过期）了", fixed_width, 30)
    assert lines[0] == "酸奶"
    assert lines[1].startswith("（过")


def test_ascii_words_and_numbers_stay_whole() -> None:
    lines = break_lines("价格12.50元，ABC超市", fixed_width, 40)
    assert "".join(lines) == "价格12.50元，ABC超市"
    assert any("12.50" in line for line in lines)
    assert any("ABC" in line for line in lines)


def test_ticket_number_wider_than_the_line_is_cut_not_lost() -> None:
    number = "XT01-D2-20261122-0001"
    lines = break_lines(number, fixed_width, 40)
    assert "".join(lines) == number and len(lines) > 1


def test_hard_line_breaks_are_kept() -> None:
    assert break_lines("第一行\n。第二行\n", fixed_width, 200) == ["第一行\n", "。第二行\n"]
    assert break_lines("", fixed_width, 50) == [""]


def test_measured_with_the_embedded_font() -> None:
    measure = Measure(9)
    text = printable("酸奶过期了，孩子喝了拉肚子。（很严重！）我要投诉到12315，价格12.50元。")
    lines = break_lines(text, measure, 72 * 72 / 25.4)
    assert len(lines) > 1
    assert all(measure(line.rstrip()) <= 72 * 72 / 25.4 for line in lines)
    assert all(line[:1] not in NO_LINE_START for line in lines)


def test_unprintable_characters_are_replaced() -> None:
    assert printable("好😀\tA") == "好? A"
