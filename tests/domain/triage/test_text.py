"""The one normalised form triage reads: OpenCC, full width, spoken digits, platforms,
emoji, repeats; and the policy's words read alike."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from domain.triage import ComplaintInput, Triage, TriagePolicyError, TriageRules
from domain.triage.text import Normaliser, collapse_repeats, parse_normaliser, to_simplified

POLICY: dict[str, Any] = json.loads(
    (Path(__file__).parents[3] / "resources" / "policy" / "default.json").read_text("utf-8"))
SHIPPED = parse_normaliser(POLICY["triage"])


@pytest.mark.parametrize("traditional, simplified", [
    ("買的麵包裡面有頭髮", "买的面包里面有头发"),
    ("鮮乳倒進杯子裡一塊一塊的", "鲜乳倒进杯子里一块一块的"),
    ("店員態度很差，我要向消費者協會投訴", "店员态度很差，我要向消费者协会投诉"),
    ("蒼蠅到處飛", "苍蝇到处飞"),
])
def test_traditional_characters_become_simplified_with_opencc(
        traditional: str, simplified: str) -> None:
    assert to_simplified(traditional) == simplified
    assert to_simplified(simplified) == simplified  # simplified text is left alone


@pytest.mark.parametrize("text, expected", [
    ("ＭＩＬＫ　ＩＳ　ＥＸＰＩＲＥＤ", "milk is expired"),  # full width → half width, lower case
    ("打１２３１５", "打12315"),
    ("面 包 发 霉 了", "面包发霉了"),  # spaces between Chinese characters dropped
    ("我要打幺二三幺五", "我要打12315"),  # spoken digits
    ("一二三一五", "12315"),
    ("直接打幺幺零", "直接打110"),
    ("1 2 3 1 5", "12315"),
    ("12-315", "12315"),
    ("两三个人", "两三个人"),  # a run of two numerals is a count, not digits
    ("一共十二块五", "一共十二块五"),  # numbers with units stay as they are
    ("买了12.5元的", "买了12.5元的"),  # a decimal point is not a digit separator
])
def test_widths_spaces_and_spoken_digits(text: str, expected: str) -> None:
    assert SHIPPED.normalise(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("我要发dy曝光你们", "我要发抖音曝光你们"),
    ("发某音", "发抖音"),
    ("挂到小红薯上", "挂到小红书上"),
    ("上xhs说说", "上小红书说说"),
    ("发WB", "发微博"),
    ("我发围脖", "我发微博"),
    ("去大众点评", "去大众点评"),  # the platform's own name is kept whole
    ("the body is ready today", "the body is ready today"),  # dy inside a word stays
])
def test_platform_nicknames_and_abbreviations_become_the_platform(
        text: str, expected: str) -> None:
    assert SHIPPED.normalise(text) == expected


def test_emoji_the_policy_names_become_words_and_others_go() -> None:
    assert SHIPPED.normalise("吃完就🤮") == "吃完就呕吐"
    assert SHIPPED.normalise("里面有🐛") == "里面有虫子"
    assert SHIPPED.normalise("气死了😡😡😡") == "气死了"
    assert SHIPPED.normalise("👍🏻 ok") == "ok"  # a skin tone and a joiner go too


def test_repeated_marks_and_characters_collapse_but_digits_do_not() -> None:
    assert collapse_repeats("太过分了！！！！") == "太过分了！"
    assert SHIPPED.normalise("太过分了！！！？？？") == "太过分了!?"
    assert collapse_repeats("啊啊啊啊啊") == "啊啊"
    assert collapse_repeats("哈哈") == "哈哈"
    assert collapse_repeats("一共1000元") == "一共1000元"


def test_the_defaults_still_convert_width_and_script() -> None:
    plain = Normaliser()
    assert plain.normalise("買的ＭＩＬＫ") == "买的milk"
    assert plain.normalise("幺二三幺五") == "幺二三幺五"  # no digit table, no conversion


def test_policy_words_are_read_in_the_same_form_as_texts() -> None:
    doc = copy.deepcopy(POLICY)
    doc["triage"]["flags"]["escalation_risk"]["rules"][0]["words"].append("告訴媒體")
    doc["triage"]["categories"]["product"]["subcategories"]["counterfeit"][
        "strong_keywords"].append("ＰＩＲＡＴＥＤ")
    engine = Triage(TriageRules.from_policy(doc))
    assert "escalation_risk" in engine.triage(ComplaintInput("我要告诉媒体")).flags
    assert engine.triage(ComplaintInput("this is pirated")).subcategory == "counterfeit"


@pytest.mark.parametrize("mutate, path", [
    (lambda t: t["normalise"].__setitem__("traditional_to_simplified", "yes"),
     "triage.normalise.traditional_to_simplified"),
    (lambda t: t["normalise"]["numerals"]["digits"].__setitem__("幺", "one"),
     "triage.normalise.numerals.digits.幺"),
    (lambda t: t["normalise"]["numerals"].__setitem__("min_run", 1),
     "triage.normalise.numerals.min_run"),
    (lambda t: t["normalise"]["emoji"].__setitem__("🤮", 7), "triage.normalise.emoji.🤮"),
    (lambda t: t["normalise"]["aliases"]["微博"].append("dy"), "triage.normalise.aliases.微博"),
    (lambda t: t["normalise"]["aliases"].__setitem__("快手", "ks"),
     "triage.normalise.aliases.快手"),
])
def test_a_bad_normalise_section_is_refused_with_its_path(mutate: Any, path: str) -> None:
    doc = copy.deepcopy(POLICY)
    mutate(doc["triage"])
    with pytest.raises(TriagePolicyError) as info:
        TriageRules.from_policy(doc)
    assert info.value.path == path
