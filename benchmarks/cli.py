"""What a user sees: one `policygraph` command in a fresh process, its wall time and
peak memory (the command's own maximum resident set, from wait4; a build's worker
processes are not counted in it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time


def run_cli(*args: str) -> dict:
    """Run ``policygraph ARGS`` as the console script would; wall seconds, peak MB, exit."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "policygraph.cli", *args],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return {"wall_s": round(time.perf_counter() - started, 2),
            "peak_mb": round(usage.ru_maxrss / 1024, 1), "exit": child.returncode}
