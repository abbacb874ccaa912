"""Near-duplicate text similarity: normalisation, range, near-identical vs different."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.similarity import normalise, text_similarity

ROOT = Path(__file__).resolve().parents[2]
with (ROOT / "resources" / "policy" / "default.json").open(encoding="utf-8") as _f:
    THRESHOLD: float = json.load(_f)["duplicates"]["text_similarity_threshold"]
CASES = Path(__file__).parent / "triage" / "triage_cases.jsonl"


def test_normalise_folds_width_case_and_drops_punctuation_space_and_emoji() -> None:
    assert normalise("ＡＢＣ１２３") == "abc123"
    assert normalise("  草莓，发霉了！！😡 \n") == "草莓发霉了"
    assert normalise("The Milk; is SOUR.") == "themilkissour"
    assert normalise("🙂🙂") == ""


def test_equal_after_normalising_scores_one() -> None:
    a = "收银台多收了我一瓶可乐的钱，小票上同一瓶扫了两次"
    assert text_similarity(a, a) == 1.0
    assert text_similarity(a, a.replace("，", "  ") + "😡！！") == 1.0


@pytest.mark.parametrize("a, b", [
    ("在生鲜区买的草莓，回家打开盒子下面一层全发霉了！！才买了两个小时",
     "生鲜区买的草莓回家打开盒子下面一层全都发霉了，才买了两个小时"),
    ("我妈在一楼入口处滑倒了，地上有水也没放警示牌，膝盖摔伤了",
     "我妈妈在一楼入口滑倒了，地上有水也没有放警示牌，膝盖摔伤了"),
    ("收银台多收了我一瓶可乐的钱，小票上同一瓶扫了两次",
     "收银台多收了我一瓶可乐的钱 小票上同一瓶扫了2次"),
    ("The air conditioning on the 3rd floor is not working",
     "The air-conditioning on the third floor is not working!"),
])
def test_near_identical_complaints_reach_the_policy_threshold(a: str, b: str) -> None:
    assert text_similarity(a, b) >= THRESHOLD


def test_different_complaints_stay_well_below() -> None:
    texts = [json.loads(line)["text"] for line in CASES.read_text("utf-8").splitlines()
             if line.strip()]
    worst = max(text_similarity(a, b) for a, b in itertools.combinations(texts, 2)
                if normalise(a) != normalise(b))
    assert worst < 0.6


def test_nothing_to_compare() -> None:
    assert text_similarity("", "") == 1.0
    assert text_similarity("😀", "😀") == 1.0
    assert text_similarity("😀", "😡") == 0.0
    assert text_similarity("草莓发霉了", "") == 0.0
    assert text_similarity("霉", "霉") == 1.0


@given(st.text(max_size=200), st.text(max_size=200))
def test_similarity_is_a_symmetric_score_in_range(a: str, b: str) -> None:
    s = text_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == text_similarity(b, a)
    if normalise(a):
        assert text_similarity(a, a) == 1.0


def test_long_texts_are_not_cached_but_still_compared() -> None:
    long_a = "超市鸡蛋坏了" * 1000
    assert text_similarity(long_a, long_a + "！") == 1.0
