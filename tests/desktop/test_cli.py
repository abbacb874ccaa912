"""The ``kesu`` command end to end: JSON in and out, errors in the user's language."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.desktop.cli_runner import run_kesu, setup_desk


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A desk set up through the command line once per module (five ``kesu`` runs)."""
    path = tmp_path_factory.mktemp("template") / "desk.db"
    setup_desk(path)
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template desk for each test (the file is closed and
    checkpointed: every ``kesu`` run ends by closing its connection)."""
    path = tmp_path / "desk.db"
    for suffix in ("", "-wal"):
        if Path(f"{template}{suffix}").exists():
            shutil.copyfile(f"{template}{suffix}", f"{path}{suffix}")
    return path


def _add(db: Path, text: str, actor: str = "d1", **extra) -> dict:
    r = run_kesu(db, "ticket", "add", "--actor", actor,
                 stdin=json.dumps({"text": text, **extra}, ensure_ascii=False))
    assert r.code == 0, r.err
    return r.json()


def test_triage_reads_json_lines(tmp_path: Path) -> None:
    lines = "\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"text": "在超市买的鸡蛋里面是坏的，发臭", "channel": "desk", "member_tier": "none",
         "customers": 1},
        {"text": "请问停车场几点关门？", "channel": "hotline"},
        {"text": "收银员多收了我十块钱", "channel": "checkout", "member_tier": "gold"},
    ])
    r = run_kesu(tmp_path / "none.db", "triage", stdin=lines)
    assert r.code == 0, r.err
    rows = [json.loads(x) for x in r.out.splitlines()]
    assert len(rows) == 3
    for row in rows:
        assert {"category", "subcategory", "level", "flags", "department",
                "respond_within_minutes", "reasons"} <= set(row)
    assert rows[0]["level"] == 1 and rows[1]["level"] == 3
    assert "vip" in rows[2]["flags"]


def test_triage_reports_a_bad_line_and_goes_on(tmp_path: Path) -> None:
    r = run_kesu(tmp_path / "none.db", "triage", stdin='{"text": "x"\n{"text": "服务态度差"}\n')
    rows = [json.loads(x) for x in r.out.splitlines()]
    assert r.code == 2 and "error" in rows[0] and rows[1]["subcategory"] == "attitude"


def test_add_list_show(db: Path) -> None:
    t = _add(db, "熟食区买的鸭脖吃了拉肚子", customer={"phone": "13812345678"},
             amount_paid="25.80")
    for key in ("id", "number", "level", "category", "subcategory", "flags", "due_at",
                "duplicates"):
        assert key in t
    assert t["level"] == 1 and t["number"].startswith("XT01-D2-")
    assert t["customer"]["phone"] == "138****5678"
    listed = run_kesu(db, "ticket", "list", "--json").json()
    assert [x["number"] for x in listed] == [t["number"]]
    assert listed[0]["status"] == "accepted"
    shown = run_kesu(db, "ticket", "show", t["number"], "--json", "--actor", "d1").json()
    assert shown["timeline"][0]["type"] == "ticket_created"
    assert "advance:rectifying" in shown["allowed_actions"]


def test_whole_loop_and_compensation_from_the_command_line(db: Path) -> None:
    t = _add(db, "买的拖鞋穿一天就开胶了")["number"]
    steps = [
        ("ticket", "contact", t, "--actor", "d1", "--text", "已致电顾客"),
        ("ticket", "advance", t, "--actor", "d1", "--to", "rectifying"),
        ("compensate", t, "--actor", "d1", "--amount", "30", "--kind", "refund"),
        ("ticket", "advance", t, "--actor", "d1", "--to", "reviewing"),
        ("ticket", "advance", t, "--actor", "m1", "--to", "accountability"),
        ("ticket", "advance", t, "--actor", "m1", "--to", "closed", "--accountability", "none"),
        ("ticket", "rate", t, "--actor", "d2", "--score", "4"),
    ]
    for args in steps:
        r = run_kesu(db, *args)
        assert r.code == 0, (args, r.err)
    assert run_kesu(db, "ticket", "show", t, "--json").json()["status"] == "rated"
    check = run_kesu(db, "check")
    assert check.code == 0 and check.json()["ok"] is True


def test_compensate_statuses(db: Path) -> None:
    t = _add(db, "商品和标签不一致，买贵了")["number"]
    ok = run_kesu(db, "compensate", t, "--actor", "c1", "--amount", "20", "--kind", "coupon")
    assert ok.json()["status"] == "granted"
    wait = run_kesu(db, "compensate", t, "--actor", "d1", "--amount", "600", "--kind", "cash")
    assert wait.json()["status"] == "pending_approval" and wait.json()["reason"]
    over = run_kesu(db, "compensate", t, "--actor", "d1", "--amount", "600", "--kind", "cash",
                    "--approver", "m1", "--approver-pin", "9999")
    assert over.json()["status"] == "granted"
    refused = run_kesu(db, "compensate", t, "--actor", "c1", "--amount", "300", "--kind",
                       "cash", "--approver", "d2", "--approver-pin", "2323")
    assert refused.json()["status"] == "refused"
    approved = run_kesu(db, "approve", wait.json()["compensation_id"], "--approver", "m1",
                        "--approver-pin", "9999")
    assert approved.json()["status"] == "granted"


def test_wrong_pin_in_chinese_and_english(db: Path) -> None:
    t = _add(db, "商品和标签不一致")["number"]
    args = ("compensate", t, "--actor", "d1", "--amount", "600", "--kind", "cash",
            "--approver", "m1", "--approver-pin", "0000")
    zh = run_kesu(db, *args)
    assert zh.code == 3 and "PIN 不正确" in zh.err
    en = run_kesu(db, *args, lang="en")
    assert en.code == 3 and "Wrong PIN" in en.err


@pytest.mark.parametrize("stdin, needle", [
    ('{"text": ""}', "客诉内容不能为空"),
    ("not json", "JSON 格式错误"),
    ('{"text": "好", "amount_paid": "-1"}', "实付金额不能为负数"),
    ('{"text": "好", "customer": {"phone": "abc"}}', "手机号码格式不对"),
    (json.dumps({"text": "长" * 1_000_000}, ensure_ascii=False), "客诉内容太长"),
])
def test_bad_ticket_input_says_what_was_wrong_and_saves_nothing(db, stdin, needle) -> None:
    r = run_kesu(db, "ticket", "add", "--actor", "d1", stdin=stdin)
    assert r.code == 2 and needle in r.err and r.out == ""
    assert run_kesu(db, "ticket", "list", "--json").json() == []


def test_unknown_ticket_and_illegal_step(db: Path) -> None:
    r = run_kesu(db, "ticket", "advance", "XT01-D2-20991231-9999", "--actor", "d1", "--to",
                 "closed")
    assert r.code == 2 and "找不到工单" in r.err
    t = _add(db, "服务员态度恶劣")["number"]
    r = run_kesu(db, "ticket", "advance", t, "--actor", "d1", "--to", "closed", lang="en")
    assert r.code == 2 and "cannot move to closed" in r.err


def test_search_finds_short_chinese_terms(db: Path) -> None:
    a = _add(db, "酸奶已经变质了")["number"]
    b = _add(db, "要求退款但是一直没到账")["number"]
    _add(db, "服务态度差")
    assert [x["number"] for x in run_kesu(db, "search", "变质").json()] == [a]
    assert [x["number"] for x in run_kesu(db, "search", "退款").json()] == [b]
    assert len(run_kesu(db, "search", "态").json()) == 1


def test_check_finds_tampering_and_rebuild_fixes_projections(db: Path) -> None:
    import sqlite3

    _add(db, "鸡蛋是坏的")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE tickets SET level = 3")
    conn.commit()
    conn.close()
    bad = run_kesu(db, "check")
    assert bad.code == 4 and any("level" in p for p in bad.json()["problems"])
    assert run_kesu(db, "rebuild").code == 0
    assert run_kesu(db, "check").json()["ok"] is True


def test_newer_database_is_refused(db: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
                 "VALUES ('kesu', 'm900_future', 'x')")
    conn.commit()
    conn.close()
    r = run_kesu(db, "ticket", "list", "--json")
    assert r.code == 1 and "更新版本" in r.err


def test_not_initialised(tmp_path: Path) -> None:
    r = run_kesu(tmp_path / "missing.db", "ticket", "list", "--json")
    assert r.code == 1 and "kesu init" in r.err
