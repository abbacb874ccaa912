"""The managers' reports in the app: the dashboard tab and the start-screen strip.

The figures come from :mod:`desktop.reports` (the same code as ``kesu report``); these
widgets only show them, compute them off the GUI thread and list the tickets behind any
figure.
"""

from __future__ import annotations

from ui.reports.attention_strip import AttentionStrip
from ui.reports.dashboard import ReportDashboard

__all__ = ["AttentionStrip", "ReportDashboard"]
