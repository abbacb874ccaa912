"""``kesu report``: json to stdout, csv with BOM, files written whole, translated errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pypdf
import pytest

from desktop import ticket_actions as handling
from desktop.cli import main
from desktop.compensation import compensate
from desktop.desk import Desk
from desktop.reports.figures import build_report
from desktop.reports.json_export import report_json
from desktop.staff import Staff
from desktop.tickets import create_ticket
from domain.reports.period import resolve_period
from tests.conftest import START

FROM, TO = "2026-11-16", "2026-11-22"


@pytest.fixture
def db(desk: Desk, staff: dict[str, Staff], clock, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A desk with two complaints and one compensation on Sunday 22 November."""
    t = create_ticket(desk, staff["d1"], {"text": "收银员态度很差"}).ticket
    clock.advance(minutes=5)
    handling.contact_customer(desk, staff["d1"], t.number, "phone", "已道歉")
    compensate(desk, staff["d1"], t.number, amount="20.5", kind="coupon")
    create_ticket(desk, staff["c1"], {"text": "买的酸奶变质了", "product": {"name": "酸奶"}})
    monkeypatch.setenv("KESU_LANG", "zh_CN")
    path = Path(desk.conn.execute("PRAGMA database_list").fetchone()[2])
    return path


def test_json_to_stdout_is_the_same_report(db: Path, desk: Desk, capsys) -> None:
    assert main(["--db", str(db), "report", "--from", FROM, "--to", TO,
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tickets"] == 2
    assert data["period"]["first_day"] == FROM and data["period"]["last_day"] == TO
    assert data["compensation"]["granted_fen"] == 2050
    assert data["compensation"]["by_kind"] == [{"kind": "coupon", "granted_fen": 2050,
                                                "grants": 1}]
    period = resolve_period("week", START, desk.policy.timezone)
    same = report_json(build_report(desk.conn, desk.policy, period, START, store_code="XT01"))
    for key in ("tickets", "by_category", "by_level", "compensation", "top_problems"):
        assert data[key] == same[key], key


def test_csv_file_has_bom_and_sections(db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.csv"
    assert main(["--db", str(db), "report", "--from", FROM, "--to", TO, "--format", "csv",
                 "--out", str(out)]) == 0
    reply = json.loads(capsys.readouterr().out)
    assert reply["path"] == str(out) and reply["tickets"] == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["概要"]
    assert ["客诉数", "2", "0"] in rows
    assert ["coupon", "20.50", "1"] in rows
    assert not list(tmp_path.glob(".report.csv.*"))  # no temporary file left


def test_english_csv_headings(db: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KESU_LANG", "en")
    assert main(["--db", str(db), "report", "--from", FROM, "--to", TO,
                 "--format", "csv"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Summary\r\n") and "Compensation by kind" in text


@pytest.mark.parametrize(("args", "words"), [
    (["--from", "2026-11-22", "--to", "2026-11-01"], "早于"),
    (["--from", "2026-11-01"], "--to"),
    (["--from", "2026-13-01", "--to", "2026-11-02"], "日期无效"),
    (["--from", "2024-01-01", "--to", "2026-01-01"], "最多"),
    (["--period", "week", "--from", "2026-11-01", "--to", "2026-11-02"], "只能选一种"),
    (["--period", "week", "--format", "pdf"], "--out"),
])
def test_bad_input_is_a_translated_error(db: Path, capsys, args: list[str], words: str) -> None:
    assert main(["--db", str(db), "report", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and "report.cli" not in err


def test_unwritable_out_fails_cleanly(db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "missing-dir" / "r.json"
    assert main(["--db", str(db), "report", "--from", FROM, "--to", TO,
                 "--out", str(out)]) == 2
    assert "无法写入报表" in capsys.readouterr().err
    assert not out.exists()


def test_pdf_file(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "week.pdf"
    assert main(["--db", str(db), "report", "--from", FROM, "--to", TO, "--format", "pdf",
                 "--out", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "pdf"
    assert out.read_bytes().startswith(b"%PDF")


def test_last_month_from_the_command_line(db: Path, desk: Desk, clock, capsys,
                                          tmp_path: Path) -> None:
    clock.advance(days=10)  # 2 December: November is last month
    assert main(["--db", str(db), "report", "--period", "last_month"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["period"]["kind"], data["period"]["first_day"], data["period"]["last_day"]) == (
        "last_month", "2026-11-01", "2026-11-30")
    assert data["tickets"] == 2
    out = tmp_path / "nov.pdf"
    assert main(["--db", str(db), "report", "--period", "last_month", "--format", "pdf",
                 "--out", str(out)]) == 0
    assert "客诉月报" in pypdf.PdfReader(out).pages[0].extract_text()
