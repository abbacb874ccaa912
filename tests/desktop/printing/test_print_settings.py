"""The desk's print settings: stored per desk, defaults, validation, ``kesu config``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.desk import Desk, open_desk
from desktop.printing import print_settings as ps
from desktop.receipts.settings import base_url_of
from domain.errors import InvalidInput
from tests.desktop.cli_runner import run_kesu


def db_path(desk: Desk) -> Path:
    return Path(desk.conn.execute("PRAGMA database_list").fetchone()["file"])


def test_defaults_and_quick_print_follows_the_printer(desk: Desk) -> None:
    assert ps.read(desk.conn) == ps.PrintSettings(None, "80mm", False)
    ps.set_printer(desk, "EPSON TM-T82")
    assert ps.read(desk.conn) == ps.PrintSettings("EPSON TM-T82", "80mm", True)
    ps.set_quick_print(desk, False)
    assert ps.read(desk.conn).quick_print is False
    ps.set_paper(desk, "a4")
    assert ps.read(desk.conn).paper == "a4"


def test_settings_survive_a_restart(desk: Desk, tmp_path: Path) -> None:
    ps.remember(desk, ps.pdf_target(tmp_path), "a4")
    again = open_desk(db_path(desk))
    try:
        assert ps.read(again.conn) == ps.PrintSettings(f"pdf:{tmp_path}", "a4", True)
    finally:
        again.close()


def test_bad_values_are_refused(desk: Desk) -> None:
    with pytest.raises(InvalidInput):
        ps.set_paper(desk, "a5")
    with pytest.raises(InvalidInput):
        ps.set_printer(desk, "  ")
    with pytest.raises(InvalidInput):
        ps.set_printer(desk, "pdf:")
    with pytest.raises(InvalidInput):
        ps.set_config(desk, "quick_print", "maybe")
    assert ps.read(desk.conn) == ps.PrintSettings(None, "80mm", False)


def test_pdf_target_names(tmp_path: Path) -> None:
    assert ps.pdf_folder(ps.pdf_target(tmp_path)) == tmp_path
    assert ps.pdf_folder("EPSON TM-T82") is None
    assert ps.default_pdf_folder().parts[-2:] == ("Kesu", "receipts")


def test_kesu_config_printer_paper_quick_print(desk: Desk) -> None:
    # Each `kesu` run is a process start; what `set` stored is read back in-process.
    db = db_path(desk)
    out = run_kesu(db, "config", "set", "printer", "EPSON TM-T82")
    assert out.code == 0 and json.loads(out.out) == {"printer": "EPSON TM-T82"}
    assert json.loads(run_kesu(db, "config", "get", "quick_print").out) == {
        "quick_print": True}
    assert run_kesu(db, "config", "set", "quick_print", "off").code == 0
    bad = run_kesu(db, "config", "set", "paper", "a5")
    assert bad.code == 2 and "a5" in bad.err
    # the receipt address is still configured the same way
    assert run_kesu(db, "config", "set", "progress_base_url", "https://k.example.cn").code == 0
    again = open_desk(db)
    try:
        settings = ps.read(again.conn)
        assert (settings.printer, settings.quick_print) == ("EPSON TM-T82", False)
        assert settings.paper == ps.read(desk.conn).paper  # a5 changed nothing
        assert base_url_of(again) == "https://k.example.cn"
    finally:
        again.close()
