"""Durations in the reports: one wording for the PDF and the dashboard."""

from __future__ import annotations

import pytest

from desktop.reports.durations import duration_text


@pytest.mark.parametrize("minutes, zh, en", [
    (None, "—", "—"),
    (0, "0 分钟", "0 min"),
    (46.5, "47 分钟", "47 min"),  # half up, not to even: the PDF and the tiles agree
    (59.6, "1 小时", "1 h"),
    (151.4, "2 小时 31 分", "2 h 31 min"),
    (24 * 60, "1 天", "1 d"),
    (3 * 24 * 60 + 4 * 60 + 20, "3 天 4 小时", "3 d 4 h"),
])
def test_duration_text(minutes: float | None, zh: str, en: str) -> None:
    assert duration_text(minutes, "zh_CN") == zh
    assert duration_text(minutes, "en") == en
