"""Fixtures for fulfillment's service tests: the HTTP API and the handlers on a
real PostgreSQL database (one per session, migrated, emptied between tests),
the sandbox courier on the same database, and a frozen clock. The database and
the clock come from common's pytest plugin."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from common.auth import issue_token
from common.clock import FrozenClock
from common.db import make_session_factory
from common.events.consumer import Dispatcher
from common.events.envelope import Envelope
from common.pytest_plugin import FROZEN_AT, service_database_fixtures
from common.settings import CommonSettings
from common.testing import table_snapshot
from common.webhooks import sign
from fulfillment.api import CONTEXT
from fulfillment.app import create_app
from fulfillment.couriers.sandbox import HEADER, webhook_sender
from fulfillment.handlers import handlers_for
from fulfillment.migrate import upgrade
from fulfillment.services import Context
from fulfillment.settings import Settings

SECRET = "fulfillment-test-secret-long-enough-for-hs256"
WEBHOOK_SECRET = "courier-webhook-test-secret"
NOW = FROZEN_AT  # the frozen_clock fixture's time: Monday 09:00 in Beijing
TABLES = ("jobs", "batches", "shipments", "tracking_events", "sandbox_courier_waybills",
          "sandbox_courier_webhooks", "outbox", "inbox")  # fmt: skip


# The session's migrated database, an engine on it, that engine with TABLES emptied
# before each test, and the frozen clock: common's pytest plugin makes them.
database_url, engine, db, clock = service_database_fixtures(upgrade, "fulfillment_test", TABLES)


def make_settings(database_url: str) -> Settings:
    return Settings(
        common=CommonSettings(
            service="fulfillment", database_url=database_url, bus_url="memory://",
            bus_prefix="fulfillment-test", internal_token_secret=SECRET, log_format="text",
            consumer_prefetch=50, max_attempts=3, retry_delays_ms=(10,),
            relay_batch_size=100, relay_idle_seconds=0.05,
        ),
        fulfillment_url="http://fulfillment.test",
        courier_provider="sandbox",
        courier_webhook_secrets=(WEBHOOK_SECRET,),
        sandbox_step_seconds=60,
        bus_check_timeout=0.5,
    )  # fmt: skip


@pytest.fixture
def app(db: Engine, database_url: str, clock: FrozenClock) -> Iterator[Any]:
    app = create_app(make_settings(database_url), clock=clock)
    yield app
    app.extensions["fulfillment.engine"].dispose()


@pytest.fixture
def client(app: Any) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def ctx(app: Any) -> Context:
    return app.extensions[CONTEXT]  # type: ignore[no-any-return]


def bearer(roles: list[str], *, subject: str = "staff-1") -> dict[str, str]:
    token = issue_token(SECRET, subject=subject, roles=roles, audience="fulfillment")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def headers() -> Callable[..., dict[str, str]]:
    """headers("production") → a signed internal token for those roles."""
    return lambda *roles, subject="staff-1": bearer(list(roles), subject=subject)


@pytest.fixture
def snapshot(db: Engine) -> Callable[[], dict[str, list[tuple[Any, ...]]]]:
    return lambda: table_snapshot(db, TABLES)


@pytest.fixture
def outbox(outbox_events: Callable[..., Any]) -> Callable[..., Any]:
    return outbox_events  # common's, under the name these tests use: outbox("type")


@pytest.fixture
def dispatch_event(ctx: Context) -> Callable[[Envelope], Any]:
    dispatcher = Dispatcher("fulfillment", handlers_for(ctx), ctx.uow, max_attempts=3)
    return lambda envelope: dispatcher.handle(envelope.to_json(), 0)


ADDRESS = {"recipient": "张三", "phone": "13912345678", "province": "山东省",
           "city": "青岛市", "district": "市南区", "street": "香港中路 76 号"}  # fmt: skip
OFFICE = {"name": {"zh": "市南大厅", "en": "Shinan hall"},
          "address": {"zh": "南京路 1 号", "en": "1 Nanjing Road"},
          "hours": {"zh": "工作日 9:00–17:00", "en": "Weekdays 9:00–17:00"}}  # fmt: skip


def approved(
    *, order_id: str | None = None, item_code: str = "driving-licence-replacement",
    kind: str = "courier", recipient: str = "张三", approved_at: datetime = NOW, **extra: Any,
) -> Envelope:  # fmt: skip
    order_id = order_id or str(uuid.uuid4())
    delivery: dict[str, Any] = (
        {"kind": "courier", "option_code": "courier-ems", "address": {**ADDRESS, "recipient": recipient}}
        if kind == "courier"
        else {"kind": "pickup", "option_code": "pickup-shinan", "office_code": "pickup-shinan", "office": OFFICE}
    )  # fmt: skip
    data = {
        "order_id": order_id, "reference": f"LT{uuid.uuid4().hex[:14].upper()}",
        "item_code": item_code, "applicant_id": "acct-a", "delivery": delivery,
        "total_fen": 2500, "approved_at": approved_at.isoformat(), **extra,
    }  # fmt: skip
    return Envelope(type="orders.approved", producer="orders", data=data, correlation_id=order_id)


class Flow:
    """Moves jobs through the API as staff would."""

    def __init__(
        self, client: FlaskClient, dispatch_event: Callable[[Envelope], Any], ctx: Context
    ) -> None:
        self.client, self.dispatch_event, self.ctx = client, dispatch_event, ctx
        self.production = bearer(["production"], subject="staff-p")
        self.dispatcher = bearer(["dispatcher"], subject="staff-d")

    def job(self, **kwargs: Any) -> str:
        envelope = approved(**kwargs)
        assert self.dispatch_event(envelope).action == "ack"
        return str(envelope.data["order_id"])

    def in_production(self, **kwargs: Any) -> tuple[str, str]:
        order_id = self.job(**kwargs)
        answer = self.client.post(
            "/production/batches", json={"order_ids": [order_id]}, headers=self.production
        )
        assert answer.status_code == 201, answer.json
        return order_id, answer.json["id"]

    def produced(self, number: str = "370200123456", **kwargs: Any) -> str:
        order_id, batch_id = self.in_production(**kwargs)
        put = self.client.put(f"/production/jobs/{order_id}/credential",
                              json={"credential_number": number}, headers=self.production)  # fmt: skip
        assert put.status_code == 200, put.json
        done = self.client.post(f"/production/batches/{batch_id}/produced", headers=self.production)
        assert done.status_code == 200, done.json
        return order_id

    def waybill(self, **kwargs: Any) -> tuple[str, str]:
        order_id = self.produced(**kwargs)
        answer = self.client.post(
            "/dispatch/waybills", json={"order_ids": [order_id]}, headers=self.dispatcher
        )
        assert answer.status_code == 201, answer.json
        return order_id, answer.json["shipments"][0]["waybill"]

    def shipped(self, **kwargs: Any) -> tuple[str, str]:
        order_id, waybill = self.waybill(**kwargs)
        answer = self.client.post(
            "/dispatch/hand-over", json={"waybills": [waybill]}, headers=self.dispatcher
        )
        assert answer.status_code == 200, answer.json
        return order_id, waybill

    def job_view(self, order_id: str) -> dict[str, Any]:
        answer = self.client.get(f"/jobs/{order_id}", headers=self.dispatcher)
        assert answer.status_code == 200, answer.json
        return answer.json  # type: ignore[no-any-return]


@pytest.fixture
def flow(client: FlaskClient, dispatch_event: Callable[[Envelope], Any], ctx: Context) -> Flow:
    return Flow(client, dispatch_event, ctx)


@pytest.fixture
def courier_push(
    db: Engine, client: FlaskClient, clock: FrozenClock
) -> Callable[[timedelta], list[int]]:
    """Move the clock on and let the sandbox courier push what is due to the app."""

    def post(url: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
        path = url.removeprefix("http://fulfillment.test")
        answer = client.post(path, data=body, headers=dict(headers))
        return answer.status_code, answer.get_data(as_text=True)

    sender = webhook_sender(make_session_factory(db), WEBHOOK_SECRET, post=post)

    def push(after: timedelta) -> list[int]:
        clock.advance(after)
        return [sent.status or 0 for sent in sender.deliver_due(clock.now())]

    return push


@pytest.fixture
def make_approved() -> Callable[..., Envelope]:
    """make_approved(**overrides) → an orders.approved envelope."""
    return approved


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def signed(clock: FrozenClock) -> Callable[[bytes], dict[str, str]]:
    """The courier's signature header for a body, signed now."""
    return lambda body: {HEADER: sign(WEBHOOK_SECRET, body, int(clock.now().timestamp()))}


@pytest.fixture
def settings_for(clock: FrozenClock) -> Callable[[str], Any]:
    """settings_for(url) → the web app on that database."""
    return lambda url: create_app(make_settings(url), clock=clock)


@pytest.fixture
def worker_settings(database_url: str) -> Settings:
    return make_settings(database_url)
