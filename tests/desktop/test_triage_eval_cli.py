"""``kesu triage eval FILE``: scoring a labelled file as headquarters would, before
publishing a policy; bad files get a clear error in the user's language."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.desktop.cli_runner import ROOT, run_kesu

SAMPLES = [
    {"text": "昨晚吃了你们的卤鸭脖，跑了一晚上厕所", "channel": "desk", "member_tier": "none",
     "customers": 1, "category": "product", "subcategory": "spoiled", "level": 1},
    {"text": "收银员把一瓶可乐扫了两次", "channel": "checkout", "member_tier": "none",
     "customers": 1, "category": "service", "subcategory": "cashier_error", "level": 2},
    {"text": "请问会员积分年底会清零吗", "channel": "hotline", "member_tier": "none",
     "customers": 1, "category": "policy", "subcategory": "membership", "level": 3},
    # labelled level 1, but nothing in it says so: the missed level-1 list must show it
    {"text": "停车场的灯坏了", "channel": "qr", "member_tier": "none", "customers": 1,
     "category": "environment", "subcategory": "facility", "level": 1},
]


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    "utf-8")
    return path


def test_eval_prints_every_figure_the_issue_names(tmp_path: Path) -> None:
    r = run_kesu(tmp_path / "none.db", "triage", "eval", str(_write(tmp_path / "l.jsonl",
                                                                   SAMPLES)))
    assert r.code == 0, r.err
    out = r.json()
    for key in ("category_accuracy", "subcategory_accuracy", "level_accuracy",
                "level1_recall", "level1_precision", "subcategory_confusion",
                "missed_level1", "model", "policy_version"):
        assert key in out
    assert out["n"] == 4 and out["level1_cases"] == 2
    assert out["level1_recall"] == 0.5
    assert [m["text"] for m in out["missed_level1"]] == ["停车场的灯坏了"]
    assert out["model"]  # the shipped policy's model graded them


def test_eval_scores_a_candidate_policy_file(tmp_path: Path) -> None:
    doc = json.loads((ROOT / "resources" / "policy" / "default.json").read_text("utf-8"))
    candidate = copy.deepcopy(doc)
    candidate["policy_version"] = "2099.1.1"
    candidate["triage"]["flags"]["injury"]["rules"][0]["words"].append("灯坏了")
    candidate["triage"].pop("model")
    policy = tmp_path / "candidate.json"
    policy.write_text(json.dumps(candidate, ensure_ascii=False), "utf-8")
    r = run_kesu(tmp_path / "none.db", "triage", "eval", str(_write(tmp_path / "l.jsonl",
                                                                   SAMPLES)),
                 "--policy", str(policy))
    assert r.code == 0, r.err
    out = r.json()
    assert out["policy_version"] == "2099.1.1" and out["model"] is None
    assert out["missed_level1"] == []


def test_a_bad_line_is_named_in_the_users_language(tmp_path: Path) -> None:
    rows = [*SAMPLES[:2], {**SAMPLES[2], "level": 4}]
    path = _write(tmp_path / "bad.jsonl", rows)
    r = run_kesu(tmp_path / "none.db", "triage", "eval", str(path))
    assert r.code == 2 and "第 3 行的 level 应为 1、2 或 3" in r.err and r.out == ""
    en = run_kesu(tmp_path / "none.db", "triage", "eval", str(path), lang="en")
    assert en.code == 2 and "Line 3: level should be 1, 2 or 3" in en.err
    unknown = _write(tmp_path / "pair.jsonl", [{**SAMPLES[0], "subcategory": "attitude"}])
    r = run_kesu(tmp_path / "none.db", "triage", "eval", str(unknown))
    assert r.code == 2 and "第 1 行：分类“product”下没有子类“attitude”" in r.err
    (tmp_path / "junk.jsonl").write_text("not json\n", "utf-8")
    r = run_kesu(tmp_path / "none.db", "triage", "eval", str(tmp_path / "junk.jsonl"))
    assert r.code == 2 and "第 1 行不是 JSON" in r.err
    r = run_kesu(tmp_path / "none.db", "triage", "eval", str(tmp_path / "missing.jsonl"))
    assert r.code == 2 and "读不了" in r.err
    (tmp_path / "empty.jsonl").write_text("\n\n", "utf-8")
    r = run_kesu(tmp_path / "none.db", "triage", "eval", str(tmp_path / "empty.jsonl"))
    assert r.code == 2 and "没有带标注的客诉" in r.err
