"""Measure an HTTP endpoint's throughput with wrk (closed loop, keep-alive)."""

from __future__ import annotations

import re
import shutil
import subprocess

_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def requests_per_second(url: str, *, seconds: int = 5, connections: int = 16) -> float:
    """Run wrk against the URL; refuse a run where any answer was not a success."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    subprocess.run(["wrk", "-t1", "-c4", "-d1s", url], capture_output=True, check=True)  # warm-up
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    failures = _NON_2XX.search(result.stdout)
    if failures:
        raise RuntimeError(f"{failures.group(1)} answers from {url} were not successes")
    match = _RATE.search(result.stdout)
    if not match:
        raise RuntimeError(f"wrk printed no rate:\n{result.stdout}")
    return float(match.group(1))
