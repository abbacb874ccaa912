"""The customer progress page: ``GET /p/{number}?code=NNNNNN`` (the receipt's QR code).

Whoever holds a ticket's number and its six-digit verification code sees the ticket's
state and history in Chinese; nobody else learns anything — an unknown number and a
wrong code get the same 404 page. Wrong codes are slowed down per client and per number
(:class:`GuessLimiter`) without locking the right code out. The ticket is folded by the centre from
the events it holds (:func:`sync.server.hq.view`), so the page moves on as desks sync.

What the customer sees is limited on purpose: no staff ids or names, no note texts, no
other customer's data (a merge shows no other number), the customer's own name and
phone masked. The guess limits live in each process's memory: several server processes
behind one address multiply the allowance by their number, which still leaves a million
codes out of reach.
"""

from __future__ import annotations

import hmac
import html
import math
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from domain import event_schema
from domain.clock import wall_clock_text
from domain.fold import CompensationState, TicketState
from domain.money import yuan_amount
from domain.phones import mask_phone
from domain.policy import Policy
from sync.server import hq, policy_store, ticket_numbers
from sync.server.errors import ActionRefused
from sync.server.storage import Storage

STATE_ZH = {
    "accepted": "受理", "rectifying": "整改", "reviewing": "复核", "accountability": "奖惩",
    "closed": "完结", "rated": "评价", "merged": "已合并", "voided": "已作废",
}
STATE_HINT_ZH = {
    "accepted": "您的投诉已受理，门店正在安排处理。",
    "rectifying": "门店正在整改您反映的问题。",
    "reviewing": "整改已完成，正在复核。",
    "accountability": "复核通过，正在落实奖惩。",
    "closed": "处理已完结，欢迎您对处理结果评价。",
    "rated": "处理已完结，感谢您的评价。",
    "merged": "您的投诉已与相同问题的投诉合并处理。",
    "voided": "该工单已作废。如有疑问请联系门店服务台。",
}
LOOP = ("accepted", "rectifying", "reviewing", "accountability", "closed", "rated")
_KIND_ZH = {"refund": "退款", "exchange": "换货", "gift": "赠品", "coupon": "优惠券",
            "cash": "现金", "service_card": "服务卡", "category_coupon": "品类券"}
_CODE_RE = re.compile(r"^[0-9]{6}$")
_LONG_DIGITS = re.compile(r"\d{7,}")
# Compared against when the number is unknown, so both paths do the same work.
_DUMMY_CODE = "000000"


# --- guess limits ---------------------------------------------------------------------


@dataclass
class GuessLimiter:
    """Slows wrong codes down without ever locking the right code out for long.

    Numbers are predictable, so a lock on a number would let anyone lock out any
    customer. Instead, within *window_s* seconds:

    * a client (address) that made *per_pair* wrong codes for one number is refused
      that number, and after *per_client* wrong codes in all is refused everywhere:
      the guesser is stopped, not the customer, who asks from another address;
    * a number that collected *per_number* wrong codes from all clients is *slowed*:
      one code for it is checked per *slow_interval_s* seconds (the slot is taken
      before the check and given back when the code was right). Guessing it takes
      months; the customer waits at most *slow_interval_s* (the cap, told in
      ``Retry-After``), whatever the guessers do.
    """

    per_pair: int = 5
    per_client: int = 100
    per_number: int = 10
    slow_interval_s: float = 10.0
    window_s: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    max_keys: int = 100_000
    _fails: dict[str, deque[float]] = field(default_factory=dict)
    _next_slot: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        fails = self._fails.get(key)
        if fails is None:
            return deque()
        while fails and fails[0] <= now - self.window_s:
            fails.popleft()
        if not fails:
            del self._fails[key]
        return fails

    def admit(self, number: str, client: str) -> float | None:
        """None when a code for *number* from *client* may be checked now (call
        :meth:`result` with the outcome), else the seconds to wait."""
        now = self.clock()
        with self._lock:
            if len(self._recent(f"p:{number}\x00{client}", now)) >= self.per_pair \
                    or len(self._recent("c:" + client, now)) >= self.per_client:
                return self.window_s
            if len(self._recent("n:" + number, now)) >= self.per_number:
                wait = self._next_slot.get(number, 0.0) - now
                if wait > 0:
                    return wait
                self._next_slot[number] = now + self.slow_interval_s
            return None

    def result(self, number: str, client: str, *, right: bool) -> None:
        """Record the outcome of an admitted check."""
        now = self.clock()
        with self._lock:
            if right:
                self._next_slot.pop(number, None)  # the slot was the customer's
                return
            if len(self._fails) >= self.max_keys:
                for key in list(self._fails):
                    self._recent(key, now)
                for key in [k for k, at in self._next_slot.items() if at <= now]:
                    del self._next_slot[key]
            for key in (f"p:{number}\x00{client}", "c:" + client, "n:" + number):
                self._fails.setdefault(key, deque()).append(now)
            if len(self._fails["n:" + number]) >= self.per_number:
                self._next_slot[number] = now + self.slow_interval_s

# --- what the customer may see ----------------------------------------------------------


def mask_name(name: str | None) -> str | None:
    """The first character, the rest as stars."""
    if not name:
        return None
    return name[0] + "*" * max(1, len(name) - 1)


def mask_digits(text: str) -> str:
    """Phone and card numbers typed into a complaint, cut to their first three digits."""
    return _LONG_DIGITS.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 3), text)


def _comp_text(line: CompensationState | None) -> str:
    if line is None:
        return ""
    return f"：{_KIND_ZH.get(line.kind, line.kind)} {yuan_amount(line.amount_fen)}"


def history_line(event: Mapping[str, Any], payload: Mapping[str, Any],
                 comps: Mapping[str, CompensationState], policy: Policy) -> str | None:
    """The customer's wording of one event, or None for events they need not see."""
    kind = event["type"]
    if kind == "ticket_created":
        channel = policy.channel_name(str(payload.get("channel")), english=False)
        return f"投诉已受理登记（{channel}）" if channel else "投诉已受理登记"
    if kind == "triaged":
        level = payload.get("level")
        label = (policy.level_name(level, english=False)
                 if isinstance(level, int) and not isinstance(level, bool) else None)
        return f"处理等级调整为{label}" if label else "处理等级已调整"
    if kind == "assigned":
        return "已安排专人处理"
    if kind == "note_added":
        return "门店记录了处理进展"
    if kind == "customer_contacted":
        return "门店已与您联系"
    if kind == "status_changed":
        to = str(payload.get("to"))
        if payload.get("reopen"):
            return "工单重新打开，进入「整改」"
        if payload.get("review") == "returned":
            return "复核未通过，退回「整改」"
        if to == "closed":
            return "处理完结"
        return f"进入「{STATE_ZH.get(to, to)}」阶段"
    if kind == "escalated":
        return "已升级至上级跟进"
    comp = comps.get(str(payload.get("compensation_id")))
    if kind == "compensation_granted":
        return "补偿已发放" + _comp_text(comp)
    if kind == "compensation_requested":
        return "补偿申请已提交审批" + _comp_text(comp)
    if kind == "compensation_refused":
        return "补偿申请未通过"
    if kind == "compensation_decided":
        if payload.get("decision") == "approved":
            return "补偿已批准" + _comp_text(comp)
        return "补偿申请未通过"
    if kind == "rated":
        score = payload.get("score")
        if isinstance(score, int) and 1 <= score <= 5:
            return f"您的评价：{'★' * score}{'☆' * (5 - score)}"
        return "您已评价"
    if kind == "merged":
        return "已与相同问题的投诉合并处理"
    if kind == "voided":
        return "工单已作废"
    if kind == "conflict_resolved":
        return "处理状态已确认"
    return None  # notifications and anything internal


def _when(iso: str | None, tz: ZoneInfo) -> str:
    if not iso:
        return ""
    try:
        return wall_clock_text(iso, tz, "%Y-%m-%d %H:%M")
    except ValueError:
        return ""


# --- HTML ---------------------------------------------------------------------------------

_CSS = """
*{box-sizing:border-box}body{margin:0;font-family:-apple-system,"PingFang SC",
"Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;background:#f4f5f7;
color:#222;line-height:1.6}main{max-width:34rem;margin:0 auto;padding:1rem}
h1{font-size:1.25rem;margin:.5rem 0 1rem}section{background:#fff;border-radius:.75rem;
padding:1rem;margin-bottom:1rem;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.num{font-family:ui-monospace,monospace;font-size:.95rem;color:#555;word-break:break-all}
.state{font-size:1.6rem;font-weight:600;color:#c62828}.hint{color:#555;margin:.25rem 0 0}
ol.loop{display:flex;list-style:none;padding:0;margin:1rem 0 0;gap:.25rem}
ol.loop li{flex:1;text-align:center;font-size:.8rem;padding:.3rem 0;border-radius:.3rem;
background:#eceff1;color:#777}ol.loop li.done{background:#ffcdd2;color:#b71c1c}
ol.loop li.now{background:#c62828;color:#fff;font-weight:600}
dl{margin:0;display:grid;grid-template-columns:6em 1fr;gap:.3rem .5rem}dt{color:#777}
dd{margin:0;word-break:break-word}ul.history{list-style:none;padding:0;margin:0}
ul.history li{padding:.5rem 0;border-bottom:1px solid #eee}
ul.history li:last-child{border-bottom:0}time{display:block;color:#888;font-size:.8rem}
form label{display:block;margin:.5rem 0 .2rem}form input{width:100%;font-size:1.1rem;
padding:.5rem;border:1px solid #ccc;border-radius:.4rem}form button{margin-top:1rem;
width:100%;font-size:1.1rem;padding:.6rem;border:0;border-radius:.4rem;background:#c62828;
color:#fff}footer{color:#999;font-size:.8rem;text-align:center}
"""

_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'",
}


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>"
            f"<body><main>{body}<footer>客诉进度查询</footer></main></body></html>\n")


def _html(text: str, status: int = 200, retry_after: int | None = None) -> HTMLResponse:
    headers = dict(_HEADERS)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return HTMLResponse(text, status_code=status, headers=headers)


def form_page(number: str = "") -> str:
    """The form to type a number and its code."""
    e = html.escape
    return _page("客诉进度查询", (
        "<h1>客诉进度查询</h1><section><form method=\"get\" action=\"/p\">"
        "<label for=\"number\">投诉单号</label>"
        f"<input id=\"number\" name=\"number\" value=\"{e(number)}\" required "
        "autocomplete=\"off\" placeholder=\"如 XT01-D2-20261122-0001\">"
        "<label for=\"code\">查询码（小票上的 6 位数字）</label>"
        "<input id=\"code\" name=\"code\" required inputmode=\"numeric\" "
        "pattern=\"[0-9]{6}\" maxlength=\"6\" autocomplete=\"off\">"
        "<button type=\"submit\">查询</button></form></section>"))


NOT_FOUND_PAGE = _page("未找到", (
    "<h1>未找到该投诉</h1><section><p>单号或查询码不正确。请核对小票上的投诉单号和 6 位查询码，"
    "或联系门店服务台。</p><p><a href=\"/p\">重新查询</a></p></section>"))

TOO_MANY_PAGE = _page("请稍后再试", (
    "<h1>请稍后再试</h1><section><p>查询码错误次数过多，请 15 分钟后再试，"
    "或联系门店服务台。</p></section>"))


def slowed_page(seconds: int) -> str:
    """The answer for a number many wrong codes were tried for: wait a few seconds."""
    return _page("请稍后再试", (
        f"<h1>请稍后再试</h1><section><p>该单号近期查询过于频繁，请 {seconds} 秒后再试。"
        "</p><p><a href=\"/p\">重新查询</a></p></section>"))


@dataclass(frozen=True)
class Progress:
    """What the page shows, already in the customer's words."""

    ticket: TicketState
    history: tuple[tuple[str, str], ...]  # (local time, text), oldest first
    tz: ZoneInfo
    level_label: str


def render(progress: Progress) -> str:
    """The progress page of one ticket (every dynamic text escaped)."""
    e = html.escape
    t = progress.ticket
    state = STATE_ZH.get(t.status, t.status)
    hint = STATE_HINT_ZH.get(t.status, "")
    if t.conflict:
        hint += "门店正在核对处理状态。"
    steps = []
    current = LOOP.index(t.status) if t.status in LOOP else -1
    for i, name in enumerate(LOOP):
        css = "now" if i == current else "done" if i < current else ""
        steps.append(f"<li class=\"{css}\">{STATE_ZH[name]}</li>")
    if t.first_response_at:
        target = f"已于 {_when(t.first_response_at, progress.tz)} 响应"
    else:
        target = (f"承诺 {t.respond_within_minutes} 分钟内响应"
                  f"（{_when(t.due_at, progress.tz)} 前）")
    facts = [("提交时间", _when(t.created_at, progress.tz)),
             ("处理等级", f"{progress.level_label} · {target}"),
             ("投诉内容", mask_digits(t.text))]
    if t.product_name:
        facts.append(("商品", t.product_name))
    if t.customer_name:
        facts.append(("顾客", mask_name(t.customer_name) or ""))
    if t.customer_phone:
        facts.append(("电话", mask_phone(t.customer_phone) or ""))
    dl = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts)
    items = "".join(f"<li><time>{e(when)}</time>{e(text)}</li>"
                    for when, text in reversed(progress.history))
    body = (
        "<h1>客诉处理进度</h1>"
        f"<section><div class=\"num\">单号 {e(t.number)}</div>"
        f"<div class=\"state\">{e(state)}</div><p class=\"hint\">{e(hint)}</p>"
        f"<ol class=\"loop\">{''.join(steps)}</ol></section>"
        f"<section><dl>{dl}</dl></section>"
        f"<section><h2 style=\"font-size:1rem;margin:0 0 .5rem\">处理记录</h2>"
        f"<ul class=\"history\">{items}</ul></section>")
    return _page(f"客诉进度 {t.number}", body)


def load_progress(storage: Storage, number: str, code: str) -> Progress | None:
    """The ticket behind *number* when *code* is its code; None otherwise, alike."""
    with storage.engine.connect() as conn:
        entry = ticket_numbers.lookup(conn, number)
        expected = entry.verify_code if entry is not None and entry.verify_code else None
        ok = hmac.compare_digest((expected or _DUMMY_CODE).encode(), code.encode())
        if entry is None or expected is None or not ok:
            return None
        try:
            _, view = hq.view(conn, entry.ticket_id)
        except ActionRefused:
            return None
        policy, _ = policy_store.current(conn)
    comps = {c.id: c for c in view.compensations}
    history: list[tuple[str, str]] = []
    for event in view.events:
        try:
            payload = event_schema.parse_payload(str(event["payload"]))
        except event_schema.SchemaError:
            continue
        text = history_line(event, payload if isinstance(payload, dict) else {}, comps,
                            policy)
        if text is not None:
            history.append((_when(str(event["occurred_at"]), policy.timezone), text))
    level = policy.level_name(view.ticket.level, english=False) or f"{view.ticket.level}级"
    return Progress(view.ticket, tuple(history), policy.timezone, str(level))


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "?"


def progress_router(storage: Storage, limiter: GuessLimiter | None = None) -> APIRouter:
    """``GET /p`` (form, or redirect to the page) and ``GET /p/{number}?code=``."""
    router = APIRouter(include_in_schema=False)
    # KESU_PROGRESS_SLOW_S: the slowed number's interval (tests shorten it).
    guesses = limiter or GuessLimiter(
        slow_interval_s=float(os.environ.get("KESU_PROGRESS_SLOW_S") or 10.0))

    @router.get("/p")
    def form(number: str = "", code: str = "") -> Response:
        number, code = number.strip(), code.strip()
        if number and code:
            return RedirectResponse(f"/p/{quote(number, safe='')}?code={quote(code, safe='')}",
                                    status_code=303, headers=_HEADERS)
        return _html(form_page(number))

    @router.get("/p/{number}")
    async def page(request: Request, number: str, code: str = "") -> Response:
        client = _client(request)
        number = number[:80]  # the limiter's key: a long "number" must not cost memory
        wait = guesses.admit(number, client)
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            body = TOO_MANY_PAGE if wait >= guesses.window_s else slowed_page(seconds)
            return _html(body, 429, retry_after=seconds)
        found = None
        if _CODE_RE.match(code):
            found = await run_in_threadpool(load_progress, storage, number, code)
        guesses.result(number, client, right=found is not None)
        if found is None:
            return _html(NOT_FOUND_PAGE, 404)
        return _html(render(found))

    return router
