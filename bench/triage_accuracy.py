"""Accuracy of the triage engine on labelled complaints. Prints one JSON object.

Two sets: the shared samples (/work/shared/samples/complaints.jsonl, or --shared) and
the held-out cases in tests/desktop/triage_cases.jsonl. ``--errors`` also lists every
disagreement on stderr.

    .venv/bin/python bench/triage_accuracy.py [--shared PATH] [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.triage import ComplaintInput, Triage, TriageResult  # noqa: E402

POLICY = ROOT / "resources" / "policy" / "default.json"
SHARED = Path("/work/shared/samples/complaints.jsonl")
HELD_OUT = ROOT / "tests" / "desktop" / "triage_cases.jsonl"
FLAGS = ("food_safety", "injury", "group", "escalation_risk", "vip")


def load_cases(path: Path) -> list[dict[str, Any]]:
    """Labelled complaints, one JSON object a line."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def engine() -> Triage:
    """A triage engine on the shipped policy."""
    with POLICY.open(encoding="utf-8") as f:
        return Triage.from_policy(json.load(f))


def run(triage: Triage, case: Mapping[str, Any]) -> TriageResult:
    """Triage one labelled case (its optional ``recent`` counts included)."""
    return triage.triage(
        ComplaintInput(case["text"], case.get("channel", "desk"),
                       case.get("member_tier", "none"), case.get("customers", 1)),
        case.get("recent"),
    )


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def evaluate(triage: Triage, cases: Iterable[Mapping[str, Any]],
             errors: list[str] | None = None) -> dict[str, Any]:
    """Accuracy figures of *triage* on *cases*; disagreements appended to *errors*."""
    n = cat = sub = lvl = l1_true = l1_found = l1_pred = 0
    flag_true = dict.fromkeys(FLAGS, 0)
    flag_found = dict.fromkeys(FLAGS, 0)
    flag_false = dict.fromkeys(FLAGS, 0)
    for case in cases:
        r = run(triage, case)
        n += 1
        cat += r.category == case["category"]
        sub += r.subcategory == case["subcategory"]
        lvl += r.level == case["level"]
        l1_true += case["level"] == 1
        l1_pred += r.level == 1
        l1_found += case["level"] == 1 and r.level == 1
        for flag in FLAGS:
            expected, got = flag in case["flags"], flag in r.flags
            flag_true[flag] += expected
            flag_found[flag] += expected and got
            flag_false[flag] += got and not expected
        wrong = (r.subcategory != case["subcategory"] or r.level != case["level"]
                 or sorted(r.flags) != sorted(case["flags"]))
        if wrong and errors is not None:
            errors.append(
                f"want {case['subcategory']}/{case['level']}/{sorted(case['flags'])} "
                f"got {r.subcategory}/{r.level}/{list(r.flags)} "
                f"{[x.detail for x in r.reasons]} :: {case['text'][:80]}")
    return {
        "n": n,
        "category_accuracy": _ratio(cat, n),
        "subcategory_accuracy": _ratio(sub, n),
        "level_accuracy": _ratio(lvl, n),
        "level1_recall": _ratio(l1_found, l1_true),
        "level1_precision": _ratio(l1_found, l1_pred),
        "flag_recall": {f: _ratio(flag_found[f], flag_true[f]) for f in FLAGS},
        "flag_false_alarms": flag_false,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    triage = engine()
    errors: list[str] = []
    out: dict[str, Any] = {"figure": "triage_accuracy"}
    for name, path in (("shared_samples", args.shared), ("held_out", HELD_OUT)):
        if path.exists():
            out[name] = evaluate(triage, load_cases(path), errors)
            errors.append("----")
    print(json.dumps(out, ensure_ascii=False))
    if args.errors:
        print("\n".join(errors), file=sys.stderr)


if __name__ == "__main__":
    main()
