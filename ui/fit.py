"""Fitting the windows on the screens stores have (1280×720, 1366×768).

No size here comes from content: rows of controls wrap (:class:`FlowLayout`), long texts
elide (:class:`ElidedButton`, the whole text in the tooltip), columns taller than their
room scroll (:class:`ScrollColumn`), and a window opens no larger than the screen's
available area (:func:`fit_to_screen`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLayout,
    QLayoutItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QWidget,
    QWidgetItem,
)


class FlowLayout(QLayout):
    """A row of controls that wraps onto further rows when the width runs out.

    A drop-in for a ``QHBoxLayout`` of buttons and labels: its minimum width is that of
    its widest item, not the sum of all of them. ``addStretch`` is accepted (and ignored)
    so code written for a box layout keeps working.
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)
        if parent is None:
            self.setContentsMargins(0, 0, 0, 0)

    # --- QLayout -----------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def addStretch(self, stretch: int = 0) -> None:
        """Nothing: a wrapping row has no end to push items to."""

    def insertWidget(self, index: int, widget: QWidget) -> None:
        """Put *widget* at *index* (like ``QBoxLayout.insertWidget``)."""
        self.addChildWidget(widget)
        self._items.insert(max(0, min(index, len(self._items))), QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        # As Qt's flow layout example: the width comes from the room the parent gives
        # (then heightForWidth), so the row never asks for the sum of its items.
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        left, top, right, bottom = self._margins()
        size = QSize(0, 0)
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        return QSize(size.width() + left + right, size.height() + top + bottom)

    # --- inside ------------------------------------------------------------------------

    def _margins(self) -> tuple[int, int, int, int]:
        m = self.contentsMargins()
        return m.left(), m.top(), m.right(), m.bottom()

    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        """Rows filled by the items' minimum widths; in each row the room left is shared
        out towards their preferred widths (an elided button grows back to its whole
        text when there is room). Returns the height used."""
        left, top, right, bottom = self._margins()
        area = rect.adjusted(left, top, -right, -bottom)
        width, gap = max(area.width(), 1), self.spacing()
        rows: list[list[QLayoutItem]] = []
        used = 0
        for item in self._shown():
            need = item.minimumSize().width()
            if rows and rows[-1] and used + gap + need > width:
                rows.append([])
                used = 0
            if not rows:
                rows.append([])
            used += (gap if rows[-1] else 0) + need
            rows[-1].append(item)
        y = area.y()
        for row in rows:
            mins = [i.minimumSize().width() for i in row]
            wants = [max(i.sizeHint().width(), m) - m for i, m in zip(row, mins, strict=True)]
            extra = max(0, width - sum(mins) - gap * (len(row) - 1))
            scale = 1.0 if sum(wants) <= extra else extra / sum(wants)
            height = max(i.sizeHint().height() for i in row)
            x = area.x()
            for item, low, want in zip(row, mins, wants, strict=True):
                w = low + int(want * scale)
                if apply:
                    item.setGeometry(QRect(QPoint(x, y), QSize(w, item.sizeHint().height())))
                x += w + gap
            y += height + gap
        return (y - gap if rows else y) - rect.y() + bottom


class ElidedButton(QPushButton):
    """A push button whose long text is elided to the room it gets (never clipped), up to
    *max_width*; the whole text is its tooltip and :meth:`full_text`."""

    def __init__(self, text: str = "", parent: QWidget | None = None,
                 max_width: int | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._max_width = max_width
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        """Show *text* (elided when the button is narrower)."""
        self._full = text
        self.setToolTip(text)
        self.updateGeometry()
        self._elide()

    def full_text(self) -> str:
        """The text before eliding."""
        return self._full

    def _chrome(self, text: str) -> QSize:
        """The button's size around *text*: frame, padding (style sheets too), margins."""
        self.ensurePolished()
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = text
        metrics = self.fontMetrics()
        inner = QSize(metrics.horizontalAdvance(text), metrics.height())
        return self.style().sizeFromContents(QStyle.ContentsType.CT_PushButton, option,
                                             inner, self)

    def sizeHint(self) -> QSize:
        hint = self._chrome(self._full)
        hint.setWidth(hint.width() + 4)  # sub-pixel advances: the whole text must fit
        if self._max_width is not None:
            hint.setWidth(min(hint.width(), self._max_width))
        return hint

    def minimumSizeHint(self) -> QSize:
        # Room for a few characters and the ellipsis: the rest is in the tooltip.
        short = self._chrome(self._full[:4] + "…")
        return QSize(min(short.width(), self.sizeHint().width()), short.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.updateGeometry()  # a bold style sheet makes the whole text wider
            self._elide()

    def _elide(self) -> None:
        # The frame and padding around the text, measured on a text wide enough to pass
        # the minimum width a style gives a short button.
        sample = "M" * 24
        chrome = self._chrome(sample).width() - self.fontMetrics().horizontalAdvance(sample)
        room = self.width() - chrome
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight,
                                              max(room, 0))
        if shown != self.text():
            self.setText(shown)


class ScrollColumn(QScrollArea):
    """*content* in a frameless scroll area that asks for the content's height but may be
    given less (then it scrolls), at most *share* of its parent's height when given; the
    focused control inside is always scrolled into view."""

    def __init__(self, content: QWidget, parent: QWidget | None = None,
                 share: float | None = None, max_hint: QSize | None = None) -> None:
        super().__init__(parent)
        self._share = share
        self._max_hint = max_hint
        self._watched: QWidget | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # As tall as the content asks (up to its share); what is left goes to stretchier
        # neighbours (a scroll area is Expanding by default and would give it away).
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setWidget(content)
        content.installEventFilter(self)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def sizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().sizeHint()
        hint = content.sizeHint()
        width = max(hint.width(), content.minimumSizeHint().width())
        height = hint.height()
        if content.hasHeightForWidth():
            height = max(height, content.heightForWidth(max(self.viewport().width(), 1)))
        bar = self.verticalScrollBar().sizeHint().width()
        hint = QSize(width + bar, height + 2 * self.frameWidth())
        return hint if self._max_hint is None else hint.boundedTo(self._max_hint)

    def minimumSizeHint(self) -> QSize:
        bar = self.verticalScrollBar().sizeHint().width()
        line = self.fontMetrics().lineSpacing()
        return QSize(bar + 8 * line, 3 * line)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            # A form opened or closed inside: ask for the new height and keep the
            # control in hand in view.
            self.relayout()
            focus = QApplication.focusWidget()
            if focus is not None:
                self.reveal(focus)
        elif watched is self._watched and event.type() == QEvent.Type.Resize:
            self._apply_share()
        return super().eventFilter(watched, event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        parent = self.parentWidget()
        if self._share is not None and parent is not None and parent is not self._watched:
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            self._watched = parent
            parent.installEventFilter(self)
            self._apply_share()

    def _apply_share(self) -> None:
        if self._watched is not None and self._share is not None:
            self.setMaximumHeight(max(self.minimumSizeHint().height(),
                                      int(self._watched.height() * self._share)))

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        content = self.widget()
        if new is not None and content is not None and content.isAncestorOf(new):
            self.relayout()
            self.reveal(new)
            # A form that just opened is laid out on the next turn of the event loop.
            QTimer.singleShot(0, lambda: self.reveal(new))

    def relayout(self) -> None:
        """Lay the content and this area out now, not a turn of the event loop later: the
        area is a layout root of its own, so a form opened inside would otherwise keep
        its old size until then (and a click meant for its button miss)."""
        content, holder = self.widget(), self.parentWidget()
        inner = content.layout() if content is not None else None
        if inner is not None:
            inner.activate()
        self.updateGeometry()
        outer = holder.layout() if holder is not None else None
        if outer is not None:
            outer.activate()
        QApplication.sendEvent(self, QEvent(QEvent.Type.LayoutRequest))  # content's size

    def reveal(self, widget: QWidget) -> None:
        """Scroll so *widget* shows, with as much of what holds it (its whole form, the
        form's buttons) as fits."""
        content = self.widget()
        try:
            if content is None or not content.isAncestorOf(widget):
                return
        except RuntimeError:  # deleted meanwhile
            return
        room = self.viewport().height() - 16
        target, up = widget, widget.parentWidget()
        while up is not None and up is not content and up.height() <= room:
            target, up = up, up.parentWidget()
        self.ensureWidgetVisible(target, 8, 8)


# Room for the window manager's title bar and frame, which a window's size excludes.
FRAME_ALLOWANCE = QSize(16, 40)


def fit_to_screen(window: QWidget, preferred: QSize) -> QSize:
    """Resize *window* to *preferred*, or to the screen's available area when that is
    smaller (and put it inside that area); return the size given."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(preferred)
        return preferred
    available = screen.availableGeometry()
    room = (available.size() - FRAME_ALLOWANCE).expandedTo(QSize(320, 240))
    size = preferred.boundedTo(room)
    window.resize(size)
    if size != preferred:
        window.move(available.topLeft())
    return size
