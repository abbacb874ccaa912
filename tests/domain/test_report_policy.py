"""The ``reports`` section of the policy, and older documents without it."""

from __future__ import annotations

import copy

import pytest

from domain.errors import PolicyInvalid
from domain.policy import ReportPolicy, load_policy, parse_policy


def test_default_policy_has_the_report_settings() -> None:
    policy = load_policy()
    assert policy.reports == ReportPolicy(repeat_consecutive_days=3, top_problems=3,
                                          attention_days=7)
    assert policy.raw["reports"] == {"repeat_consecutive_days": 3, "top_problems": 3,
                                     "attention_days": 7}


def test_older_document_without_the_section_uses_the_defaults() -> None:
    doc = copy.deepcopy(load_policy().raw)
    del doc["reports"]
    assert parse_policy(doc).reports == ReportPolicy()
    doc["reports"] = {"top_problems": 5}
    assert parse_policy(doc).reports == ReportPolicy(repeat_consecutive_days=3, top_problems=5)


@pytest.mark.parametrize(("section", "path"), [
    ({"repeat_consecutive_days": 0}, "reports.repeat_consecutive_days"),
    ({"repeat_consecutive_days": 1}, "reports.repeat_consecutive_days"),
    ({"top_problems": "3"}, "reports.top_problems"),
    ({"attention_days": 0}, "reports.attention_days"),
    ([], "reports"),
])
def test_bad_report_section_names_the_path(section: object, path: str) -> None:
    doc = copy.deepcopy(load_policy().raw)
    doc["reports"] = section
    with pytest.raises(PolicyInvalid) as err:
        parse_policy(doc)
    assert err.value.params["path"] == path
