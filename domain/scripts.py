"""The response-script library (话术库): its shape, its checks, and how a script is found.

Headquarters writes the library at the centre and publishes it as a numbered version (as
the policy is); desks pull the latest version and keep it offline. One document shape
travels both ways, so the centre's editor, the wire and the desk's copy are checked by
the same :func:`parse_library`.

A script answers one subcategory (or every one, ``"*"``) at some levels (none listed:
every level). It says what to say first, what to check, what may be offered and up to
what amount, what must not be promised, and the legal rule where one applies. Chinese
is required; English is optional and falls back to the Chinese.

Finding scripts is plain Python over a library of at most :data:`MAX_SCRIPTS`: a search
term of one or two Chinese characters is a substring like any other, which the desk's
full-text index (trigrams) could not match.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from domain.errors import InvalidInput
from domain.money import format_yuan

ANY_SUBCATEGORY = "*"
MAX_SCRIPTS = 500
MAX_TITLE_CHARS = 100
MAX_FIELD_CHARS = 2000
MAX_OFFER_FEN = 10_000_000  # ¥100,000: the policy's largest amount
TEXT_FIELDS = ("say_first", "check", "may_offer", "never_promise", "legal_rule")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def is_script_id(value: object) -> TypeGuard[str]:
    """Whether *value* has a script id's shape (what a usage report may name: the
    script may since have left the library, so only the shape is checked)."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


@dataclass(frozen=True)
class Text:
    """A text in the app's two languages; English may be empty (then Chinese is shown)."""

    zh: str = ""
    en: str = ""

    def get(self, english: bool) -> str:
        """The English text when asked for and given, else the Chinese."""
        return self.en if english and self.en else self.zh


@dataclass(frozen=True)
class Script:
    """One handling script or guide."""

    id: str  # stable across versions: usage is counted by it
    subcategory: str  # a policy subcategory code, or ANY_SUBCATEGORY
    levels: tuple[int, ...]  # empty: every level
    title: Text
    say_first: Text = Text()
    check: Text = Text()
    may_offer: Text = Text()
    offer_limit_fen: int | None = None  # the most this script lets staff offer
    never_promise: Text = Text()
    legal_rule: Text = Text()

    def applies_to(self, subcategory: str, level: int) -> bool:
        """Whether the script is for a ticket of *subcategory* at *level*."""
        return (self.subcategory in (subcategory, ANY_SUBCATEGORY)
                and (not self.levels or level in self.levels))

    def texts(self) -> Iterable[str]:
        """Every text of the script, both languages (what search looks in)."""
        yield self.title.zh
        yield self.title.en
        for name in TEXT_FIELDS:
            text: Text = getattr(self, name)
            yield text.zh
            yield text.en


@dataclass(frozen=True)
class ScriptLibrary:
    """A published version of the library (version 0: nothing published yet)."""

    version: int
    published_at: str  # UTC, domain.clock.format_time
    published_by: str
    scripts: tuple[Script, ...] = field(default=())

    def get(self, script_id: str) -> Script | None:
        """The script *script_id*, or None."""
        return next((s for s in self.scripts if s.id == script_id), None)


EMPTY_LIBRARY = ScriptLibrary(version=0, published_at="", published_by="")


def _fail(index: int | None, field_name: str, reason: str, **params: Any) -> InvalidInput:
    return InvalidInput(f"scripts.invalid.{reason}", script=index, field=field_name, **params)


def _text(node: object, index: int, name: str, *, required: bool, limit: int) -> Text:
    if node is None:
        node = {}
    if isinstance(node, str):
        node = {"zh": node}
    if not isinstance(node, dict):
        raise _fail(index, name, "not_text")
    values = []
    for lang in ("zh", "en"):
        value = node.get(lang, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise _fail(index, name, "not_text")
        # NFC so a search typed on another input method finds the same text.
        value = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
        if "\x00" in value:
            raise _fail(index, name, "not_text")
        if len(value) > limit:
            raise _fail(index, name, "too_long", limit=limit)
        values.append(value)
    if required and not values[0]:
        raise _fail(index, name, "missing_zh")
    return Text(values[0], values[1])


def _amount(node: object, index: int) -> int | None:
    if node is None or node == "":
        return None
    # bool is an int in Python; NaN and infinities are not amounts.
    if isinstance(node, bool) or not isinstance(node, int | float):
        raise _fail(index, "offer_limit_fen", "bad_amount")
    if isinstance(node, float):
        if not math.isfinite(node) or node != int(node):
            raise _fail(index, "offer_limit_fen", "bad_amount")
        node = int(node)
    if node < 0 or node > MAX_OFFER_FEN:
        raise _fail(index, "offer_limit_fen", "bad_amount")
    return int(node)


def parse_script(node: object, index: int, *, subcategories: Iterable[str] | None = None,
                 levels: Iterable[int] | None = None) -> Script:
    """One script from its document; :class:`InvalidInput` naming the script's position
    and field when it is wrong. *subcategories* and *levels* (the policy's) are checked
    when given."""
    if not isinstance(node, dict):
        raise _fail(index, "", "not_object")
    script_id = node.get("id")
    if not is_script_id(script_id):
        raise _fail(index, "id", "bad_id")
    sub = node.get("subcategory")
    known = None if subcategories is None else set(subcategories)
    if not isinstance(sub, str) or not sub or (
            known is not None and sub != ANY_SUBCATEGORY and sub not in known):
        raise _fail(index, "subcategory", "unknown_subcategory", value=str(sub))
    raw_levels = node.get("levels") or []
    allowed = None if levels is None else set(levels)
    if not isinstance(raw_levels, list) or any(
            isinstance(lv, bool) or not isinstance(lv, int)
            or (allowed is not None and lv not in allowed) for lv in raw_levels):
        raise _fail(index, "levels", "bad_levels")
    texts = {name: _text(node.get(name), index, name, required=False, limit=MAX_FIELD_CHARS)
             for name in TEXT_FIELDS}
    return Script(
        id=script_id, subcategory=sub, levels=tuple(sorted(set(raw_levels))),
        title=_text(node.get("title"), index, "title", required=True, limit=MAX_TITLE_CHARS),
        offer_limit_fen=_amount(node.get("offer_limit_fen"), index), **texts)


def parse_scripts(nodes: object, *, subcategories: Iterable[str] | None = None,
                  levels: Iterable[int] | None = None) -> tuple[Script, ...]:
    """A list of script documents, checked one by one and for repeated ids."""
    if not isinstance(nodes, list):
        raise _fail(None, "scripts", "not_list")
    if len(nodes) > MAX_SCRIPTS:
        raise _fail(None, "scripts", "too_many", limit=MAX_SCRIPTS)
    subs = None if subcategories is None else tuple(subcategories)
    lvls = None if levels is None else tuple(levels)
    scripts = tuple(parse_script(n, i, subcategories=subs, levels=lvls)
                    for i, n in enumerate(nodes))
    seen: set[str] = set()
    for i, s in enumerate(scripts):
        if s.id in seen:
            raise _fail(i, "id", "repeated_id", value=s.id)
        seen.add(s.id)
    return scripts


def parse_library(doc: object, *, subcategories: Iterable[str] | None = None,
                  levels: Iterable[int] | None = None) -> ScriptLibrary:
    """A published library as the wire and the desk's copy hold it (see
    :func:`library_document`)."""
    if not isinstance(doc, dict):
        raise _fail(None, "", "not_object")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise _fail(None, "version", "bad_version")
    published_at, published_by = doc.get("published_at", ""), doc.get("published_by", "")
    if not isinstance(published_at, str) or not isinstance(published_by, str):
        raise _fail(None, "published_at", "not_text")
    return ScriptLibrary(version=version, published_at=published_at,
                         published_by=published_by,
                         scripts=parse_scripts(doc.get("scripts", []),
                                               subcategories=subcategories, levels=levels))


def _text_doc(text: Text) -> dict[str, str]:
    return {"zh": text.zh, "en": text.en} if text.en else {"zh": text.zh}


def script_document(s: Script) -> dict[str, Any]:
    """*s* as a document :func:`parse_script` reads back to an equal script."""
    doc: dict[str, Any] = {"id": s.id, "subcategory": s.subcategory, "levels": list(s.levels),
                           "title": _text_doc(s.title)}
    for name in TEXT_FIELDS:
        text: Text = getattr(s, name)
        if text.zh or text.en:
            doc[name] = _text_doc(text)
    if s.offer_limit_fen is not None:
        doc["offer_limit_fen"] = s.offer_limit_fen
    return doc


def library_document(lib: ScriptLibrary) -> dict[str, Any]:
    """*lib* as the wire carries it and the desk stores it."""
    return {"version": lib.version, "published_at": lib.published_at,
            "published_by": lib.published_by,
            "scripts": [script_document(s) for s in lib.scripts]}


def matching(lib: ScriptLibrary, subcategory: str, level: int) -> list[Script]:
    """The scripts for a ticket of *subcategory* at *level*: those written for the
    subcategory first, then the general ones, each in the library's order."""
    own = [s for s in lib.scripts if s.subcategory == subcategory and s.applies_to(
        subcategory, level)]
    general = [s for s in lib.scripts if s.subcategory == ANY_SUBCATEGORY
               and s.applies_to(subcategory, level)]
    return own + general


def _fold(text: str) -> str:
    # Case and width folded (full-width Ａ and ａ are a), so "ＳＫＵ" finds "sku".
    return unicodedata.normalize("NFKC", text).casefold()


def search(lib: ScriptLibrary, query: str, *,
           labels: Mapping[str, str] | None = None) -> list[Script]:
    """The scripts holding every whitespace-separated term of *query* (any length: one
    Chinese character is a term), in the library's order. *labels* (subcategory code →
    its name in the user's language) lets a search by the subcategory's name find its
    scripts. An empty query finds nothing."""
    terms = [_fold(t) for t in query.split() if t]
    if not terms:
        return []
    labels = labels or {}
    found = []
    for s in lib.scripts:
        hay = _fold("\n".join([*s.texts(), s.subcategory, labels.get(s.subcategory, "")]))
        if all(term in hay for term in terms):
            found.append(s)
    return found


def note_text(s: Script, english: bool, headings: Mapping[str, str]) -> str:
    """The script as the text of a ticket note ("copy into a note"): its title, then each
    field given under its heading (*headings*: field name → heading in the user's
    language; "offer_limit" is the amount's, with ``{amount}`` in yuan; "separator" what
    stands between a heading and its text, ": " by default)."""
    lines = [s.title.get(english)]
    separator = headings.get("separator", ": ")
    for name in TEXT_FIELDS:
        text = getattr(s, name).get(english)
        if text:
            lines.append(f"{headings.get(name, name)}{separator}{text}")
    if s.offer_limit_fen is not None and "offer_limit" in headings:
        lines.append(headings["offer_limit"].format(amount=format_yuan(s.offer_limit_fen)))
    return "\n".join(lines)
