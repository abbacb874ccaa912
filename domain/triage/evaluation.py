"""Scoring triage on labelled complaints: one definition for the bench, ``kesu triage
eval``, the tests and ``kesu-server triage retrain``.

A labelled complaint is a JSON object with ``text`` and the truth: ``category``,
``subcategory`` and ``level`` (``channel``, ``member_tier``, ``customers``, ``flags``
and the group rule's ``recent`` counts are optional). :func:`read_cases` reads a JSON-lines
file of them and says which line is wrong and why.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.errors import InvalidInput
from domain.triage.engine import Triage
from domain.triage.result import ComplaintInput, TriageResult

FLAGS = ("food_safety", "injury", "group", "escalation_risk", "vip")
_MISSED_SHOWN = 200  # missed level-1 texts listed in full; the count says how many more


class CaseError(InvalidInput):
    """A labelled line is unusable; ``code`` (a message of the catalogues) says why and
    ``params["line"]`` where (1-based)."""

    def __init__(self, line: int, code: str, **params: Any) -> None:
        super().__init__(f"triage.case.{code}", line=line, **params)
        self.line = line


@dataclass(frozen=True)
class Case:
    """One labelled complaint."""

    complaint: ComplaintInput
    category: str
    subcategory: str
    level: int
    flags: tuple[str, ...] = ()
    recent: Mapping[str, int] = field(default_factory=dict)
    weight: float = 1.0

    @property
    def text(self) -> str:
        """The complaint's text."""
        return self.complaint.text


def case_from(obj: Any, line: int = 0) -> Case:
    """A :class:`Case` from a parsed JSON object; :class:`CaseError` says what is wrong."""
    if not isinstance(obj, Mapping):
        raise CaseError(line, "not_object")
    for key in ("text", "category", "subcategory"):
        if not isinstance(obj.get(key), str):
            raise CaseError(line, "not_text", name=key)
    for key in ("channel", "member_tier"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise CaseError(line, "not_text", name=key)
    level = obj.get("level")
    if level not in (1, 2, 3) or isinstance(level, bool):
        raise CaseError(line, "bad_level")
    customers = obj.get("customers", 1)
    if not isinstance(customers, int) or isinstance(customers, bool):
        raise CaseError(line, "bad_customers")
    flags = obj.get("flags", [])
    if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
        raise CaseError(line, "bad_flags")
    recent = obj.get("recent") or {}
    if not isinstance(recent, Mapping) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in recent.values()):
        raise CaseError(line, "bad_recent")
    return Case(
        complaint=ComplaintInput(obj["text"], str(obj.get("channel") or "desk"),
                                 str(obj.get("member_tier") or "none"), customers),
        category=obj["category"], subcategory=obj["subcategory"], level=int(level),
        flags=tuple(sorted(flags)), recent=dict(recent))


def read_cases(path: str | Path) -> list[Case]:
    """The labelled complaints of a JSON-lines file (blank lines skipped)."""
    cases = []
    with Path(path).open(encoding="utf-8-sig") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError) as exc:
                raise CaseError(number, "not_json", reason=str(exc)) from None
            cases.append(case_from(obj, number))
    return cases


def check_labels(cases: Sequence[Case], pairs: Mapping[str, str]) -> None:
    """Refuse a case whose subcategory is not one of *pairs* (subcategory → category)."""
    for line, case in enumerate(cases, 1):
        if pairs.get(case.subcategory) != case.category:
            raise CaseError(line, "unknown_pair", category=case.category,
                            subcategory=case.subcategory)


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def score(cases: Sequence[Case], results: Sequence[TriageResult]) -> dict[str, Any]:
    """The figures of *results* against the truth of *cases* (same order)."""
    n = cat = sub = lvl = l1_true = l1_found = l1_pred = 0
    flag_true: Counter[str] = Counter()
    flag_found: Counter[str] = Counter()
    flag_false: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    missed: list[dict[str, Any]] = []
    for case, r in zip(cases, results, strict=True):
        n += 1
        cat += r.category == case.category
        sub += r.subcategory == case.subcategory
        lvl += r.level == case.level
        l1_true += case.level == 1
        l1_pred += r.level == 1
        l1_found += case.level == 1 and r.level == 1
        if r.subcategory != case.subcategory:
            confusion[(case.subcategory, r.subcategory)] += 1
        if case.level == 1 and r.level != 1:
            missed.append({"text": case.text, "subcategory": case.subcategory,
                           "flags": list(case.flags), "got_level": r.level,
                           "got_subcategory": r.subcategory})
        for flag in FLAGS:
            expected, got = flag in case.flags, flag in r.flags
            flag_true[flag] += expected
            flag_found[flag] += expected and got
            flag_false[flag] += got and not expected
    return {
        "n": n,
        "category_accuracy": _ratio(cat, n),
        "subcategory_accuracy": _ratio(sub, n),
        "level_accuracy": _ratio(lvl, n),
        "level1_recall": _ratio(l1_found, l1_true),
        "level1_precision": _ratio(l1_found, l1_pred),
        "level1_cases": l1_true,
        "flag_recall": {f: _ratio(flag_found[f], flag_true[f]) for f in FLAGS},
        "flag_false_alarms": {f: flag_false[f] for f in FLAGS},
        "subcategory_confusion": [
            {"truth": t, "got": g, "count": c}
            for (t, g), c in sorted(confusion.items(), key=lambda kv: (-kv[1], kv[0]))],
        "missed_level1": missed[:_MISSED_SHOWN],
        "missed_level1_count": len(missed),
    }


def evaluate(triage: Triage, cases: Iterable[Case],
             on_wrong: Callable[[Case, TriageResult], None] | None = None) -> dict[str, Any]:
    """Triage every case (with its ``recent`` counts) and score the results."""
    cases = list(cases)
    results = [triage.triage(c.complaint, c.recent or None) for c in cases]
    if on_wrong is not None:
        for case, r in zip(cases, results, strict=True):
            if (r.subcategory, r.level) != (case.subcategory, case.level):
                on_wrong(case, r)
    return score(cases, results)


HEADLINE = ("category_accuracy", "subcategory_accuracy", "level_accuracy",
            "level1_recall", "level1_precision")


def headline(figures: Mapping[str, Any]) -> dict[str, float | None]:
    """The five figures the targets are set on."""
    return {k: figures.get(k) for k in HEADLINE}
