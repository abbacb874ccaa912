"""The response scripts (话术库) on screen: the titles of the scripts for a ticket's
subcategory and level, the one picked opened below (what to say first, what to check,
what may be offered and up to what amount, what must not be promised, the legal rule),
and, in the ticket view, a search over the whole library, "copy into the note" and
"helpful".

Everything shown is read from the library the desk last pulled (``desktop.script_library``,
the GUI thread's connection: one row, parsed once per version), so it works offline.
The two uses staff record go through the executor (:mod:`ui.operations.scripts`); a
"copied" use is recorded when the text is put into the note box (the note itself is
saved, or not, by staff as any note).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import script_library
from desktop.changes import Changes
from domain.scripts import Script, note_text
from ui import labels, steady
from ui.context import AppContext
from ui.naming import named as _named
from ui.operations import scripts as script_ops

# lupdate finds translate("Context", "literal") calls by this name.
translate = QCoreApplication.translate

SEARCH_DEBOUNCE_MS = 150
MAX_SHOWN = 50  # a search's hits listed (a library holds at most 500)


def headings() -> dict[str, str]:
    """The headings of a script's parts in the UI's language (``domain.scripts.note_text``)."""
    return {
        "say_first": translate("Scripts", "Say first"),
        "check": translate("Scripts", "Check"),
        "may_offer": translate("Scripts", "May offer"),
        "never_promise": translate("Scripts", "Never promise"),
        "legal_rule": translate("Scripts", "Legal rule"),
        "offer_limit": translate("Scripts", "Offer at most ¥{amount}"),
        # Between a heading and its text (Chinese writes a full-width colon).
        "separator": translate("Scripts", ": "),
    }


def script_text(script: Script, english: bool) -> str:
    """The whole script as text: its title, then each part under its heading."""
    return note_text(script, english, headings())


def note_line(script: Script, english: bool) -> str:
    """The script as one line for the note box (which takes one line)."""
    return ("; " if english else "；").join(script_text(script, english).splitlines())


class ScriptsView(QWidget):
    """Scripts for one subcategory and level, or a search's hits; see the module doc.

    *actions*: offer "copy into the note" and "helpful" (the ticket view); *to_note* puts
    text into the note box and says whether it could (a ticket that takes no note now).
    ``shown(count)`` after the list changed.
    """

    shown = Signal(int)

    def __init__(self, ctx: AppContext, name: str, *, actions: bool = False,
                 searchable: bool = False, to_note: Callable[[str], bool] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._ctx = ctx
        self._english = ctx.language == "en"
        self._to_note = to_note
        self._subcategory: str | None = None
        self._level: int | None = None
        self._ticket_id: str | None = None
        self._scripts: dict[str, Script] = {}
        self._helpful: set[str] = set()

        self.search: QLineEdit | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if searchable:
            self.search = _named(QLineEdit(), f"{name}_search")
            self.search.setPlaceholderText(self.tr("Search the script library, e.g. 异味"))
            self.search.setClearButtonEnabled(True)
            self._timer = QTimer(self)
            self._timer.setSingleShot(True)
            self._timer.setInterval(SEARCH_DEBOUNCE_MS)
            self._timer.timeout.connect(self.refresh)
            self.search.textChanged.connect(lambda _t: self._timer.start())
            self.search.returnPressed.connect(self.refresh)
            layout.addWidget(self.search)
        self.caption = _named(QLabel(), f"{name}_caption")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: #5f6368;")
        self.list = _named(QListWidget(), f"{name}_list")
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.currentItemChanged.connect(lambda _c, _p: self._show_current())
        self.list.itemSelectionChanged.connect(self._show_current)
        self.detail = _named(QLabel(), f"{name}_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setStyleSheet("padding: 4px; background: #f8f9fa;")
        layout.addWidget(self.caption)
        layout.addWidget(self.list)
        layout.addWidget(self.detail)
        self.copy_button: QPushButton | None = None
        self.helpful_button: QPushButton | None = None
        self.message = _named(QLabel(), f"{name}_message")
        self.message.setWordWrap(True)
        if actions:
            self.copy_button = _named(QPushButton(self.tr("Copy into the note")),
                                      f"{name}_copy")
            self.copy_button.setToolTip(self.tr(
                "Put the script into the note box; the note is saved when you press Save"))
            self.copy_button.clicked.connect(self._copy)
            self.helpful_button = _named(QPushButton(self.tr("Helpful")), f"{name}_helpful")
            self.helpful_button.clicked.connect(self._mark_helpful)
            row = QHBoxLayout()
            row.addWidget(self.copy_button)
            row.addWidget(self.helpful_button)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self._show_current()
        # A bound method, not a lambda: the connection dies with the view.
        ctx.executor.changed.connect(self._data_changed)

    def _data_changed(self, changes: Changes) -> None:
        # A pulled library or a recorded use: nothing else changes what is listed here.
        if changes.any_scripts:
            self.refresh()

    # --- public -----------------------------------------------------------------------

    def show_for(self, subcategory: str | None, level: int | None,
                 ticket_id: str | None = None) -> None:
        """Show the scripts for *subcategory* at *level* (None: nothing to match yet);
        uses are recorded against *ticket_id*."""
        if ticket_id != self._ticket_id:
            self._set_message("")
        self._subcategory, self._level, self._ticket_id = subcategory, level, ticket_id
        self.refresh()

    def count(self) -> int:
        """How many scripts are listed."""
        return self.list.count()

    def titles(self) -> list[str]:
        """The listed scripts' titles, in order."""
        return [self.list.item(i).text() for i in range(self.list.count())]

    def refresh(self) -> None:
        """Read the library again (after a pull, or a use recorded) and redraw."""
        if self._ctx.closed:
            return
        desk = self._ctx.desk
        query = self.search.text().strip() if self.search is not None else ""
        held = script_library.version(desk.conn)
        if query:
            found = script_library.search(desk, query, english=self._english)
            caption = self.tr("{count} found in the script library").format(count=len(found))
            if len(found) > MAX_SHOWN:
                caption = self.tr("{count} found, the first {shown} listed").format(
                    count=len(found), shown=MAX_SHOWN)
        elif self._subcategory is not None and self._level is not None:
            found = script_library.matching(desk, self._subcategory, self._level)
            policy = desk.policy
            caption = self.tr("For {subcategory}, {level}").format(
                subcategory=labels.subcategory_label(policy, self._subcategory,
                                                     self._ctx.language),
                level=labels.level_label(self._level))
            if not found:
                caption = self.tr("No script for {subcategory}, {level}").format(
                    subcategory=labels.subcategory_label(policy, self._subcategory,
                                                         self._ctx.language),
                    level=labels.level_label(self._level))
        else:
            found, caption = [], ""
        if not held:
            caption = self.tr("No script library yet: it comes from headquarters with sync")
        found = found[:MAX_SHOWN]
        self._scripts = {s.id: s for s in found}
        self._helpful = (script_library.helpful_marked(desk.conn, self._ticket_id)
                         if self._ticket_id is not None else set())
        steady.set_text(self.caption, caption)
        steady.set_shown(self.caption, bool(caption))
        rows = [steady.Row(s.id, s.title.get(self._english)) for s in found]
        steady.fill_list(self.list, rows)
        self._fit()
        self._show_current()
        self.shown.emit(len(found))

    # --- drawing ------------------------------------------------------------------------

    def _fit(self, most: int = 200) -> None:
        # As tall as its titles (no empty box), scrolling beyond that.
        rows = sum(self.list.sizeHintForRow(i) for i in range(self.list.count()))
        self.list.setFixedHeight(min(most, rows + 2 * self.list.frameWidth() + 4))
        steady.set_shown(self.list, self.list.count() > 0)

    def current(self) -> Script | None:
        """The script opened (the list's current row), or None."""
        item = self.list.currentItem()
        if item is None or not item.isSelected():
            return None
        return self._scripts.get(str(item.data(Qt.ItemDataRole.UserRole)))

    def open_script(self, script_id: str) -> None:
        """Open the script *script_id* (as a click on its title does)."""
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == script_id:
                self.list.setCurrentItem(item)
                item.setSelected(True)
        self._show_current()

    def _show_current(self) -> None:
        script = self.current()
        if script is None:
            self.detail.clear()
        else:
            self.detail.setText("\n".join(script_text(script, self._english).splitlines()[1:]))
        steady.set_shown(self.detail, script is not None)
        for button in (self.copy_button, self.helpful_button):
            if button is not None:
                steady.set_shown(button, script is not None)
        if self.copy_button is not None:
            self.copy_button.setEnabled(script is not None and self._to_note is not None
                                        and self._ticket_id is not None)
        if self.helpful_button is not None:
            marked = script is not None and script.id in self._helpful
            steady.set_text(self.helpful_button,
                            self.tr("Marked helpful") if marked else self.tr("Helpful"))
            self.helpful_button.setEnabled(
                script is not None and not marked and self._ticket_id is not None)

    def _set_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c5221f;" if error else "color: #137333;")
        steady.set_shown(self.message, bool(text))

    # --- uses ---------------------------------------------------------------------------

    def _copy(self) -> None:
        script = self.current()
        if script is None or self._to_note is None:
            return
        if not self._to_note(note_line(script, self._english)):
            self._set_message(self.tr("This ticket takes no note now."), error=True)
            return
        self._set_message(self.tr("Copied into the note: check it and press Save."))
        script_ops.record_use("copied", script, self._ticket_id).run(
            self._ctx, on_error=self._use_failed)

    def _mark_helpful(self) -> None:
        script = self.current()
        if script is None or self._ticket_id is None:
            return
        assert self.helpful_button is not None
        self.helpful_button.setEnabled(False)  # once: the press is not repeated
        script_ops.record_use("helpful", script, self._ticket_id).run(
            self._ctx, on_done=self._marked, on_error=self._use_failed)

    def _marked(self, _recorded: bool) -> None:
        self._set_message(self.tr("Marked helpful: thank you."))

    def _use_failed(self, exc: BaseException) -> None:
        self._set_message(labels.error_message(exc, self._ctx.language), error=True)
        self.refresh()
