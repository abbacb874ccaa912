"""Every UI string is translated, and the committed catalogue is compiled from it.

Fails when someone adds a string without its Chinese, edits the ``.ts`` without running
``scripts/translations.py``, or breaks a ``{placeholder}`` in a translation.
"""

from __future__ import annotations

import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import translations  # noqa: E402  (scripts/translations.py)

TS = ROOT / "resources" / "i18n" / "kesu_zh_CN.ts"
QM = ROOT / "resources" / "i18n" / "kesu_zh_CN.qm"


def _messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    found = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found[(name, message.findtext("source") or "")] = message
    return found


def test_every_message_has_a_chinese_translation() -> None:
    untranslated = [
        source for (_ctx, source), message in _messages(TS).items()
        if (message.find("translation") is None
            or message.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
            or not (message.findtext("translation") or "").strip())
    ]
    assert untranslated == []


def test_placeholders_survive_translation() -> None:
    broken = []
    for (_ctx, source), message in _messages(TS).items():
        want = sorted(re.findall(r"\{\w*\}|%\d", source))
        got = sorted(re.findall(r"\{\w*\}|%\d", message.findtext("translation") or ""))
        if want != got:
            broken.append(source)
    assert broken == []


@pytest.mark.skipif(not shutil.which("pyside6-lupdate")
                    and not (Path(sys.executable).parent / "pyside6-lupdate").exists(),
                    reason="Qt's translation tools are not installed")
def test_catalogue_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    shutil.copy(TS, fresh)
    translations.lupdate(fresh)
    assert set(_messages(fresh)) == set(_messages(TS)), (
        "UI strings changed: run scripts/translations.py and translate the new ones")
    qm = tmp_path / "fresh.qm"
    translations.lrelease(TS, qm)
    assert qm.read_bytes() == QM.read_bytes(), "run scripts/translations.py to compile"
