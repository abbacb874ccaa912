"""The labelled corpus that ships with Kesu (``resources/triage``) and its three splits.

* ``train``: what the model is fitted on, and what the rules may be tuned on;
* ``validation``: written apart from the training lines, used only to choose the
  model's thresholds and combination (never to fit weights or write rules);
* ``test``: written apart again and never tuned on by anyone; the figures Kesu quotes,
  and the yardstick ``kesu-server triage retrain`` refuses a worse model by.

``LABELS.md`` beside them says how every line is labelled.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from domain.triage.evaluation import Case, read_cases

SPLITS = ("train", "validation", "test")


def split_path(split: str) -> Path:
    """The file of one split of the shipped corpus."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; one of {', '.join(SPLITS)}")
    return Path(str(resources.files("resources").joinpath("triage", f"{split}.jsonl")))


def load_split(split: str) -> list[Case]:
    """The labelled complaints of one split of the shipped corpus."""
    return read_cases(split_path(split))
