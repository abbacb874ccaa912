"""Words for the timeline lines whose payload names a code: which alert was acknowledged,
which receipt was printed. The event names themselves are in :func:`ui.labels.event_label`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

from ui.printing.print_queue_panel import kind_label

translate = QCoreApplication.translate


def alert_label(key: str) -> str:
    """``level_1`` → 一级预警, ``overdue`` → 响应超时, ``escalated:2`` → 第 2 级升级."""
    kind, _, step = key.partition(":")
    if kind == "escalated":
        return translate("TimelineWords", "escalation step {step}").format(step=step or "?")
    return {
        "level_1": translate("TimelineWords", "level-1 alert"),
        "overdue": translate("TimelineWords", "response overdue"),
    }.get(kind) or translate("TimelineWords", "alert")


def receipt_summary(payload: Mapping[str, Any]) -> str:
    """What a ``receipt_printed`` line says: the receipt, the paper, a reprint, the copy."""
    paper = str(payload.get("format", ""))
    parts = [kind_label(str(payload.get("kind", ""))),
             {"80mm": translate("TimelineWords", "80 mm roll"),
              "a4": translate("TimelineWords", "A4")}.get(paper, paper)]
    if payload.get("reprint"):
        parts.append(translate("TimelineWords", "reprint, copy {n}").format(
            n=payload.get("copy_no", "")))
    return translate("TimelineWords", ", ").join(p for p in parts if p)
