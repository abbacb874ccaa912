"""The policy diff on the shipped policy and edited copies of it."""

from __future__ import annotations

import copy
from typing import Any

from domain.policy import load_policy
from sync.server.policy_diff import Change, diff, preview


def _shipped() -> dict[str, Any]:
    return load_policy().document()


def test_the_same_document_has_no_difference() -> None:
    assert diff(_shipped(), _shipped()) == []


def test_changed_added_and_removed_figures_are_named_by_their_path() -> None:
    old = _shipped()
    new = copy.deepcopy(old)
    desk_limit = old["compensation"]["role_limits_fen"]["desk"]
    new["compensation"]["role_limits_fen"]["desk"] = desk_limit + 1000
    new["policy_version"] = "2026.12.9"
    new["audit"] = {"keep_days": 90}
    del new["description"]
    changes = diff(old, new)
    assert Change("compensation.role_limits_fen.desk", desk_limit, desk_limit + 1000,
                  "changed") in changes
    assert Change("policy_version", old["policy_version"], "2026.12.9", "changed") in changes
    assert Change("audit", None, {"keep_days": 90}, "added") in changes
    assert Change("description", old["description"], None, "removed") in changes
    assert len(changes) == 4


def test_keyword_lists_compare_as_sets_of_words() -> None:
    old = _shipped()
    new = copy.deepcopy(old)
    words = new["triage"]["categories"]["product"]["subcategories"]["quality"]["keywords"]
    path = "triage.categories.product.subcategories.quality.keywords"
    dropped = words[3]
    del words[3]
    words.append("漏电了")
    words.reverse()  # the order of a keyword list changes nothing
    changes = diff(old, new)
    assert changes == [Change(f"{path}[3]", dropped, None, "removed"),
                       Change(f"{path}[0]", None, "漏电了", "added")]


def test_a_reordered_ladder_is_one_change_of_the_list() -> None:
    old = _shipped()
    new = copy.deepcopy(old)
    new["escalation_ladder"] = list(reversed(old["escalation_ladder"]))
    assert diff(old, new) == [Change("escalation_ladder", old["escalation_ladder"],
                                     new["escalation_ladder"], "changed")]


def test_lists_of_objects_compare_position_by_position() -> None:
    old = _shipped()
    new = copy.deepcopy(old)
    rules = new["triage"]["flags"]["injury"]["rules"]
    first_key = next(iter(rules[0]))
    rules[0][first_key] = "changed-value"
    rules.append({"any": ["烫伤"]})
    changes = diff(old, new)
    base = "triage.flags.injury.rules"
    assert Change(f"{base}[0].{first_key}", old["triage"]["flags"]["injury"]["rules"][0][
        first_key], "changed-value", "changed") in changes
    assert Change(f"{base}[{len(rules) - 1}]", None, {"any": ["烫伤"]}, "added") in changes
    assert len(changes) == 2


def test_a_type_change_and_an_odd_key() -> None:
    old = {"a": 1, "b": {"x.y": [1, 2]}, "c": True}
    new = {"a": "1", "b": {"x.y": {"z": 1}}, "c": 1}
    assert diff(old, new) == [
        Change("a", 1, "1", "changed"),
        Change('b["x.y"]', [1, 2], {"z": 1}, "changed"),
        Change("c", True, 1, "changed"),  # true is not 1 in a policy
    ]
    assert diff([1], {"a": 1}) == [Change("$", [1], {"a": 1}, "changed")]


def test_the_model_weights_change_previews_short() -> None:
    old = _shipped()
    new = copy.deepcopy(old)
    new["triage"]["model"]["weights"] = old["triage"]["model"]["weights"][::-1]
    (change,) = diff(old, new)
    assert change.path == "triage.model.weights" and change.kind == "changed"
    shown_old, shown_new = preview(change.old), preview(change.new)
    assert len(shown_old) < 200 and "chars, sha256" in shown_old
    assert shown_old != shown_new
    assert preview(None) == "" and preview({"a": 1}) == '{"a":1}'
