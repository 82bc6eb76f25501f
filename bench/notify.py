"""Event → rendered message → sandbox provider: notifications' real worker process
against the raw consume + ack of the same messages, in the same run.

EVENTS `orders.submitted` events (each a new order of one of ACCOUNTS
applicants, half of them reading English) are queued on notifications' own
queue before its worker starts; the applicants' phones and email addresses
are in notifications' `contacts` table beforehand, as the gateway's
`accounts.contact_changed` leaves them. Then one `python -m notifications.worker`
(RabbitMQ, PostgreSQL, the sandbox providers, quiet hours off, receipts not due
during the run) turns each event into three messages: the in-app one, and an
SMS and an email handed to the sandbox provider. The figure is the SMS and
email the sandbox accepted per second, from the first event's inbox row to
the last acceptance (the database's own times, so the process's start-up is
not counted). The baseline consumes and acks the same bodies with raw pika.
Afterwards every event must have exactly its three messages, every SMS and
email `accepted`, and the sandbox exactly one row per idempotency key.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pika
from notifications.handlers import BINDINGS
from notifications.migrate import upgrade
from sqlalchemy import text

from common.db import make_engine
from common.events.envelope import Envelope
from common.events.rabbit import RabbitPublisher, RabbitTransport
from common.processes import RunningProcess, stop_process_group
from common.testing import (
    RABBITMQ_URL,
    create_database,
    drop_database,
    require_rabbitmq,
    unique_name,
)

EVENTS = int(os.environ.get("BENCH_NOTIFY_EVENTS", "10000"))
ACCOUNTS = 500
PREFETCH = 200
PUBLISH_BATCH = 500
TARGET = 1000.0  # SMS and email handed to the provider per second, one worker
DELAYS_MS = (1000, 5000, 30000)  # the worker's default BUS_RETRY_DELAYS_MS
STALL = 60.0  # seconds without a message sent: the run is broken


def run() -> list[dict[str, object]]:
    url = require_rabbitmq()
    prefix = unique_name("bench-notify")
    transport = RabbitTransport(url, prefix)
    database = unique_name("bench_notify")
    db_url = create_database(database)
    baseline_queue = f"{prefix}.baseline"
    try:
        upgrade(db_url)
        _seed_contacts(db_url)
        bodies = [_event(n).to_json() for n in range(EVENTS)]
        transport.declare("notifications", BINDINGS, DELAYS_MS)
        _declare_baseline(transport, baseline_queue)
        _publish(transport, bodies)
        with tempfile.TemporaryDirectory(prefix="bench-notify-") as tmp:
            rate, events_rate = _worker_rate(db_url, prefix, Path(tmp))
        _check(db_url)
        _publish_raw(transport, baseline_queue, bodies)
        raw = _raw_consume_rate(transport, baseline_queue, EVENTS)
    finally:
        transport.delete("notifications", DELAYS_MS)
        with transport.channel() as channel:
            channel.queue_delete(queue=baseline_queue)
        transport.delete_exchange()
        drop_database(database)
    print(f"  notify: {EVENTS} events → {3 * EVENTS} messages; {events_rate:.1f} events/s, "
          f"{rate:.1f} SMS+email/s; raw consume + ack {raw:.1f}/s", flush=True)  # fmt: skip
    return [
        {
            "name": "event → rendered message → sandbox SMS and email, one notifications worker",
            "value": round(rate, 1),
            "unit": "messages/s",
            "baseline_name": "raw pika consume + ack",
            "baseline_value": round(raw, 1),
            "ratio": round(rate / raw, 3),
            "target": f">= {TARGET:g} messages/s",
            "passed": rate >= TARGET,
        }
    ]


def _account(n: int) -> str:
    return f"bench-acct-{n % ACCOUNTS:04d}"


def _event(n: int) -> Envelope:
    order_id = str(uuid.uuid4())
    data = {
        "order_id": order_id, "reference": f"LT2026120{n:07d}", "applicant_id": _account(n),
        "item_code": "driving-licence-replacement", "total_fen": 2500 + n % 7 * 100,
        "submitted_at": datetime.now(UTC).isoformat(),
    }  # fmt: skip
    return Envelope(type="orders.submitted", producer="orders", data=data, correlation_id=order_id)


def _seed_contacts(db_url: str) -> None:
    """What accounts.contact_changed leaves: a phone and an email each; half in English."""
    now = datetime.now(UTC)
    contacts = [{"a": f"bench-acct-{n:04d}", "p": f"139{n:04d}5678", "e": f"bench{n}@example.com",
                 "t": now} for n in range(ACCOUNTS)]  # fmt: skip
    preferences = [{"a": row["a"], "l": "en" if n % 2 else "zh-CN", "t": now}
                   for n, row in enumerate(contacts)]  # fmt: skip
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO contacts (account_id, phone, email, changed_at) "
                                    "VALUES (:a, :p, :e, :t)"), contacts)  # fmt: skip
            connection.execute(
                text("INSERT INTO preferences (account_id, sms, email, language, updated_at) "
                     "VALUES (:a, true, true, :l, :t)"), preferences)  # fmt: skip
    finally:
        engine.dispose()


def _publish(transport: RabbitTransport, bodies: list[bytes]) -> None:
    publisher = RabbitPublisher(transport.url, transport.prefix)
    try:
        envelopes = [Envelope.from_json(body) for body in bodies]
        for start in range(0, len(envelopes), PUBLISH_BATCH):
            publisher.publish_batch(envelopes[start : start + PUBLISH_BATCH])
    finally:
        publisher.close()


def _environment(db_url: str, prefix: str) -> dict[str, str]:
    return {
        **os.environ,
        "NOTIFICATIONS_DATABASE_URL": db_url,
        "BUS_URL": RABBITMQ_URL,
        "BUS_PREFIX": prefix,
        "BUS_PREFETCH": str(PREFETCH),
        "INTERNAL_TOKEN_SECRET": uuid.uuid4().hex * 2,
        "NOTIFICATIONS_QUIET_HOURS": "off",
        # Receipts are the provider's later webhooks, not part of handing a message over.
        "NOTIFICATIONS_SANDBOX_RECEIPT_SECONDS": "3600",
        "LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
    }


def _worker_rate(db_url: str, prefix: str, workdir: Path) -> tuple[float, float]:
    log = workdir / "worker.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "notifications.worker"], env=_environment(db_url, prefix),
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    running = RunningProcess("notifications-worker", process, log)
    engine = make_engine(db_url)
    try:
        sent, progress = 0, time.monotonic()
        while sent < 2 * EVENTS:
            if process.poll() is not None:
                raise RuntimeError(f"the worker exited:\n{running.log_tail()}")
            if time.monotonic() - progress > STALL:
                raise RuntimeError(f"{sent} of {2 * EVENTS} sent, none for {STALL:g} s")
            time.sleep(0.2)
            now_sent = _sent(engine)
            if now_sent > sent:
                sent, progress = now_sent, time.monotonic()
        with engine.connect() as connection:
            first = connection.execute(text("SELECT min(handled_at) FROM inbox")).scalar_one()
            last_event = connection.execute(text("SELECT max(handled_at) FROM inbox")).scalar_one()
            last = connection.execute(
                text("SELECT max(accepted_at) FROM sandbox_sent")
            ).scalar_one()
    finally:
        engine.dispose()
        stop_process_group(process, 15, 30.0)
    return 2 * EVENTS / _seconds(first, last), EVENTS / _seconds(first, last_event)


def _seconds(first: datetime, last: datetime) -> float:
    return max((last - first).total_seconds(), 1e-3)


def _sent(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM sandbox_sent")).scalar_one())


def _check(db_url: str) -> None:
    """Each event's three messages once; SMS and email accepted; one send per key."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = dict(connection.execute(text(
                "SELECT channel || ':' || status, count(*) FROM messages GROUP BY 1")).all())  # fmt: skip
            keys = connection.execute(text(
                "SELECT count(DISTINCT idempotency_key), count(*) FROM sandbox_sent")).one()  # fmt: skip
            events = connection.execute(
                text("SELECT count(DISTINCT event_id) FROM messages")
            ).scalar_one()
    finally:
        engine.dispose()
    expected = {"inapp:delivered": EVENTS, "sms:accepted": EVENTS, "email:accepted": EVENTS}
    if rows != expected or events != EVENTS or tuple(keys) != (2 * EVENTS, 2 * EVENTS):
        raise RuntimeError(f"messages {rows}, {events} events, sandbox keys {tuple(keys)}")


# --- the baseline -------------------------------------------------------------------


def _declare_baseline(transport: RabbitTransport, queue: str) -> None:
    with transport.channel() as channel:
        channel.queue_declare(queue=queue, durable=True, arguments={"x-queue-type": "quorum"})


def _publish_raw(transport: RabbitTransport, queue: str, bodies: list[bytes]) -> None:
    properties = pika.BasicProperties(delivery_mode=2, content_type="application/json")
    with transport.channel() as channel:
        channel.confirm_delivery()
        for body in bodies:
            channel.basic_publish("", queue, body, properties)


def _raw_consume_rate(transport: RabbitTransport, queue: str, count: int) -> float:
    received = 0
    with transport.channel() as channel:
        channel.basic_qos(prefetch_count=PREFETCH)

        def on_message(ch, method, _properties, _body):  # type: ignore[no-untyped-def]
            nonlocal received
            ch.basic_ack(method.delivery_tag)
            received += 1
            if received >= count:
                ch.stop_consuming()

        channel.basic_consume(queue, on_message)
        started = time.perf_counter()
        channel.start_consuming()
        elapsed = time.perf_counter() - started
    return count / elapsed


if __name__ == "__main__":
    for figure in run():
        print(figure)
