"""Policy documents: the defaults of domain.md as data, and clear rejection of bad ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.desk import Desk
from domain.errors import PolicyInvalid
from domain.policy import load_policy

DEFAULT = json.loads(
    (Path(__file__).parents[2] / "resources" / "policy" / "default.json").read_text("utf-8"))


def _write(tmp_path: Path, doc) -> Path:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def test_default_policy_has_the_domain_defaults() -> None:
    p = load_policy()
    assert [p.target(lvl).respond_within_minutes for lvl in (1, 2, 3)] == [60, 240, 1440]
    assert p.compensation.role_limits_fen == {"cashier": 20000, "desk": 50000, "manager": 100000}
    assert p.compensation.store_daily_cap_fen == 500000
    assert (p.compensation.customer_max_grants, p.compensation.customer_window_days) == (3, 30)
    assert (p.staff.max_failed_pins, p.staff.lockout_minutes) == (5, 5)
    assert p.escalation_ladder[0] == "handler" and len(p.escalation_ladder) == 4
    assert str(p.timezone) == "Asia/Shanghai"
    assert len(p.subcategories()) == 15


def _broken(mutate):
    doc = json.loads(json.dumps(DEFAULT))
    mutate(doc)
    return doc


@pytest.mark.parametrize("mutate, path", [
    (lambda d: d["compensation"]["role_limits_fen"].__setitem__("desk", -1),
     "compensation.role_limits_fen.desk"),
    (lambda d: d["compensation"]["role_limits_fen"].__setitem__("desk", "500"),
     "compensation.role_limits_fen.desk"),
    (lambda d: d["compensation"]["role_limits_fen"].__setitem__("cashier", 10**9),
     "compensation.role_limits_fen"),
    (lambda d: d["levels"]["1"].pop("respond_within_minutes"), "levels.1.respond_within_minutes"),
    (lambda d: d.__setitem__("timezone", "Mars/Olympus"), "timezone"),
    (lambda d: d.__setitem__("schema", 99), "schema"),
    (lambda d: d["staff"].__setitem__("max_failed_pins", True), "staff.max_failed_pins"),
])
def test_bad_policy_names_the_path_and_reason(tmp_path, mutate, path) -> None:
    file = _write(tmp_path, _broken(mutate))
    with pytest.raises(PolicyInvalid) as info:
        load_policy(file)
    assert info.value.params["path"] == path
    assert info.value.params["reason"]
    assert info.value.params["file"] == str(file)


def test_bad_triage_section_is_rejected_with_its_path(tmp_path) -> None:
    def mutate(d):
        d["triage"]["categories"]["product"]["subcategories"]["quality"]["departments"] = 7
    with pytest.raises(PolicyInvalid) as info:
        load_policy(_write(tmp_path, _broken(mutate)))
    assert info.value.params["path"].startswith("triage.")


def test_not_json_gives_line_and_column(tmp_path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"schema": 1,\n  oops}', "utf-8")
    with pytest.raises(PolicyInvalid) as info:
        load_policy(path)
    assert ":2:" in info.value.params["path"]


def test_missing_file(tmp_path) -> None:
    with pytest.raises(PolicyInvalid) as info:
        load_policy(tmp_path / "nope.json")
    assert info.value.code == "policy.unreadable"


def test_reload_policy_takes_up_what_another_connection_installed(desk: Desk) -> None:
    from desktop.desk import install_policy_document, open_desk, reload_policy

    assert reload_policy(desk) is False  # nothing new: nothing parsed
    other = open_desk(Path(desk.conn.execute("PRAGMA database_list").fetchone()["file"]))
    try:
        document = dict(desk.policy.raw, policy_version="2099.1")
        install_policy_document(other, document)
    finally:
        other.close()
    assert reload_policy(desk) is True
    assert desk.policy.version == "2099.1"
    assert desk.triage is not None and reload_policy(desk) is False


def test_older_documents_get_the_amount_maximum_and_code_lifetime() -> None:
    import copy

    from domain.policy import DEFAULT_MAX_AMOUNT_FEN, parse_policy

    doc = copy.deepcopy(load_policy().raw)
    assert load_policy().compensation.max_amount_fen == 10_000_000
    assert load_policy().enrolment.code_ttl_hours == 24
    del doc["compensation"]["max_amount_fen"], doc["enrolment"]
    older = parse_policy(doc)
    assert older.compensation.max_amount_fen == DEFAULT_MAX_AMOUNT_FEN
    assert older.enrolment.code_ttl_hours == 24
    for path, value in (("intake.max_text_chars", 50_000),
                        ("compensation.max_amount_fen", 10**12),
                        ("enrolment.code_ttl_hours", 1000)):
        bad = copy.deepcopy(load_policy().raw)
        section, key = path.split(".")
        bad[section][key] = value
        with pytest.raises(PolicyInvalid) as refused:
            parse_policy(bad)
        assert refused.value.params["path"] == path


def test_intake_limits_are_typed_with_one_default_each() -> None:
    import copy

    from domain.policy import IntakeLimits, parse_policy

    shipped = load_policy()
    assert shipped.intake == IntakeLimits(max_text_chars=5000, max_name_chars=50,
                                          max_note_chars=5000, max_customers=500)
    doc = copy.deepcopy(shipped.raw)
    del doc["intake"]
    assert parse_policy(doc).intake == IntakeLimits()
    doc["intake"] = {"max_note_chars": 800}
    assert parse_policy(doc).intake == IntakeLimits(max_note_chars=800)
    assert parse_policy(doc).figure("intake.max_note_chars") == 800
    assert parse_policy(doc).figure("intake.max_text_chars") == IntakeLimits.max_text_chars
    doc["intake"] = {"max_customers": True}
    with pytest.raises(PolicyInvalid) as refused:
        parse_policy(doc)
    assert refused.value.params["path"] == "intake.max_customers"


def test_names_levels_and_quick_entry_are_typed() -> None:
    import copy

    from domain.policy import parse_policy

    p = load_policy()
    assert list(p.categories) == list(DEFAULT["triage"]["categories"])
    assert p.category_label("product", english=False) == "商品"
    assert p.category_label("product", english=True) == "Product"
    assert p.subcategory_label("quality", english=False) == "质量问题"
    assert p.problem_label("product", "quality", english=True) == "Product / Quality defect"
    assert p.problem_label("service", "quality", english=False) == "服务 / quality"
    assert p.category_label("nowhere", english=False) == "nowhere"
    assert p.channel_label("hotline", english=False) == "400电话"
    assert p.channel_name("nowhere", english=False) is None
    assert p.level_name(1, english=True) == "Level 1" and p.level_name(4, english=True) is None
    assert p.target(1).notify_at_creation == ("department_head", "store_manager")
    assert p.target(2).notify_at_creation == ()
    assert p.tier_weights == {"strong_keywords": 4, "keywords": 2, "weak_keywords": 1}
    assert p.categories["product"].subcategories["quality"].words["keywords"][0] == "坏了"
    assert p.quick_entry.default_kind == "refund"  # no quick_entry section: the first kind
    doc = copy.deepcopy(p.raw)
    doc["quick_entry"] = {"default_kind": "gift"}
    assert parse_policy(doc).quick_entry.default_kind == "gift"
    doc["quick_entry"] = {"default_kind": "nonsense"}
    assert parse_policy(doc).quick_entry.default_kind == "refund"


def test_the_document_is_kept_whole_for_storing_and_editing() -> None:
    p = load_policy()
    assert json.loads(p.as_json()) == DEFAULT
    copied = p.document()
    copied["policy_version"] = "changed"
    assert p.version == "2026.12.1" != copied["policy_version"]
    assert p.triage.model is not None or p.triage.rules.subcategories


def _reads_of_raw(path: Path) -> list[int]:
    import ast

    tree = ast.parse(path.read_text("utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "raw"]


def test_only_the_policy_module_reads_the_raw_document() -> None:
    """Typed policy: every figure has one default, in domain/policy.py; a reader that
    took ``policy.raw`` apart would bring its own."""
    root = Path(__file__).parents[2]
    found = [f"{path.relative_to(root)}:{line}"
             for package in ("domain", "local_db", "desktop", "ui", "sync")
             for path in sorted((root / package).rglob("*.py"))
             if path != root / "domain" / "policy.py"
             for line in _reads_of_raw(path)]
    assert found == []
