"""Each concept lexicon of the shipped policy, through the rules alone (the model is tested
in test_triage_model.py): the colloquial ways to say what makes a ticket level 1, and the
near misses, hedges and negations that must not."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from domain.triage import ComplaintInput, Triage, TriagePolicyError, TriageRules

POLICY: dict[str, Any] = json.loads(
    (Path(__file__).parents[3] / "resources" / "policy" / "default.json").read_text("utf-8"))
RULES = Triage(TriageRules.from_policy(POLICY))


def flags(text: str, **kw: Any) -> tuple[str, ...]:
    return RULES.triage(ComplaintInput(text, **kw)).flags


@pytest.mark.parametrize("text", [
    "昨晚吃了你们的鸭脖，跑了一晚上厕所",
    "孩子喝完你们的酸奶就上吐下泻",
    "吃完没多久肚子咕噜咕噜的，蹲坑蹲了半天",
    "食咗你哋嘅凉拌青瓜，屙咗成晚",
    "After eating your roast pork I was up all night running to the toilet.",
    "吃了就🤮",  # the emoji is a symptom
])
def test_symptoms_after_eating_in_everyday_words(text: str) -> None:
    assert "food_safety" in flags(text)


@pytest.mark.parametrize("text", [
    "吃完你们的卤味，晚上开始头晕，浑身没劲",  # ate … then the symptom
    "头晕得厉害，中午吃的就是你们家的盒饭",  # the symptom … then what was eaten
    "喝了你们的果汁以后嘴唇肿起来了",  # an allergy after drinking
    "Had your chicken wrap for lunch and felt dizzy and sick all afternoon.",
])
def test_a_weaker_symptom_counts_only_around_eating(text: str) -> None:
    assert "food_safety" in flags(text)


@pytest.mark.parametrize("text", [
    "排队排得头晕，收银台只开了两个",
    "你们这服务真让人头疼",
    "生鲜区那个腥味熏得我头疼",
])
def test_a_weaker_symptom_without_eating_is_not_food_safety(text: str) -> None:
    assert "food_safety" not in flags(text)


@pytest.mark.parametrize("text", [
    "倒开水的时候壶把断了，手背起了一串水泡",
    "货架上的箱子掉下来，膝盖青了一大块",
    "在门口台阶绊了一下，脚踝肿得穿不上鞋",
    "扶梯夹到孩子的手，流了好多血",
    "用了你们卖的面霜，脸上又红又痒",  # an allergy from a product, not food: an injury
    "冷柜门把手漏电，我一拉手上一麻",
    "I burned my hand on the kettle, it blistered straight away.",
])
def test_injuries_described_by_what_they_look_like(text: str) -> None:
    assert "injury" in flags(text)


@pytest.mark.parametrize("text", [
    "地上有水，差点滑倒",  # a hedge
    "手机摔坏了，屏幕碎了",  # a thing, not a person
    "货架倒了，没有人受伤",  # an explicit negated phrase
    "热汤洒了一地，幸好没烫到人",  # a negation in the clause
    "好彩冇人觸電，但係個水壺漏水",  # Cantonese negation
    "Nobody got hurt but the shelf collapsed.",
    "插线板冒火星，开关那里都黑了",
])
def test_near_misses_hedges_and_negations_are_not_injuries(text: str) -> None:
    assert "injury" not in flags(text)


@pytest.mark.parametrize("text", [
    "我要打幺二三幺五",
    "再不处理我就打一二三一五",
    "我已经拨了110",
    "发dy曝光你们",
    "我要挂到小红薯上让大家看看",
    "上点评给你们打一星",
    "我要找1818黄金眼",
    "我已经跟消保官反映了",
    "保安冤枉我偷嘢，我已经报咗警",
    "I'll report you to the consumer council.",
])
def test_escalation_in_spoken_digits_nicknames_and_every_form(text: str) -> None:
    assert "escalation_risk" in flags(text)


@pytest.mark.parametrize("text", [
    "在小红书上看到你们有活动，来了说结束了",
    "抖音直播间买的券用不了",
    "报警器一直响，吵死了",
    "一共110元，收银员多收了",
    "等了一个星期还没退款",  # 一星 inside 一星期 is not a rating
])
def test_a_platform_or_number_named_for_another_reason_is_not_escalation(text: str) -> None:
    assert "escalation_risk" not in flags(text)


@pytest.mark.parametrize("text", [
    "我们一家人吃了都拉肚子",
    "宿舍里我跟室友分着吃，俩人都吐了",
    "好几个同学都在面包里吃出了黑色颗粒",
])
def test_group_complaints_from_the_text(text: str) -> None:
    assert "group" in flags(text)


def test_negation_stays_in_its_clause() -> None:
    assert "food_safety" not in flags("吃完以后并没有出现呕吐")
    assert "food_safety" in flags("没买到酸奶，吃了别的，当晚呕吐")
    assert "food_safety" in flags("吃完没过多久就上吐下泻")  # 没 + 过多久 is no negation


def test_hedged_symptoms_are_worries_not_cases() -> None:
    assert "food_safety" not in flags("担心孩子吃了会头晕，想问下成分")


def test_concepts_are_policy_data_and_unknown_ones_are_refused() -> None:
    doc = copy.deepcopy(POLICY)
    doc["triage"]["concepts"]["eat"].append("嗦粉")
    doc["triage"]["flags"]["food_safety"]["rules"][1]["within_chars"] = 5
    engine = Triage(TriageRules.from_policy(doc))
    assert "food_safety" in engine.triage(ComplaintInput("嗦粉以后头晕")).flags
    # the window is policy data too: the eating now lies too far away
    assert "food_safety" not in engine.triage(
        ComplaintInput("吃的是你们家那份很大很大的什锦拼盘还有好多别的，到现在头晕")).flags
    doc["triage"]["flags"]["injury"]["rules"][1]["around"] = ["@nothing"]
    with pytest.raises(TriagePolicyError) as info:
        TriageRules.from_policy(doc)
    assert info.value.path == "triage.flags.injury.rules[1].around[0]"
