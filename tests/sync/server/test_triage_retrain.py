"""Learning from the stores, end to end: staff correct triage at their desks, the
corrections sync to a real ``kesu-server``, ``kesu-server triage retrain`` trains and
publishes a model (or refuses a worse one), and a desk pulls it and grades with it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop import ticket_actions as handling
from desktop.desk import Desk
from desktop.desk_sync.wiring import build_engine
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.clock import FixedClock
from domain.triage import ComplaintInput
from domain.triage.corpus import load_split
from sync.server.triage_retrain import is_worse
from tests.conftest import START
from tests.sync.helpers import DeskNode, ServerProcess, _server_command

MakeDesk = Callable[..., DeskNode]

# A store's own word (a service it runs) that the shipped corpus never saw; staff keep
# correcting what triage makes of it.
SUFFIXES = ["一直没有回音", "说好的今天又没弄好", "第三次来问了还是没结果", "到现在都没人给个准话",
            "拖了一个礼拜了", "打电话过去没人接", "说要等总部审批", "工作人员说不归他们管",
            "说系统里查不到", "每次来都说明天", "答应的事情没兑现", "让我自己去找客服",
            "又让我重新登记一遍", "说名额已经满了", "一直显示处理中", "发的短信链接打不开",
            "柜台的人也说不清楚", "让我等通知也没等到"]
PROBE = "沃德佳的事情还是没有下文"


def _correct(desk: Desk, clerk: Staff, manager: Staff, text: str, subcategory: str,
             category: str, level: int) -> None:
    ticket = create_ticket(desk, clerk, {"text": text}).ticket
    actor = manager if level > ticket.level else clerk
    handling.correct_triage(desk, actor, ticket.id, category=category,
                            subcategory=subcategory, level=level, reason="店里的判断")


def _path(node: DeskNode) -> Path:
    return Path(node.conn.execute("PRAGMA database_list").fetchone()["file"])


def test_corrections_from_two_stores_retrain_a_model_that_a_desk_pulls_and_uses(
    make_desk: MakeDesk, private_server: ServerProcess, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KESU_TOKEN_STORE", "file")
    first, second = make_desk("A", "D1", private_server), make_desk("B", "D1", private_server)
    before = first.desk.triage.triage(ComplaintInput(PROBE))
    assert before.subcategory != "membership"  # what the shipped model makes of it
    for i, suffix in enumerate(SUFFIXES):
        node = first if i % 2 else second
        _correct(node.desk, node.clerk, node.manager, f"沃德佳{suffix}", "membership",
                 "policy", 2)
    engine = build_engine(first.desk, _path(first), notice=lambda _: None,
                          server=private_server.url)
    with engine:
        engine.sync_once()
        assert second.engine.sync_once() is not None

        listed = private_server.cli("triage", "corrections")["corrections"]
        assert len(listed) == len(SUFFIXES)
        assert {c["store"] for c in listed} == {first.desk.store_code, second.desk.store_code}
        assert {c["actor"] for c in listed} <= {"d1", "m1"}  # the person who corrected

        report = private_server.cli("triage", "retrain")
        assert report["corrections"] == len(SUFFIXES)
        assert set(report["corrections_by_store"]) == {first.desk.store_code,
                                                       second.desk.store_code}
        for key in ("test_before", "test_after", "validation"):
            assert set(report[key]) >= {"category_accuracy", "level1_recall"}
        assert is_worse(report["test_after"], report["test_before"]) is None
        agreement = report["corrections_agreement"]
        assert agreement["after"] > agreement["before"]
        new_version = report["published"]["version"]
        assert new_version == report["new_policy_version"]
        assert report["model_after"] in new_version

        assert engine.sync_once().policy_installed == new_version
    assert first.desk.policy.version == new_version
    model = first.desk.triage.model
    assert model is not None and model.version == report["model_after"]
    saved = create_ticket(first.desk, first.clerk, {"text": PROBE}).ticket
    assert saved.subcategory == "membership"  # the decision the corrections taught
    payload = json.loads(first.conn.execute(
        "SELECT payload FROM events WHERE ticket_id = ? AND type = 'ticket_created'",
        (saved.id,)).fetchone()[0])
    assert payload["triage"]["model"] == report["model_after"]  # the ticket names its model


def test_a_model_that_scores_worse_is_refused_and_nothing_is_published(
        tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "server.db")
    server.start()
    node = DeskNode(tmp_path / "desk.db", "XT09", "D1", FixedClock(START), server)
    try:
        node.enrol()
        # A store that files every food complaint as a polite question about attitude.
        food = [c.text for c in load_split("train") if c.subcategory == "spoiled"][:160]
        for text in food:
            _correct(node.desk, node.clerk, node.manager, text, "attitude", "service", 3)
        node.engine.sync_once()
        out = subprocess.run([*_server_command(), "triage", "retrain", "--db", server.db_url],
                             capture_output=True, text=True)
        assert out.returncode == 2
        refusal = json.loads(out.stderr)
        assert refusal["error"] == "worse_model"
        assert "held-out" in refusal["detail"]
        assert refusal["test_after"] != refusal["test_before"]
        assert server.cli("policy", "list")["policies"] == []
    finally:
        node.close()
        server.kill()


def test_no_corrections_means_nothing_to_learn(tmp_path: Path) -> None:
    out = subprocess.run([*_server_command(), "triage", "retrain", "--db",
                          f"sqlite:///{tmp_path / 'empty.db'}"], capture_output=True, text=True)
    assert out.returncode == 2
    assert json.loads(out.stderr)["error"] == "no_corrections"
