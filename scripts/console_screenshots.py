"""Screenshot every page of the web console, in Chinese and in English, at 1366×768 and
1280×720, as each role sees it.

    .venv/bin/python scripts/console_screenshots.py [--out docs/screenshots/console]
        [--sizes 1366x768,1280x720] [--langs zh,en]

Starts ``kesu-server demo`` (a demo chain with one login per role) on a fresh SQLite file
on loopback (a server without ``demo`` is served and seeded through the ``region``,
``store``, ``user`` and ``hq-token`` commands and the channel-ticket API), drives Debian's
Chromium (``/usr/bin/chromium``) with Playwright, logs in as each role and saves
``<out>/<lang>/<W>x<H>/<page>.png``: the login page, every page the role's menu links to,
the first detail page each of them links to (a ticket, a policy version, ...), and the
page a role is refused. A page is shot as the first role that sees it (headquarters, then
the regional manager, then the agent); a lower role's own view of it carries the role's
name. Chromium resolves no name but the loopback's; requests for other hosts are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Browser, Page, Request, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("KESU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
ROLES = ("hq", "regional", "agent")
STEP_MS = 15_000


@dataclass(frozen=True)
class Login:
    """A demo account."""

    role: str
    username: str
    password: str


def _server_command() -> list[str]:
    script = Path(sys.executable).with_name("kesu-server")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sync.server.cli"]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _logins(text: str) -> list[Login]:
    """The logins ``kesu-server demo`` printed (a JSON object with ``logins``)."""
    start = text.find("{")
    data = json.loads(text[start:]) if start >= 0 else {}
    found = [Login(str(x["role"]), str(x["username"]), str(x["password"]))
             for x in data.get("logins", [])]
    return found


# The fallback chain: two regions, three stores, one login per role, a few tickets.
SEED_REGIONS = [("HUAZ", "华中区", "Central China"), ("HUAN", "华南区", "South China")]
SEED_STORES = [("XT01", "湘潭一店", "HUAZ"), ("CS02", "长沙五一广场店", "HUAZ"),
               ("GZ03", "广州天河店", "HUAN")]
SEED_USERS: list[tuple[str, str, str, str | None]] = [
    ("hq", "wang", "王总", None), ("regional", "zhangmin", "张敏", "HUAZ"),
    ("agent", "lina", "李娜", None)]
SEED_PASSWORD = "kesu-Demo-2026"
SEED_TICKETS = [
    ("XT01", "hotline", "昨天买的卤味拼盘吃完全家拉肚子，孩子还去了医院，要求赔偿医药费", 3880),
    ("XT01", "online", "网上订的牛奶送到时已经过期三天了", 1290),
    ("CS02", "douyin", "收银员态度很差，多收了我二十块钱还不承认", 5620),
    ("CS02", "qr", "门店地面湿滑没有提示牌，老人差点摔倒", 0),
    ("GZ03", "hotline", "买的电饭煲用了一周就坏了，要求退货", 29900),
]


def _cli(db: str, *args: str, stdin: str | None = None) -> dict[str, object]:
    out = subprocess.run([*_server_command(), *args, "--db", db], input=stdin, text=True,
                         capture_output=True, check=True, cwd=ROOT)
    parsed = json.loads(out.stdout) if out.stdout.strip() else {}
    return parsed if isinstance(parsed, dict) else {}


def _has_demo() -> bool:
    out = subprocess.run([*_server_command(), "demo", "--help"], capture_output=True,
                         text=True, check=False, cwd=ROOT)
    return out.returncode == 0


def _serve_seeded(where: Path, port: int) -> tuple[subprocess.Popen[str], list[Login]]:
    """``kesu-server serve`` on a database seeded through the CLI and the channel API."""
    db = f"sqlite:///{where / 'seeded.db'}"
    _cli(db, "policy", "list")  # creates the database
    for code, zh, en in SEED_REGIONS:
        _cli(db, "region", "add", "--code", code, "--name", zh, "--name-en", en)
    for code, name, region in SEED_STORES:
        _cli(db, "store", "add", "--code", code, "--name", name, "--region", region)
    logins = []
    for role, username, name, scope in SEED_USERS:
        extra = [] if scope is None else ["--region", scope]
        _cli(db, "user", "add", "--username", username, "--name", name, "--role", role,
             *extra, "--password-stdin", stdin=SEED_PASSWORD + "\n")
        logins.append(Login(role, username, SEED_PASSWORD))
    token = str(_cli(db, "hq-token", "--name", "总部热线")["token"])
    proc = subprocess.Popen([*_server_command(), "serve", "--db", db, "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    _wait(proc, url, where / "none")
    with httpx.Client(base_url=url, timeout=10, headers={
            "Authorization": f"Bearer {token}", "Kesu-Protocol": "1"}) as http:
        for n, (store, channel, text, fen) in enumerate(SEED_TICKETS):
            answer = http.post("/v1/channels/tickets", json={
                "store_code": store, "channel": channel, "text": text,
                "customer": {"name": "陈女士", "phone": f"138-1234-{5670 + n}"},
                "product": {"name": "卤味拼盘", "sku": "690123"}, "amount_paid_fen": fen,
                "external_id": f"shot-{n}"})
            answer.raise_for_status()
    return proc, logins


def _wait(proc: subprocess.Popen[str], url: str, out: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            said = out.read_text() if out.exists() else ""
            raise SystemExit(f"kesu-server exited:\n{said}")
        try:
            if httpx.get(f"{url}/console/login", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("kesu-server did not answer in time")


def start_demo(where: Path) -> tuple[subprocess.Popen[str], str, list[Login]]:
    """``kesu-server demo`` on a fresh database in *where*: the process, its URL and the
    logins it printed."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    if not _has_demo():
        proc, logins = _serve_seeded(where, port)
        return proc, url, logins
    db = f"sqlite:///{where / 'demo.db'}"
    out = where / "demo.out"
    with out.open("w") as sink:
        proc = subprocess.Popen([*_server_command(), "demo", "--db", db, "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=sink,
                                stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"kesu-server demo exited:\n{out.read_text()}")
        try:
            if httpx.get(f"{url}/console/login", timeout=1).status_code == 200:
                logins = _logins(out.read_text())
                if logins:
                    return proc, url, logins
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"kesu-server demo did not answer in time:\n{out.read_text()}")


# Pages no menu or first link reaches, per role: (name, path). The script library's
# editor on a starter script, and a search (the demo publishes the starter library).
EXTRA: dict[str, tuple[tuple[str, str], ...]] = {
    "hq": (("scripts-edit", "/console/scripts/edit?id=food-safety-illness"),
           ("scripts-search", "/console/scripts?q=%E5%BC%82%E7%89%A9")),
}


class Shooter:
    """Saves pages of one language and size."""

    def __init__(self, browser: Browser, url: str, lang: str, size: tuple[int, int],
                 out: Path) -> None:
        self.browser, self.url, self.lang, self.size = browser, url, lang, size
        self.folder = out / lang / f"{size[0]}x{size[1]}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.offsite: list[str] = []
        self.saved: list[str] = []

    def _watch(self, request: Request) -> None:
        host = urlsplit(request.url).hostname
        if host not in ("127.0.0.1", "localhost") and not request.url.startswith("data:"):
            self.offsite.append(request.url)

    def page(self) -> Page:
        """A fresh context (no cookies) in this language and size."""
        context = self.browser.new_context(
            viewport={"width": self.size[0], "height": self.size[1]},
            locale="zh-CN" if self.lang == "zh" else "en-US")
        context.set_default_timeout(STEP_MS)
        context.on("request", self._watch)
        page = context.new_page()
        page.goto(f"{self.url}/console/lang?to={self.lang}&next=/console/login")
        return page

    def shoot(self, page: Page, name: str) -> None:
        """Save *page* as *name* once its fonts are in."""
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)
        self.saved.append(name)

    def log_in(self, page: Page, login: Login) -> None:
        """Log in through the form."""
        page.goto(f"{self.url}/console/login")
        page.get_by_test_id("username").fill(login.username)
        page.get_by_test_id("password").fill(login.password)
        page.get_by_test_id("login-submit").click()
        page.wait_for_load_state()

    def run(self, logins: list[Login]) -> None:
        """The login page, then each role's pages."""
        page = self.page()
        self.shoot(page, "login")
        page.get_by_test_id("username").fill(logins[0].username)
        page.get_by_test_id("password").fill("not-the-password")
        page.get_by_test_id("login-submit").click()
        self.shoot(page, "login-wrong-password")
        page.context.close()
        seen: set[str] = set()
        by_role: dict[str, Login] = {}
        for login in logins:  # the first of each role (the demo's EAST regional manager)
            by_role.setdefault(login.role, login)
        for role in ROLES:
            if role in by_role:
                self._role(by_role[role], seen)

    def _role(self, login: Login, seen: set[str]) -> None:
        page = self.page()
        self.log_in(page, login)
        nav = [str(a) for a in page.eval_on_selector_all(
            "header nav a", "links => links.map(a => a.getAttribute('href'))")]
        for href in nav:
            part = href.strip("/").split("/")[1] if href.count("/") >= 2 else "home"
            name = part if part not in seen else f"{login.role}-{part}"
            if name in seen:
                continue
            page.goto(self.url + href)
            self.shoot(page, name)
            seen.add(part)
            seen.add(name)
            detail = self._first_detail(page, href)
            if detail:
                page.goto(self.url + detail)
                self.shoot(page, f"{name}-detail")
        for name, path in EXTRA.get(login.role, ()):
            if name not in seen:
                page.goto(self.url + path)
                self.shoot(page, name)
                seen.add(name)
        if login.role == "agent" and "forbidden" not in seen:
            page.goto(f"{self.url}/console/policy")
            self.shoot(page, "forbidden")
            seen.add("forbidden")
        page.context.close()

    @staticmethod
    def _first_detail(page: Page, href: str) -> str | None:
        """The first link of the page's main part to a page below *href*, or to a ticket
        (the queue's rows open ``/console/tickets/<id>``)."""
        links = page.eval_on_selector_all(
            "main a[href]", "links => links.map(a => a.getAttribute('href'))")
        below = re.compile(f"(?:{re.escape(href.rstrip('/'))}|/console/tickets)/[^?#]+")
        return next((str(link) for link in links if below.match(str(link))), None)


def main(argv: list[str] | None = None) -> int:
    """Start the demo, shoot every page in every language and size, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "console")
    parser.add_argument("--sizes", default="1366x768,1280x720")
    parser.add_argument("--langs", default="zh,en")
    args = parser.parse_args(argv)
    sizes = [tuple(int(n) for n in s.split("x")) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        proc, url, logins = start_demo(Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
                offsite: list[str] = []
                for lang in args.langs.split(","):
                    for w, h in sizes:
                        shooter = Shooter(browser, url, lang, (w, h), args.out)
                        shooter.run(logins)
                        offsite += shooter.offsite
                        print(f"{lang} {w}x{h}: {', '.join(shooter.saved)}")
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    if offsite:
        print("refused requests off the machine:", *sorted(set(offsite)), sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
