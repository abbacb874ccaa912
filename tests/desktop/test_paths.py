"""Where the desk keeps its files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from desktop.paths import quick_entry_socket


def test_the_quick_entry_socket_can_be_listened_on_under_a_long_tmpdir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A Unix socket path longer than 108 bytes cannot be listened on: every press of the
    # cashier's key would then open another window.
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    path = quick_entry_socket(tmp_path / "kesu.db")
    assert len(os.fsencode(path)) <= 100
    assert path.name.startswith("kesu-quick-")
    monkeypatch.setattr(tempfile, "tempdir", "/var/tmp")  # short: used as it is
    short = quick_entry_socket(tmp_path / "kesu.db")
    assert short.parent == Path("/var/tmp") and short.name == path.name  # one key either way
