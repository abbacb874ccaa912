"""Fixtures of the console's browser tests: Debian's Chromium driven by Playwright.

- ``browser``: one headless Chromium for the test process (session scope), started from
  ``/usr/bin/chromium`` (``scripts/bootstrap.sh`` installs it; Playwright never downloads
  a browser of its own here).
- ``page``: a fresh browser context (no cookies, 1366×768, Chinese first) and a page in it,
  per test. Every step waits at most :data:`STEP_TIMEOUT_MS`, so no test hangs.
  A failed test leaves a screenshot of its page in the session's temporary directory
  (its path is printed in the report).
- Chromium resolves no name but the loopback's, and every request for another host is
  recorded in the ``offsite`` fixture (the console must load nothing from a CDN); a test
  that opens a console page asserts that list is empty.

The server is the plugin's ``shared_server`` (one ``kesu-server serve`` per backend for
the test process, a fresh database); each test makes accounts, regions and stores of its
own (``make_account``, ``make_store``: names unique to the test), so tests share the
server and still cannot meet.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Request,
    sync_playwright,
)

from sync.server.console import accounts, masterdata
from sync.server.storage import Storage
from tests.sync.helpers import ServerProcess
from tests.sync.server.console.report_chain import Chain, build_chain

CHROMIUM = Path(os.environ.get("KESU_CHROMIUM", "/usr/bin/chromium"))
# One step (a click, a navigation, a wait for an element) may take this long at most.
STEP_TIMEOUT_MS = 10_000
# The flags that work headless as root here (no sandbox for root, nothing phoning home).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync",
                 # Nothing but this machine: every other name fails to resolve.
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
VIEWPORT = {"width": 1366, "height": 768}
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                              call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """When a test with a page fails, screenshot that page into the session's temporary
    directory and name the file in the failure report."""
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and isinstance(page, Page):
        report.sections.append(("browser", _screenshot(item, page)))
    return report


def _screenshot(item: pytest.Item, page: Page) -> str:
    if page.is_closed():
        return "no screenshot: the page was closed"
    where = Path(str(item.config._tmp_path_factory.getbasetemp())) / "screenshots"  # type: ignore[attr-defined]
    where.mkdir(exist_ok=True)
    shot = where / f"{item.name}.png"
    try:
        page.screenshot(path=str(shot), full_page=True, timeout=STEP_TIMEOUT_MS)
    except Exception as exc:  # the page may be what broke; the failure tells the rest
        return f"no screenshot of {page.url}: {exc}"
    return f"screenshot of {page.url}: {shot}"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver for the test process."""
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """The one headless Chromium of the test process (a fresh profile of its own)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/bootstrap.sh (installs Debian's "
                    "chromium)", pytrace=False)
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                          args=CHROMIUM_ARGS, timeout=STEP_TIMEOUT_MS * 3)
    yield chromium
    chromium.close()


@dataclass
class Offsite:
    """The requests a page tried to send off the loopback (Chromium resolves no other
    name: ``--host-resolver-rules`` in :data:`CHROMIUM_ARGS`)."""

    urls: list[str] = field(default_factory=list)

    def watch(self, request: Request) -> None:
        """Record *request* if it is not for this machine."""
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "blob", "about") and parts.hostname not in LOOPBACK:
            self.urls.append(request.url)


def new_context(browser: Browser, offsite: Offsite, *, lang: str = "zh",
                viewport: dict[str, int] | None = None) -> BrowserContext:
    """A context with no cookies, in *lang* (``zh`` or ``en``), bounded waits and the
    off-loopback guard."""
    context = browser.new_context(viewport=viewport or VIEWPORT,  # type: ignore[arg-type]
                                  locale="zh-CN" if lang == "zh" else "en-US")
    context.set_default_timeout(STEP_TIMEOUT_MS)
    context.set_default_navigation_timeout(STEP_TIMEOUT_MS)
    # Watched, not routed: routing would turn the HTTP cache off (every page would fetch
    # the 4 MB font again).
    context.on("request", offsite.watch)
    return context


@pytest.fixture
def offsite() -> Offsite:
    """What this test's pages tried to fetch from outside the machine."""
    return Offsite()


@pytest.fixture
def context(browser: Browser, offsite: Offsite) -> Iterator[BrowserContext]:
    """A fresh browser context (its own cookies) for this test."""
    ctx = new_context(browser, offsite)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A page of this test's context (screenshotted when the test fails)."""
    return context.new_page()


# Accounts, regions and stores get names unique to the test process and the test.
_serial = itertools.count(1)
PASSWORD = "kesu-Console-2026"


@dataclass(frozen=True)
class Account:
    """A console account a test made (with its password)."""

    username: str
    password: str
    display_name: str
    role: str
    region: str | None


@pytest.fixture(scope="session")
def console_storage(shared_server: ServerProcess) -> Iterator[Storage]:
    """The shared server's database, opened in the test process (to make accounts and
    master data, and to read what the server wrote)."""
    storage = Storage(shared_server.db_url)
    yield storage
    storage.close()


def _prefix() -> str:
    # Each test process has servers of its own: a serial keeps its tests apart (codes are
    # 1-8 capitals or digits).
    return f"{next(_serial):05d}"


@pytest.fixture
def make_account(console_storage: Storage) -> Callable[..., Account]:
    """``make_account("regional", region="R1")``: a new account of this test."""

    def make(role: str, region: str | None = None, name: str | None = None) -> Account:
        username = f"{role}{_prefix()}"
        display = name or {"agent": "李娜", "regional": "张敏", "hq": "王总"}[role]
        accounts.add_user(console_storage, username, display, role, PASSWORD, region)
        return Account(username, PASSWORD, display, role, region)

    return make


@dataclass(frozen=True)
class Place:
    """A region and one store of it, made for a test."""

    region: str
    store: str


@pytest.fixture
def make_store(console_storage: Storage) -> Callable[..., Place]:
    """``make_store()``: a new region with one store (``make_store(region=...)`` adds a
    store to an existing region)."""

    def make(region: str | None = None, name: str = "湘潭一店") -> Place:
        code = _prefix()
        if region is None:
            region = "R" + code
            masterdata.save_region(console_storage, region, "华中区", "Central")
        store = "S" + code
        masterdata.save_store(console_storage, store, name, region, "Asia/Shanghai")
        return Place(region, store)

    return make


def log_in(page: Page, server: ServerProcess, account: Account, *,
           next_path: str = "/console") -> None:
    """Log *account* in through the login form (coming back to *next_path*)."""
    page.goto(f"{server.url}{next_path}")
    page.get_by_test_id("username").fill(account.username)
    page.get_by_test_id("password").fill(account.password)
    with page.expect_navigation():
        page.get_by_test_id("login-submit").click()


@pytest.fixture(scope="session")
def report_chain(backend: str, tmp_path_factory: pytest.TempPathFactory,
                 request: pytest.FixtureRequest) -> Iterator[Chain]:
    """Four stores made through real desks and synced to a server of their own, for the
    reports' tests (``report_chain.build_chain``)."""
    yield from build_chain(backend, tmp_path_factory, request)
