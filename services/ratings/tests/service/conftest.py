"""Fixtures for ratings' service tests: the HTTP API and the handlers on a real
PostgreSQL database (one per session, migrated, emptied between tests) and a
frozen clock, both from common's pytest plugin; and a Flow that drives an
order through orders' and fulfillment's events as they publish them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from common.auth import issue_token
from common.clock import FrozenClock
from common.events.consumer import Dispatcher
from common.events.envelope import Envelope
from common.pytest_plugin import FROZEN_AT, service_database_fixtures
from common.settings import CommonSettings
from common.testing import table_snapshot
from ratings.api import CONTEXT
from ratings.app import create_app
from ratings.handlers import HANDLERS
from ratings.migrate import upgrade
from ratings.services import Context
from ratings.settings import Settings

SECRET = "ratings-test-secret-long-enough-for-hs256"
NOW = FROZEN_AT  # Monday 2026-03-02 09:00 in Beijing
TABLES = ("case_messages", "cases", "ratings", "orders", "daily_counts", "outbox", "inbox")
ITEM = "driving-licence-replacement"


# The session's migrated database, an engine on it, that engine with TABLES emptied
# before each test, and the frozen clock: common's pytest plugin makes them.
database_url, engine, db, clock = service_database_fixtures(upgrade, "ratings_test", TABLES)


def make_settings(database_url: str) -> Settings:
    return Settings(
        common=CommonSettings(
            service="ratings", database_url=database_url, bus_url="memory://",
            bus_prefix="ratings-test", internal_token_secret=SECRET, log_format="text",
            consumer_prefetch=50, max_attempts=3, retry_delays_ms=(10,),
            relay_batch_size=100, relay_idle_seconds=0.05,
        ),
        bus_check_timeout=0.5,
    )  # fmt: skip


@pytest.fixture
def app(db: Engine, database_url: str, clock: FrozenClock) -> Iterator[Any]:
    app = create_app(make_settings(database_url), clock=clock)
    yield app
    app.extensions["ratings.engine"].dispose()


@pytest.fixture
def client(app: Any) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def ctx(app: Any) -> Context:
    return app.extensions[CONTEXT]  # type: ignore[no-any-return]


def bearer(*roles: str, subject: str) -> dict[str, str]:
    token = issue_token(SECRET, subject=subject, roles=list(roles), audience="ratings")
    return {"Authorization": f"Bearer {token}"}


APPLICANT_A = bearer("applicant", subject="acct-a")
APPLICANT_B = bearer("applicant", subject="acct-b")
SUPERVISOR = bearer("supervisor", subject="staff-s1")
SUPERVISOR_2 = bearer("supervisor", subject="staff-s2")
REVIEWER = bearer("reviewer", subject="staff-r")
PUBLIC = bearer("public", subject="public")


@pytest.fixture
def snapshot(db: Engine) -> Callable[[], dict[str, list[tuple[Any, ...]]]]:
    return lambda: table_snapshot(db, TABLES)


@pytest.fixture
def outbox(outbox_events: Callable[..., Any]) -> Callable[..., Any]:
    return outbox_events  # common's, under the name these tests use: outbox("type")


@pytest.fixture
def counts(db: Engine) -> Callable[[], dict[tuple[Any, ...], int]]:
    """Every per-day count of the statistics, keyed (day, item, metric, bucket)."""

    def read() -> dict[tuple[Any, ...], int]:
        with db.connect() as connection:
            rows = connection.execute(
                text("SELECT day, item_code, metric, bucket, count FROM daily_counts")
            )
            return {(str(r[0]), r[1], r[2], r[3]): r[4] for r in rows if r[4]}

    return read


class Flow:
    """Orders' and fulfillment's events for one order, as they publish them."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    def send(self, event_type: str, data: dict[str, Any], at: datetime = NOW) -> str:
        envelope = Envelope(type=event_type, producer=event_type.split(".")[0], data=data,
                            correlation_id=data["order_id"], occurred_at=at)  # fmt: skip
        return self.send_envelope(envelope)

    def send_envelope(self, envelope: Envelope) -> str:
        return str(self.dispatcher.handle(envelope.to_json(), 0).action)

    def draft(self, order_id: str, applicant: str = "acct-a", item: str = ITEM) -> str:
        return self.send("orders.draft_created", {"order_id": order_id, "reference": "LT1",
                         "applicant_id": applicant, "item_code": item, "required_documents": []})  # fmt: skip

    def submitted(
        self, order_id: str, at: datetime, applicant: str = "acct-a", item: str = ITEM
    ) -> str:
        return self.send("orders.submitted", {"order_id": order_id, "reference": "LT1",
                         "applicant_id": applicant, "item_code": item, "total_fen": 2500,
                         "submitted_at": at.isoformat(), "sla_working_days": 3, "answers": []}, at)  # fmt: skip

    def approved(
        self, order_id: str, at: datetime, name: str | None = "张三", item: str = ITEM
    ) -> str:
        return self.send("orders.approved", {"order_id": order_id, "reference": "LT1",
                         "applicant_id": "acct-a", "item_code": item, "approved_at": at.isoformat(),
                         "applicant_name": name, "delivery": {"kind": "courier", "option_code": "courier-ems"},
                         "total_fen": 2500, "id_number_masked": None, "plate_number": None,
                         "sla_working_days": 3}, at)  # fmt: skip

    def dispatched(self, order_id: str, at: datetime, reship: bool = False) -> str:
        return self.send("fulfillment.dispatched", {"order_id": order_id, "reference": "LT1",
                         "carrier": "EMS", "waybill": "EA1CN", "reship": reship, "actor": "staff-d",
                         "dispatched_at": at.isoformat()}, at)  # fmt: skip

    def delivered(self, order_id: str, at: datetime) -> str:
        return self.send("fulfillment.delivered", {"order_id": order_id, "reference": "LT1",
                         "how": "courier", "waybill": "EA1CN", "actor": "courier",
                         "delivered_at": at.isoformat()}, at)  # fmt: skip

    def completed(
        self, order_id: str, at: datetime = NOW, applicant: str = "acct-a", item: str = ITEM
    ) -> str:
        return self.send("orders.completed", {"order_id": order_id, "reference": "LT1",
                         "item_code": item, "applicant_id": applicant, "completed_at": at.isoformat(),
                         "how": "confirmed"}, at)  # fmt: skip

    def whole_order(self, order_id: str | None = None, *, start: datetime = NOW - timedelta(days=14),
                    name: str | None = "张三", item: str = ITEM) -> str:  # fmt: skip
        order_id = order_id or str(uuid.uuid4())
        self.submitted(order_id, start, item=item)
        self.approved(order_id, start + timedelta(days=1), name=name, item=item)
        self.dispatched(order_id, start + timedelta(days=3))
        self.delivered(order_id, start + timedelta(days=4))
        self.completed(order_id, start + timedelta(days=5), item=item)
        return order_id


@pytest.fixture
def flow(ctx: Context) -> Flow:
    return Flow(Dispatcher("ratings", HANDLERS, ctx.uow, max_attempts=3))


GOOD = {"level": 5, "tags": ["efficient", "fast_delivery"],
        "scores": {"speed": 5, "service": 5, "delivery": 4}, "comment": "很快，点赞"}  # fmt: skip
BAD = {"level": 1, "tags": ["slow"], "scores": {"speed": 1, "service": 2, "delivery": 1},
       "comment": "等了很久"}  # fmt: skip


@pytest.fixture
def rate(client: FlaskClient) -> Callable[..., Any]:
    def post(
        order_id: str, body: dict[str, Any] | None = None, headers: dict[str, str] = APPLICANT_A
    ) -> Any:
        return client.post(f"/orders/{order_id}/rating", json=body or GOOD, headers=headers)

    return post
