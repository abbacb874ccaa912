"""The desk's copy of the script library: install, read, match, search, uses (real SQLite
files from the real migrations)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop import script_library
from desktop.desk import Desk, open_desk
from domain.clock import FixedClock
from domain.errors import InvalidInput
from domain.scripts import EMPTY_LIBRARY


def script_doc(**over: Any) -> dict[str, Any]:
    """A script for spoiled food at levels 1 and 2."""
    doc: dict[str, Any] = {
        "id": "spoiled-food", "subcategory": "spoiled", "levels": [1, 2],
        "title": {"zh": "变质食品处理", "en": "Spoiled food"},
        "say_first": {"zh": "非常抱歉，我们马上为您处理。", "en": "We are very sorry."},
        "check": {"zh": "核对小票与批次号"},
        "may_offer": {"zh": "退款并赔偿"}, "offer_limit_fen": 50_000,
        "never_promise": {"zh": "不承诺检测结果"},
        "legal_rule": {"zh": "食品安全法第一百四十八条：价款十倍或损失三倍，最低一千元"},
    }
    doc.update(over)
    return doc


def library_doc(version: int = 1, *scripts: dict[str, Any]) -> dict[str, Any]:
    """A published library document."""
    return {"version": version, "published_at": "2026-11-21T08:00:00.000Z",
            "published_by": "hq:王总",
            "scripts": list(scripts) or [
                script_doc(),
                script_doc(id="sorry", subcategory="*", levels=[], title="通用致歉",
                           offer_limit_fen=None, legal_rule=None),
                script_doc(id="rude", subcategory="attitude", levels=[2, 3],
                           title="服务态度投诉", legal_rule=None)]}


def test_a_pulled_library_is_kept_and_read_back(desk: Desk, tmp_path: Path) -> None:
    assert script_library.current(desk.conn) == EMPTY_LIBRARY
    assert script_library.installed(desk.conn) is None
    lib = script_library.install(desk, library_doc(3))
    assert lib.version == 3 and [s.id for s in lib.scripts] == ["spoiled-food", "sorry", "rude"]
    held = script_library.installed(desk.conn)
    assert held is not None and held.version == 3
    assert held.pulled_at == "2026-11-22T02:00:00.000Z"  # the desk's clock, UTC
    # Another connection (the GUI's, after the sync thread installed it) reads the same.
    other = open_desk(tmp_path / "kesu.db")
    try:
        assert script_library.current(other.conn) == lib
    finally:
        other.close()


def test_a_document_is_parsed_once_per_version(desk: Desk, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    script_library.install(desk, library_doc(4))
    script_library._cache.clear()  # as in a fresh process
    calls: list[object] = []
    real = script_library.scripts.parse_library
    monkeypatch.setattr(script_library.scripts, "parse_library",
                        lambda doc, **kw: calls.append(doc) or real(doc, **kw))
    first = script_library.current(desk.conn)
    assert script_library.current(desk.conn) is first
    assert script_library.matching(desk, "spoiled", 1)
    assert len(calls) == 1


@pytest.mark.parametrize("bad, code", [
    (script_doc(subcategory="no_such_thing"), "scripts.invalid.unknown_subcategory"),
    (script_doc(levels=[4]), "scripts.invalid.bad_levels"),
    (script_doc(title={"en": "English only"}), "scripts.invalid.missing_zh"),
])
def test_a_bad_document_is_refused_and_the_old_library_kept(
        desk: Desk, bad: dict[str, Any], code: str) -> None:
    script_library.install(desk, library_doc(1))
    with pytest.raises(InvalidInput) as caught:
        script_library.install(desk, library_doc(2, bad))
    assert caught.value.code == code
    assert script_library.version(desk.conn) == 1
    assert len(script_library.current(desk.conn).scripts) == 3


def test_version_zero_never_replaces_a_library(desk: Desk) -> None:
    script_library.install(desk, library_doc(2))
    with pytest.raises(InvalidInput):
        script_library.install(desk, {"version": 0, "scripts": []})
    assert script_library.version(desk.conn) == 2


def test_matching_by_subcategory_and_level(desk: Desk) -> None:
    script_library.install(desk, library_doc(1))
    assert [s.id for s in script_library.matching(desk, "spoiled", 1)] == [
        "spoiled-food", "sorry"]
    assert [s.id for s in script_library.matching(desk, "spoiled", 3)] == ["sorry"]
    assert [s.id for s in script_library.matching(desk, "attitude", 2)] == ["rude", "sorry"]


@pytest.mark.parametrize("query, english, found", [
    ("变", False, ["spoiled-food"]),  # one Chinese character
    ("十倍", False, ["spoiled-food"]),  # two
    ("致歉", False, ["sorry"]),
    ("变质过期", False, ["spoiled-food"]),  # the subcategory's name in the policy
    ("服务", False, ["rude"]),  # the category's name (服务) and the title
    ("Spoiled", True, ["spoiled-food"]),
    ("service", True, ["rude"]),  # the category's English name
    ("异味 态度", False, []),
])
def test_search(desk: Desk, query: str, english: bool, found: list[str]) -> None:
    script_library.install(desk, library_doc(1))
    assert [s.id for s in script_library.search(desk, query, english=english)] == found


def test_uses_wait_for_the_centre_and_helpful_counts_once(desk: Desk, clock: FixedClock
                                                          ) -> None:
    lib = script_library.install(desk, library_doc(5))
    food, sorry = lib.scripts[0], lib.scripts[1]
    assert script_library.record_use(desk, "copied", food, "t1")
    clock.advance(seconds=1)
    assert script_library.record_use(desk, "copied", food, "t1")  # copied again: counted
    assert script_library.record_use(desk, "helpful", food, "t1")
    assert not script_library.record_use(desk, "helpful", food, "t1")  # once per ticket
    assert script_library.record_use(desk, "helpful", food, "t2")
    assert script_library.record_use(desk, "helpful", sorry, None)
    assert not script_library.record_use(desk, "helpful", sorry, None)
    with pytest.raises(InvalidInput):
        script_library.record_use(desk, "liked", food, "t1")
    assert script_library.helpful_marked(desk.conn, "t1") == {"spoiled-food"}
    uses = script_library.pending_uses(desk.conn)
    assert [(u["kind"], u["ticket_id"]) for u in uses] == [
        ("copied", "t1"), ("copied", "t1"), ("helpful", "t1"), ("helpful", "t2"),
        ("helpful", None)]
    assert uses[0] == {"id": uses[0]["id"], "script_id": "spoiled-food", "version": 5,
                       "kind": "copied", "ticket_id": "t1", "at": "2026-11-22T02:00:00.000Z"}
    assert len({u["id"] for u in uses}) == 5
    assert [u["id"] for u in script_library.pending_uses(desk.conn, 2)] == [
        u["id"] for u in uses[:2]]
    script_library.mark_sent(desk.conn, [u["id"] for u in uses[:3]])
    assert script_library.pending_count(desk.conn) == 2
    assert [u["id"] for u in script_library.pending_uses(desk.conn)] == [
        u["id"] for u in uses[3:]]
    # Sent uses still count for "once": no second helpful for t1 after the push.
    assert not script_library.record_use(desk, "helpful", food, "t1")
