"""The reports pages on a real server (both backends), on the chain made through real desks:
the figures shown are the report's, the league sorts, drill-down lists what a figure
counted, a regional manager sees their region only (404 elsewhere, exports included),
the CSV carries a BOM and the PDF reads back; bad parameters are refused in words."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime

import httpx
import pypdf
import pytest

from sync.server import policy_store
from sync.server.console import accounts, centre_tickets, chain_report, masterdata
from sync.server.console.chain_report import Scope
from sync.server.console.report_days import GROUP, region_scope
from tests.sync.server.console.helpers import PASSWORD, logged_in
from tests.sync.server.console.report_chain import PERIOD, Chain

RANGE = {"period": "custom", "first": "2026-11-01", "last": "2026-11-07"}


@pytest.fixture
def people(report_chain: Chain) -> Iterator[dict[str, str]]:
    """An hq account and the EAST region's manager on the chain's server."""
    names = {"hq": f"hqr{id(report_chain) % 10_000}", "east": f"east{id(report_chain) % 10_000}"}
    for key, role, region in (("hq", "hq", None), ("east", "regional", "EAST")):
        try:
            accounts.add_user(report_chain.storage, names[key], f"测试{key}", role, PASSWORD,
                              region)
        except Exception:
            pass
    yield names


def _client(chain: Chain, user: str, lang: str = "zh") -> httpx.Client:
    return logged_in(chain.server, user, lang=lang)[0]


def _report(chain: Chain, key: str, kind: str, code: str) -> chain_report.ChainReport:
    centre_tickets.catch_up(chain.storage)
    with chain.storage.engine.connect() as conn:
        policy, _ = policy_store.current(conn)
        stores = tuple(masterdata.list_stores(conn, code if kind == "region" else None))
    if kind == "store":
        stores = tuple(s for s in stores if s.code == code)
    return chain_report.build(chain.storage, policy, Scope(key, kind, code, stores), PERIOD,
                              datetime.now(UTC))


def _figure(html: str, name: str) -> str:
    block = html.split(f'data-name="{name}"', 1)[1].split('class="value">', 1)[1]
    return re.sub(r"<[^>]+>", "", block.split("</div>", 1)[0]).strip()


def test_hq_sees_the_chain_and_the_league_sorts(report_chain: Chain,
                                                people: dict[str, str]) -> None:
    expected = _report(report_chain, GROUP, "group", "").report
    with closing(_client(report_chain, people["hq"])) as client:
        page = client.get("/console/reports", params=RANGE)
        assert page.status_code == 200, page.text
        assert _figure(page.text, "tickets") == str(expected.tickets)
        assert "全部门店" in page.text and "门店排行" in page.text
        rows = re.findall(r'data-testid="reports-league-row" data-store="([^"]+)"', page.text)
        assert set(rows) >= {"CRA", "CRB", "CRC", "CRD"}
        asc = client.get("/console/reports", params={**RANGE, "sort": "tickets", "dir": "asc"})
        order = re.findall(r'data-store="([^"]+)"', asc.text.split("reports-league", 1)[1])
        counts = {}
        for code in ("CRA", "CRB", "CRC", "CRD"):
            counts[code] = _report(report_chain, f"s:{code}", "store", code).report.tickets
        mine = [c for c in order if c in counts]
        assert [counts[c] for c in mine] == sorted(counts[c] for c in mine)
        by_change = client.get("/console/reports", params={**RANGE, "sort": "satisfaction",
                                                          "by": "change", "dir": "desc"})
        assert by_change.status_code == 200 and 'data-testid="reports-league-row"' in by_change.text
    with closing(_client(report_chain, people["hq"], "en")) as english:
        en = english.get("/console/reports", params=RANGE)
        assert "Whole chain" in en.text and "Store league" in en.text


def test_drill_down_lists_what_the_figure_counted(report_chain: Chain,
                                                  people: dict[str, str]) -> None:
    with closing(_client(report_chain, people["hq"])) as client:
        page = client.get("/console/reports", params=RANGE)
        section = page.text.split('data-kind="by_subcategory"', 1)[1].split("</section>", 1)[0]
        href, count = re.findall(r'<a href="([^"]+)">(\d+)</a>', section)[0]
        drill = client.get(href.replace("&amp;", "&"))
        assert drill.status_code == 200
        assert len(re.findall(r'data-testid="drill-row"', drill.text)) == int(count)
        assert f"共 {count} 单" in drill.text
        bad = client.get("/console/reports/tickets", params={**RANGE, "scope": GROUP,
                                                             "f_bogus": "1"})
        assert bad.status_code == 400 and "明细筛选条件无效" in bad.text


def test_a_regional_manager_sees_their_region_only(report_chain: Chain,
                                                   people: dict[str, str]) -> None:
    expected = _report(report_chain, region_scope("EAST"), "region", "EAST").report
    with closing(_client(report_chain, people["east"])) as client:
        page = client.get("/console/reports", params=RANGE)
        assert page.status_code == 200
        assert _figure(page.text, "tickets") == str(expected.tickets)
        assert 'data-store="CRA"' in page.text and 'data-store="CRC"' not in page.text
        assert 'value="*"' not in page.text  # the chain is not offered
        for scope in (GROUP, "r:WEST", "s:CRC", "s:NOPE", "x:y"):
            for path in ("/console/reports", "/console/reports/export.csv",
                         "/console/reports/export.pdf", "/console/reports/tickets"):
                answer = client.get(path, params={**RANGE, "scope": scope})
                assert answer.status_code == 404, (path, scope)
        assert client.get("/console/reports", params={**RANGE, "scope": "s:CRA"}
                          ).status_code == 200


def test_csv_has_a_bom_and_the_pdf_reads_back(report_chain: Chain,
                                              people: dict[str, str]) -> None:
    with closing(_client(report_chain, people["hq"])) as client:
        csv_answer = client.get("/console/reports/export.csv", params=RANGE)
        assert csv_answer.status_code == 200
        assert csv_answer.content.startswith(b"\xef\xbb\xbf")
        text = csv_answer.content.decode("utf-8-sig")
        assert "连锁报表" in text and "门店排行" in text and "CRD" in text
        assert "attachment" in csv_answer.headers["content-disposition"]
        pdf_answer = client.get("/console/reports/export.pdf", params=RANGE)
        assert pdf_answer.status_code == 200
        assert pdf_answer.content.startswith(b"%PDF")
        reader = pypdf.PdfReader(io.BytesIO(pdf_answer.content))
        words = "".join(p.extract_text() for p in reader.pages)
        assert "CRA" in words and "2026-11-01" in words
        fonts = {str(f) for p in reader.pages
                 for f in (p["/Resources"].get("/Font") or {}).values()}
        assert fonts
    with closing(_client(report_chain, people["hq"], "en")) as english:
        en = english.get("/console/reports/export.csv", params=RANGE).content.decode("utf-8-sig")
        assert "Chain reports" in en and "Store league" in en


@pytest.mark.parametrize("params, words", [
    ({"period": "fortnight"}, "没有这个期间"),
    ({"period": "custom", "first": "2026-13-01", "last": "2026-11-07"}, "日期无效"),
    ({"period": "custom", "first": "2026-11-07", "last": "2026-11-01"}, "日期范围无效"),
    ({"period": "custom", "first": "2025-01-01", "last": "2026-11-07"}, "日期范围无效"),
])
def test_bad_parameters_are_refused_in_words(report_chain: Chain, people: dict[str, str],
                                             params: dict[str, str], words: str) -> None:
    with closing(_client(report_chain, people["hq"])) as client:
        answer = client.get("/console/reports", params=params)
    assert answer.status_code == 400
    assert words in answer.text


def test_only_managers_and_headquarters_open_reports(report_chain: Chain) -> None:
    name = f"agt{id(report_chain) % 10_000}"
    try:
        accounts.add_user(report_chain.storage, name, "测试坐席", "agent", PASSWORD, None)
    except Exception:
        pass
    with closing(_client(report_chain, name)) as client:
        assert client.get("/console/reports", params=RANGE).status_code == 403
    anonymous = httpx.get(report_chain.server.url + "/console/reports", follow_redirects=False)
    assert anonymous.status_code == 303
