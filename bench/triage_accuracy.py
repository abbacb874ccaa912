"""Accuracy of triage on labelled complaints: rules alone, model alone, and together.

Prints one JSON object. The sets:

* ``test``: the corpus's held-out split (``resources/triage/test.jsonl``), written apart
  from the training lines and never tuned on: **the figures to quote**;
* ``validation``: the split the model's thresholds were chosen on (not its weights);
* ``shared_samples``: ``/work/shared/samples/complaints.jsonl`` (or ``--shared``);
* ``early_cases``: ``tests/desktop/triage_cases.jsonl``, which the first keyword rules
  were tuned on (so they flatter the rules).

"Model alone" takes the model's subcategory and its level-1 and level-3 thresholds with
no rule at all; "together" is what desks run. ``--errors`` lists the disagreements of
the combined engine on stderr, for the sets other than ``test``.

    .venv/bin/python bench/triage_accuracy.py [--shared PATH] [--errors]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import _support

from domain.policy import load_policy
from domain.triage import Triage, TriageResult
from domain.triage.corpus import split_path
from domain.triage.evaluation import Case, evaluate, headline, read_cases, score

SHARED = Path("/work/shared/samples/complaints.jsonl")
EARLY = _support.ROOT / "tests" / "desktop" / "triage_cases.jsonl"


def model_alone(engine: Triage, cases: Sequence[Case]) -> dict[str, Any]:
    """The figures of the model's own decisions, no rule consulted."""
    model = engine.model
    assert model is not None
    comb = model.combination
    rules = engine.rules
    results = []
    for case in cases:
        out = engine.read(case.complaint).model
        if out is None:
            sub, level = rules.default_subcategory, 2
        else:
            sub = max(out.subcategory, key=out.subcategory.__getitem__)
            level = (1 if out.level1 >= comb.level1_threshold
                     else 3 if out.level3 >= comb.level3_threshold else 2)
        info = rules.subcategories[sub]
        results.append(TriageResult(info.category, sub, level, (), info.departments,
                                    rules.respond_within[level], ()))
    return score(cases, results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    policy = load_policy()
    together = Triage.from_policy(policy.raw)
    rules_alone = Triage(together.rules)
    out: dict[str, Any] = {"figure": "triage_accuracy", "policy_version": policy.version,
                           "model": together.model.version if together.model else None}
    errors: list[str] = []
    sets = (("test", split_path("test")), ("validation", split_path("validation")),
            ("shared_samples", args.shared), ("early_cases", EARLY))
    for name, path in sets:
        if not path.exists():
            continue
        cases = read_cases(path)
        def wrong(c: Case, r: TriageResult, name: str = name) -> None:
            errors.append(f"[{name}] want {c.subcategory}/{c.level}/{list(c.flags)} got "
                          f"{r.subcategory}/{r.level}/{list(r.flags)} "
                          f"{[x.detail for x in r.reasons][:6]} :: {c.text[:90]}")

        # The test split's lines are never listed: nobody is to tune on them.
        combined = evaluate(together, cases, on_wrong=None if name == "test" else wrong)
        out[name] = {
            "n": len(cases),
            "together": headline(combined),
            "rules_alone": headline(evaluate(rules_alone, cases)),
            "model_alone": headline(model_alone(together, cases)) if together.model else None,
            "flag_recall": combined["flag_recall"],
            "missed_level1": combined["missed_level1_count"],
        }
    _support.emit(out)
    if args.errors:
        print("\n".join(errors), file=sys.stderr)


if __name__ == "__main__":
    main()
