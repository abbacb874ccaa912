"""The console's policy pages, for headquarters only.

``/console/policy`` lists the published versions (who published each, when, its
SHA-256) and which version each store's desks report running; any two versions are
compared at ``/console/policy/diff?a=V1&b=V2`` (:mod:`sync.server.policy_diff`).
``/console/policy/new`` takes a new document, typed into a textarea prefilled with the
current one or uploaded as a file: **Check** parses it with the desks' own parser
(:func:`sync.server.policy_store.check`) and shows the fault's JSON path, or the diff
against the current version; **Publish** does the same and stores it as published by
the person's actor, after which the desks pull it with their next sync.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from domain.policy import load_policy
from sync.server import policy_store
from sync.server.console import i18n
from sync.server.console.auth import PageError, Principal, check_csrf, page_principal
from sync.server.console.masterdata import list_stores
from sync.server.console.render import render, request_language
from sync.server.desk_reports import desks_overview, policy_versions
from sync.server.errors import PolicyRejected
from sync.server.policy_diff import Change, diff, preview
from sync.server.storage import Storage

ROLES = ("hq",)
# The shipped policy, learned model included, is about 360 KB: room to grow, not to abuse.
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """Why a document was refused: the JSON path of the fault (None for a document that
    is not JSON at all, or too big) and the reason."""

    path: str | None
    reason: str


@dataclass(frozen=True)
class ShownChange:
    """A change as the diff table shows it (long values shortened)."""

    path: str
    kind: str
    old: str
    new: str


def _shown(changes: list[Change]) -> list[ShownChange]:
    return [ShownChange(c.path, c.kind, preview(c.old), preview(c.new)) for c in changes]


def _current_document(storage: Storage) -> tuple[str, Any]:
    """(version, document) of the newest publication, or the policy shipped with Kesu."""
    with storage.engine.connect() as conn:
        newest = policy_store.newest_document(conn)
    if newest is None:
        shipped = load_policy()
        return shipped.version, shipped.document()
    return newest[0], json.loads(newest[1])


async def _document_text(form: FormData, lang: str) -> str:
    """The document the form carries: the uploaded file when one was chosen, else the
    textarea. Raises :class:`_Refused` for a file too big or not UTF-8."""
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_DOCUMENT_BYTES + 1)
        if len(data) > MAX_DOCUMENT_BYTES:
            raise _Refused(None, i18n.t("policy.error.too_big", lang,
                                        mb=MAX_DOCUMENT_BYTES // (1024 * 1024)), "")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _Refused(None, i18n.t("policy.error.not_utf8", lang), "") from None
    return str(form.get("document") or "")


class _Refused(Exception):
    def __init__(self, path: str | None, reason: str, text: str) -> None:
        super().__init__(reason)
        self.problem, self.text = Problem(path, reason), text


def _parse(text: str, lang: str) -> Any:
    """The checked document of *text*, or :class:`_Refused` with the fault."""
    if len(text.encode("utf-8")) > MAX_DOCUMENT_BYTES:
        raise _Refused(None, i18n.t("policy.error.too_big", lang,
                                    mb=MAX_DOCUMENT_BYTES // (1024 * 1024)), text)
    if not text.strip():
        raise _Refused(None, i18n.t("policy.error.empty", lang), text)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Refused(None, i18n.t("policy.error.json", lang, line=exc.lineno,
                                    column=exc.colno, reason=exc.msg), text) from None
    try:
        policy_store.check(document)
    except PolicyRejected as exc:
        raise _Refused(exc.path, str(exc.reason), text) from None
    return document


def router(storage: Storage) -> APIRouter:
    """The policy routes on *storage*."""
    r = APIRouter(tags=["console"], include_in_schema=False)

    def new_page(request: Request, principal: Principal, text: str, *,
                 problem: Problem | None = None, checked: Any = None,
                 status: int = 200) -> Response:
        """The new-version form with *text*, and the check's outcome."""
        current_version, current = _current_document(storage)
        changes = None if checked is None else _shown(diff(current, checked))
        return render(request, principal, "policy/new.html", "policy.new.title",
                      status=status, text=text, problem=problem, current_version=current_version,
                      checked_version=None if checked is None else checked.get("policy_version"),
                      changes=changes)

    @r.get("/console/policy")
    def index(request: Request, published: str = "", again: str = "") -> Response:
        principal = page_principal(request, storage, ROLES)
        versions = list(reversed(policy_store.list_published(storage)))
        with storage.engine.connect() as conn:
            stores = list_stores(conn)
            running = policy_versions(desks_overview(conn, [s.code for s in stores]))
        newest = versions[0].version if versions else load_policy().version
        return render(request, principal, "policy/index.html", "policy.title",
                      versions=versions, stores=stores, running=running, newest=newest,
                      published=published[:64], again=again == "1")

    @r.get("/console/policy/diff")
    def compare(request: Request, a: str = "", b: str = "") -> Response:
        principal = page_principal(request, storage, ROLES)
        with storage.engine.connect() as conn:
            old = policy_store.document_of(conn, a)
            new = policy_store.document_of(conn, b)
        for version, document in ((a, old), (b, new)):
            if document is None:
                raise PageError(404, "policy.error.unknown_version", version=version[:64])
        return render(request, principal, "policy/diff.html", "policy.diff.title",
                      a=a, b=b, changes=_shown(diff(old, new)))

    @r.get("/console/policy/new")
    def new_form(request: Request) -> Response:
        principal = page_principal(request, storage, ROLES)
        _, current = _current_document(storage)
        return new_page(request, principal, json.dumps(current, ensure_ascii=False, indent=2))

    async def _posted(request: Request) -> tuple[Principal, FormData, str]:
        principal = await run_in_threadpool(page_principal, request, storage, ROLES)
        form = await request.form(max_part_size=MAX_DOCUMENT_BYTES)
        check_csrf(request, principal, form)
        return principal, form, request_language(request)

    @r.post("/console/policy/check")
    async def check(request: Request) -> Response:
        principal, form, lang = await _posted(request)
        try:
            text = await _document_text(form, lang)
            document = _parse(text, lang)
        except _Refused as refused:
            return await run_in_threadpool(new_page, request, principal, refused.text,
                                           problem=refused.problem, status=422)
        return await run_in_threadpool(new_page, request, principal, text, checked=document)

    @r.post("/console/policy/publish")
    async def publish(request: Request) -> Response:
        principal, form, lang = await _posted(request)
        try:
            text = await _document_text(form, lang)
            document = _parse(text, lang)
            done = await run_in_threadpool(policy_store.publish, storage, document,
                                           published_by=principal.actor)
        except _Refused as refused:
            return await run_in_threadpool(new_page, request, principal, refused.text,
                                           problem=refused.problem, status=422)
        except PolicyRejected:  # the version was published with other content
            problem = Problem("policy_version", i18n.t(
                "policy.error.version_exists", lang, version=str(document["policy_version"])))
            return await run_in_threadpool(new_page, request, principal, text,
                                           problem=problem, status=409)
        target = (f"/console/policy?published={quote(done.version, safe='')}"
                  + ("" if done.new else "&again=1"))
        return RedirectResponse(target, status_code=303)

    return r
