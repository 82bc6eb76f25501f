"""The applicant's journey: draft + submit through the gateway, and a 2 MB photo
upload end to end, against bare Flask endpoints measured in the same run.

Everything runs as real processes (gateway, catalog, orders, verification under
gunicorn with two workers each, their workers on RabbitMQ, PostgreSQL). Orders
are made ready (answers, delivery, four photos) before the clock starts, so the
timed submit is the submit alone.
"""

from __future__ import annotations

import io
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from cryptography.fernet import Fernet
from PIL import Image

from common.processes import (
    WEB_THREADS,
    WEB_WORKERS,
    RunningProcess,
    Stack,
    gunicorn_options,
    stop_process_group,
)
from common.testing import create_database, drop_database, eventually, free_port, unique_name

ORDERS = 48
CONCURRENCY = 8
UPLOADS = 20
ITEM = "driving-licence-replacement"
ANSWERS = {
    "full_name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
    "licence_class": "c1",
    "reason": "lost",
}
ADDRESS = {
    "recipient": "张三",
    "phone": "13800138000",
    "province": "山东省",
    "city": "青岛市",
    "district": "市南区",
    "street": "香港中路 1 号",
}


def run() -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory(prefix="bench-apply-") as tmp:
        workdir = Path(tmp)
        stack = start_stack(workdir)
        try:
            client = Applicant(stack.url("gateway") + "/api/v1")
            journey = _journey_figures(client)
            upload = _upload_latencies(client)
        finally:
            stack.stop()
        bare = _bare_figures(workdir)
    return [
        _figure("draft creation through the gateway", journey["draft"], bare["insert"], 0.4),
        _figure(
            "submit (price locked, payment created) through the gateway",
            journey["submit"],
            bare["insert"],
            None,
        ),
        _figure(
            "draft + submit through the gateway, per application",
            journey["pair"],
            bare["insert"],
            0.25,
        ),
        _latency("2 MB photo upload end to end, median", upload, bare["upload"], 50),
        _latency("2 MB photo upload end to end, p99", upload, bare["upload"], 99),
    ]


def start_stack(workdir: Path) -> Stack:
    """The four services of the journey as real processes, as production runs them."""
    return Stack(
        workdir=workdir,
        services=["catalog", "orders", "verification", "gateway"],
        extra_env={
            "VERIFICATION_STORAGE_DIR": str(workdir / "files"),
            "VERIFICATION_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ORDERS_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "LOG_FORMAT": "json",
        },
    ).start()


class Applicant:
    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        identifier = f"bench-{uuid.uuid4().hex[:8]}@example.cn"
        password = "a long benchmark password"  # noqa: S105 - a throwaway account
        body = {"identifier": identifier, "password": password}
        self.call("POST", "/accounts", 201, json=body)
        token = self.call("POST", "/sessions", 201, json=body)["token"]
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, expected: int, **kwargs: Any) -> dict[str, Any]:
        answer = self.session.request(method, self.base + path, timeout=60, **kwargs)
        if answer.status_code != expected:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
        return answer.json() if answer.content else {}

    def draft(self) -> dict[str, Any]:
        key = {"Idempotency-Key": uuid.uuid4().hex}
        return self.call("POST", "/applications", 201, json={"item_code": ITEM}, headers=key)

    def submit(self, order_id: str) -> dict[str, Any]:
        key = {"Idempotency-Key": uuid.uuid4().hex}
        return self.call("POST", f"/applications/{order_id}/submit", 200, headers=key)


def _journey_figures(client: Applicant) -> dict[str, float]:
    ready = ready_orders(client, ORDERS)
    draft_rate = rate(ORDERS, lambda _: client.draft())
    submit_rate = rate(ORDERS, lambda i: client.submit(ready[i]))
    pair_rate = 1 / (1 / draft_rate + 1 / submit_rate)
    return {"draft": draft_rate, "submit": submit_rate, "pair": pair_rate}


def ready_orders(client: Applicant, count: int) -> list[str]:
    """`count` orders with answers, delivery and four photos verification found complete."""
    photos = [jpeg(800, 600, seed) for seed in range(4)]
    ready = [make_ready(client, photos) for _ in range(count)]
    for order_id in ready:
        eventually(lambda o=order_id: client.call("GET", f"/applications/{o}", 200)["documents"]["complete"])  # fmt: skip
    return ready


def make_ready(client: Applicant, photos: list[bytes]) -> str:
    order = client.draft()
    order_id = order["id"]
    client.call("PUT", f"/applications/{order_id}/answers", 200, json={"answers": ANSWERS})
    client.call("PUT", f"/applications/{order_id}/delivery", 200,
                json={"kind": "courier", "address": ADDRESS})  # fmt: skip
    for photo, document in zip(photos, order["required_documents"], strict=False):
        path = f"/applications/{order_id}/documents/{document['code']}"
        files = {"file": ("photo.jpg", photo, "image/jpeg")}
        eventually(lambda p=path, f=files: _try_upload(client, p, f))
    return str(order_id)


def _try_upload(client: Applicant, path: str, files: dict[str, Any]) -> bool:
    # The case opens when verification hears of the draft: until then, 409.
    answer = client.session.put(client.base + path, files=files, timeout=60)
    if answer.status_code not in {201, 409}:
        raise RuntimeError(f"upload: {answer.status_code} {answer.text[:300]}")
    return answer.status_code == 201


def _upload_latencies(client: Applicant) -> list[float]:
    order_id = client.draft()["id"]
    photo = _two_megabyte_photo()
    path = f"/applications/{order_id}/documents/id_card_front"
    eventually(lambda: _try_upload(client, path, {"file": ("p.jpg", photo, "image/jpeg")}))
    timings = []
    for _ in range(UPLOADS):
        started = time.perf_counter()
        client.call("PUT", path, 201, files={"file": ("p.jpg", photo, "image/jpeg")})
        timings.append(time.perf_counter() - started)
    return timings


def _bare_figures(workdir: Path) -> dict[str, Any]:
    database = unique_name("bench_bare")
    url = create_database(database)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *gunicorn_options(WEB_WORKERS, WEB_THREADS),
         "--bind", f"127.0.0.1:{port}", "bench.bare_insert:create_app()"],
        env={**os.environ, "BENCH_DATABASE_URL": url},
        stdout=(workdir / "bare.log").open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    running = RunningProcess("bare", process, workdir / "bare.log")
    base = f"http://127.0.0.1:{port}"
    try:
        session = requests.Session()
        eventually(lambda: _answers(session, base, running))
        photo = _two_megabyte_photo()
        insert = rate(ORDERS * 2, lambda i: _expect(session.post(base + "/rows", json={"n": i})))
        upload = []
        for _ in range(UPLOADS):
            started = time.perf_counter()
            _expect(session.put(base + "/upload", files={"file": ("p.jpg", photo, "image/jpeg")}))
            upload.append(time.perf_counter() - started)
        return {"insert": insert, "upload": upload}
    finally:
        stop_process_group(process, signal.SIGTERM, 10.0)
        drop_database(database)


def _answers(session: requests.Session, base: str, running: RunningProcess) -> bool:
    if running.process.poll() is not None:
        raise RuntimeError(f"the bare app exited:\n{running.log_tail()}")
    try:
        return session.post(base + "/rows", json={}, timeout=2).status_code == 201
    except requests.ConnectionError:
        return False


def _expect(answer: requests.Response) -> None:
    if answer.status_code != 201:
        raise RuntimeError(f"bare app: {answer.status_code} {answer.text[:200]}")


def rate(count: int, call: Callable[[int], Any]) -> float:
    """Requests per second for `count` calls made by CONCURRENCY threads."""
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(call, range(count)))
    return count / (time.perf_counter() - started)


def jpeg(width: int, height: int, seed: int) -> bytes:
    image = Image.new("RGB", (width, height), ((seed * 60) % 256, (seed * 100) % 256, 90))
    image.paste((255 - seed * 40, 20, 40), (seed * 50, 40, seed * 50 + 200, 300))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _two_megabyte_photo() -> bytes:
    # Noise compresses badly, so a 1,900 × 1,400 picture lands near 2 MB at quality 85.
    image = Image.frombytes("RGB", (1900, 1400), os.urandom(1900 * 1400 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _figure(name: str, value: float, baseline: float, target: float | None) -> dict[str, object]:
    return {
        "name": name,
        "value": round(value, 1),
        "unit": "requests/s",
        "baseline_name": "bare Flask endpoint, one PostgreSQL insert",
        "baseline_value": round(baseline, 1),
        "ratio": round(value / baseline, 3),
        "target": f">= {target}x baseline" if target else "recorded (higher is better)",
        "passed": target is None or value / baseline >= target,
    }


def _latency(name: str, timings: list[float], baseline: list[float], pct: int) -> dict[str, object]:
    value, base = _percentile(timings, pct) * 1000, _percentile(baseline, pct) * 1000
    return {
        "name": name,
        "value": round(value, 1),
        "unit": "ms",
        "baseline_name": "bare Flask endpoint reading the same 2 MB upload",
        "baseline_value": round(base, 1),
        "ratio": round(value / base, 2),
        "target": "recorded (lower is better)",
        "passed": True,
    }


def _percentile(values: list[float], pct: int) -> float:
    if pct == 50:
        return statistics.median(values)
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]
