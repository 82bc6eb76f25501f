"""Fixtures for notifications' service tests: the HTTP API, the handlers and the
sending on a real PostgreSQL database (one per session, migrated, emptied
between tests), the sandbox providers on the same database, a frozen clock,
and a stand-in for fulfillment's pickup code. The database and the clock come
from common's pytest plugin."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from notifications.api import CONTEXT
from notifications.app import create_app
from notifications.handlers import handlers_for
from notifications.migrate import upgrade
from notifications.providers.sandbox import receipt_sender
from notifications.services import Context
from notifications.settings import Settings
from sqlalchemy import text
from sqlalchemy.engine import Engine

from common.auth import issue_token
from common.clock import FrozenClock
from common.db import make_session_factory
from common.events.consumer import Dispatcher, Outcome
from common.events.envelope import Envelope
from common.pytest_plugin import service_database_fixtures
from common.settings import CommonSettings

SECRET = "notifications-test-secret-long-enough-for-hs256"
WEBHOOK_SECRET = "provider-receipt-test-secret"
TABLES = ("messages", "orders", "contacts", "preferences", "reminders", "sandbox_sent",
          "sandbox_switches", "sandbox_receipts", "outbox", "inbox")  # fmt: skip
PHONE, EMAIL = "13912345678", "zhang@example.com"


# The session's migrated database, an engine on it, that engine with TABLES emptied
# before each test, and the frozen clock: common's pytest plugin makes them.
database_url, engine, db, clock = service_database_fixtures(upgrade, "notifications_test", TABLES)


def make_settings(database_url: str) -> Settings:
    return Settings(
        common=CommonSettings(
            service="notifications", database_url=database_url, bus_url="memory://",
            bus_prefix="notifications-test", internal_token_secret=SECRET, log_format="text",
            consumer_prefetch=50, max_attempts=3, retry_delays_ms=(10,),
            relay_batch_size=100, relay_idle_seconds=0.05,
        ),
        notifications_url="http://notifications.test",
        link_base="https://gov.test",
        sms_link_base="https://g.test",
        webhook_secret=WEBHOOK_SECRET,
        max_attempts=4,
        sandbox_receipt_seconds=5,
        bus_check_timeout=0.5,
    )  # fmt: skip


class PickupCodes:
    """fulfillment's owner view, standing in: the code per order, and who asked."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.asked: list[tuple[str, str]] = []

    def __call__(self, order_id: str, account_id: str) -> str | None:
        self.asked.append((order_id, account_id))
        return self.codes.get(order_id)


@pytest.fixture
def pickup_codes() -> PickupCodes:
    return PickupCodes()


@pytest.fixture
def settings_changes() -> dict[str, Any]:
    """Settings a test changes from make_settings' (parametrize it to change them)."""
    return {}


@pytest.fixture
def app(
    db: Engine, database_url: str, clock: FrozenClock, pickup_codes: PickupCodes,
    settings_changes: dict[str, Any],
) -> Iterator[Any]:  # fmt: skip
    settings = replace(make_settings(database_url), **settings_changes)
    app = create_app(settings, clock=clock, pickup_codes=pickup_codes)
    yield app
    app.extensions["notifications.engine"].dispose()


@pytest.fixture
def client(app: Any) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def ctx(app: Any) -> Context:
    return app.extensions[CONTEXT]  # type: ignore[no-any-return]


def bearer(roles: list[str], subject: str) -> dict[str, str]:
    token = issue_token(SECRET, subject=subject, roles=roles, audience="notifications")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def applicant() -> Callable[[str], dict[str, str]]:
    return lambda subject="acct-a": bearer(["applicant"], subject)


@pytest.fixture
def supervisor() -> dict[str, str]:
    return bearer(["supervisor"], "staff-9")


@pytest.fixture
def deliver(ctx: Context) -> Callable[[Envelope], Outcome]:
    """Hand one event to the handlers the way the worker's consumer does."""
    dispatcher = Dispatcher("notifications", handlers_for(ctx), ctx.uow, max_attempts=3)
    return lambda envelope: dispatcher.handle(envelope.to_json(), 0)


def event(event_type: str, data: dict[str, Any]) -> Envelope:
    producer = event_type.split(".")[0]
    return Envelope(type=event_type, producer=producer, data=data,
                    correlation_id=data.get("order_id"))  # fmt: skip


class Story:
    """An applicant, their contact, and an order, told to the service by events."""

    def __init__(self, deliver: Callable[[Envelope], Outcome]) -> None:
        self.deliver = deliver
        self.order_id = str(uuid.uuid4())
        self.reference = "LT" + uuid.uuid4().hex[:14].upper()
        self.account = "acct-a"

    def tell(self, event_type: str, **data: Any) -> Outcome:
        envelope = event(event_type, {"order_id": self.order_id, "reference": self.reference,
                                      **data})  # fmt: skip
        outcome = self.deliver(envelope)
        return outcome

    def contact(self, phone: str | None = PHONE, email: str | None = EMAIL,
                language: str | None = "zh-CN", changed_at: str = "2026-03-01T00:00:00+00:00") -> Outcome:  # fmt: skip
        return self.deliver(event("accounts.contact_changed", {
            "account_id": self.account, "language": language, "phone": phone, "email": email,
            "changed_at": changed_at,
        }))  # fmt: skip

    def draft(self) -> Outcome:
        return self.tell("orders.draft_created", applicant_id=self.account,
                         item_code="driving-licence-replacement", required_documents=[
                             {"code": "selfie_with_id_card",
                              "title": {"zh": "本人手持身份证照片", "en": "Selfie holding your ID card"}},
                         ])  # fmt: skip

    def submitted(self) -> Outcome:
        return self.tell("orders.submitted", applicant_id=self.account,
                         item_code="driving-licence-replacement", total_fen=2500,
                         submitted_at="2026-03-02T01:00:00+00:00", sla_working_days=3, answers=[])  # fmt: skip


@pytest.fixture
def story(deliver: Callable[[Envelope], Outcome]) -> Story:
    return Story(deliver)


@pytest.fixture
def rows(db: Engine) -> Callable[..., list[dict[str, Any]]]:
    """rows("SELECT …") → the rows as dicts."""

    def read(sql: str, **params: Any) -> list[dict[str, Any]]:
        with db.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql), params)]

    return read


@pytest.fixture
def outbox(outbox_events: Callable[..., Any]) -> Callable[..., Any]:
    return outbox_events  # common's, under the name these tests use: outbox("type")


@pytest.fixture
def receipts(
    db: Engine, client: FlaskClient, clock: FrozenClock
) -> Callable[[timedelta], list[int]]:
    """Move the clock on and let the sandbox post its due receipts to the app."""

    def post(url: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
        answer = client.post(url.removeprefix("http://notifications.test"), data=body,
                             headers=dict(headers))  # fmt: skip
        return answer.status_code, answer.get_data(as_text=True)

    sender = receipt_sender(make_session_factory(db), WEBHOOK_SECRET, post=post)

    def push(after: timedelta) -> list[int]:
        clock.advance(after)
        return [sent.status or 0 for sent in sender.deliver_due(clock.now())]

    return push
