"""Fitting the triage model (scikit-learn) and choosing how it joins the rules.

Only the centre (``kesu-server triage retrain``) and the corpus scripts import this:
scikit-learn and NumPy never load on a desk. The fitted weights leave here as the
policy's ``triage.model`` section, which :mod:`domain.triage.model` reads in plain
Python, so what is measured here is exactly what desks run.

1. :func:`fit` learns one multinomial logistic regression over the subcategories and
   binary ones for level 1, level 3 and each text flag, on binary character n-gram
   features scaled by the text's n-gram count (:func:`domain.triage.model.features`);
   weights are pruned to the strongest n-grams and quantised to int8.
2. :func:`choose_combination` picks, on the validation split only, the rule weight in
   the subcategory choice, the level-1 threshold (the highest that keeps level-1 recall
   at the target) and the level-3 threshold.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from domain.triage.engine import Reading, Triage
from domain.triage.evaluation import Case, score
from domain.triage.model import (
    CHANNEL_VALUE,
    FLAG_PREFIX,
    LEVEL1,
    LEVEL3,
    MODEL_FORMAT,
    SUB_PREFIX,
    Combination,
    channel_feature,
    encode_weights,
    features,
    parse_model,
)
from domain.triage.rules import TriageRules

TEXT_FLAGS = ("food_safety", "injury", "group", "escalation_risk")
# Flags a text shows by itself; a level 1 that only the member tier or the number of
# customers gives is not something the text can teach (see _text_level1).
_TEXT_RISK = frozenset({"food_safety", "injury", "escalation_risk"})


@dataclass(frozen=True)
class TrainingConfig:
    """What :func:`fit` and :func:`choose_combination` do; the defaults ship."""

    orders: tuple[int, ...] = (1, 2)  # as accurate as 1–3-grams on validation, and faster
    max_chars: int = 2000
    min_df: int = 2
    c_subcategory: float = 20.0
    c_binary: float = 8.0
    max_grams: int = 15_000  # as accurate as 40,000 on validation, half the size
    level1_recall: float = 0.99  # a margin over the 98% target: unseen text is harder
    # The model raises level 1 at least when it finds level 1 the likelier, even where
    # the rules alone reached the recall on validation: unseen text will need it.
    level1_threshold_cap: float = 0.5
    # Recall comes first where precision stays clear of its 85% target.
    level1_precision_floor: float = 0.88
    correction_weight: float = 3.0


@dataclass(frozen=True)
class Example:
    """A training line: its labels for each head, None where the line says nothing."""

    text: str
    channel: str
    subcategory: str
    level1: bool | None
    level3: bool | None
    flags: Mapping[str, bool] | None
    weight: float


def _text_level1(case: Case) -> bool | None:
    """Is the *text* level 1? None when the level comes from the tier or the head count."""
    flags = set(case.flags)
    if case.level != 1:
        return False
    if flags & _TEXT_RISK or ("group" in flags and case.complaint.customers < 2):
        return True
    if not flags:  # a corrected level: staff judged the text
        return True
    return None


def examples(cases: Sequence[Case], rules: TriageRules, weight: float = 1.0,
             correction: bool = False) -> list[Example]:
    """Training lines of labelled cases, read as the engine reads them for its model
    (normalised, negated words masked); *correction* lines carry no flags of their own."""
    reader = Triage(rules)
    out = []
    for case in cases:
        level1 = _text_level1(case)
        flags: dict[str, bool] | None
        if correction:
            flags = dict.fromkeys(TEXT_FLAGS, False) if case.level != 1 else None
        else:
            flags = {f: f in case.flags for f in TEXT_FLAGS}
            if "group" in case.flags and case.complaint.customers >= 2:
                del flags["group"]  # the head count, not the text, may have said so
        out.append(Example(
            text=reader.read(case.complaint, with_model=False).model_text,
            channel=case.complaint.channel,
            subcategory=case.subcategory, level1=level1,
            level3=None if case.level == 1 else case.level == 3,
            flags=flags, weight=case.weight * weight))
    return out


def _matrix(rows: Sequence[set[str]], channels: Sequence[str],
            vocab: Mapping[str, int]) -> sparse.csr_matrix:
    """The feature matrix exactly as :meth:`TriageModel.predict` weighs a text."""
    indptr, indices, data = [0], [], []
    for grams, channel in zip(rows, channels, strict=True):
        value = 1.0 / math.sqrt(max(1, len(grams)))
        cols = {vocab[g]: value for g in grams if g in vocab}
        via = vocab.get(channel_feature(channel))
        if via is not None:
            cols[via] = CHANNEL_VALUE
        for col in sorted(cols):
            indices.append(col)
            data.append(cols[col])
        indptr.append(len(indices))
    return sparse.csr_matrix((np.array(data), np.array(indices, dtype=np.int64),
                              np.array(indptr, dtype=np.int64)), shape=(len(rows), len(vocab)))


def _logistic(c: float) -> LogisticRegression:
    # SAGA suits many sparse features: ten times faster than L-BFGS here for the same
    # accuracy; a fixed seed makes retraining on the same lines give the same model.
    return LogisticRegression(C=c, solver="saga", tol=1e-3, max_iter=500, random_state=0)


def _fit(model: LogisticRegression, x: Any, y: Any, w: Any) -> LogisticRegression:
    # A fit that stops at max_iter is still a usable model, and the held-out figures
    # judge it; the warning would only garble the JSON the commands print.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x, y, sample_weight=w)


def _binary(x: sparse.csr_matrix, labels: Sequence[bool | None], weights: np.ndarray,
            c: float) -> tuple[np.ndarray, float]:
    keep = np.array([v is not None for v in labels])
    y = np.array([bool(v) for v in labels])
    if keep.sum() == 0 or len(set(y[keep])) < 2:
        bias = -8.0 if keep.sum() == 0 or not y[keep].any() else 8.0
        return np.zeros(x.shape[1]), bias
    model = _fit(_logistic(c), x[keep], y[keep], weights[keep])
    return model.coef_[0], float(model.intercept_[0])


def fit(rules: TriageRules, train: Sequence[Example], config: TrainingConfig,
        version: str, about: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The policy's ``triage.model`` section fitted on *train* (combination defaults)."""
    grams = [features(e.text, config.orders, config.max_chars) for e in train]
    df: dict[str, int] = {}
    for row, e in zip(grams, train, strict=True):
        for g in (*row, channel_feature(e.channel)):
            df[g] = df.get(g, 0) + 1
    vocab = {g: i for i, g in enumerate(sorted(g for g, n in df.items() if n >= config.min_df))}
    x = _matrix(grams, [e.channel for e in train], vocab)
    w = np.array([e.weight for e in train])
    subs = [s for s in rules.subcategories if any(e.subcategory == s for e in train)]
    heads: list[str] = [SUB_PREFIX + s for s in subs]
    sub_model = _fit(_logistic(config.c_subcategory), x, [e.subcategory for e in train], w)
    order = [list(sub_model.classes_).index(s) for s in subs]
    columns = [sub_model.coef_[i] for i in order]
    bias = [float(sub_model.intercept_[i]) for i in order]
    binaries: list[tuple[str, list[bool | None]]] = [
        (LEVEL1, [e.level1 for e in train]), (LEVEL3, [e.level3 for e in train])]
    binaries += [(FLAG_PREFIX + f, [None if e.flags is None else e.flags.get(f)
                                    for e in train]) for f in TEXT_FLAGS]
    for head, labels in binaries:
        coef, intercept = _binary(x, labels, w, config.c_binary)
        heads.append(head)
        columns.append(coef)
        bias.append(intercept)
    weights = np.vstack(columns).T  # grams × heads
    strength = np.sqrt((weights ** 2).sum(axis=1))
    keep = np.argsort(-strength)[:config.max_grams]
    names = sorted(vocab, key=vocab.__getitem__)
    rows = {names[i]: [float(v) for v in weights[i]] for i in keep}
    scale, blob = encode_weights(heads, rows)
    return {
        "format": MODEL_FORMAT,
        "version": version,
        "about": {"trained_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "lines": len(train), "grams": len(rows), **(about or {}),
                  "config": {k: list(v) if isinstance(v, tuple) else v
                             for k, v in asdict(config).items()}},
        "features": {"ngrams": list(config.orders), "max_chars": config.max_chars},
        "heads": heads,
        "bias": [round(b, 6) for b in bias],
        "scale": [float(f"{s:.6g}") for s in scale],
        "combination": asdict(Combination()),
        "weights": blob,
    }


# ---------------------------------------------------------------- the combination


def _grid_sub(triage: Triage, readings: Sequence[Reading], cases: Sequence[Case],
              comb: Combination) -> float:
    hits = sum(triage.subcategory_of(r, comb) == c.subcategory
               for r, c in zip(readings, cases, strict=True))
    return hits / len(cases)


def _threshold_for_recall(p1: Sequence[float], by_rules: Sequence[bool],
                          truth: Sequence[bool], recall: float) -> float:
    """The highest threshold at which rules-or-model level 1 keeps *recall*."""
    positives = sum(truth)
    if positives == 0:
        return 1.0
    needed = math.ceil(recall * positives - 1e-9)
    caught = sum(1 for t, r in zip(truth, by_rules, strict=True) if t and r)
    if caught >= needed:
        return 1.0
    left = sorted((p for p, t, r in zip(p1, truth, by_rules, strict=True) if t and not r),
                  reverse=True)
    return max(0.0, left[needed - caught - 1] - 1e-6)


def choose_combination(triage: Triage, validation: Sequence[Case],
                       config: TrainingConfig) -> tuple[Combination, dict[str, Any]]:
    """The combination that does best on *validation*, and its figures there.

    In turn: the subcategory's rule weight and the bar for the model alone (subcategory
    accuracy); the bar for a model subcategory to raise its flag and the level-1
    threshold (the highest keeping level-1 recall at the target, best precision); the
    level-3 threshold and rule bonus (level accuracy).
    """
    readings = [triage.read(c.complaint) for c in validation]
    base = Combination()
    best = max(
        (replace(base, rule_weight=w, rule_temperature=t, subcategory_alone_min=a,
                 model_trust_min=m)
         for w in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6) for t in (0.5, 1.0, 2.0, 4.0)
         for a in (0.35, 0.5) for m in (0.0, 0.3, 0.4, 0.5)),
        # Ties: the least rule weight, and the most deference to rules where the model
        # is unsure (text unlike its training lines is what it will meet).
        key=lambda c: (_grid_sub(triage, readings, validation, c), -c.rule_weight,
                       c.model_trust_min))
    truth = [c.level == 1 for c in validation]
    p1 = [r.model.level1 if r.model else 0.0 for r in readings]
    candidates = []
    for fsm, strong in ((f, s) for f in (0.0, 0.3, 0.5, 0.7, 0.9, 1.0)
                        for s in (2.0, 0.3, 0.2, 0.1, 0.05)):
        trial = replace(best, flag_subcategory_min=fsm, strong_words_min=strong,
                        level1_threshold=1.0)
        by_rules = [triage.decide(r, c.recent or None, trial).level == 1
                    for r, c in zip(readings, validation, strict=True)]
        threshold = min(config.level1_threshold_cap,
                        _threshold_for_recall(p1, by_rules, truth, config.level1_recall))
        predicted = [r or p >= threshold for r, p in zip(by_rules, p1, strict=True)]
        tp = sum(1 for t, q in zip(truth, predicted, strict=True) if t and q)
        precision = tp / max(1, sum(predicted))
        # The most recall whose precision clears the floor, then the best precision; on a
        # tie the strong words kept (the rules' own evidence: unseen text shares it) and
        # the model's subcategory raising its flag (spoiled is level 1, as domain.md says).
        clears = precision >= config.level1_precision_floor
        candidates.append((clears, tp if clears else 0, round(precision, 4), -strong, -fsm,
                           threshold))
    *_, strong, fsm, threshold = max(candidates)
    best = replace(best, flag_subcategory_min=-fsm, strong_words_min=-strong,
                   level1_threshold=round(threshold, 6))
    def level_hits(comb: Combination) -> int:
        return sum(triage.decide(r, k.recent or None, comb).level == k.level
                   for r, k in zip(readings, validation, strict=True))

    best = max(
        (replace(best, level3_threshold=t, level3_rule_bonus=b)
         for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8) for b in (0.0, 1.0, 2.0, 3.0, 5.0)),
        key=lambda c: (level_hits(c), c.level3_rule_bonus))
    results = [triage.decide(r, c.recent or None, best)
               for r, c in zip(readings, validation, strict=True)]
    return best, score(validation, results)


def train_model(policy: Mapping[str, Any], train: Sequence[Example],
                validation: Sequence[Case], config: TrainingConfig, version: str,
                about: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """A complete ``triage.model`` section for *policy*: fitted on *train*, combined on
    *validation*; and the validation figures it was chosen by."""
    rules = TriageRules.from_policy(policy)
    section = fit(rules, train, config, version, about)
    model = parse_model(section, rules.subcategories)
    assert model is not None
    combination, figures = choose_combination(Triage(rules, model), validation, config)
    section["combination"] = asdict(combination)
    return section, figures
