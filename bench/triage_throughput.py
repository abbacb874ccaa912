"""Triage throughput on one core, and the latency of one complaint as staff type it.

Throughput: the shared samples and the early cases, triaged over and over for ~2 s
(target 5,000 complaints per second). Typing: a 200-character complaint triaged at
every length from 1 character up, as the intake form does while a clerk types
(target under 2 ms each). Prints one JSON object.

    .venv/bin/python bench/triage_throughput.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import _support

from domain.triage import ComplaintInput, Triage

POLICY = _support.ROOT / "resources" / "policy" / "default.json"
SAMPLES = (Path("/work/shared/samples/complaints.jsonl"),
           _support.ROOT / "tests" / "desktop" / "triage_cases.jsonl")
TARGET = 5000
TYPING_TARGET_MS = 2.0
TYPED = ("昨天晚上在你们熟食档买的卤鸭脖和凉拌木耳，回家吃完没多久肚子就开始咕噜咕噜响，"
         "跑了一晚上厕所，今天早上还发低烧，请了一天假。我老公也吃了，也不舒服。"
         "小票我还留着，你们必须给个说法，不然我就打幺二三幺五，再发个dy让大家评评理！！"
         "另外那个卖熟食的阿姨态度也很差，问她什么时候做的她爱答不理。")


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
    typing = []
    for _ in range(5):
        for end in range(1, len(TYPED) + 1):
            complaint = ComplaintInput(TYPED[:end])
            t0 = time.perf_counter()
            triage.triage(complaint, recent)
            typing.append((time.perf_counter() - t0) * 1000)
    typing.sort()
    # A megabyte pasted into the form (the test checks it is read whole; this times it).
    t0 = time.perf_counter()
    triage.triage(ComplaintInput("发霉了请问差点摔倒12315" * 60_000), recent)
    megabyte_ms = (time.perf_counter() - t0) * 1000
    _support.emit({
        "figure": "triage_throughput",
        "complaints_per_second": round(rate),
        "target": TARGET,
        "ratio_to_target": round(rate / TARGET, 2),
        "complaints": done,
        "distinct_texts": len(batch),
        "mean_chars": round(sum(len(c.text) for c in batch) / len(batch), 1),
        "policy_load_ms": round(load_ms, 1),
        "model": triage.model.version if triage.model else None,
        "typing_ms_p50": round(typing[len(typing) // 2], 3),
        "typing_ms_p99": round(typing[int(len(typing) * 0.99)], 3),
        "typing_ms_max": round(typing[-1], 3),
        "typing_target_ms": TYPING_TARGET_MS,
        "typed_chars": len(TYPED),
        "megabyte_ms": round(megabyte_ms, 1),
    })


if __name__ == "__main__":
    main()
