"""The desk's print settings: its printer, paper format and "print after quick entry".

Kept in the desk database's ``meta`` table: per desk, they survive restarts and sync
nowhere (another desk has another printer). A printer is a system printer's name, or
``pdf:FOLDER`` for the built-in target that writes each receipt as a PDF file there (for
desks without a printer, and for tests).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from desktop.desk import Desk
from desktop.printing import escpos
from desktop.receipts.settings import check_paper
from domain.errors import InvalidInput
from local_db import meta
from local_db.connection import transaction

PRINTER_KEY = "print.printer"
PAPER_KEY = "print.paper"
QUICK_PRINT_KEY = "print.quick_print"
PDF_PREFIX = "pdf:"
DEFAULT_PAPER = "80mm"
# The ``kesu config`` names of these settings.
CONFIG_KEYS = ("printer", "paper", "quick_print")
_TRUE = ("on", "true", "1", "yes")
_FALSE = ("off", "false", "0", "no")


@dataclass(frozen=True)
class PrintSettings:
    """What this desk prints on, and whether a quick-entry save prints by itself."""

    printer: str | None
    paper: str
    quick_print: bool


def default_pdf_folder() -> Path:
    """Where the "PDF file" target writes when no folder was chosen."""
    return Path.home() / "Kesu" / "receipts"


def pdf_target(folder: str | Path) -> str:
    """The printer name of the "PDF file" target writing into *folder*."""
    return PDF_PREFIX + str(folder)


def pdf_folder(printer: str) -> Path | None:
    """The folder of a ``pdf:FOLDER`` printer; ``None`` for a system printer."""
    if not printer.startswith(PDF_PREFIX):
        return None
    return Path(printer[len(PDF_PREFIX):]).expanduser()


def read(conn: sqlite3.Connection) -> PrintSettings:
    """The desk's settings. Quick print is on by default once a printer is chosen."""
    printer = meta.get(conn, PRINTER_KEY) or None
    paper = meta.get(conn, PAPER_KEY) or DEFAULT_PAPER
    flag = meta.get(conn, QUICK_PRINT_KEY)
    quick = printer is not None if flag is None else flag == "on"
    return PrintSettings(printer, paper, quick)


def set_printer(desk: Desk, printer: str) -> PrintSettings:
    """Choose the desk's printer (a system printer's name, ``pdf:FOLDER`` or
    ``escpos:...``, see :mod:`desktop.printing.escpos`)."""
    printer = printer.strip()
    if not printer or printer == PDF_PREFIX:
        raise InvalidInput("print.bad_printer")
    if escpos.is_escpos(printer):  # a driverless thermal printer: the address must parse
        printer = escpos.parse_target(printer).spec
    with transaction(desk.conn):
        meta.put(desk.conn, PRINTER_KEY, printer)
    return read(desk.conn)


def set_paper(desk: Desk, paper: str) -> PrintSettings:
    """Choose the desk's paper format (``80mm`` or ``a4``)."""
    check_paper(paper)
    with transaction(desk.conn):
        meta.put(desk.conn, PAPER_KEY, paper)
    return read(desk.conn)


def set_quick_print(desk: Desk, on: bool) -> PrintSettings:
    """Whether a quick-entry save prints its complaint receipt without a dialog."""
    with transaction(desk.conn):
        meta.put(desk.conn, QUICK_PRINT_KEY, "on" if on else "off")
    return read(desk.conn)


def remember(desk: Desk, printer: str, paper: str) -> PrintSettings:
    """Remember what was just printed on, for the next print at this desk."""
    with transaction(desk.conn):
        set_printer(desk, printer)
        set_paper(desk, paper)
    return read(desk.conn)


def config_value(conn: sqlite3.Connection, key: str) -> str | bool | None:
    """The ``kesu config get`` value of *key* (one of :data:`CONFIG_KEYS`)."""
    settings = read(conn)
    if key == "printer":
        return settings.printer
    if key == "paper":
        return settings.paper
    return settings.quick_print


def set_config(desk: Desk, key: str, value: str) -> None:
    """``kesu config set`` for one of :data:`CONFIG_KEYS`, validated."""
    if key == "printer":
        set_printer(desk, value)
    elif key == "paper":
        set_paper(desk, value)
    elif value.lower() in _TRUE + _FALSE:
        set_quick_print(desk, value.lower() in _TRUE)
    else:
        raise InvalidInput("input.bad_choice", field=key, value=value,
                           choices=", ".join(("on", "off")))
