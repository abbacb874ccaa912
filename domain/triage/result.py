"""What triage reads and what it answers: the complaint, the result and its reasons."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ComplaintInput:
    """What triage looks at: the complaint text and who made it, how."""

    text: str
    channel: str = "desk"
    member_tier: str = "none"
    customers: int = 1


@dataclass(frozen=True)
class Reason:
    """One rule that contributed to a triage result, and what fired it."""

    rule: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"rule": self.rule, "detail": self.detail}


@dataclass(frozen=True)
class TriageResult:
    """The automatic triage of one complaint.

    ``model`` is the version of the learned model that graded it beside the rules, or
    None when the policy has none (or one this desk cannot read): the rules alone.
    """

    category: str
    subcategory: str
    level: int
    flags: tuple[str, ...]
    departments: tuple[str, ...]
    respond_within_minutes: int
    reasons: tuple[Reason, ...]
    model: str | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form; ``department`` is the first (leading) department."""
        return {
            "category": self.category,
            "subcategory": self.subcategory,
            "level": self.level,
            "flags": list(self.flags),
            "department": self.departments[0] if self.departments else "",
            "departments": list(self.departments),
            "respond_within_minutes": self.respond_within_minutes,
            "reasons": [r.as_dict() for r in self.reasons],
            "model": self.model,
        }
