"""Every console word exists in both languages, and every key a template or page uses is
defined (so no page can show a raw key)."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from sync.server.console import i18n

ROOT = Path(str(resources.files("sync.server.console")))
# t("key"...) in templates, page modules and scripts' data attributes.
KEY_RE = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]*[a-z0-9_])["']""")


def _used_keys() -> dict[str, str]:
    used: dict[str, str] = {}
    for path in [*ROOT.rglob("*.html"), *ROOT.glob("*.py")]:
        for key in KEY_RE.findall(path.read_text("utf-8")):
            used.setdefault(key, path.name)
    return used


def test_every_used_key_is_defined() -> None:
    missing = {k: f for k, f in _used_keys().items() if k not in i18n.catalogue()}
    assert not missing, missing


def test_messages_have_both_languages_and_differ() -> None:
    for key, (zh, en) in i18n.catalogue().items():
        assert re.search(r"[\u4e00-\u9fff]", zh) or zh in ("English",), key
        assert not re.search(r"[\u4e00-\u9fff]", en) or en == "中文", key
        # The same {parameters} in both.
        assert sorted(re.findall(r"{(\w+)}", zh)) == sorted(re.findall(r"{(\w+)}", en)), key


def test_a_key_defined_twice_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.json").write_text('{"x.one": ["一", "one"]}', "utf-8")
    (tmp_path / "b.json").write_text('{"x.one": ["一", "one"]}', "utf-8")

    class Folder:
        def joinpath(self, _name: str) -> Path:
            return tmp_path

    monkeypatch.setattr(i18n.resources, "files", lambda _pkg: Folder())
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match="defined twice"):
            i18n.catalogue()
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()


def test_unknown_language_falls_back_to_chinese() -> None:
    assert i18n.language("fr") == "zh" and i18n.language(None) == "zh"
    assert i18n.t("login.title", "en") == "Log in" and i18n.t("login.title", "zh") == "登录"
