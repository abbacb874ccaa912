"""The script library's shape, checks, matching and search (domain.scripts)."""

from __future__ import annotations

import math

import pytest

from domain.errors import InvalidInput
from domain.scripts import (
    MAX_SCRIPTS,
    ScriptLibrary,
    library_document,
    matching,
    note_text,
    parse_library,
    parse_scripts,
    search,
)


def _doc(**over: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "id": "food-smell", "subcategory": "food_quality", "levels": [1, 2],
        "title": {"zh": "食品异味处理", "en": "Food smells off"},
        "say_first": {"zh": "非常抱歉，我们马上为您处理。"},
        "check": {"zh": "核对小票与批次号"},
        "may_offer": {"zh": "退款并赔偿"}, "offer_limit_fen": 50_000,
        "never_promise": {"zh": "不承诺检测结果"},
        "legal_rule": {"zh": "食品安全法第一百四十八条：价款十倍或损失三倍，最低一千元"},
    }
    doc.update(over)
    return doc


def _lib(*docs: dict[str, object]) -> ScriptLibrary:
    return parse_library({"version": 3, "published_at": "2026-12-01T00:00:00.000Z",
                          "published_by": "hq:王总", "scripts": list(docs)})


def test_round_trip() -> None:
    lib = _lib(_doc(), _doc(id="general", subcategory="*", levels=[], title="通用致歉"))
    assert parse_library(library_document(lib)) == lib
    assert lib.scripts[1].title.get(english=True) == "通用致歉"  # English falls back


def test_matching_own_subcategory_first_then_general_and_levels() -> None:
    lib = _lib(_doc(id="general", subcategory="*", levels=[]), _doc(),
               _doc(id="other", subcategory="service_attitude"))
    assert [s.id for s in matching(lib, "food_quality", 1)] == ["food-smell", "general"]
    assert [s.id for s in matching(lib, "food_quality", 3)] == ["general"]
    assert [s.id for s in matching(lib, "price", 2)] == ["general"]


@pytest.mark.parametrize("query, found", [
    ("异", ["food-smell"]), ("异味", ["food-smell"]), ("十倍", ["food-smell"]),
    ("SMELLS", ["food-smell"]), ("ｆｏｏｄ", ["food-smell"]), ("异味 批次", ["food-smell"]),
    ("异味 态度", []), ("", []), ("   ", []), ("态度", ["other"]),
])
def test_search_short_chinese_terms(query: str, found: list[str]) -> None:
    lib = _lib(_doc(), _doc(id="other", subcategory="service_attitude", title="态度问题",
                            legal_rule=None, check=None, say_first=None, may_offer=None,
                            never_promise=None))
    assert [s.id for s in search(lib, query)] == found


def test_search_by_subcategory_label() -> None:
    lib = _lib(_doc())
    assert [s.id for s in search(lib, "食品质量", labels={"food_quality": "食品质量"})] \
        == ["food-smell"]


@pytest.mark.parametrize("over, code", [
    ({"id": "Bad Id"}, "scripts.invalid.bad_id"),
    ({"id": ""}, "scripts.invalid.bad_id"),
    ({"subcategory": "nope"}, "scripts.invalid.unknown_subcategory"),
    ({"levels": [4]}, "scripts.invalid.bad_levels"),
    ({"levels": [True]}, "scripts.invalid.bad_levels"),
    ({"title": {"en": "only English"}}, "scripts.invalid.missing_zh"),
    ({"title": "x" * 101}, "scripts.invalid.too_long"),
    ({"check": {"zh": "x" * 2001}}, "scripts.invalid.too_long"),
    ({"check": 5}, "scripts.invalid.not_text"),
    ({"offer_limit_fen": -1}, "scripts.invalid.bad_amount"),
    ({"offer_limit_fen": math.nan}, "scripts.invalid.bad_amount"),
    ({"offer_limit_fen": 1.5}, "scripts.invalid.bad_amount"),
    ({"offer_limit_fen": "100"}, "scripts.invalid.bad_amount"),
    ({"offer_limit_fen": True}, "scripts.invalid.bad_amount"),
])
def test_bad_scripts_are_refused_by_field(over: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_scripts([_doc(), {**_doc(id="second"), **over}],
                      subcategories=["food_quality"], levels=[1, 2, 3])
    assert err.value.code == code
    assert err.value.params["script"] == 1


def test_repeated_ids_and_too_many() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_scripts([_doc(), _doc()])
    assert err.value.code == "scripts.invalid.repeated_id"
    with pytest.raises(InvalidInput) as err:
        parse_scripts([_doc(id=f"s{i}") for i in range(MAX_SCRIPTS + 1)])
    assert err.value.code == "scripts.invalid.too_many"


def test_sql_and_emoji_are_kept_as_text() -> None:
    lib = _lib(_doc(say_first="'); DROP TABLE tickets;-- 😀"))
    assert lib.scripts[0].say_first.zh == "'); DROP TABLE tickets;-- 😀"
    assert [s.id for s in search(lib, "😀")] == ["food-smell"]


def test_note_text() -> None:
    lib = _lib(_doc())
    text = note_text(lib.scripts[0], False, {"say_first": "先说", "check": "核对",
                                              "offer_limit": "最多可给 ¥{amount}"})
    assert text.splitlines()[0] == "食品异味处理"
    assert "先说: 非常抱歉" in text
    assert "最多可给 ¥500.00" in text
