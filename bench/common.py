"""Shared helpers of the benchmarks: run a step in a child process and read its peak memory."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Measured:
    name: str
    seconds: float
    peak_rss_mb: float
    output: dict

    def row(self) -> dict:
        return {
            "name": self.name,
            "seconds": round(self.seconds, 2),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            **self.output,
        }


def run_child(name: str, code: str, env: dict | None = None) -> Measured:
    """Run ``code`` in a fresh interpreter under /usr/bin/time -v: wall time and peak RSS of that child only.

    The code prints one JSON object on its last line; it becomes ``output``.
    """
    full_env = {**os.environ, "PYTHONPATH": f"{REPO / 'plugins'}:{REPO}", **(env or {})}
    started = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=REPO,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{proc.stderr[-3000:]}")
    peak_kb = next(
        int(line.split(":")[1]) for line in proc.stderr.splitlines() if "Maximum resident set size" in line
    )
    last = [line for line in proc.stdout.strip().splitlines() if line.startswith("{")]
    return Measured(name, seconds, peak_kb / 1024, json.loads(last[-1]) if last else {})


def machine() -> str:
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {mem_gb:.0f} GiB, {platform.system()} {platform.machine()}, Python {platform.python_version()}"


SEED_RECENT = """
import json, time, datetime as dt
from sandbox import api
from sandbox.settings import SandboxSettings
from sandbox.generator.config import GeneratorConfig
s = SandboxSettings()
api.up(s)
today = dt.date.today()
cfg = GeneratorConfig(start=today - dt.timedelta(days={days}), days={days}, bills_per_day={per_day}, today=today,
                      history_years=0, layout_files=False)
t = time.perf_counter()
m = api.seed(s, cfg)
print(json.dumps({{"rows": m["rows"], "seed_s": round(time.perf_counter() - t, 1)}}))
"""


def seed_recent_days(days: int, per_day: int, env: dict | None = None) -> Measured:
    """Start the sandbox and seed ``days`` days up to yesterday, no history, no layout files."""
    return run_child("seed", SEED_RECENT.format(days=days, per_day=per_day), env)
