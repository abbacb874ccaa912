"""Learning from the stores: retrain the triage model from the corpus and staff corrections.

Every correction a person makes to a triage at any desk (a ``triaged`` event with
``why: "correction"``, naming them) reaches the centre by sync. ``kesu-server triage
retrain`` gathers the latest correction of each ticket, adds those lines to the shipped
corpus (weighted, as a store's own judgement), fits a model, chooses its thresholds on
the validation split, and scores it against the model in use on the held-out test
split. A model that scores worse is refused; a better one is published as a new policy
version, which desks pull as they pull any policy.

"Worse" is judged on the test split, which nothing is tuned on: a level-1 recall lower
by more than two of its level-1 lines (the missed food-safety or injury case is the
costliest error), or a mean of the five headline figures lower by more than about one
line in the split. Below that, a retrain moves figures by chance (a refit on a few more
lines flips a line or two either way), and refusing it would refuse every correction.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from domain.triage import ComplaintInput, Triage, TriageRules
from domain.triage.corpus import load_split
from domain.triage.evaluation import HEADLINE, Case, evaluate, headline
from sync.server import policy_store
from sync.server.errors import RetrainRefused
from sync.server.storage import Storage
from sync.server.tables import events

DEFAULT_TOLERANCE = 0.001  # of the mean headline figure: about one line of 1,436
LEVEL1_TOLERANCE_LINES = 2


@dataclass(frozen=True)
class Correction:
    """The latest correction of one ticket, as a labelled line."""

    store: str
    ticket_id: str
    actor: str
    case: Case


def corrections(storage: Storage) -> list[Correction]:
    """Each ticket's latest staff correction with its complaint, voided tickets left out."""
    with storage.engine.connect() as conn:
        fixed = conn.execute(
            sa.select(events.c.store, events.c.ticket_id, events.c.actor, events.c.payload,
                      events.c.hlc, events.c.device_id)
            .where(events.c.type == "triaged")
            .order_by(events.c.ticket_id, events.c.hlc, events.c.device_id)
        ).all()
        latest: dict[str, tuple[str, str, dict[str, Any]]] = {}
        for store, ticket, actor, payload, _, _ in fixed:
            body = _object(payload)
            if body.get("why") == "correction":
                latest[str(ticket)] = (str(store), str(actor), body)
        if not latest:
            return []
        made: dict[str, dict[str, Any]] = {}
        voided: set[str] = set()
        ids = sorted(latest)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for ticket, kind, payload in conn.execute(
                    sa.select(events.c.ticket_id, events.c.type, events.c.payload)
                    .where(events.c.ticket_id.in_(chunk),
                           events.c.type.in_(("ticket_created", "voided")))):
                if kind == "voided":
                    voided.add(str(ticket))
                else:
                    made[str(ticket)] = _object(payload)
    out = []
    for ticket, (store, actor, fix) in latest.items():
        created = made.get(ticket)
        if created is None or ticket in voided or not isinstance(created.get("text"), str):
            continue
        customer = created.get("customer") if isinstance(created.get("customer"), dict) else {}
        level = fix.get("level")
        if level not in (1, 2, 3) or not isinstance(fix.get("subcategory"), str):
            continue
        customers = created.get("customers", 1)
        out.append(Correction(store, ticket, actor, Case(
            complaint=ComplaintInput(
                created["text"], str(created.get("channel") or "desk"),
                str((customer or {}).get("member_tier") or "none"),
                customers if isinstance(customers, int) else 1),
            category=str(fix.get("category")), subcategory=fix["subcategory"],
            level=int(level))))
    return out


def _object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _mean(figures: Mapping[str, Any]) -> float:
    return sum(float(figures.get(k) or 0.0) for k in HEADLINE) / len(HEADLINE)


def is_worse(after: Mapping[str, Any], before: Mapping[str, Any],
             tolerance: float = DEFAULT_TOLERANCE) -> str | None:
    """Why the *after* figures are worse than *before*, or None when they are not."""
    cases = max(1, int(before.get("level1_cases") or after.get("level1_cases") or 1))
    slack = LEVEL1_TOLERANCE_LINES / cases + 1e-9
    if float(after.get("level1_recall") or 0) < float(before.get("level1_recall") or 0) - slack:
        return (f"level-1 recall falls from {before['level1_recall']} "
                f"to {after['level1_recall']}")
    if _mean(after) < _mean(before) - tolerance:
        return f"the mean figure falls from {_mean(before):.4f} to {_mean(after):.4f}"
    return None


def _agreement(triage: Triage, fixed: Sequence[Correction]) -> float | None:
    if not fixed:
        return None
    hits = sum((r.subcategory, r.level) == (c.case.subcategory, c.case.level)
               for c in fixed for r in [triage.triage(c.case.complaint)])
    return round(hits / len(fixed), 4)


def retrain(storage: Storage, *, publish: bool = True, policy_version: str | None = None,
            correction_weight: float | None = None,
            tolerance: float = DEFAULT_TOLERANCE) -> dict[str, Any]:
    """Retrain, compare and (when not worse, and *publish*) publish; the report as JSON.

    Raises :class:`RetrainRefused` when there is nothing to learn or the model is worse.
    """
    # scikit-learn loads only here, never when the server starts.
    from domain.triage.training import TrainingConfig, examples, train_model

    config = TrainingConfig()
    if correction_weight is not None:
        config = TrainingConfig(correction_weight=correction_weight)
    with storage.engine.connect() as conn:
        policy, current = policy_store.current(conn)
    fixed = corrections(storage)
    report: dict[str, Any] = {
        "policy_version": policy.version,
        "model_before": current.model.version if current.model else None,
        "corrections": len(fixed),
        "corrections_by_store": dict(sorted(Counter(c.store for c in fixed).items())),
    }
    if not fixed:
        raise RetrainRefused("no_corrections", "no staff corrections have reached the "
                             "centre yet: nothing new to learn", report)
    document = policy.document()
    document["triage"].pop("model", None)
    rules = TriageRules.from_policy(document)
    lines = examples(load_split("train"), rules) + examples(
        [c.case for c in fixed], rules, weight=config.correction_weight, correction=True)
    section, validation = train_model(document, lines, load_split("validation"), config,
                                      "pending", about={"corrections": len(fixed)})
    digest = hashlib.sha256(str(section["weights"]).encode()).hexdigest()[:6]
    section["version"] = f"{datetime.now(UTC):%Y.%m.%d}-{digest}"
    document["triage"]["model"] = section
    base = policy.version.split("+", 1)[0]
    document["policy_version"] = policy_version or f"{base}+{section['version']}"
    candidate = Triage.from_policy(document)
    test = load_split("test")
    scored = evaluate(current, test), evaluate(candidate, test)
    before, after = ({**headline(s), "level1_cases": s["level1_cases"]} for s in scored)
    report.update({
        "model_after": section["version"],
        "new_policy_version": document["policy_version"],
        "validation": headline(validation),
        "test_before": before, "test_after": after,
        "corrections_agreement": {"before": _agreement(current, fixed),
                                  "after": _agreement(candidate, fixed)},
    })
    why = is_worse(after, before, tolerance)
    if why is not None:
        raise RetrainRefused("worse_model", f"not published: {why} on the held-out "
                             "test split", report)
    if publish:
        published = policy_store.publish(storage, document)
        report["published"] = {"version": published.version, "seq": published.seq,
                               "new": published.new}
    return report
