"""Before and after in one run: bench scripts of two source trees, run alternately.

Each round runs every chosen script once in each tree, the tree that goes first
swapping from round to round, so a machine that is busier for a while weighs on both
sides alike. A tree's script runs as ``python <tree>/bench/<script>.py`` with this
interpreter (one ``.venv`` for both), ``cwd=<tree>`` and ``PYTHONPATH=<tree>``: the
script, the ``kesu``/``kesu-server`` processes it starts and their imports all take
that tree's code, never the Kesu the virtual environment installed. Each tree builds
its own ``bench/.cache`` (the database schema may differ between them).

The base is usually a ``git worktree`` of an earlier commit::

    git worktree add --detach /tmp/kesu-before c3ed469
    .venv/bin/python bench/compare_trees.py --base /tmp/kesu-before --rounds 3 \\
        "save_latency --saves 100" "sync_push_pull --backend sqlite" \\
        "sync_idle_round --backend sqlite" "ui_startup"

A base older than the commit "bench/save_latency deletes each bare SQLite row right
after timing it" needs that commit applied (``git show <it> | git -C /tmp/kesu-before
apply``; it touches that script alone): without it the old save_latency fails.

Without scripts it runs the issue's figures (:data:`DEFAULT`). Prints one JSON object:
every run's figures per tree, and for every number in them the median of each tree and
head/base. This module imports nothing of the project, so it works on any two trees.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import _support

# Save latency, push/pull throughput, idle round, UI start (issue 15's proof).
DEFAULT = ("save_latency", "sync_push_pull", "sync_idle_round", "ui_startup")


def script_command(tree: Path, spec: str) -> list[str]:
    """The command line of *spec* ("name --arg value") in *tree*."""
    name, *args = shlex.split(spec)
    script = tree / "bench" / (name if name.endswith(".py") else f"{name}.py")
    if not script.is_file():
        raise SystemExit(f"compare_trees: {script} does not exist")
    return [sys.executable, str(script), *args]


def run_once(tree: Path, spec: str, timeout: float) -> dict[str, Any]:
    """Run *spec* in *tree*; its figures (the JSON it printed), or why there are none."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    try:
        done = subprocess.run(script_command(tree, spec), cwd=tree, env=env, text=True,
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    seconds = round(time.perf_counter() - started, 1)
    figures = _figures(done.stdout)
    if done.returncode != 0 or figures is None:
        return {"error": f"exit {done.returncode}", "seconds": seconds,
                "stderr": done.stderr[-2000:]}
    return {"figures": figures, "seconds": seconds}


def _figures(stdout: str) -> dict[str, Any] | None:
    # Scripts print one JSON line (an older tree's may print it indented, or log first).
    for text in (stdout, *reversed(stdout.strip().splitlines())):
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def numbers(figures: Any, prefix: str = "") -> dict[str, float]:
    """Every number in *figures*, keyed by its dotted path ("kesu_ms.p50")."""
    if isinstance(figures, dict):
        out: dict[str, float] = {}
        for key, value in figures.items():
            out |= numbers(value, f"{prefix}{key}.")
        return out
    if isinstance(figures, bool) or not isinstance(figures, int | float):
        return {}
    return {prefix[:-1]: float(figures)}


def summary(base: list[dict[str, Any]], head: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of each number over the rounds in both trees, and head/base."""
    def medians(runs: list[dict[str, Any]]) -> dict[str, float]:
        seen: dict[str, list[float]] = {}
        for run in runs:
            for key, value in numbers(run.get("figures", {})).items():
                seen.setdefault(key, []).append(value)
        return {key: statistics.median(values) for key, values in seen.items()}

    before, after = medians(base), medians(head)
    out: dict[str, Any] = {}
    for key in sorted(before.keys() & after.keys()):
        ratio = after[key] / before[key] if before[key] else None
        out[key] = {"base": before[key], "head": after[key],
                    "head_over_base": None if ratio is None else round(ratio, 3)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scripts", nargs="*", default=list(DEFAULT),
                        help='bench scripts with their arguments, e.g. "save_latency --saves 50"')
    parser.add_argument("--base", type=Path, required=True, help="the tree before")
    parser.add_argument("--head", type=Path, default=_support.ROOT,
                        help="the tree after (default: this one)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per run")
    args = parser.parse_args()
    trees = {"base": args.base.resolve(), "head": args.head.resolve()}
    for spec in args.scripts:  # refuse a missing script before the first long run
        for tree in trees.values():
            script_command(tree, spec)
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {
        spec: {"base": [], "head": []} for spec in args.scripts}
    for round_no in range(args.rounds):
        order = ["base", "head"] if round_no % 2 == 0 else ["head", "base"]
        for spec in args.scripts:
            for side in order:
                result = run_once(trees[side], spec, args.timeout)
                runs[spec][side].append(result)
                sys.stderr.write(f"compare_trees: round {round_no + 1} {side} {spec}: "
                                 f"{result.get('error') or str(result['seconds']) + ' s'}\n")
    _support.emit({
        "base": str(trees["base"]), "head": str(trees["head"]), "rounds": args.rounds,
        "figures": {spec: summary(sides["base"], sides["head"])
                    for spec, sides in runs.items()},
        "runs": runs,
    })


if __name__ == "__main__":
    main()
