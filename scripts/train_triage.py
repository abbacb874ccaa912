"""Train the triage model that ships in resources/policy/default.json, from the corpus.

Fits on ``resources/triage/train.jsonl``, chooses the thresholds on ``validation.jsonl``
and reports on ``test.jsonl`` (never tuned on). Writes the model into the shipped
policy as ``triage.model`` and gives the policy a new version; prints the figures as
JSON. The centre retrains the same way, with the stores' corrections added
(``kesu-server triage retrain``).

    .venv/bin/python scripts/train_triage.py --policy-version 2026.12.1 [--dry-run]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from domain.triage import Triage, TriageRules  # noqa: E402
from domain.triage.corpus import load_split  # noqa: E402
from domain.triage.evaluation import evaluate, headline  # noqa: E402
from domain.triage.training import TrainingConfig, examples, train_model  # noqa: E402

POLICY = ROOT / "resources" / "policy" / "default.json"


def model_version(section: dict[str, object]) -> str:
    """A readable, content-derived version: the day and a digest of the weights."""
    digest = hashlib.sha256(str(section["weights"]).encode()).hexdigest()[:6]
    return f"{datetime.now(UTC):%Y.%m.%d}-{digest}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy-version", help="the shipped policy's new version")
    parser.add_argument("--dry-run", action="store_true", help="report only; write nothing")
    parser.add_argument("--test", action="store_true",
                        help="also score the test split (quote it; never tune on it)")
    args = parser.parse_args()
    document = json.loads(POLICY.read_text("utf-8"))
    document["triage"].pop("model", None)
    rules = TriageRules.from_policy(document)
    config = TrainingConfig()
    train = load_split("train")
    section, validation = train_model(document, examples(train, rules),
                                      load_split("validation"), config, "pending",
                                      about={"corpus": "resources/triage"})
    section["version"] = model_version(section)
    candidate = dict(document, triage=dict(document["triage"], model=section))
    report = {"model": section["version"], "grams": section["about"]["grams"],
              "combination": section["combination"], "validation": headline(validation)}
    if args.test:
        test = load_split("test")
        report["test"] = headline(evaluate(Triage.from_policy(candidate), test))
        report["test_rules_only"] = headline(evaluate(Triage(rules), test))
    print(json.dumps(report, ensure_ascii=False))
    if args.dry_run:
        return
    if not args.policy_version:
        parser.error("--policy-version is needed to write the policy")
    candidate["policy_version"] = args.policy_version
    POLICY.write_text(json.dumps(candidate, ensure_ascii=False, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
