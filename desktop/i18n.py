"""Messages of the core in the user's language (Simplified Chinese first, English second).

The catalogues are JSON files in ``resources/messages/``; the Qt front end has its own
``.ts`` translations, this is for the command line and for errors raised by the core.
"""

from __future__ import annotations

import json
import os
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
