"""Running the real ``kesu`` command in a subprocess, for the CLI and crash tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def kesu_cmd() -> list[str]:
    return [sys.executable, "-m", "desktop.cli"]


def kesu_env(db: Path, lang: str = "zh_CN") -> dict[str, str]:
    env = dict(os.environ)
    env.update({"KESU_DB": str(db), "KESU_LANG": lang, "PYTHONPATH": str(ROOT)})
    return env


def run_kesu(db: Path, *args: str, stdin: str | None = None, lang: str = "zh_CN") -> Result:
    proc = subprocess.run(
        [*kesu_cmd(), *args], input=(stdin or "").encode("utf-8"), capture_output=True,
        env=kesu_env(db, lang), cwd=ROOT, timeout=120,
    )
    return Result(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


def setup_desk(db: Path) -> None:
    """A desk with one staff member of each role."""
    assert run_kesu(db, "init", "--store", "XT01", "--desk", "D2",
                    "--store-name", "湘潭一店").code == 0
    for sid, role, pin in [("c1", "cashier", "1111"), ("d1", "desk", "2222"),
                           ("d2", "desk", "2323"), ("m1", "manager", "9999")]:
        r = run_kesu(db, "staff", "add", "--id", sid, "--name", f"员工{sid}", "--role", role,
                     "--pin", pin)
        assert r.code == 0, r.err
