"""The console's words in Chinese (the default) and English.

Each part of the console keeps its messages in ``messages/<part>.json`` as
``{"key": ["中文", "English"]}``; keys start with the part's name. The files are read
once; a key defined twice is an error at load, so two parts can never fight over one.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, tuple[str, str]]:
    """Every message, by key (Chinese, English)."""
    out: dict[str, tuple[str, str]] = {}
    folder = resources.files("sync.server.console").joinpath("messages")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        for key, pair in json.loads(entry.read_text("utf-8")).items():
            if key in out:
                raise ValueError(f"console message {key!r} defined twice ({entry.name})")
            if (not isinstance(pair, list) or len(pair) != 2
                    or not all(isinstance(p, str) and p for p in pair)):
                raise ValueError(f"console message {key!r} in {entry.name}: "
                                 "[Chinese, English] expected")
            out[key] = (pair[0], pair[1])
    return out


def language(value: str | None) -> str:
    """A supported language code from a cookie or query value (Chinese otherwise)."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str, **params: Any) -> str:
    """The message *key* in *lang* with ``{name}`` parameters filled in.

    An unknown key raises KeyError: the tests render every page, so a missing word fails
    a test instead of showing a key to a user.
    """
    zh, en = catalogue()[key]
    text = en if lang == "en" else zh
    return text.format(**params) if params else text


def word(key: str, lang: str, fallback: str, **params: Any) -> str:
    """The message *key* in *lang*, or *fallback* for a code the console has no word
    for (a kind, reason or action a newer policy, desk or version introduced)."""
    return t(key, lang, **params) if key in catalogue() else fallback
