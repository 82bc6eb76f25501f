"""Fixtures for the orders service's tests of its HTTP API, handlers and timers.

The orders service runs on its own fresh PostgreSQL database (migrated,
emptied between tests); the catalog is the fake of fake_catalog.py (the
catalog's own JSON for its three seeded items) served over HTTP by werkzeug
in a thread, so these tests need no sibling service installed; the sandbox
provider's webhooks are delivered over HTTP to the orders app (served the
same way). Time is a FrozenClock the tests move:
nothing sleeps. Verification's events go through the common Dispatcher. The
database and the frozen clock come from common's pytest plugin
(common/pytest_plugin.py, loaded because licensing-common is installed).
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from common.auth import issue_token
from common.clock import FrozenClock
from common.db import UnitOfWork, unit_of_work_factory
from common.events.consumer import Dispatcher, Outcome
from common.events.envelope import Envelope
from common.pytest_plugin import service_database_fixtures
from common.settings import CommonSettings
from common.testing import table_snapshot
from common.testing_http import serve_in_thread
from common.webhooks import WebhookSender
from orders import timers
from orders.api import CONTEXT
from orders.app import create_app
from orders.handlers import build_handlers
from orders.migrate import upgrade
from orders.settings import Settings
from orders.wiring import build_webhook_sender

from .fake_catalog import create_fake_catalog

# The answers are sealed at rest (orders.sealing); every test process has a key.
os.environ.setdefault("ORDERS_ENCRYPTION_KEYS", Fernet.generate_key().decode())

SECRET = "orders-test-internal-secret"
WEBHOOK_SECRET = "orders-test-webhook-secret"
TABLES = (
    "wallet_notices", "wallet_trades", "sandbox_webhooks", "sandbox_payments", "payment_events", "payments", "timers",
    "order_complaints", "order_timeline", "idempotency_keys", "reference_counters", "orders", "outbox", "inbox",
)  # fmt: skip
LICENCE = "driving-licence-replacement"
PLATES = "licence-plate-replacement"
ANNUAL = "annual-licence-verification"
LICENCE_DOCUMENTS = ["id_card_front", "id_card_back", "selfie_with_id_card", "portrait_photo"]
GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
ERROR_CARD = "4000 0000 0000 0119"


# --- servers ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def catalog_url() -> Iterator[str]:
    """The catalog, as its published JSON for its three items, on a free port."""
    served, stop = serve_in_thread(create_fake_catalog(SECRET))
    try:
        yield served
    finally:
        stop()


class _CurrentApp:
    """A WSGI app that forwards to the test's orders app: one server for the session."""

    def __init__(self) -> None:
        self.app: Flask | None = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        assert self.app is not None, "no orders app is running"
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def orders_server() -> Iterator[tuple[_CurrentApp, str]]:
    current = _CurrentApp()
    url, stop = serve_in_thread(current)
    try:
        yield current, url
    finally:
        stop()


# --- the database -------------------------------------------------------------------


# The session's migrated database, an engine on it, that engine with TABLES emptied
# before each test, and the frozen clock: common's pytest plugin makes them.
database_url, engine, db, clock = service_database_fixtures(
    upgrade, "orders_test", TABLES, max_overflow=4
)


@pytest.fixture
def uow_factory(db: Engine, clock: FrozenClock) -> Callable[[], UnitOfWork]:
    return unit_of_work_factory(db, "orders", clock)


@pytest.fixture
def snapshot(db: Engine) -> Callable[[], dict[str, list[tuple[Any, ...]]]]:
    """Every row of every table, to prove a refusal wrote nothing."""

    return lambda: table_snapshot(db, TABLES)


@pytest.fixture
def rows(db: Engine) -> Callable[..., list[dict[str, Any]]]:
    """rows("SELECT …", name=value) → the rows as dicts."""

    def query(sql: str, **params: Any) -> list[dict[str, Any]]:
        with db.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql), params)]

    return query


# --- the app ------------------------------------------------------------------------


def make_settings(
    database_url: str, catalog_url: str, webhook_url: str, **overrides: Any
) -> Settings:
    common = CommonSettings(
        service="orders", database_url=database_url, bus_url="memory://",
        bus_prefix="orders-test", internal_token_secret=SECRET, log_format="text",
        consumer_prefetch=50, max_attempts=3, retry_delays_ms=(10,), relay_batch_size=100,
        relay_idle_seconds=0.05,
    )  # fmt: skip
    values: dict[str, Any] = {
        "common": common,
        "catalog_url": catalog_url,
        "orders_url": webhook_url.rsplit("/webhooks", 1)[0],
        "payment_provider": "sandbox",
        "payment_webhook_secret": WEBHOOK_SECRET,
        "payment_webhook_url": webhook_url,
        "service_timeout_seconds": 10.0,  # generous: the test machine is shared
        "service_read_retries": 1,
        "bus_check_timeout": 2.0,
        "sandbox_webhook_max_attempts": 3,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def settings(
    database_url: str, catalog_url: str, orders_server: tuple[_CurrentApp, str]
) -> Settings:
    return make_settings(database_url, catalog_url, orders_server[1] + "/webhooks/payments")


@pytest.fixture
def settings_for(
    database_url: str, catalog_url: str, orders_server: tuple[_CurrentApp, str]
) -> Callable[..., Settings]:
    return lambda **overrides: make_settings(
        overrides.pop("database_url", database_url), overrides.pop("catalog_url", catalog_url),
        overrides.pop("webhook_url", orders_server[1] + "/webhooks/payments"), **overrides,
    )  # fmt: skip


@pytest.fixture
def app(
    db: Engine, settings: Settings, clock: FrozenClock, orders_server: tuple[_CurrentApp, str]
) -> Iterator[Flask]:
    app = create_app(settings, clock=clock)
    orders_server[0].app = app
    yield app
    orders_server[0].app = None
    app.extensions["orders.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def sender(app: Flask, settings: Settings) -> WebhookSender:
    return build_webhook_sender(settings, app.extensions["orders.engine"])


def bearer(roles: list[str], subject: str = "acct-1", audience: str = "orders") -> dict[str, str]:
    token = issue_token(SECRET, subject=subject, roles=roles, audience=audience)
    return {"Authorization": f"Bearer {token}"}


_keys = itertools.count(1)


def new_key() -> str:
    return f"key-{next(_keys)}-{uuid.uuid4().hex[:8]}"


# --- factories ----------------------------------------------------------------------


LICENCE_ANSWERS = {
    "full_name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13912345678",
    "licence_class": "c1",
    "reason": "lost",
}
ADDRESS = {
    "recipient": "张三",
    "phone": "13912345678",
    "province": "山东省",
    "city": "青岛市",
    "district": "市南区",
    "street": "香港中路 76 号",
}


class Applicant:
    """Drives the API as the gateway would for one applicant, and the world around
    the order (verification's events, the provider's webhooks) as it happens."""

    def __init__(
        self, client: FlaskClient, clock: FrozenClock, sender: WebhookSender,
        dispatcher: Dispatcher, subject: str = "acct-1",
    ) -> None:  # fmt: skip
        self.client = client
        self.clock = clock
        self.sender = sender
        self.dispatcher = dispatcher
        self.subject = subject
        self.headers = bearer(["applicant"], subject)
        self._revision = itertools.count(1)

    def with_key(self, key: str | None = None) -> dict[str, str]:
        return {**self.headers, "Idempotency-Key": key or new_key()}

    def create(self, item_code: str = LICENCE, key: str | None = None) -> Any:
        return self.client.post(
            "/orders", json={"item_code": item_code}, headers=self.with_key(key)
        )

    def draft(self, item_code: str = LICENCE) -> dict[str, Any]:
        answer = self.create(item_code)
        assert answer.status_code == 201, answer.json
        return answer.json  # type: ignore[no-any-return]

    def answer(self, order_id: str, answers: dict[str, Any]) -> Any:
        return self.client.put(
            f"/orders/{order_id}/answers", json={"answers": answers}, headers=self.headers
        )

    def deliver_to(self, order_id: str, **choice: Any) -> Any:
        body = choice or {"kind": "courier", "address": ADDRESS}
        return self.client.put(f"/orders/{order_id}/delivery", json=body, headers=self.headers)

    def documents(
        self, order_id: str, missing: list[str] | None = None, revision: int | None = None
    ) -> Outcome:
        """Verification's verdict on the order's documents, as its event says it."""
        revision = revision if revision is not None else next(self._revision)
        if missing:
            event_type, data = "verification.document_set_incomplete", {"missing": missing}
        else:
            event_type, data = (
                "verification.document_set_completed",
                {"documents": LICENCE_DOCUMENTS},
            )
        envelope = Envelope(
            type=event_type, producer="verification", correlation_id=order_id,
            data={"order_id": order_id, "revision": revision, **data},
        )  # fmt: skip
        return self.dispatcher.handle(envelope.to_json(), 0)

    def ready(self, item_code: str = LICENCE, **delivery: Any) -> dict[str, Any]:
        """A draft with every answer, a delivery and its documents complete."""
        order = self.draft(item_code)
        assert self.answer(order["id"], LICENCE_ANSWERS).status_code == 200
        assert self.deliver_to(order["id"], **delivery).status_code == 200
        assert self.documents(order["id"]).action == "ack"
        return self.get(order["id"])

    def submit(self, order_id: str, key: str | None = None) -> Any:
        return self.client.post(f"/orders/{order_id}/submit", headers=self.with_key(key))

    def submitted(self, **delivery: Any) -> dict[str, Any]:
        """An order awaiting payment."""
        order = self.ready(**delivery)
        answer = self.submit(order["id"])
        assert answer.status_code == 200, answer.json
        return answer.json  # type: ignore[no-any-return]

    def card(
        self, payment_id: str, number: str = GOOD_CARD, key: str | None = None, **fields: str
    ) -> Any:
        body = {"card_number": number, "expiry": "12/30", "cvc": "123", **fields}
        return self.client.post(
            f"/payments/{payment_id}/card", json=body, headers=self.with_key(key)
        )

    def webhooks(self) -> list[Any]:
        """Let the sandbox's answers come due and deliver them over HTTP."""
        self.clock.advance(timedelta(seconds=2))
        return self.sender.deliver_due(self.clock.now())

    def paid(self, **delivery: Any) -> dict[str, Any]:
        """An order paid and submitted."""
        order = self.submitted(**delivery)
        assert self.card(order["payment"]["id"]).status_code == 202
        self.webhooks()
        return self.get(order["id"])

    def get(self, order_id: str) -> dict[str, Any]:
        answer = self.client.get(f"/orders/{order_id}", headers=self.headers)
        assert answer.status_code == 200, answer.json
        return answer.json  # type: ignore[no-any-return]

    def cancel(self, order_id: str, reason: str | None = None) -> Any:
        body = {} if reason is None else {"reason": reason}
        return self.client.post(f"/orders/{order_id}/cancel", json=body, headers=self.headers)


@pytest.fixture
def dispatcher(app: Flask) -> Dispatcher:
    """Verification's events handled as the worker does, with the app's Context
    (its clock, its sandbox provider)."""
    context = app.extensions[CONTEXT]
    return Dispatcher("orders", build_handlers(context.auto_confirm), context.uow, max_attempts=3)


@pytest.fixture
def applicant(
    client: FlaskClient, clock: FrozenClock, sender: WebhookSender, dispatcher: Dispatcher
) -> Applicant:
    return Applicant(client, clock, sender, dispatcher)


@pytest.fixture
def applicant_on(clock: FrozenClock) -> Callable[..., Applicant]:
    """An applicant on another app: applicant_on(client, sender, dispatcher)."""
    return lambda client, sender, dispatcher, subject="acct-1": Applicant(
        client, clock, sender, dispatcher, subject
    )


@pytest.fixture
def other_applicant(
    client: FlaskClient, clock: FrozenClock, sender: WebhookSender, dispatcher: Dispatcher
) -> Applicant:
    return Applicant(client, clock, sender, dispatcher, subject="acct-2")


def event_types(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


@pytest.fixture
def answers() -> dict[str, str]:
    """Every answer the driving-licence form needs, all valid."""
    return dict(LICENCE_ANSWERS)


@pytest.fixture
def address() -> dict[str, str]:
    return dict(ADDRESS)


@pytest.fixture
def headers_for() -> Callable[..., dict[str, str]]:
    """headers_for(["reviewer"], subject="staff-1") → a signed internal token."""
    return lambda roles, subject="acct-1": bearer(list(roles), subject)


# --- the review, as verification reports it ------------------------------------------

REVIEWER = "staff-21"
SUPERVISOR = "staff-99"
CAPTURE_REFUSED_CARD = "4000 0000 0000 9995"


class Verification:
    """Verification's review events about an order, handled as the worker handles them."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    def send(self, event_type: str, order_id: str, attempts: int = 0, **data: Any) -> Outcome:
        envelope = Envelope(
            type=f"verification.{event_type}", producer="verification", correlation_id=order_id,
            data={"order_id": order_id, "reference": "LT20260302000001", **data},
        )  # fmt: skip
        return self.dispatcher.handle(envelope.to_json(), attempts)

    def claim(self, order_id: str, reviewer: str = REVIEWER) -> Outcome:
        return self.send("review_started", order_id, reviewer_id=reviewer,
                         started_at="2026-03-02T02:00:00+00:00")  # fmt: skip

    def approve(self, order_id: str, reviewer: str = REVIEWER, attempts: int = 0) -> Outcome:
        return self.send("approved", order_id, attempts, reviewer_id=reviewer,
                         approved_at="2026-03-02T03:00:00+00:00")  # fmt: skip

    def ask(self, order_id: str, round_: int = 1, **extra: Any) -> Outcome:
        documents = [
            {"code": "selfie_with_id_card", "reason_code": "blurred",
             "note": "The card in your hand cannot be read."},
            {"code": "portrait_photo", "reason_code": "glare", "note": None},
        ]  # fmt: skip
        return self.send("resubmission_requested", order_id, round=round_,
                         deadline="2026-03-09T03:00:00+00:00", documents=documents, **extra)  # fmt: skip

    def resubmitted(self, order_id: str, round_: int = 1) -> Outcome:
        return self.send("resubmitted", order_id, round=round_)

    def reject(self, order_id: str, by: str = REVIEWER, **data: Any) -> Outcome:
        values = {"reason_code": "identity-mismatch",
                  "note": "The selfie does not show the person on the ID card.", **data}  # fmt: skip
        return self.send("rejected", order_id, rejected_by=by, **values)


@pytest.fixture
def verification(dispatcher: Dispatcher) -> Verification:
    return Verification(dispatcher)


@pytest.fixture
def sweep_money(app: Flask, clock: FrozenClock) -> Callable[[], int]:
    """The worker's sweep at the clock's time: captures after an approval, gives
    the money back after a rejection; how many orders it moved."""
    context = app.extensions[CONTEXT]
    return lambda: timers.move_the_money(context, clock.now())


@pytest.fixture
def supervisor() -> dict[str, str]:
    return bearer(["supervisor"], SUPERVISOR)


@pytest.fixture
def reviewer() -> dict[str, str]:
    return bearer(["reviewer"], REVIEWER)


# --- production and delivery, as fulfillment reports them; complaints, as ratings does ---

DISPATCHER = "staff-41"
PRODUCER = "staff-31"
WAYBILL = "EA000000014CN"


class Fulfillment:
    """Fulfillment's events about an order (and ratings' complaints), handled as
    the worker handles them; each field as its producer documents it."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    def send(self, event_type: str, order_id: str, **data: Any) -> Outcome:
        producer = event_type.split(".", 1)[0]
        envelope = Envelope(
            type=event_type, producer=producer, correlation_id=order_id,
            data={"order_id": order_id, "reference": "LT20260302000001", **data},
        )  # fmt: skip
        return self.dispatcher.handle(envelope.to_json(), 0)

    def production_started(self, order_id: str) -> Outcome:
        return self.send("fulfillment.production_started", order_id,
                         item_code=LICENCE, batch_id="bat_1", actor=PRODUCER,
                         started_at="2026-03-04T01:30:00+00:00")  # fmt: skip

    def produced(self, order_id: str, number: str | None = "370200123456") -> Outcome:
        return self.send("fulfillment.produced", order_id, item_code=LICENCE,
                         delivery_kind="courier", credential_number=number, actor=PRODUCER,
                         produced_at="2026-03-04T06:10:00+00:00")  # fmt: skip

    def dispatched(self, order_id: str, reship: bool = False) -> Outcome:
        return self.send("fulfillment.dispatched", order_id, carrier="EMS", waybill=WAYBILL,
                         reship=reship, actor=DISPATCHER,
                         dispatched_at="2026-03-04T08:00:00+00:00")  # fmt: skip

    def tracking(
        self, order_id: str, state: str = "in_transit", city: str | None = "济南"
    ) -> Outcome:
        return self.send("fulfillment.tracking_updated", order_id, carrier="EMS",
                         waybill=WAYBILL, state=state, city=city,
                         occurred_at="2026-03-04T20:00:00+00:00")  # fmt: skip

    def attempt_failed(self, order_id: str, attempt: int = 1) -> Outcome:
        return self.send("fulfillment.delivery_attempt_failed", order_id, waybill=WAYBILL,
                         attempt=attempt, reason="no_answer",
                         what_to_do={"zh": "请保持电话畅通。", "en": "Keep your phone on."},
                         occurred_at="2026-03-05T03:00:00+00:00")  # fmt: skip

    def ready_for_pickup(self, order_id: str, switched: bool = False) -> Outcome:
        return self.send("fulfillment.ready_for_pickup", order_id, office_code="pickup-shinan",
                         office=None, switched=switched, ready_at="2026-03-04T06:10:00+00:00",
                         collect_by="2026-05-03T06:10:00+00:00")  # fmt: skip

    def reminder(self, order_id: str) -> Outcome:
        return self.send("fulfillment.pickup_reminder_due", order_id,
                         office_code="pickup-shinan",
                         collect_by="2026-05-03T06:10:00+00:00")  # fmt: skip

    def delivered(self, order_id: str, how: str = "courier", at: str | None = None) -> Outcome:
        return self.send("fulfillment.delivered", order_id, how=how,
                         waybill=WAYBILL if how == "courier" else None,
                         actor="courier" if how == "courier" else DISPATCHER,
                         delivered_at=at or "2026-03-02T01:00:00+00:00")  # fmt: skip

    def exception(self, order_id: str, reason_code: str = "three_failed_attempts") -> Outcome:
        return self.send("fulfillment.delivery_exception", order_id, reason_code=reason_code,
                         waybill=None if reason_code == "uncollected" else WAYBILL,
                         occurred_at="2026-03-07T05:00:00+00:00")  # fmt: skip

    def complaint(self, order_id: str, complaint_id: str, opened: bool, at: datetime) -> Outcome:
        kind = "opened" if opened else "closed"
        return self.send(f"ratings.complaint_{kind}", order_id, complaint_id=complaint_id,
                         occurred_at=at.isoformat())  # fmt: skip


@pytest.fixture
def fulfillment(dispatcher: Dispatcher) -> Fulfillment:
    return Fulfillment(dispatcher)


@pytest.fixture
def approved(
    applicant: Applicant, verification: Verification, sweep_money: Callable[[], int]
) -> Callable[..., dict[str, Any]]:
    """approved(**delivery) → an order approved with its payment captured."""

    def make(**delivery: Any) -> dict[str, Any]:
        order = applicant.paid(**delivery)
        assert verification.approve(order["id"]).action == "ack"
        assert sweep_money() == 1
        return applicant.get(order["id"])

    return make
