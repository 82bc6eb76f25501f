"""Fixtures for the catalog's service tests (unit tests in ../unit need none of these).

API and handler tests run against a real PostgreSQL database: one fresh
database per test session, migrated with the catalog's own migrations, and
emptied between tests. The database, the frozen
clock and the in-memory bus come from common's pytest plugin
(common/pytest_plugin.py, loaded because licensing-common is installed).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from catalog.app import create_app
from catalog.migrate import upgrade
from catalog.settings import Settings
from common.auth import issue_token
from common.clock import FrozenClock
from common.db import UnitOfWork, unit_of_work_factory
from common.pytest_plugin import service_database_fixtures
from common.settings import CommonSettings
from common.testing import table_snapshot

SECRET = "catalog-test-secret-of-at-least-32-bytes"

TABLES = ("items", "fee_versions", "store_rating", "counted_deals", "outbox", "inbox")


# --- the database ------------------------------------------------------------


# The session's migrated database, an engine on it, that engine with TABLES emptied
# before each test, and the frozen clock: common's pytest plugin makes them.
database_url, engine, db, clock = service_database_fixtures(upgrade, "catalog_test", TABLES)


@pytest.fixture
def uow_factory(db: Engine, clock: FrozenClock) -> Callable[[], UnitOfWork]:
    return unit_of_work_factory(db, "catalog", clock)


@pytest.fixture
def snapshot(db: Engine) -> Callable[[], dict[str, list[tuple[Any, ...]]]]:
    """Every row of every catalog table, to prove a refusal wrote nothing."""
    return lambda: table_snapshot(db, TABLES)


# --- the web app ---------------------------------------------------------------


def make_settings(database_url: str, bus_url: str = "memory://") -> Settings:
    return Settings(
        common=CommonSettings(
            service="catalog",
            database_url=database_url,
            bus_url=bus_url,
            bus_prefix="catalog-test",
            internal_token_secret=SECRET,
            log_format="text",
            consumer_prefetch=50,
            max_attempts=3,
            retry_delays_ms=(10,),
            relay_batch_size=100,
            relay_idle_seconds=0.05,
        ),
        bus_check_timeout=2.0,
    )


@pytest.fixture
def settings_for() -> Callable[..., Settings]:
    return make_settings


@pytest.fixture
def client(db: Engine, database_url: str, clock: FrozenClock) -> Iterator[FlaskClient]:
    app = create_app(make_settings(database_url), clock=clock)
    yield app.test_client()
    app.extensions["catalog.engine"].dispose()


def bearer(roles: list[str], *, subject: str = "account-1", **options: Any) -> dict[str, str]:
    token = issue_token(
        options.pop("secret", SECRET),
        subject=subject,
        roles=roles,
        audience=options.pop("audience", "catalog"),
        **options,
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def headers() -> Callable[..., dict[str, str]]:
    """headers("supervisor") → a signed internal token for those roles."""
    return lambda *roles, **options: bearer(list(roles), **options)


# --- factories -----------------------------------------------------------------


def _t(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


ITEM = {
    "code": "driving-licence-replacement",
    "title": _t("补领机动车驾驶证", "Replace a lost driving licence"),
    "description": _t("驾驶证遗失可在线补领。", "Replace a lost licence online."),
    "sla_working_days": 3,
    "required_documents": [
        {
            "code": "id_card_front",
            "title": _t("身份证人像面", "ID card, photo side"),
            "guidance": _t("四角完整。", "All four corners in view."),
        }
    ],
    "form_fields": [
        {"name": "full_name", "type": "text", "label": _t("姓名", "Full name"), "max_length": 30},
        {"name": "id_number", "type": "id_number", "label": _t("身份号码", "ID number")},
        {
            "name": "reason",
            "type": "choice",
            "label": _t("原因", "Reason"),
            "choices": [
                {"value": "lost", "label": _t("遗失", "Lost")},
                {"value": "damaged", "label": _t("损毁", "Damaged")},
            ],
        },
    ],
    "delivery_options": [
        {"code": "courier-ems", "kind": "courier", "title": _t("EMS", "EMS"), "carrier": "EMS"},
        {
            "code": "pickup-shinan",
            "kind": "pickup",
            "title": _t("市南自取", "Pick up in Shinan"),
            "office": {
                "name": _t("车管所市南大厅", "Shinan hall"),
                "address": _t("市南区某路 1 号", "1 Some Road, Shinan"),
                "hours": _t("工作日 9:00–17:00", "Weekdays 9:00–17:00"),
            },
        },
    ],
}

FEE = {
    "production_cost_fen": 1000,
    "courier_fee_fen": 1500,
    "approval_reference": "鲁价费发〔2017〕58号",
}


@pytest.fixture
def item_body() -> Callable[..., dict[str, Any]]:
    """A valid body for POST /items, with any top-level part overridden."""
    return lambda **overrides: {**copy.deepcopy(ITEM), **overrides}


@pytest.fixture
def fee_body() -> Callable[..., dict[str, Any]]:
    """A valid body for POST /items/<code>/fees, with any field overridden or dropped (None)."""

    def build(**overrides: Any) -> dict[str, Any]:
        body = {**FEE, **overrides}
        return {key: value for key, value in body.items() if value is not None}

    return build


class Store:
    """Puts items in the store through the staff API, as a supervisor would."""

    def __init__(self, client: FlaskClient, item_body: Callable[..., dict[str, Any]]) -> None:
        self.client = client
        self.item_body = item_body
        self.staff = bearer(["supervisor"], subject="staff-1")

    def draft(self, **overrides: Any) -> dict[str, Any]:
        answer = self.client.post("/items", json=self.item_body(**overrides), headers=self.staff)
        assert answer.status_code == 201, answer.json
        return answer.json  # type: ignore[no-any-return]

    def add_fee(self, code: str, **fee: Any) -> dict[str, Any]:
        answer = self.client.post(f"/items/{code}/fees", json={**FEE, **fee}, headers=self.staff)
        assert answer.status_code == 201, answer.json
        return answer.json  # type: ignore[no-any-return]

    def published(self, **overrides: Any) -> dict[str, Any]:
        code = self.draft(**overrides)["code"]
        self.add_fee(code)
        answer = self.client.post(f"/items/{code}/publish", headers=self.staff)
        assert answer.status_code == 200, answer.json
        return answer.json  # type: ignore[no-any-return]

    def withdrawn(self, **overrides: Any) -> dict[str, Any]:
        code = self.published(**overrides)["code"]
        answer = self.client.post(f"/items/{code}/withdraw", json={}, headers=self.staff)
        assert answer.status_code == 200, answer.json
        return answer.json  # type: ignore[no-any-return]


@pytest.fixture
def store(client: FlaskClient, item_body: Callable[..., dict[str, Any]]) -> Store:
    return Store(client, item_body)
