"""Triage throughput on one core: the shared samples, triaged over and over for ~2 s.

Prints one JSON object. Target: 5,000 complaints per second.

    .venv/bin/python bench/triage_throughput.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.triage import ComplaintInput, Triage  # noqa: E402

POLICY = ROOT / "resources" / "policy" / "default.json"
SAMPLES = (Path("/work/shared/samples/complaints.jsonl"),
           ROOT / "tests" / "desktop" / "triage_cases.jsonl")
TARGET = 5000


def complaints() -> list[ComplaintInput]:
    """The labelled sample complaints, as triage input."""
    out = []
    for path in SAMPLES:
        if path.exists():
            for line in path.read_text("utf-8").splitlines():
                if line.strip():
                    c = json.loads(line)
                    out.append(ComplaintInput(c["text"], c["channel"], c["member_tier"],
                                              c["customers"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    with POLICY.open(encoding="utf-8") as f:
        started = time.perf_counter()
        triage = Triage.from_policy(json.load(f))
        load_ms = (time.perf_counter() - started) * 1000
    batch = complaints()
    recent = {"quality": 1, "spoiled": 1}
    for c in batch:  # warm up
        triage.triage(c, recent)
    done = 0
    started = time.perf_counter()
    deadline = started + args.seconds
    while (now := time.perf_counter()) < deadline:
        for c in batch:
            triage.triage(c, recent)
        done += len(batch)
    rate = done / (now - started)
    print(json.dumps({
        "figure": "triage_throughput",
        "complaints_per_second": round(rate),
        "target": TARGET,
        "ratio_to_target": round(rate / TARGET, 2),
        "complaints": done,
        "distinct_texts": len(batch),
        "mean_chars": round(sum(len(c.text) for c in batch) / len(batch), 1),
        "policy_load_ms": round(load_ms, 1),
    }))


if __name__ == "__main__":
    main()
