"""The centre's product alerts on the desk: a strip over the work area, for every role.

When one product draws complaints in several stores, the centre raises an alert that
every desk receives at its next sync (:mod:`desktop.desk_sync.alerts_pull`); the strip
lists the open ones ("商品预警：<商品> 近7天 3 家门店被投诉，请检查货架") so staff check
their shelves. It is read on the reader thread on login, after a sync round that pulled
something and each minute (an alert may also arrive on an idle round).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.changes import Changes
from desktop.desk import Desk
from desktop.product_alerts import ProductAlert, open_alerts
from ui import steady
from ui.context import AppContext
from ui.naming import named as _named
from ui.read_strip import ReadStrip

SHOWN = 3  # lines shown; the count says how many there are


class ProductAlertStrip(ReadStrip):
    """The open product alerts, one line each (up to :data:`SHOWN`)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _named(QLabel(), "productAlertTitle"), parent)
        self.setObjectName("productAlertStrip")
        self.setStyleSheet(
            "#productAlertStrip { background: #fce8e6; border: 1px solid #d93025;"
            " border-radius: 4px; }")
        self.alerts: tuple[ProductAlert, ...] = ()
        self.title.setStyleSheet("font-weight: bold; color: #a50e0e;")
        self.lines: list[QLabel] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        for i in range(SHOWN):
            line = _named(QLabel(), f"productAlert{i}")
            line.setWordWrap(True)
            layout.addWidget(line)
            self.lines.append(line)
        ctx.executor.changed.connect(self._changed)

    def line_text(self, alert: ProductAlert) -> str:
        """One alert as the strip writes it."""
        return self.tr(
            "Product alert: {label}, complained about in {stores} stores in the last "
            "{days} days; please check the shelves").format(
                label=alert.label, stores=alert.store_count, days=alert.days)

    def _read(self, desk: Desk) -> tuple[ProductAlert, ...]:
        return tuple(open_alerts(desk.conn))

    def _changed(self, changes: Changes) -> None:
        if self._active and (changes.sync_state or changes.everything):
            self.refresh()

    def _show(self, result: tuple[ProductAlert, ...]) -> None:
        alerts = self.alerts = result
        steady.set_text(self.title, self.tr("Product alerts from headquarters ({count})")
                        .format(count=len(alerts)))
        for i, line in enumerate(self.lines):
            if i < len(alerts):
                steady.set_text(line, self.line_text(alerts[i]))
                line.setToolTip(self.tr("{tickets} complaints across the stores").format(
                    tickets=alerts[i].tickets))
            steady.set_shown(line, i < len(alerts))
        steady.set_shown(self, self._active and bool(alerts))
