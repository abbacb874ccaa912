"""The console's alerts page: cross-store product alerts and watch terms (issue 17).

``/console/alerts`` lists the open and recently closed product alerts
(:mod:`sync.server.product_alerts`): the product, the stores named, how many stores and
tickets, the first and latest mention, and a link to the tickets behind each
(``/console/alerts/<id>``); and the watch terms (:mod:`sync.server.watch_terms`) with
their counts for the last 14 days as a bar row, the days past the threshold marked.

The stores' assortments (:mod:`sync.server.assortment`): a table of the stores with
their list's size, last change and who made it (or "no list: gets every alert");
headquarters uploads a CSV file (multipart, CSRF-checked; a refused file is shown with
the reason in the reader's language and changes nothing) and removes a store's list. An
alert's page says how many stores receive it.

Headquarters closes an alert (marks it handled, naming the person) and adds or stops
watch terms; a refused form is shown again with what was typed and the reason. A
regional manager sees the alerts that touch their region, with only their region's
stores named and the counts of their region's stores, and their region's stores' lists,
and changes nothing. An alert outside their region answers 404, and so does removing a
list.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from sync.server import assortment, policy_store, product_alerts, watch_terms
from sync.server.console import alerts_view, centre_tickets, i18n
from sync.server.console.auth import PageError, Principal, check_csrf, page_principal
from sync.server.console.render import render, request_language
from sync.server.storage import Storage
from sync.server.tables import watch_terms as terms_table

VIEWERS = ("regional", "hq")
MANAGERS = ("hq",)


@dataclass(frozen=True)
class TermForm:
    """What was typed into the new-term form (shown again after a refusal)."""

    term: str = ""
    product: str = ""
    threshold: str = ""


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 7 else None


def router(storage: Storage) -> APIRouter:
    """The alerts routes on *storage*."""
    r = APIRouter(tags=["console"], include_in_schema=False)

    def page(request: Request, principal: Principal, *, message: str = "",
             message_kind: str = "", status: int = 200,
             form: TermForm | None = None) -> Response:
        centre_tickets.catch_up(storage)
        product_alerts.close_quiet(storage)
        with storage.engine.connect() as conn:
            policy = policy_store.current(conn)[0]
            open_rows, closed = alerts_view.open_and_recent(conn, principal)
            terms = alerts_view.term_rows(conn, principal,
                                          alerts_view.today_in(policy.timezone.key))
            lists = assortment.lists(
                conn, principal.region if principal.role == "regional" else None)
        return render(request, principal, "alerts/index.html", "alerts.title",
                      store_lists=lists, max_mb=assortment.MAX_BYTES // (1024 * 1024),
                      max_rows=assortment.MAX_ROWS,
                      status=status, open_alerts=open_rows, closed_alerts=closed,
                      terms=terms, days=policy.alerts.product_days,
                      n_stores=policy.alerts.product_stores, zone=policy.timezone.key,
                      may_manage=principal.role in MANAGERS, message=message,
                      message_kind=message_kind, form=form or TermForm(),
                      max_term=watch_terms.MAX_TERM_CHARS)

    @r.get("/console/alerts")
    def index(request: Request, done: str = "", what: str = "") -> Response:
        principal = page_principal(request, storage, VIEWERS)
        lang = request_language(request)
        message = ""
        if done in ("closed", "added", "disabled"):
            message = i18n.t(f"alerts.done.{done}", lang, what=what[:60])
        elif done in ("uploaded", "cleared"):
            message = i18n.t(f"alerts.assortment.done.{done}", lang, what=what[:120])
        return page(request, principal, message=message, message_kind="ok")

    @r.get("/console/alerts/{alert_id}")
    def detail(request: Request, alert_id: str) -> Response:
        principal = page_principal(request, storage, VIEWERS)
        number = _int(alert_id)
        centre_tickets.catch_up(storage)
        with storage.engine.connect() as conn:
            alert = None if number is None else alerts_view.one(conn, principal, number)
            if alert is None:
                raise PageError(404, "alerts.error.unknown")
            tickets = alerts_view.tickets_of(conn, principal, alert)
            zone = policy_store.current(conn)[0].timezone.key
            receiving, of = assortment.receivers(
                conn, alert.id, principal.region if principal.role == "regional" else None)
        lang = request_language(request)
        return render(request, principal, "alerts/detail.html", "alerts.detail.title",
                      alert=alert, tickets=tickets, zone=zone, receiving=receiving, of=of,
                      status_word=lambda code: i18n.word(f"queue.status.{code}", lang, code),
                      may_manage=principal.role in MANAGERS)

    async def _posted(request: Request) -> tuple[Principal, FormData, str]:
        principal = await run_in_threadpool(page_principal, request, storage, MANAGERS)
        form = await request.form()
        check_csrf(request, principal, form)
        return principal, form, request_language(request)

    def _back(done: str, what: str) -> Response:
        return RedirectResponse(f"/console/alerts?done={done}&what={quote(what, safe='')}",
                                status_code=303)

    @r.post("/console/alerts/{alert_id}/close")
    async def close(request: Request, alert_id: str) -> Response:
        principal, _form, _lang = await _posted(request)
        number = _int(alert_id)

        def run() -> Response:
            with storage.engine.connect() as conn:
                alert = None if number is None else alerts_view.one(conn, principal, number)
            if alert is None:
                raise PageError(404, "alerts.error.unknown")
            with storage.writing() as conn:
                closed = product_alerts.close(conn, alert.id, principal.actor)
            if not closed:
                raise PageError(409, "alerts.error.not_open", what=alert.label)
            return _back("closed", alert.label)

        return await run_in_threadpool(run)

    @r.post("/console/alerts/terms")
    async def add_term(request: Request) -> Response:
        principal, form, lang = await _posted(request)
        typed = TermForm(str(form.get("term") or "")[:200], str(form.get("product") or "")[:200],
                         str(form.get("threshold") or "")[:20])

        def run() -> Response:
            term, product = typed.term.strip(), typed.product.strip()
            threshold = _int(typed.threshold)
            problem = None
            if not term:
                problem = i18n.t("alerts.error.term_empty", lang)
            elif len(term) > watch_terms.MAX_TERM_CHARS or \
                    len(product) > watch_terms.MAX_TERM_CHARS:
                problem = i18n.t("alerts.error.term_long", lang,
                                 n=watch_terms.MAX_TERM_CHARS)
            elif threshold is None or not 1 <= threshold <= watch_terms.MAX_THRESHOLD:
                problem = i18n.t("alerts.error.threshold", lang,
                                 max=watch_terms.MAX_THRESHOLD)
            if problem is None:
                with storage.writing() as conn:
                    same = [t for t in watch_terms.list_terms(conn, active_only=True)
                            if watch_terms.normalise(t.term) == watch_terms.normalise(term)
                            and watch_terms.normalise(t.product or "")
                            == watch_terms.normalise(product)]
                    if not same:
                        assert threshold is not None
                        watch_terms.add_term(conn, term, product, threshold, principal.actor)
                if not same:
                    return _back("added", term)
                problem = i18n.t("alerts.error.duplicate", lang, term=term)
            return page(request, principal, status=400, form=typed, message=problem,
                        message_kind="error")

        return await run_in_threadpool(run)

    @r.post("/console/alerts/terms/{term_id}/disable")
    async def disable_term(request: Request, term_id: str) -> Response:
        principal, _form, _lang = await _posted(request)
        number = _int(term_id)

        def run() -> Response:
            with storage.writing() as conn:
                name = None if number is None else conn.execute(
                    terms_table.select().with_only_columns(terms_table.c.term)
                    .where(terms_table.c.id == number)).scalar()
                if name is None:
                    raise PageError(404, "alerts.error.unknown_term")
                assert number is not None
                if not watch_terms.disable_term(conn, number, principal.actor):
                    raise PageError(409, "alerts.error.term_stopped", term=str(name))
            return _back("disabled", str(name))

        return await run_in_threadpool(run)

    @r.post("/console/alerts/assortment")
    async def upload(request: Request) -> Response:
        principal, form, lang = await _posted(request)
        upload = form.get("file")
        # One byte past the bound is enough to refuse the file as too big.
        data = await upload.read(assortment.MAX_BYTES + 1) \
            if isinstance(upload, UploadFile) else b""

        def run() -> Response:
            try:
                if not data:
                    raise assortment.AssortmentRefused("no_file", "no file was sent")
                counts = assortment.replace(storage, assortment.parse_csv(data),
                                            principal.actor)
            except assortment.AssortmentRefused as exc:
                return page(request, principal, status=400, message_kind="error",
                            message=i18n.t(exc.key, lang, **exc.params))
            return _back("uploaded", "、".join(f"{code} ({n})" for code, n in counts.items()))

        return await run_in_threadpool(run)

    @r.post("/console/alerts/assortment/{store}/clear")
    async def clear(request: Request, store: str) -> Response:
        principal, _form, _lang = await _posted(request)

        def run() -> Response:
            with storage.writing() as conn:
                if not assortment.clear(conn, store[:32], principal.actor):
                    raise PageError(404, "alerts.assortment.error.no_list", store=store[:32])
            return _back("cleared", store)

        return await run_in_threadpool(run)

    return r
