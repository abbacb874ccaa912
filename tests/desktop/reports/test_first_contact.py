"""The report's first-contact resolution (FCR) figure: JSON, CSV, PDF and its drill.

A small store history made through the real core: tickets closed at first contact,
one of them reopened afterwards, one closed through the whole loop, one left open,
one voided; and a previous period to compare with.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pypdf

from desktop import ticket_actions as handling
from desktop.reports.csv_export import report_csv
from desktop.reports.drill import count_behind, tickets_behind
from desktop.reports.figures import build_report
from desktop.reports.json_export import report_json
from desktop.reports.pdf import render_report_pdf
from desktop.tickets import create_ticket
from domain.reports.model import Drill
from domain.reports.period import make_period

TZ = ZoneInfo("Asia/Shanghai")
QUESTION = "请问你们几点关门"
RUDE = "收银员态度很差，问她问题不理人还翻白眼"
NONE = {"outcome": "none"}
# Different subcategories: three alike within two hours would raise level 1 (group rule).
FCR_TEXTS = {"fcr1": QUESTION, "fcr2": "会员积分没有到账", "fcr_reopened": "收银员多收了我5块钱"}


def _history(desk, staff, clock):
    """Yesterday (previous period): 2 tickets, 1 closed at first contact.
    Today: 6 counted tickets (3 closed at first contact, one of them reopened since),
    plus a voided one."""
    d1, m1 = staff["d1"], staff["m1"]
    made = {}
    prev_a = create_ticket(desk, d1, {"text": QUESTION}).ticket.id
    handling.resolve_first_contact(desk, d1, prev_a, "答复了")
    create_ticket(desk, d1, {"text": RUDE})
    clock.advance(hours=24)
    for name, text in FCR_TEXTS.items():
        made[name] = create_ticket(desk, d1, {"text": text}).ticket.id
        handling.resolve_first_contact(desk, d1, made[name], "当场答复")
    handling.reopen(desk, d1, made["fcr_reopened"], "顾客不满意")
    made["loop"] = create_ticket(desk, d1, {"text": RUDE}).ticket.id
    for to in ("rectifying", "reviewing"):
        handling.advance(desk, d1, made["loop"], to)
    handling.advance(desk, m1, made["loop"], "accountability")
    handling.advance(desk, m1, made["loop"], "closed", accountability=NONE)
    made["open1"] = create_ticket(desk, d1, {"text": "停车场没有灯，晚上很黑"}).ticket.id
    made["open2"] = create_ticket(desk, d1, {"text": QUESTION}).ticket.id
    voided = create_ticket(desk, d1, {"text": "线上买的东西配送晚了两天"}).ticket.id
    handling.void(desk, m1, voided, "录错了")
    return made


def _report(desk, clock):
    today = (clock.now() + timedelta(hours=8)).date()
    period = make_period("today", today, today, TZ)
    return build_report(desk.conn, desk.policy, period, clock.now(), store_code="XT01")


def test_fcr_is_a_figure_of_its_own(desk, staff, clock) -> None:
    made = _history(desk, staff, clock)
    report = _report(desk, clock)
    fcr = report.first_contact
    assert fcr is not None
    assert report.tickets == 6
    assert (fcr.resolved, fcr.tickets, fcr.reopened) == (2, 6, 1)
    assert fcr.rate == 2 / 6
    assert (fcr.previous_resolved, fcr.previous_tickets, fcr.previous_rate) == (1, 2, 0.5)
    # The drill lists exactly the tickets counted as resolved at first contact.
    behind = {row.id for row in tickets_behind(desk.conn, fcr.drill, clock.now())}
    assert behind == {made["fcr1"], made["fcr2"]}
    assert count_behind(desk.conn, fcr.drill, clock.now()) == 2
    others = Drill(report.period, (("first_contact", False),))
    assert count_behind(desk.conn, others, clock.now()) == 4
    # JSON carries it (and survives json.dumps); CSV has its row.
    data = json.loads(json.dumps(report_json(report)))
    assert data["first_contact"]["resolved"] == 2
    assert data["first_contact"]["drill"]["filters"] == {"first_contact": True}
    csv_text = report_csv(report, "en")
    assert "First-contact resolution (FCR),0.3333,0.5000" in csv_text


def test_the_report_pdf_shows_fcr(desk, staff, clock) -> None:
    _history(desk, staff, clock)
    report = _report(desk, clock)
    for lang, words in (("zh_CN", ("首问解决率", "33.3%", "2 / 6")),
                        ("en", ("First-contact resolution", "33.3%", "2 of 6"))):
        pdf = render_report_pdf(report, lang, policy=desk.policy)
        text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
        flat = "".join(text.split())
        for word in words:
            assert "".join(word.split()) in flat, (lang, word)


def test_no_tickets_no_rate(desk, staff, clock) -> None:
    report = _report(desk, clock)
    assert report.first_contact is not None
    assert report.first_contact.rate is None and report.first_contact.resolved == 0
    assert render_report_pdf(report, "zh_CN", policy=desk.policy)
