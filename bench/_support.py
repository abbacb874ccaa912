"""What every bench script shares: its source tree first on ``sys.path``, the cache
folder, the percentile the figures use and the one JSON line each script prints.

Each script imports it first (``import _support``: a script's own folder is on the path
when it runs as ``python bench/NAME.py``, and the Makefile's ``bench`` target skips
``bench/_*``). Importing it puts the tree it sits in first on ``sys.path``, so a script
measures that tree's code, not whichever Kesu the virtual environment installed. It
imports nothing of the project itself, so it works in any tree (``compare_trees.py``
runs the scripts of two).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"  # databases built once and reused (git-ignored)

sys.path.insert(0, str(ROOT))


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank *q* quantile (0..1) of *values*: one of the samples, so a p99
    is a save someone waited for, never an interpolation between two."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def emit(result: dict[str, Any]) -> None:
    """Print a script's figures: one JSON object on one line (what compare_trees reads)."""
    print(json.dumps(result, ensure_ascii=False), flush=True)


# The complaints the save and sync figures write, one list for every script.
COMPLAINTS = (
    "昨天买的鲜牛奶今天打开是酸的，要求退货",
    "收银员态度很差，找零少了五块钱还不承认",
    "促销价和结账价格不一致，多收了我十二块",
    "卫生间地面很滑，老人差点摔倒",
    "线上买的大米配送晚了一天，袋子还破了",
)
