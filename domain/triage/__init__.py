"""Triage: category, subcategory, level, risk flags and routing of a complaint text.

Policy-data rules (keywords, concept lexicons, flag rules) and, when the policy carries
one, a learned model beside them; both read the text in one normalised form. Every
result names what decided it, so staff can see why and correct it, and corrections
reach the centre, which retrains the model from them (``kesu-server triage retrain``).

* :mod:`~domain.triage.text`: the normalisation every reader shares;
* :mod:`~domain.triage.matcher`: finding the policy's words in one pass;
* :mod:`~domain.triage.rules`: the policy's triage section, parsed and validated;
* :mod:`~domain.triage.model`: the compact n-gram model and its policy form;
* :mod:`~domain.triage.engine`: reading and deciding;
* :mod:`~domain.triage.evaluation`: scoring labelled complaints (bench, CLI, retrain);
* :mod:`~domain.triage.training`: fitting a model (scikit-learn; the centre only).
"""

from domain.triage.engine import Reading, Triage
from domain.triage.result import ComplaintInput, Reason, TriageResult
from domain.triage.rules import TriagePolicyError, TriageRules

__all__ = [
    "ComplaintInput",
    "Reading",
    "Reason",
    "Triage",
    "TriagePolicyError",
    "TriageResult",
    "TriageRules",
]
