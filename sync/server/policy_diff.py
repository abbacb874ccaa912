"""A readable difference between two policy documents (parsed JSON).

Both documents are walked together and every difference is one :class:`Change` at a
JSON path in the form the policy parser's errors use (``compensation.role_limits_fen.desk``,
``levels.1.respond_within_minutes``, ``triage.flags.injury.rules[2].weight``), so a page
can show the diff and a validation error alike.

How each kind of value is compared:

* objects: key by key (``added`` or ``removed`` keys, recursing into common ones);
* lists of scalars (the keyword lists, the escalation ladder): as multisets, because
  headquarters edits keyword lists by adding and dropping words and a word moved within
  its list changes nothing a reader needs to see item by item. An added item is named by
  its index in the new list, a removed one by its index in the old list. When only the
  order differs the whole list is one ``changed`` (the ladder's order matters);
* other lists (rules, model heads): position by position, the longer tail ``added`` or
  ``removed``;
* anything else, or a value whose type changed: ``changed`` with both values.

Large values (the learned model's weights are one string of a quarter megabyte) are kept
whole in the change; :func:`preview` shortens them for showing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["added", "removed", "changed"]

# A key that can be written after a dot without ambiguity; others are bracket-quoted.
_PLAIN_KEY = re.compile(r"^[^.\[\]\s\"]+$")
_MISSING: Any = object()


@dataclass(frozen=True)
class Change:
    """One difference: at *path*, *old* became *new* (None on the side that lacks it)."""

    path: str
    old: Any
    new: Any
    kind: Kind


def _key_path(parent: str, key: str) -> str:
    step = key if _PLAIN_KEY.match(key) else f"[{json.dumps(key, ensure_ascii=False)}]"
    if not parent:
        return step
    return f"{parent}{step}" if step.startswith("[") else f"{parent}.{step}"


def _scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _same(a: Any, b: Any) -> bool:
    # 1 and 1.0 and True are equal in Python; in a policy document they are not the
    # same value (a limit of `true` is refused by the parser), so compare types too.
    return type(a) is type(b) and a == b


def _hashable(value: Any) -> tuple[str, Any]:
    return (type(value).__name__, value)


def _diff_scalar_lists(path: str, old: list[Any], new: list[Any], out: list[Change]) -> None:
    before, after = Counter(map(_hashable, old)), Counter(map(_hashable, new))
    if before == after:
        if not all(_same(a, b) for a, b in zip(old, new, strict=True)):
            out.append(Change(path, old, new, "changed"))
        return
    removed, added = before - after, after - before
    for i, item in enumerate(old):
        key = _hashable(item)
        if removed[key] > 0:
            removed[key] -= 1
            out.append(Change(f"{path}[{i}]", item, None, "removed"))
    for i, item in enumerate(new):
        key = _hashable(item)
        if added[key] > 0:
            added[key] -= 1
            out.append(Change(f"{path}[{i}]", None, item, "added"))


def _walk(path: str, old: Any, new: Any, out: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            if key not in new:
                out.append(Change(_key_path(path, str(key)), old[key], None, "removed"))
            else:
                _walk(_key_path(path, str(key)), old[key], new[key], out)
        for key in new:
            if key not in old:
                out.append(Change(_key_path(path, str(key)), None, new[key], "added"))
        return
    if isinstance(old, list) and isinstance(new, list):
        if all(map(_scalar, old)) and all(map(_scalar, new)):
            _diff_scalar_lists(path, old, new, out)
            return
        for i, (a, b) in enumerate(zip(old, new, strict=False)):
            _walk(f"{path}[{i}]", a, b, out)
        for i in range(len(new), len(old)):
            out.append(Change(f"{path}[{i}]", old[i], None, "removed"))
        for i in range(len(old), len(new)):
            out.append(Change(f"{path}[{i}]", None, new[i], "added"))
        return
    if not _same(old, new):
        out.append(Change(path or "$", old, new, "changed"))


def diff(old: Any, new: Any) -> list[Change]:
    """Every difference from document *old* to document *new*, in document order
    (removed keys of an object before its added ones)."""
    out: list[Change] = []
    _walk("", old, new, out)
    return out


def preview(value: Any, limit: int = 120) -> str:
    """*value* as compact JSON, shortened past *limit* characters to its start, its
    length and a short SHA-256 (so two long values can still be told apart)."""
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return f"{text[:limit]}… ({len(text)} chars, sha256 {digest})"
