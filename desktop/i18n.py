"""Messages of the core in the user's language (Simplified Chinese first, English second).

The catalogues are JSON files in ``resources/messages/``; the Qt front end has its own
``.ts`` translations, this is for the command line and for errors raised by the core.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Any

DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = ("zh_CN", "en")


def current_language() -> str:
    """The user's language: ``KESU_LANG``, else the locale variables, else Chinese."""
    for var in ("KESU_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return "en" if value.lower().startswith("en") else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


@cache
def catalogue(language: str) -> dict[str, str]:
    """The message catalogue of *language* (falls back to Chinese)."""
    name = "en.json" if language == "en" else "zh_CN.json"
    text = resources.files("resources").joinpath("messages", name).read_text("utf-8")
    data: dict[str, str] = json.loads(text)
    return data


def tr(code: str, language: str | None = None, **params: Any) -> str:
    """The message *code* in *language*, with ``{name}`` fields filled from *params*.

    An unknown code falls back to the Chinese text, then to the code itself, so a
    missing translation never hides the error.
    """
    lang = language or current_language()
    params = {key: _translate_param(key, value, lang) for key, value in params.items()}
    template = catalogue(lang).get(code) or catalogue(DEFAULT_LANGUAGE).get(code) or code
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return f"{template} {params}"


# Parameters whose values are themselves words of the domain, shown translated.
_PARAM_PREFIX = {"field": "field", "frm": "state", "to": "state", "status": "state",
                 "role": "role", "action": "action"}


def _translate_param(key: str, value: Any, language: str) -> Any:
    prefix = _PARAM_PREFIX.get(key)
    if prefix is None or not isinstance(value, str):
        return value
    return catalogue(language).get(f"{prefix}.{value}", value)


# argparse's own messages (usage, "error:", required arguments, invalid choices...),
# by their gettext msgid in Python's argparse, to keys of the catalogues.
_ARGPARSE = {
    "usage: ": "argparse.usage",
    "%(prog)s: error: %(message)s\n": "argparse.error",
    "the following arguments are required: %s": "argparse.required",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse.invalid_choice",
    "unrecognized arguments: %s": "argparse.unrecognized",
    "invalid %(type)s value: %(value)r": "argparse.invalid_value",
    "expected one argument": "argparse.expected_one",
    "expected at most one argument": "argparse.expected_at_most_one",
    "expected at least one argument": "argparse.expected_at_least_one",
    "expected %s argument": "argparse.expected_n",
    "expected %s arguments": "argparse.expected_n",
    "argument %(argument_name)s: %(message)s": "argparse.argument",
    "ambiguous option: %(option)s could match %(matches)s": "argparse.ambiguous",
    "not allowed with argument %s": "argparse.not_allowed_with",
    "ignored explicit argument %r": "argparse.ignored_explicit",
    "one of the arguments %s is required": "argparse.one_required",
    "positional arguments": "argparse.positional",
    "options": "argparse.options",
    "show this help message and exit": "argparse.help",
    "can't open '%(filename)s': %(error)s": "argparse.cannot_open",
}


@contextmanager
def argparse_language(language: str | None = None) -> Iterator[None]:
    """Run a block with argparse speaking *language* (its messages are English only).

    argparse looks its texts up through the module globals ``_`` and ``ngettext`` each
    time it builds a parser or reports an error; they are swapped for the block only.
    """
    lang = language or current_language()
    texts = catalogue(lang)

    def gettext(msgid: str) -> str:
        key = _ARGPARSE.get(msgid)
        return texts.get(key, msgid) if key else msgid

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = gettext, ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
