"""The weekly report PDF read back: A4, embedded CJK subset, the figures in the text, page
numbers, the empty period, a long overdue list with its header on every page, English.

Reports are built by hand (the PDF only reads a Report), with the figures of a plausible
week at store XT01. Pages are also rendered with Qt's PDF renderer to prove they draw.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pypdf
import pytest

from desktop.reports.pdf import render_report_pdf
from desktop.reports.pdf_flow import percent
from domain.money import yuan_text as yuan
from domain.reports.model import (
    CompensationSummary,
    Count,
    DayCap,
    DayPoint,
    Drill,
    Headline,
    LevelCompliance,
    OverdueTicket,
    Period,
    Problem,
    RepeatAlert,
    Report,
    ResponseTimes,
    StaffCompensation,
)
from tests.desktop.pdf_reading import fonts

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TZ = "Asia/Shanghai"
A4_PT = (595.2756, 841.8898)


def period(first: date, days: int, kind: str = "week") -> Period:
    """Whole store days from *first* (Shanghai is UTC+8: a store day starts at 16:00 UTC)."""
    start = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(hours=8)
    return Period(kind, first, first + timedelta(days=days - 1), start,
                  start + timedelta(days=days), TZ)


def overdue(n: int, now: datetime) -> tuple[OverdueTicket, ...]:
    """*n* tickets overdue at *now*, most overdue first."""
    out = []
    for i in range(n):
        level = (1, 2, 3)[i % 3]
        created = now - timedelta(minutes=90 + 37 * (n - i)) - timedelta(
            minutes=(0, 180, 1380)[level - 1])
        due = created + timedelta(minutes=(60, 240, 1440)[level - 1])
        out.append(OverdueTicket(
            f"t{i}", f"XT01-D2-{created + timedelta(hours=8):%Y%m%d}-{i + 1:04d}", level,
            ("spoiled", "attitude", "facility", "cashier_error")[i % 4],
            created.strftime("%Y-%m-%dT%H:%M:%S.000Z"), due.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            int((now - due).total_seconds() // 60), ("服务台小李", None, "店长张伟")[i % 3]))
    return tuple(out)


def week_report(*, overdue_rows: int = 3, days: int = 7, first: date = date(2026, 11, 16),
                kind: str = "week") -> Report:
    """A busy week at XT01: food-safety trouble with one yoghurt, a rude cashier."""
    p = period(first, days, kind)
    prev = period(first - timedelta(days=days), days, kind)
    drill = Drill(p)
    # The trend: a weekly rhythm, busier at the weekend.
    trend = tuple(DayPoint(p.first_day + timedelta(days=i), 4 + (i * 7) % 5 + (i % 7 >= 5) * 3,
                           1 + i % 2) for i in range(days))
    tickets = sum(d.count for d in trend)
    cats = [("product", 0.45), ("service", 0.3), ("environment", 0.1), ("fulfillment", 0.08)]
    by_category = [Count(c, round(tickets * f), drill) for c, f in cats]
    by_category.append(Count("policy", tickets - sum(c.count for c in by_category), drill))
    subs = [("spoiled", "product"), ("quality", "product"), ("foreign_object", "product"),
            ("attitude", "service"), ("cashier_error", "service"), ("after_sales", "service"),
            ("hygiene", "environment"), ("facility", "environment"), ("delivery", "fulfillment"),
            ("promotion", "policy")]
    by_sub = []
    for cat in by_category:
        mine = [s for s, c in subs if c == cat.key]
        left = cat.count
        for j, s in enumerate(mine):
            n = left if j == len(mine) - 1 else left // 2 + 1
            by_sub.append(Count(s, n, drill))
            left -= n
    by_sub.sort(key=lambda c: (-c.count, c.key))
    level1 = sum(d.level1 for d in trend)
    by_level = (Count("1", level1, drill), Count("2", (tickets - level1) * 2 // 3, drill),
                Count("3", tickets - level1 - (tickets - level1) * 2 // 3, drill))
    channels = ("desk", "checkout", "hotline", "qr", "douyin")
    by_channel = [Count(ch, tickets // 5 + (i < tickets % 5), drill)
                  for i, ch in enumerate(channels)]
    staff = (
        StaffCompensation("m1", "店长张伟", "manager", 100000, 268000, 4, 150000, 1, drill),
        StaffCompensation("d1", "服务台小李", "desk", 50000, 91250, 5, 30000, 0, drill),
        StaffCompensation("c1", "收银员小王", "cashier", 20000, 12800, 3, 6800, 0, drill),
    )
    granted = sum(s.granted_fen for s in staff)
    caps = tuple(DayCap(p.first_day + timedelta(days=i),
                        (0, 12800, 30000, 0, 150000, 480000, 91250)[i % 7] if i < 7 else
                        (i * 7919) % 400000, 500000) for i in range(days))
    comp = CompensationSummary(
        granted_fen=granted, granted=12, pending=1, pending_fen=180000, refused=2,
        by_kind=(("refund", 150000, 2), ("service_card", 120000, 3), ("cash", 60050, 4),
                 ("category_coupon", 42000, 3)),
        by_staff=staff, daily_cap=caps, cap_fen=500000,
        busiest_day=max(caps, key=lambda d: d.granted_fen))
    headline = Headline(tickets, 0.875, 47.5, 0.8, 0.0625, 4.21, granted)
    previous = Headline(tickets - 6, 0.91, 38.0, 0.78, 0.1, 4.35, granted - 50000)
    generated = datetime.combine(p.last_day + timedelta(days=1), datetime.min.time(),
                                 tzinfo=UTC) + timedelta(minutes=30)  # 08:30 in the store
    return Report(
        store_code="XT01", period=p, generated_at=generated, policy_version="2026.11-a",
        tickets=tickets, voided=1, merged=2,
        by_category=tuple(sorted(by_category, key=lambda c: -c.count)),
        by_subcategory=tuple(by_sub), by_channel=tuple(by_channel), by_level=by_level,
        compliance=(LevelCompliance(1, 60, level1, level1 - 2, 2, 0,
                                    (level1 - 2) / level1, drill),
                    LevelCompliance(2, 240, 20, 18, 2, 3, 0.9, drill),
                    LevelCompliance(3, 1440, 8, 8, 0, 4, 1.0, drill)),
        response=ResponseTimes(tickets - 5, 47.5, 131.0),
        resolved=round(tickets * 0.8), resolution_rate=round(tickets * 0.8) / tickets,
        reopened=2, ever_closed=32, reopen_rate=2 / 32, rated=19, satisfaction=4.21,
        compensation=comp,
        top_problems=(
            Problem("product", "spoiled", 11, 6, "光明鲜牛奶 950ml", drill),
            Problem("service", "attitude", 8, 0, None, drill),
            Problem("product", "quality", 6, 1, "苏泊尔电热水壶", drill)),
        overdue=overdue(overdue_rows, generated),
        repeat_alerts=(
            RepeatAlert("subcategory", "spoiled", "spoiled", p.last_day - timedelta(days=3),
                        p.last_day, 4, 9, drill),
            RepeatAlert("product", "6901234567890", "光明鲜牛奶 950ml",
                        p.last_day - timedelta(days=2), p.last_day, 3, 5, drill)),
        trend=trend, headline=headline, previous=previous, previous_period=prev)


def empty_report() -> Report:
    """A quiet week: nothing counted, nothing granted, nothing overdue."""
    r = week_report(overdue_rows=0)
    drill = Drill(r.period)
    zero = Headline(0, None, None, None, None, None, 0)
    return replace(
        r, tickets=0, voided=0, merged=0, by_category=(), by_subcategory=(), by_channel=(),
        by_level=(), compliance=tuple(LevelCompliance(lv, t, 0, 0, 0, 0, None, drill)
                                      for lv, t in ((1, 60), (2, 240), (3, 1440))),
        response=ResponseTimes(0, None, None), resolved=0, resolution_rate=None, reopened=0,
        ever_closed=0, reopen_rate=None, rated=0, satisfaction=None,
        compensation=CompensationSummary(0, 0, 0, 0, 0, (), (), tuple(
            DayCap(d.day, 0, 500000) for d in r.trend), 500000, None),
        top_problems=(), repeat_alerts=(),
        trend=tuple(DayPoint(d.day, 0, 0) for d in r.trend), headline=zero)


def page_texts(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return [p.extract_text() for p in pypdf.PdfReader(path).pages]


def squeeze(text: str) -> str:
    """Extracted text without the spaces pypdf puts between font runs."""
    return re.sub(r"\s+", "", text)


def test_week_report_reads_back(tmp_path: Path) -> None:
    report = week_report()
    pdf = render_report_pdf(report)
    path = tmp_path / "week.pdf"
    path.write_bytes(pdf)
    reader = pypdf.PdfReader(path)
    assert 2 <= len(reader.pages) <= 6
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_PT)
    cjk = [f for f in fonts(reader) if "DroidSansFallback" in f["name"]]
    assert cjk and all(f["file2"] for f in cjk)
    assert all(re.match(r"^/[A-Z]{6}\+", f["name"]) for f in cjk)  # a subset, not 4 MB
    assert len(pdf) < 400_000
    text = squeeze("\n".join(p.extract_text() for p in reader.pages))
    for expected in ("XT01客诉周报", "2026-11-16至2026-11-22", "2026-11-2308:30",
                     "2026.11-a", "本期概览", "投诉数", str(report.tickets),
                     "重复问题预警", "商品/变质过期", "光明鲜牛奶950ml", "连续4天",
                     "三大问题", "按分类", "按子类", "服务态度", "抖音", "400电话",
                     "响应达标率", "87.5%", "48分钟", "2小时11分", "4.21",
                     "补偿", "店长张伟", "服务台小李", yuan(report.compensation.granted_fen),
                     "¥1,000.00", "专属服务卡", "每日补偿上限使用", "¥5,000.00", "96.0%",
                     "超时工单", report.overdue[0].number, "每日趋势", "周日"):
        assert squeeze(expected) in text, expected
    # The comparison: tickets up 6 (bad), compliance down 3.5 points.
    assert f"+{6 / (report.tickets - 6) * 100:.1f}%" in text
    assert "-3.5个百分点" in text
    assert "已作废1单、已合并2单" in text


def test_pages_are_numbered(tmp_path: Path) -> None:
    texts = page_texts(render_report_pdf(week_report()), tmp_path)
    total = len(texts)
    for n, text in enumerate(texts, start=1):
        assert f"第{n}页/共{total}页" in squeeze(text)


def test_empty_period(tmp_path: Path) -> None:
    texts = page_texts(render_report_pdf(empty_report()), tmp_path)
    assert len(texts) == 1
    text = squeeze(texts[0])
    for expected in ("本期无投诉", "本期无补偿", "当前没有超时工单", "本期无重复问题预警",
                     "第1页/共1页"):
        assert expected in text, expected
    assert "三大问题" not in text and "每日趋势" not in text


def test_overdue_list_spans_pages_with_its_header(tmp_path: Path) -> None:
    report = week_report(overdue_rows=200)
    texts = page_texts(render_report_pdf(report), tmp_path)
    numbers = [o.number for o in report.overdue]
    with_rows = [t for t in texts if any(n in t for n in numbers)]
    assert len(with_rows) >= 4  # 200 rows do not fit on fewer A4 pages
    for text in with_rows:
        flat = squeeze(text)
        assert "单号" in flat and "应响应时间" in flat and "处理人" in flat
    everything = "".join(texts)
    assert all(n in everything for n in numbers)  # none lost at a page break
    assert everything.count(numbers[0]) == 1


def test_english(tmp_path: Path) -> None:
    texts = page_texts(render_report_pdf(week_report(), "en"), tmp_path)
    text = " ".join(texts)
    for expected in ("XT01 weekly complaint report", "Overview", "Repeat-problem alerts",
                     "Spoiled or expired", "Top 3 problems", "Overdue tickets", "Sun",
                     "Page 1 of"):
        assert expected in text, expected
    assert "投诉数" not in text
    assert "店长张伟" in squeeze(text)  # names stay as written


def test_long_period_lists_the_busiest_cap_days(tmp_path: Path) -> None:
    report = week_report(days=365, first=date(2026, 1, 1), kind="custom")
    text = squeeze("".join(page_texts(render_report_pdf(report), tmp_path)))
    assert "XT01客诉报告" in text and "发放最多的10天" in text
    busiest = report.compensation.busiest_day
    assert busiest is not None and busiest.day.isoformat() in text


def test_a_busy_year_lists_the_longest_alerts_and_counts_the_rest(tmp_path: Path) -> None:
    report = week_report()
    [first, *_] = report.repeat_alerts
    many = tuple(replace(first, key=f"sku:{i:04d}", label=f"商品{i:04d}", by="product",
                         days=40 - i // 2) for i in range(40))
    text = squeeze("".join(page_texts(render_report_pdf(replace(report, repeat_alerts=many)),
                                      tmp_path)))
    assert "商品0014" in text and "商品0015" not in text
    assert "另有25条重复问题预警未列出" in text


def test_a_run_traced_to_the_look_back_limit_says_at_least(tmp_path: Path) -> None:
    report = week_report()
    first, second = report.repeat_alerts
    report = replace(report, repeat_alerts=(replace(first, began_earlier=True), second))
    text = squeeze("".join(page_texts(render_report_pdf(report), tmp_path)))
    assert f"至少连续{first.days}天" in text and "之前已开始" in text
    assert f"连续{second.days}天被投诉" in text  # the other run is exact


def test_same_report_same_bytes() -> None:
    report = week_report()
    assert render_report_pdf(report) == render_report_pdf(report)


def test_formats() -> None:
    assert yuan(0) == "¥0.00"
    assert yuan(123450) == "¥1,234.50"
    assert yuan(100000000) == "¥1,000,000.00"
    assert yuan(-5) == "-¥0.05"
    assert percent(0.875) == "87.5%" and percent(None) == "—"


def test_pages_render(tmp_path: Path, qapp: Any) -> None:
    """Qt's PDF renderer draws every page; the first has ink on it (not a blank page)."""
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument

    path = tmp_path / "week.pdf"
    path.write_bytes(render_report_pdf(week_report(overdue_rows=60)))
    document = QPdfDocument()
    document.load(str(path))
    assert document.status() == QPdfDocument.Status.Ready
    assert document.pageCount() >= 3
    for page in range(document.pageCount()):
        size = document.pagePointSize(page)
        assert (size.width(), size.height()) == pytest.approx(A4_PT, abs=0.01)
        image = document.render(page, QSize(298, 421))
        assert not image.isNull()
        # Some pixels drawn (the render is transparent where nothing is).
        inked = sum(1 for y in range(0, 421, 7) for x in range(0, 298, 7)
                    if image.pixelColor(x, y).alpha() > 0)
        assert inked > 10, page
    document.close()


def test_notes_and_long_names_wrap_inside_the_page(tmp_path: Path) -> None:
    """A long product name wraps in its cell (kinsoku kept) instead of running off the page;
    the report's notes are printed at the end."""
    long_name = "农夫山泉天然饮用水（家庭装）550ml×24瓶整箱，超市自有品牌联名款，限时促销装"
    report = week_report()
    problems = (replace(report.top_problems[0], top_product=long_name),
                *report.top_problems[1:])
    note = "含 2 单跨零点的工单，按受理时间计入。"
    report = replace(report, top_problems=problems, notes=(note,))
    path = tmp_path / "long.pdf"
    path.write_bytes(render_report_pdf(report))
    text = "".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    flat = squeeze(text)
    assert squeeze(long_name) in flat
    assert "说明" in flat and "含2单跨零点的工单" in flat
    lines = [line.strip() for line in text.splitlines()]
    assert not any(line.startswith(("，", "）")) for line in lines)  # no line starts so
