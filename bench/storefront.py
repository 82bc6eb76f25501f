"""The store front's JSON through the gateway vs a bare Flask JSON endpoint.

Both run under gunicorn with the same number of workers on this machine, in
the same run, and serve a body of the same bytes: the gateway's answer is
captured first and handed to the bare app.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.http_load import requests_per_second
from common.processes import (
    WEB_THREADS,
    WEB_WORKERS,
    RunningProcess,
    Stack,
    gunicorn_options,
    stop_process_group,
)
from common.testing import free_port

TARGET_RATIO = 0.4


def run() -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        workdir = Path(tmp)
        # The store front needs only the catalog; the gateway insists on knowing
        # where orders and verification are, but never calls them here.
        nowhere = "http://127.0.0.1:9"
        stack = Stack(
            workdir=workdir,
            services=["catalog", "gateway"],
            extra_env={"ORDERS_URL": nowhere, "VERIFICATION_URL": nowhere},
        )
        stack.start()
        try:
            url = stack.url("gateway") + "/api/v1/items"
            body = _fetch(url)
            gateway_rate = requests_per_second(url)
            bare_rate = _bare_rate(workdir, body)
        finally:
            stack.stop()
    return [
        {
            "name": "store front JSON through the gateway",
            "value": round(gateway_rate, 1),
            "unit": "requests/s",
            "baseline_name": "bare Flask JSON endpoint, same body",
            "baseline_value": round(bare_rate, 1),
            "ratio": round(gateway_rate / bare_rate, 3),
            "target": f">= {TARGET_RATIO}x baseline",
            "passed": gateway_rate / bare_rate >= TARGET_RATIO,
        }
    ]


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310
        return bytes(answer.read())


def _bare_rate(workdir: Path, body: bytes) -> float:
    body_file = workdir / "body.json"
    body_file.write_bytes(body)
    port = free_port()
    log = (workdir / "bare.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *gunicorn_options(WEB_WORKERS, WEB_THREADS), "--bind",
         f"127.0.0.1:{port}", "bench.bare_flask:create_app()"],
        env={**os.environ, "BENCH_BODY_FILE": str(body_file)},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    running = RunningProcess("bare", process, workdir / "bare.log")
    try:
        url = f"http://127.0.0.1:{port}/items"
        _wait(url, running)
        return requests_per_second(url)
    finally:
        stop_process_group(process, signal.SIGTERM, 10.0)


def _wait(url: str, running: RunningProcess) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise RuntimeError(f"the bare app exited:\n{running.log_tail()}")
        try:
            _fetch(url)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the bare app did not start")
