"""The chain's report as a file: CSV (UTF-8 with a byte-order mark, so Excel opens the
Chinese right) and a PDF for the monthly meeting (A4, the bundled CJK font embedded, so it
prints the same on a machine without Chinese fonts).

Both are made from ``report_view``'s words, the page's, in the user's language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from domain.money import format_yuan
from domain.policy import Policy
from sync.server.console import i18n
from sync.server.console import report_view as view
from sync.server.console.chain_report import ChainReport, LeagueRow
from sync.server.console.ticket_view import Labels

CJK = "KesuCJK"
LEAGUE_IN_PDF = 30  # the PDF's league: the first rows by complaints (the CSV has all)


def _sections(chain: ChainReport, policy: Policy, lang: str, regions: dict[str, str],
              league: Sequence[LeagueRow]) -> list[tuple[str, list[list[str]]]]:
    """The report as titled tables of text (the CSV's and the PDF's content)."""
    def t(key: str, **params: Any) -> str:
        return i18n.t(key, lang, **params)

    report = chain.report
    labels = Labels(policy, lang)
    p = report.period
    out: list[tuple[str, list[list[str]]]] = []
    out.append((t("reports.title"), [
        [t("reports.scope"), view.scope_title(chain, lang, regions)],
        [t("reports.period"), f"{p.first_day.isoformat()} – {p.last_day.isoformat()}"],
        [t("reports.previous"), f"{report.previous_period.first_day.isoformat()} – "
                                f"{report.previous_period.last_day.isoformat()}"],
        [t("reports.stores"), str(len(chain.scope.stores))],
        [t("reports.generated"), report.generated_at.strftime("%Y-%m-%d %H:%M UTC")],
        [t("reports.policy"), report.policy_version]]))
    out.append((t("reports.headline"), [[t("reports.figure"), t("reports.now"),
                                         t("reports.before"), t("reports.change")]] + [
        [f.label, f.value, f.previous, f.change]
        for f in view.headline(report, lang, lambda _d: None)]))
    out.append((t("reports.compliance"), [[t("reports.level"), t("reports.target"),
                                           t("reports.in_time"), t("reports.missed"),
                                           t("reports.pending"), t("reports.rate")]] + [
        [labels.level(c.level), view.minutes_text(c.target_minutes, lang), str(c.in_time),
         str(c.missed), str(c.pending), view.percent(c.rate)] for c in report.compliance]))
    out.append((t("reports.response"), [
        [t("reports.responded"), str(report.response.responded)],
        [t("reports.mean"), view.minutes_text(report.response.mean_minutes, lang)],
        [t("reports.p90"), view.minutes_text(report.response.p90_minutes, lang)]]))
    for kind in ("by_category", "by_subcategory", "by_channel", "by_level"):
        out.append((t(f"reports.{kind}"), [[t("reports.item"), t("reports.count")]] + [
            [view.breakdown_label(kind, c.key, labels, policy), str(c.count)]
            for c in view.rows_of(report, kind)]))
    out.append((t("reports.top_problems"), [[t("reports.problem"), t("reports.count"),
                                             t("reports.level1"), t("reports.product")]] + [
        [labels.problem(x.category, x.subcategory), str(x.count), str(x.level1),
         x.top_product or ""] for x in report.top_problems]))
    out.append((t("reports.repeats"), [[t("reports.item"), t("reports.days"),
                                        t("reports.count"), t("reports.from_to")]] + [
        [policy.subcategory_label(a.key, labels.english) if a.by == "subcategory" else a.label,
         str(a.days), str(a.tickets), f"{a.first_day.isoformat()} – {a.last_day.isoformat()}"]
        for a in report.repeat_alerts]))
    comp = report.compensation
    out.append((t("reports.compensation"), [
        [t("reports.granted"), f"¥{format_yuan(comp.granted_fen)}", str(comp.granted)],
        [t("reports.pending_comp"), f"¥{format_yuan(comp.pending_fen)}", str(comp.pending)],
        [t("reports.refused"), "", str(comp.refused)]] + [
        [labels.kind(k), f"¥{format_yuan(fen)}", str(n)] for k, fen, n in comp.by_kind]))
    out.append((t("reports.by_staff"), [[t("reports.staff"), t("reports.role"),
                                         t("reports.limit"), t("reports.granted"),
                                         t("reports.grants"), t("reports.above_limit")]] + [
        [s.name, view.staff_role(s.role, lang),
         "" if s.limit_fen is None else f"¥{format_yuan(s.limit_fen)}",
         f"¥{format_yuan(s.granted_fen)}", str(s.grants), str(s.above_limit)]
        for s in comp.by_staff]))
    if league:
        header = view.league_header(lang)
        out.append((t("reports.league"), [[t("reports.store")] + [
            h for _, h in header] + [t("reports.change") + " · " + h for _, h in header[:1]]]
            + [[f"{r.store.name} ({r.store.code})"] + [c["value"] for c in
                                                       view.league_cells(r, lang)]
               + [view.league_cells(r, lang)[0]["change"]] for r in league]))
    out.append((t("reports.overdue_title", n=chain.overdue_total), [
        [t("reports.number"), t("reports.level"), t("reports.problem"), t("reports.due"),
         t("reports.overdue_by")]] + [
        [o.number, labels.level(o.level), policy.subcategory_label(o.subcategory, labels.english),
         o.due_at, view.minutes_text(o.minutes_overdue, lang)] for o in report.overdue]))
    return out


def report_csv(chain: ChainReport, policy: Policy, lang: str, regions: dict[str, str],
               league: Sequence[LeagueRow] = ()) -> bytes:
    """The report as CSV: each section's title row, its table, a blank line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for title, rows in _sections(chain, policy, lang, regions, league):
        writer.writerow([title])
        writer.writerows(rows)
        writer.writerow([])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@cache
def _font() -> str:
    path = resources.files("resources").joinpath("fonts", "DroidSansFallbackFull.ttf")
    pdfmetrics.registerFont(TTFont(CJK, str(path)))
    return CJK


def _markup(text: str) -> str:
    """*text* for a Paragraph: characters Helvetica cannot write in the CJK font."""
    font = _font()
    out: list[str] = []
    run: list[str] = []
    cjk = False
    for ch in text:
        wide = not _latin(ch)
        if wide != cjk and run:
            chunk = escape("".join(run))
            out.append(f'<font name="{font}">{chunk}</font>' if cjk else chunk)
            run = []
        cjk = wide
        run.append(ch)
    if run:
        chunk = escape("".join(run))
        out.append(f'<font name="{font}">{chunk}</font>' if cjk else chunk)
    return "".join(out)


def _latin(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def report_pdf(chain: ChainReport, policy: Policy, lang: str, regions: dict[str, str],
               league: Sequence[LeagueRow] = ()) -> bytes:
    """The report as an A4 PDF: the sections as tables, the league's first rows."""
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=8, leading=10)
    head = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=11, leading=14,
                          spaceBefore=6, spaceAfter=3)
    title = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=15, leading=19)
    ordered = sorted(league, key=lambda r: (-r.now.tickets, r.store.code))[:LEAGUE_IN_PDF]
    story: list[Any] = []
    for i, (name, rows) in enumerate(_sections(chain, policy, lang, regions, ordered)):
        story.append(Paragraph(_markup(name), title if i == 0 else head))
        if not rows:
            continue
        cells = [[Paragraph(_markup(c), body) for c in row] for row in rows]
        table = Table(cells, repeatRows=1 if i else 0, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c9ced6")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f2f5") if i else colors.white),
            ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [table, Spacer(1, 3 * mm)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm,
                            title=i18n.t("reports.title", lang), author="Kesu")
    doc.build(story)
    return buffer.getvalue()
