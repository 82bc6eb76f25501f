"""Tracking-webhook ingestion: the courier's signed webhook to fulfillment's
`POST /webhooks/couriers/sandbox`, against the bare one-insert endpoint
(bench/bare_insert.py) driven by the same client in the same run.

Fulfillment's web app runs under gunicorn as the stack runs it, on a fresh
migrated PostgreSQL database. Before the clock starts, SHIPMENTS parcels are
handed over to the courier through fulfillment's own use cases (orders.approved
handled, a batch produced, waybills made, the hand-over). Then CONCURRENCY
threads, one requests.Session each, post each parcel's tracking events signed
as the courier signs them: a thread owns its parcels, so each parcel's events
arrive in the order of their times, and every tenth request replays an event
already sent (answered, not stored twice). The baseline gets the same bodies
and headers from the same client. Afterwards the stored tracking events must be
exactly the distinct ones sent and the outbox must hold the events they caused.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import text

from common.clock import SystemClock
from common.db import make_engine
from common.events.consumer import Dispatcher
from common.events.envelope import Envelope
from common.processes import (
    WEB_THREADS,
    WEB_WORKERS,
    RunningProcess,
    gunicorn_options,
    stop_process_group,
)
from common.settings import Env
from common.testing import (
    RABBITMQ_URL,
    create_database,
    drop_database,
    eventually,
    free_port,
    unique_name,
)
from common.webhooks import sign
from fulfillment import dispatch, services
from fulfillment.couriers.sandbox import HEADER
from fulfillment.handlers import handlers_for
from fulfillment.migrate import upgrade
from fulfillment.settings import Settings
from fulfillment.wiring import build_context

CONCURRENCY = 8
SHIPMENTS = 96  # twelve per thread
REPLAY_EVERY = 10
SECRET = uuid.uuid4().hex  # the courier's and the app's, one per run
# Each parcel's events in the order they happen: never signed (a delivered parcel
# takes no more moves) and two failed attempts, one short of an exception.
STATES = [
    ("collected", {"city": "青岛"}),
    ("in_transit", {"city": "济南"}),
    ("in_transit", {"city": "潍坊"}),
    ("out_for_delivery", {"city": "青岛"}),
    ("problem", {"city": "青岛", "reason": "no_answer"}),
    ("out_for_delivery", {"city": "青岛"}),
    ("problem", {"city": "青岛", "reason": "nobody_home"}),
    ("out_for_delivery", {"city": "青岛"}),
]
ADDRESS = {"recipient": "张三", "phone": "13912345678", "province": "山东省",
           "city": "青岛市", "district": "市南区", "street": "香港中路 76 号"}  # fmt: skip


def run() -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory(prefix="bench-tracking-") as tmp:
        workdir = Path(tmp)
        tracking, sent = _tracking_rate(workdir)
        bare = _bare_rate(workdir, sent)
    return [
        {
            "name": "tracking webhook (signed, deduplicated, stored, status, outbox)",
            "value": round(tracking, 1),
            "unit": "requests/s",
            "baseline_name": "bare Flask endpoint, one PostgreSQL insert",
            "baseline_value": round(bare, 1),
            "ratio": round(tracking / bare, 3),
            "target": ">= 0.3x baseline",
            "passed": tracking / bare >= 0.3,
        }
    ]


# --- fulfillment --------------------------------------------------------------------


def _environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "FULFILLMENT_DATABASE_URL": database_url,
        "BUS_URL": RABBITMQ_URL,
        "BUS_PREFIX": unique_name("bench-tracking"),
        "INTERNAL_TOKEN_SECRET": uuid.uuid4().hex * 2,
        "COURIER_WEBHOOK_SECRET": SECRET,
        "LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
    }


def _tracking_rate(workdir: Path) -> tuple[float, list[list[bytes]]]:
    database = unique_name("bench_tracking")
    url = create_database(database)
    try:
        upgrade(url)
        env = _environment(url)
        waybills = hand_over_parcels(Settings.from_env(Env(env)), CONCURRENCY + SHIPMENTS)
        # A parcel per thread warms the app up (its first requests build caches) untimed.
        warm = [_plan([waybill]) for waybill in waybills[:CONCURRENCY]]
        parcels = waybills[CONCURRENCY:]
        plans = [_plan(parcels[thread::CONCURRENCY]) for thread in range(CONCURRENCY)]
        before = _outbox_types(url)
        base = _serve(workdir, "fulfillment", "fulfillment.app:create_app()", env)
        try:
            path = base.url + "/webhooks/couriers/sandbox"
            eventually(lambda: base.answers("/healthz"))
            drive(path, warm, lambda status: status == 200)
            rate = drive(path, plans, lambda status: status == 200)
        except RuntimeError as exc:  # a refusal: the server's log says why
            raise RuntimeError(f"{exc}\n{base.running.log_tail()}") from None
        finally:
            base.stop()
        check_consistency(url, [*warm, *plans], before, CONCURRENCY + SHIPMENTS)
        return rate, [*warm, *plans]
    finally:
        drop_database(database)


def hand_over_parcels(settings: Settings, count: int) -> list[str]:
    """`count` parcels with the courier: each order approved, produced in a batch,
    its waybill made and handed over, by fulfillment's own use cases."""
    engine = make_engine(settings.database_url)
    try:
        ctx = build_context(settings, engine, SystemClock())
        dispatcher = Dispatcher("fulfillment", handlers_for(ctx), ctx.uow, max_attempts=3)
        order_ids = [_approve(dispatcher) for _ in range(count)]
        waybills: list[str] = []
        for start in range(0, count, services.MAX_BATCH):
            chunk = order_ids[start : start + services.MAX_BATCH]
            batch = services.start_batch(ctx, chunk, actor="bench-production")
            for order_id in chunk:
                services.record_credential(ctx, order_id, "370200123456")
            services.mark_produced(ctx, batch["id"], actor="bench-production")
            made = dispatch.create_waybills(ctx, chunk, actor="bench-dispatcher")
            chunk_waybills = [shipment["waybill"] for shipment in made["shipments"]]
            dispatch.hand_over(ctx, chunk_waybills, actor="bench-dispatcher")
            waybills.extend(chunk_waybills)
        return waybills
    finally:
        engine.dispose()


def _approve(dispatcher: Dispatcher) -> str:
    order_id = str(uuid.uuid4())
    data = {
        "order_id": order_id, "reference": f"LT{uuid.uuid4().hex[:14].upper()}",
        "item_code": "driving-licence-replacement", "applicant_id": "bench-applicant",
        "delivery": {"kind": "courier", "option_code": "courier-ems", "address": ADDRESS},
        "total_fen": 2500, "approved_at": datetime.now(UTC).isoformat(),
    }  # fmt: skip
    envelope = Envelope(type="orders.approved", producer="orders", data=data,
                        correlation_id=order_id)  # fmt: skip
    outcome = dispatcher.handle(envelope.to_json(), 0)
    if outcome.action != "ack":
        raise RuntimeError(f"orders.approved was not handled: {outcome}")
    return order_id


def _plan(waybills: list[str]) -> list[bytes]:
    """One thread's bodies, in sending order: each parcel's events step by step
    (times increasing), and every REPLAY_EVERY-th body a copy of one sent before."""
    start = datetime.now(UTC) - timedelta(days=1)
    bodies: list[bytes] = []
    for step, (state, extra) in enumerate(STATES):
        at = start + timedelta(minutes=30 * step)
        for waybill in waybills:
            if len(bodies) % REPLAY_EVERY == REPLAY_EVERY - 1:
                bodies.append(bodies[len(bodies) // 2])
            event = {"event_id": f"trk_{uuid.uuid4().hex}", "waybill": waybill,
                     "state": state, "occurred_at": at.isoformat(), **extra}  # fmt: skip
            bodies.append(_body(waybill, event))
    return bodies


def _body(waybill: str, event: dict[str, Any]) -> bytes:
    raw = {"waybill": waybill, "events": [event]}
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode()


def _outbox_types(url: str) -> Counter[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            bodies = connection.execute(text("SELECT body FROM outbox")).scalars().all()
        return Counter(json.loads(body)["type"] for body in bodies)
    finally:
        engine.dispose()


def check_consistency(
    url: str, plans: list[list[bytes]], before: Counter[str], parcels: int
) -> None:
    """Every distinct event stored once, none more; the outbox holds what they caused:
    a tracking update for each change of state and a failed attempt for each problem."""
    events = [json.loads(body)["events"][0] for plan in plans for body in plan]
    distinct = {event["event_id"]: event for event in events}
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            stored = set(connection.execute(text("SELECT event_id FROM tracking_events")).scalars())
    finally:
        engine.dispose()
    if stored != set(distinct):
        raise RuntimeError(
            f"tracking_events holds {len(stored)} events; {len(distinct)} distinct were sent"
        )
    changes = sum(1 for i, (s, _) in enumerate(STATES) if i == 0 or s != STATES[i - 1][0])
    problems = sum(1 for s, _ in STATES if s == "problem")
    expected = {"fulfillment.tracking_updated": changes * parcels,
                "fulfillment.delivery_attempt_failed": problems * parcels}  # fmt: skip
    added = _outbox_types(url) - before
    if dict(added) != expected:
        raise RuntimeError(f"the outbox gained {dict(added)}; expected {expected}")
    print(
        f"  tracking: {len(events)} webhooks sent, {len(distinct)} distinct stored once, "
        f"outbox +{sum(added.values())} events ({dict(added)})",
        flush=True,
    )


# --- the baseline -------------------------------------------------------------------


def _bare_rate(workdir: Path, plans: list[list[bytes]]) -> float:
    database = unique_name("bench_bare")
    url = create_database(database)
    try:
        env = {**os.environ, "BENCH_DATABASE_URL": url}
        bare = _serve(workdir, "bare", "bench.bare_insert:create_app()", env)
        try:
            eventually(lambda: bare.answers("/rows", post=True))
            created = lambda status: status == 201  # noqa: E731
            drive(bare.url + "/rows", plans[:CONCURRENCY], created)  # the same warm-up
            return drive(bare.url + "/rows", plans[CONCURRENCY:], created)
        finally:
            bare.stop()
    finally:
        drop_database(database)


# --- the client ---------------------------------------------------------------------


class _Served:
    def __init__(self, running: RunningProcess, url: str) -> None:
        self.running, self.url = running, url

    def answers(self, path: str, *, post: bool = False) -> bool:
        if self.running.process.poll() is not None:
            raise RuntimeError(f"{self.running.name} exited:\n{self.running.log_tail()}")
        try:
            if post:
                return requests.post(self.url + path, json={}, timeout=2).status_code == 201
            return requests.get(self.url + path, timeout=2).status_code == 200
        except (requests.ConnectionError, requests.Timeout):
            return False  # still starting: on a busy machine the first answer can be slow

    def stop(self) -> None:
        stop_process_group(self.running.process, signal.SIGTERM, 10.0)


def _serve(workdir: Path, name: str, app: str, env: dict[str, str]) -> _Served:
    """`app` under gunicorn with the stack's options (common.processes.gunicorn_options)."""
    port = free_port()
    log = workdir / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *gunicorn_options(WEB_WORKERS, WEB_THREADS),
         "--bind", f"127.0.0.1:{port}", app],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    return _Served(RunningProcess(name, process, log), f"http://127.0.0.1:{port}")


def drive(url: str, plans: list[list[bytes]], ok: Callable[[int], bool]) -> float:
    """Requests per second of one thread per plan, each with its own session, posting
    its bodies in order, each signed as it is sent. Any answer but `ok` ends the run."""
    failures: list[str] = []
    lock = threading.Lock()

    def one_thread(plan: list[bytes]) -> None:
        session = requests.Session()
        for body in plan:
            headers = {"Content-Type": "application/json",
                       HEADER: sign(SECRET, body, int(time.time()))}  # fmt: skip
            answer = session.post(url, data=body, headers=headers, timeout=60)
            if not ok(answer.status_code):
                with lock:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")
                return

    started = time.perf_counter()
    with ThreadPoolExecutor(len(plans)) as pool:
        list(pool.map(one_thread, plans))
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{url}: {len(failures)} threads got a refusal, e.g. {failures[0]}")
    return sum(len(plan) for plan in plans) / elapsed
