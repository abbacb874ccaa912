"""Triage: category, subcategory, level, risk flags and routing of a complaint text.

Policy-data rules (keywords, concept lexicons, flag rules) and, when the policy carries
one, a learned model beside them; both read the text in one normalised form. Every
result names what decided it, so staff can see why and correct it, and corrections
reach the centre, which retrains the model from them (``kesu-server triage retrain``).

* :mod:`~desktop.triage.text`: the normalisation every reader shares;
* :mod:`~desktop.triage.matcher`: finding the policy's words in one pass;
* :mod:`~desktop.triage.rules`: the policy's triage section, parsed and validated;
* :mod:`~desktop.triage.model`: the compact n-gram model and its policy form;
* :mod:`~desktop.triage.engine`: reading and deciding;
* :mod:`~desktop.triage.evaluation`: scoring labelled complaints (bench, CLI, retrain);
* :mod:`~desktop.triage.training`: fitting a model (scikit-learn; the centre only).
"""

from desktop.triage.engine import Reading, Triage
from desktop.triage.result import ComplaintInput, Reason, TriageResult
from desktop.triage.rules import TriagePolicyError, TriageRules

__all__ = [
    "ComplaintInput",
    "Reading",
    "Reason",
    "Triage",
    "TriagePolicyError",
    "TriageResult",
    "TriageRules",
]
