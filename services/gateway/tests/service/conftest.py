"""Fixtures for the gateway's service tests (unit tests in ../unit need none of these).

The gateway's own PostgreSQL database is real: one per test session (common's
pytest plugin, `migrated_postgres`), migrated with the gateway's migrations,
emptied between tests. The catalog is a fake answering the real catalog's own
JSON for its seeded items (fake_catalog.py, checked against the catalog by
tests/integration/test_gateway_fake_catalog.py); orders and verification are
an address where nothing listens. So these tests need only the gateway and
libs/common installed; the journey through orders and verification, and the
staff's changes to the catalog, are tested against the real services in
tests/integration/gateway. Tests talk to the gateway through Flask's test
client, exactly as a browser or an API client would.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from common.db import UnitOfWork, make_engine, make_session_factory
from common.pytest_plugin import MigratedPostgres
from common.settings import Env
from common.testing import free_port, truncate
from common.testing_http import serve_in_thread
from gateway import services
from gateway.app import create_app
from gateway.migrate import upgrade as migrate_gateway
from gateway.settings import Settings

from .fake_catalog import create_fake_catalog

SECRET = "gateway-tests-internal-secret"
PASSWORD = "a long enough password"
TABLES = ("sign_in_failures", "sessions", "account_roles", "accounts")
_serial = itertools.count(1)


class ShiftedClock:
    """Real time, which a test can move forward (the 15-minute window)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


# --- the catalog, as its published answers ------------------------------------


@pytest.fixture(scope="session")
def catalog_url() -> Iterator[str]:
    """The fake catalog (fake_catalog.py) on a free port: the real catalog's JSON."""
    served, stop = serve_in_thread(create_fake_catalog(SECRET))
    try:
        yield served
    finally:
        stop()


@pytest.fixture(scope="session")
def nowhere() -> str:
    """Where orders and verification would answer: nothing listens there. The pages
    tested here need neither; those that do are tested in tests/integration/gateway."""
    return f"http://127.0.0.1:{free_port()}"


# --- the gateway -------------------------------------------------------------


@pytest.fixture(scope="session")
def gateway_database_url(migrated_postgres: MigratedPostgres) -> str:
    return migrated_postgres(migrate_gateway, "gw_test")


@pytest.fixture(scope="session")
def gateway_engine(gateway_database_url: str) -> Iterator[Engine]:
    engine = make_engine(gateway_database_url, pool_size=2, max_overflow=2)
    yield engine
    engine.dispose()


@pytest.fixture
def clean_database(gateway_engine: Engine) -> Engine:
    return truncate(gateway_engine, TABLES)


def gateway_settings(
    database_url: str,
    catalog_url: str,
    orders_url: str,
    verification_url: str,
    **overrides: str,
) -> Settings:
    values = {
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_SECRET_KEY": "gateway-tests-secret-key-0123456789",
        "CATALOG_URL": catalog_url,
        "ORDERS_URL": orders_url,
        "VERIFICATION_URL": verification_url,
        "INTERNAL_TOKEN_SECRET": SECRET,
        "SESSION_COOKIE_SECURE": "false",
        "LOG_FORMAT": "text",
        "SERVICE_TIMEOUT_SECONDS": "10",  # generous: the test machine is shared and slow at times
        **overrides,
    }
    return Settings.from_env(Env(values))


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture
def app(
    clean_database: Engine,
    gateway_database_url: str,
    catalog_url: str,
    nowhere: str,
    clock: ShiftedClock,
) -> Iterator[Flask]:
    settings = gateway_settings(gateway_database_url, catalog_url, nowhere, nowhere)
    app = create_app(settings, clock=clock)
    yield app
    app.extensions["gateway.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def down_app(clean_database: Engine, gateway_database_url: str) -> Iterator[Flask]:
    """A gateway whose services are all down: nothing listens at their address."""
    dead = f"http://127.0.0.1:{free_port()}"
    settings = gateway_settings(gateway_database_url, dead, dead, dead, SERVICE_READ_RETRIES="1")
    app = create_app(settings)
    yield app
    app.extensions["gateway.engine"].dispose()


# --- factories -----------------------------------------------------------------


def unique_email(stem: str = "person") -> str:
    return f"{stem}{next(_serial)}@example.cn"


def unique_mobile() -> str:
    return f"139{next(_serial):08d}"


@pytest.fixture
def make_applicant(app: Flask) -> Callable[..., services.Principal]:
    def make(identifier: str | None = None, password: str = PASSWORD) -> services.Principal:
        gw = app.extensions["gateway"]
        return services.register_applicant(
            gw.uow(), gw.hasher, identifier=identifier or unique_email(), password=password
        )

    return make


@pytest.fixture
def make_staff(app: Flask) -> Callable[..., services.Principal]:
    def make(*roles: str, email: str | None = None, password: str = PASSWORD) -> services.Principal:
        gw = app.extensions["gateway"]
        return services.create_staff(
            gw.uow(),
            gw.hasher,
            email=email or unique_email("staff"),
            password=password,
            roles=list(roles or ("supervisor",)),
        )

    return make


@pytest.fixture
def gateway_uow(app: Flask) -> Callable[[], UnitOfWork]:
    sessions = make_session_factory(app.extensions["gateway.engine"])
    return lambda: UnitOfWork(sessions, "gateway")


# --- speaking to pages -----------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_from(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@pytest.fixture
def submit() -> Callable[..., Any]:
    """Open the page with the form, then post it with the page's CSRF token."""

    def post(
        client: FlaskClient, page: str, data: dict[str, str], action: str | None = None
    ) -> Any:
        token = csrf_from(client.get(page).get_data(as_text=True))
        return client.post(action or page, data={**data, "csrf_token": token})

    return post


@pytest.fixture
def sign_in_page(submit: Callable[..., Any]) -> Callable[..., Any]:
    def sign_in(
        client: FlaskClient, identifier: str, password: str = PASSWORD, staff: bool = False
    ) -> Any:
        page = "/staff/sign-in" if staff else "/sign-in"
        return submit(client, page, {"identifier": identifier, "password": password})

    return sign_in


@pytest.fixture
def api_token(client: FlaskClient) -> Callable[..., str]:
    def token(identifier: str, password: str = PASSWORD) -> str:
        response = client.post(
            "/api/v1/sessions", json={"identifier": identifier, "password": password}
        )
        assert response.status_code == 201, response.get_json()
        return str(response.get_json()["token"])

    return token
