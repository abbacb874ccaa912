"""The response-script library (话术库): headquarters writes and publishes it; usage per
store (issue 17).

``/console/scripts`` (headquarters and regional managers) shows the published library,
searchable with :func:`domain.scripts.search` (a subcategory's name finds its scripts),
the publications and how often each script was copied or found helpful in each store (a
regional manager: their region's stores only). Headquarters edits one shared draft at
``/console/scripts/draft``: a script at a time on ``/console/scripts/edit`` (checked
with :func:`domain.scripts.parse_script` against the policy's subcategories and
levels; a refusal names the script and field and keeps what was typed), sees what
changed against the published version and publishes it as the next version under their
name (:func:`sync.server.script_library.publish`). While nothing is published, the
starter library shipped with Kesu is one button away. Every form carries the CSRF token;
a regional manager's post is refused (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from domain.errors import InvalidInput
from domain.money import format_yuan, parse_yuan
from domain.scripts import (
    ANY_SUBCATEGORY,
    MAX_OFFER_FEN,
    TEXT_FIELDS,
    parse_script,
    parse_scripts,
    script_document,
    search,
)
from sync.server import policy_store, script_library
from sync.server.console import i18n
from sync.server.console.auth import PageError, Principal, check_csrf, page_principal
from sync.server.console.masterdata import list_stores
from sync.server.console.render import render, request_language
from sync.server.storage import Storage

READERS = ("regional", "hq")
EDITORS = ("hq",)
LANG_FIELDS = ("title", *TEXT_FIELDS)  # each a Chinese and an optional English text
MAX_USAGE_ROWS = 500  # the usage table's rows on one page (scripts × stores seen)
MAX_QUERY_CHARS = 100


@dataclass(frozen=True)
class Problem:
    """Why a script was refused: the field (a form field name) and the words."""

    field: str
    message: str


@dataclass(frozen=True)
class Change:
    """One script's change in the draft against the published version."""

    id: str
    kind: str  # added | changed | removed
    title: str
    fields: tuple[str, ...]  # the fields that differ (changed only)


def _now() -> datetime:
    return datetime.now(UTC)


def _labels(storage: Storage, english: bool) -> dict[str, str]:
    """Subcategory code → its name (in English when asked and given), in the policy's
    order, the general "*" first."""
    with storage.engine.connect() as conn:
        policy = policy_store.current(conn)[0]
    general = i18n.t("scripts.any_subcategory", "en" if english else "zh")
    return {ANY_SUBCATEGORY: general, **{code: policy.subcategory_label(code, english)
                                         for code in policy.subcategories()}}


def _field_of(name: str) -> str:
    """The form field a domain refusal's field names (the amount is typed in yuan)."""
    return "offer_limit" if name == "offer_limit_fen" else name


def problem_of(exc: InvalidInput, lang: str, script: str) -> Problem:
    """*exc* (a ``scripts.invalid.*`` or ``input.amount_*`` refusal) as the console says
    it: which script (*script*: its title or id), which field, what is wrong."""
    field = _field_of(str(exc.params.get("field") or ""))
    reason = exc.code.rsplit(".", 1)[-1]
    if exc.code.startswith("input.amount"):  # parse_yuan's: amount_not_number, ...
        field = "offer_limit"
    key = f"scripts.invalid.{reason}"
    params = {k: str(v)[:40] for k, v in exc.params.items() if k in ("limit", "value", "max")}
    words = i18n.word(key, lang, i18n.t("scripts.invalid.other", lang, code=exc.code),
                      **params)
    if not field:
        return Problem("", words)
    label = i18n.word(f"scripts.field.{field}", lang, field)
    return Problem(field, i18n.t("scripts.error.lead", lang, script=script or "—",
                                 field=label, reason=words))


def _typed(form: FormData) -> dict[str, Any]:
    """What the form carries, as typed (shown again when it is refused)."""
    typed: dict[str, Any] = {name: str(form.get(name) or "")
                             for name in ("id", "original_id", "subcategory", "offer_limit")}
    for name in LANG_FIELDS:
        typed[f"{name}_zh"] = str(form.get(f"{name}_zh") or "")
        typed[f"{name}_en"] = str(form.get(f"{name}_en") or "")
    typed["levels"] = [str(v) for v in form.getlist("levels")]
    return typed


def _typed_of(doc: dict[str, Any]) -> dict[str, Any]:
    """A script document as the form shows it."""
    typed: dict[str, Any] = {"id": doc["id"], "original_id": doc["id"],
                             "subcategory": doc["subcategory"],
                             "levels": [str(lv) for lv in doc.get("levels", [])],
                             "offer_limit": "" if doc.get("offer_limit_fen") is None
                             else format_yuan(int(doc["offer_limit_fen"]))}
    for name in LANG_FIELDS:
        text = doc.get(name) or {}
        typed[f"{name}_zh"], typed[f"{name}_en"] = text.get("zh", ""), text.get("en", "")
    return typed


def _document(typed: dict[str, Any]) -> dict[str, Any]:
    """The script document of the typed form (amounts in yuan made fen; InvalidInput for
    an amount that is not one)."""
    doc: dict[str, Any] = {
        "id": typed["id"].strip(), "subcategory": typed["subcategory"],
        "levels": [int(v) if v.isascii() and v.isdigit() else v for v in typed["levels"]]}
    for name in LANG_FIELDS:
        doc[name] = {"zh": typed[f"{name}_zh"], "en": typed[f"{name}_en"]}
    amount = typed["offer_limit"].strip()
    if amount:
        doc["offer_limit_fen"] = parse_yuan(amount, field="offer_limit", max_fen=MAX_OFFER_FEN)
    return doc


def _title_of(doc: Any) -> str:
    if isinstance(doc, dict):
        title = doc.get("title")
        if isinstance(title, dict) and title.get("zh"):
            return str(title["zh"])
        return str(doc.get("id") or "")
    return ""


def changes(draft: list[dict[str, Any]], published: list[dict[str, Any]]) -> list[Change]:
    """What the draft adds, changes and removes against the published scripts."""
    old = {d["id"]: d for d in published}
    new = {d["id"]: d for d in draft}
    out = []
    for doc in draft:
        before = old.get(doc["id"])
        if before is None:
            out.append(Change(doc["id"], "added", _title_of(doc), ()))
        elif before != doc:
            fields = tuple(k for k in ("subcategory", "levels", *LANG_FIELDS,
                                       "offer_limit_fen")
                           if before.get(k) != doc.get(k))
            out.append(Change(doc["id"], "changed", _title_of(doc),
                              tuple(_field_of(f) for f in fields)))
    out += [Change(d["id"], "removed", _title_of(d), ()) for d in published
            if d["id"] not in new]
    return out


def router(storage: Storage) -> APIRouter:
    """The scripts pages on *storage*."""
    r = APIRouter(tags=["console"], include_in_schema=False)

    def published_documents() -> tuple[int, list[dict[str, Any]]]:
        with storage.engine.connect() as conn:
            lib = script_library.current(conn)
        return lib.version, [script_document(s) for s in lib.scripts]

    def working_draft() -> tuple[list[dict[str, Any]], script_library.Draft | None]:
        """The draft's scripts: the saved draft, else a copy of the published ones."""
        with storage.engine.connect() as conn:
            saved = script_library.draft(conn)
        if saved is not None:
            return list(saved.scripts), saved
        return published_documents()[1], None

    @r.get("/console/scripts")
    def index(request: Request, q: str = "", published: str = "") -> Response:
        principal = page_principal(request, storage, READERS)
        lang = request_language(request)
        labels = _labels(storage, lang == "en")
        query = q[:MAX_QUERY_CHARS]
        with storage.engine.connect() as conn:
            lib = script_library.current(conn)
            history = script_library.history(conn, limit=20)
            stores = {s.code: s for s in list_stores(conn, principal.region
                                                      if principal.role == "regional" else None)}
            seen = principal.store_codes(conn)
            uses = script_library.usage(conn, seen, limit=MAX_USAGE_ROWS + 1)
            saved = script_library.draft(conn) if principal.role == "hq" else None
        found = search(lib, query, labels=labels) if query.strip() else list(lib.scripts)
        return render(request, principal, "scripts/index.html", "scripts.title",
                      lib=lib, found=found, query=query, labels=labels, history=history,
                      usage=uses[:MAX_USAGE_ROWS], more_usage=len(uses) > MAX_USAGE_ROWS,
                      stores=stores, draft=saved, english=lang == "en",
                      published=published[:12], editor=principal.role == "hq",
                      max_rows=MAX_USAGE_ROWS)

    def draft_page(request: Request, principal: Principal, *, problem: Problem | None = None,
                   problem_script: str = "", saved_id: str = "", status: int = 200
                   ) -> Response:
        lang = request_language(request)
        scripts, saved = working_draft()
        version, published_docs = published_documents()
        return render(request, principal, "scripts/draft.html", "scripts.draft.title",
                      status=status, scripts=scripts, saved=saved, version=version,
                      changes=changes(scripts, published_docs),
                      labels=_labels(storage, lang == "en"), problem=problem,
                      problem_script=problem_script, saved_id=saved_id[:64])

    @r.get("/console/scripts/draft")
    def draft(request: Request, saved: str = "") -> Response:
        principal = page_principal(request, storage, EDITORS)
        return draft_page(request, principal, saved_id=saved)

    def edit_page(request: Request, principal: Principal, typed: dict[str, Any], *,
                  problem: Problem | None = None, status: int = 200) -> Response:
        lang = request_language(request)
        with storage.engine.connect() as conn:
            _, levels = script_library.policy_checks(conn)
        return render(request, principal, "scripts/edit.html",
                      "scripts.edit.title" if typed["original_id"] else "scripts.new.title",
                      status=status, typed=typed, problem=problem,
                      zh_labels=_labels(storage, False), en_labels=_labels(storage, True),
                      english=lang == "en", levels=levels, lang_fields=LANG_FIELDS)

    @r.get("/console/scripts/edit")
    def edit(request: Request, id: str = "") -> Response:
        principal = page_principal(request, storage, EDITORS)
        if not id:
            blank = _typed(FormData())
            blank["subcategory"] = ANY_SUBCATEGORY
            return edit_page(request, principal, blank)
        scripts, _ = working_draft()
        doc = next((d for d in scripts if d["id"] == id), None)
        if doc is None:
            raise PageError(404, "scripts.error.unknown_script", id=id[:64])
        return edit_page(request, principal, _typed_of(doc))

    async def posted(request: Request) -> tuple[Principal, FormData, str]:
        principal = await run_in_threadpool(page_principal, request, storage, EDITORS)
        form = await request.form()
        check_csrf(request, principal, form)
        return principal, form, request_language(request)

    def save_script(principal: Principal, typed: dict[str, Any], lang: str
                    ) -> Problem | None:
        """Put the typed script into the draft (in place of the one it was opened
        from); the refusal when it is wrong."""
        with storage.writing() as conn:
            script_library.lock(conn)
            subcategories, levels = script_library.policy_checks(conn)
            saved = script_library.draft(conn)
            if saved is not None:
                scripts = list(saved.scripts)
            else:
                lib = script_library.current(conn)
                scripts = [script_document(s) for s in lib.scripts]
            original = typed["original_id"]
            at = next((i for i, d in enumerate(scripts) if d["id"] == original), None) \
                if original else None
            name = typed["title_zh"].strip() or typed["id"].strip()
            try:
                doc = script_document(parse_script(
                    _document(typed), at if at is not None else len(scripts),
                    subcategories=subcategories, levels=levels))
                if at is None:
                    scripts.append(doc)
                else:
                    scripts[at] = doc
                parse_scripts(scripts)  # a repeated id
            except InvalidInput as exc:
                return problem_of(exc, lang, name)
            script_library.save_draft(conn, scripts, principal.actor, _now())
        return None

    @r.post("/console/scripts/save")
    async def save(request: Request) -> Response:
        principal, form, lang = await posted(request)
        typed = _typed(form)
        problem = await run_in_threadpool(save_script, principal, typed, lang)
        if problem is not None:
            return await run_in_threadpool(edit_page, request, principal, typed,
                                           problem=problem, status=422)
        return RedirectResponse(
            f"/console/scripts/draft?saved={quote(typed['id'].strip(), safe='')}",
            status_code=303)

    @r.post("/console/scripts/remove")
    async def remove(request: Request) -> Response:
        principal, form, _ = await posted(request)
        script_id = str(form.get("id") or "")

        def drop() -> None:
            with storage.writing() as conn:
                script_library.lock(conn)
                saved = script_library.draft(conn)
                scripts = list(saved.scripts) if saved is not None else [
                    script_document(s) for s in script_library.current(conn).scripts]
                kept = [d for d in scripts if d["id"] != script_id]
                if len(kept) == len(scripts):
                    raise PageError(404, "scripts.error.unknown_script", id=script_id[:64])
                script_library.save_draft(conn, kept, principal.actor, _now())

        await run_in_threadpool(drop)
        return RedirectResponse("/console/scripts/draft", status_code=303)

    @r.post("/console/scripts/discard")
    async def discard(request: Request) -> Response:
        await posted(request)

        def drop() -> None:
            with storage.writing() as conn:
                script_library.drop_draft(conn)

        await run_in_threadpool(drop)
        return RedirectResponse("/console/scripts/draft", status_code=303)

    @r.post("/console/scripts/publish")
    async def publish(request: Request) -> Response:
        principal, _, lang = await posted(request)

        def go() -> int | tuple[Problem, str]:
            with storage.writing() as conn:
                script_library.lock(conn)
                saved = script_library.draft(conn)
                if saved is None:
                    raise PageError(409, "scripts.error.no_draft")
                try:
                    done = script_library.publish(conn, list(saved.scripts), principal.actor,
                                                  _now())
                except InvalidInput as exc:
                    index = exc.params.get("script")
                    doc = saved.scripts[index] if isinstance(index, int) \
                        and 0 <= index < len(saved.scripts) else None
                    return problem_of(exc, lang, _title_of(doc)), _title_of(doc)
                script_library.drop_draft(conn)
                return done.version

        outcome = await run_in_threadpool(go)
        if isinstance(outcome, tuple):
            return await run_in_threadpool(draft_page, request, principal,
                                           problem=outcome[0], problem_script=outcome[1],
                                           status=422)
        return RedirectResponse(f"/console/scripts?published={outcome}", status_code=303)

    @r.post("/console/scripts/starter")
    async def starter(request: Request) -> Response:
        principal, _, _ = await posted(request)

        def go() -> int | None:
            with storage.writing() as conn:
                done = script_library.publish_starter(conn, principal.actor, _now())
            return None if done is None else done.version

        version = await run_in_threadpool(go)
        if version is None:
            raise PageError(409, "scripts.error.already_published")
        return RedirectResponse(f"/console/scripts?published={version}", status_code=303)

    return r
