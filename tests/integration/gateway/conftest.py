"""Fixtures for the gateway's tests against the real catalog, orders and verification.

The gateway runs in-process (Flask's test client, exactly as a browser or an
API client would reach it) on its own PostgreSQL database (one per test
session, migrated, emptied between tests). The real catalog, orders and
verification each run on their own fresh PostgreSQL database, served over
HTTP by werkzeug in a thread. The orders and verification workers run in
background threads on one shared in-memory bus, so events flow between them
as they do on RabbitMQ; the orders worker also delivers the sandbox payment
provider's webhooks. What is asynchronous is awaited with `eventually`, never
by sleeping. The gateway's own tests (services/gateway/tests) need none of
the siblings: these are the journeys that cross them.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from catalog.app import create_app as create_catalog_app
from catalog.migrate import upgrade as migrate_catalog
from catalog.seed import run as seed_catalog
from catalog.settings import Settings as CatalogSettings
from common.db import make_engine
from common.events.memory import MemoryBus
from common.settings import Env
from common.testing import free_port, migrated_database, truncate
from common.testing_http import serve_in_thread
from gateway import services
from gateway.app import create_app
from gateway.migrate import upgrade as migrate_gateway
from gateway.settings import Settings
from orders.app import create_app as create_orders_app
from orders.migrate import upgrade as migrate_orders
from orders.settings import Settings as OrdersSettings
from orders.worker import build_worker as build_orders_worker
from verification.app import create_app as create_verification_app
from verification.migrate import upgrade as migrate_verification
from verification.settings import Settings as VerificationSettings
from verification.worker import build_worker as build_verification_worker

from .journeys import ApiApplicant, Browser
from .office import Office
from .review_steps import StaffBrowser

# Orders runs in this process and seals the form's answers (orders.sealing).
os.environ.setdefault("ORDERS_ENCRYPTION_KEYS", Fernet.generate_key().decode())

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


# --- the real catalog --------------------------------------------------------


@pytest.fixture(scope="session")
def catalog_url() -> Iterator[str]:
    """The catalog service, seeded with its three items, on a free port."""
    with migrated_database(migrate_catalog, "gw_catalog") as url:
        seed_catalog(url)
        settings = CatalogSettings.from_env(
            Env(
                {
                    "CATALOG_DATABASE_URL": url,
                    "BUS_URL": "memory://",
                    "INTERNAL_TOKEN_SECRET": SECRET,
                    "LOG_FORMAT": "text",
                }
            )
        )
        served, stop = serve_in_thread(create_catalog_app(settings))
        try:
            yield served
        finally:
            stop()


@pytest.fixture(scope="session")
def bus() -> MemoryBus:
    """The one bus the services' workers share, as they share RabbitMQ."""
    return MemoryBus(prefix="gateway-tests")


def _service_env(**values: str) -> Env:
    return Env(
        {
            "BUS_URL": "memory://",
            "INTERNAL_TOKEN_SECRET": SECRET,
            "LOG_FORMAT": "text",
            "BUS_RETRY_DELAYS_MS": "200",
            "RELAY_IDLE_SECONDS": "0.05",
            **values,
        }
    )


@pytest.fixture(scope="session")
def orders_url(catalog_url: str, bus: MemoryBus) -> Iterator[str]:
    """The orders service and its worker (outbox, verification's verdicts, timers and
    the sandbox provider's webhooks, delivered over HTTP to the app below)."""
    with migrated_database(migrate_orders, "gw_orders") as url:
        port = free_port()
        settings = OrdersSettings.from_env(
            _service_env(
                ORDERS_DATABASE_URL=url,
                CATALOG_URL=catalog_url,
                ORDERS_URL=f"http://127.0.0.1:{port}",
                SANDBOX_WEBHOOK_DELAY_SECONDS="0.1",
                SANDBOX_WEBHOOK_INTERVAL_SECONDS="0.1",
                SERVICE_TIMEOUT_SECONDS="10",
            )
        )
        app = create_orders_app(settings)
        served, stop = serve_in_thread(app, port)
        worker = build_orders_worker(settings, transport=bus).start_in_background()
        try:
            yield served
        finally:
            worker.stop()
            stop()
            app.extensions["orders.engine"].dispose()


@pytest.fixture(scope="session")
def verification_url(bus: MemoryBus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The verification service and its worker (cases follow orders' events)."""
    with migrated_database(migrate_verification, "gw_verification") as url:
        settings = VerificationSettings.from_env(
            _service_env(
                VERIFICATION_DATABASE_URL=url,
                VERIFICATION_STORAGE_DIR=str(tmp_path_factory.mktemp("verification-files")),
                VERIFICATION_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
            )
        )
        app = create_verification_app(settings)
        served, stop = serve_in_thread(app)
        worker = build_verification_worker(settings, transport=bus).start_in_background()
        try:
            yield served
        finally:
            worker.stop()
            stop()
            app.extensions["verification.engine"].dispose()


# --- the gateway -------------------------------------------------------------


@pytest.fixture(scope="session")
def gateway_database_url() -> Iterator[str]:
    with migrated_database(migrate_gateway, "gw_test") as url:
        yield url


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
    orders_url: str,
    verification_url: str,
    clock: ShiftedClock,
) -> Iterator[Flask]:
    settings = gateway_settings(gateway_database_url, catalog_url, orders_url, verification_url)
    app = create_app(settings, clock=clock)
    yield app
    app.extensions["gateway.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# --- factories -----------------------------------------------------------------


def unique_email(stem: str = "person") -> str:
    return f"{stem}{next(_serial)}@example.cn"


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


# --- who is calling: an applicant or staff member through the API or the pages


@pytest.fixture
def applicant(client: FlaskClient, make_applicant, api_token) -> ApiApplicant:
    """A new applicant calling /api/v1 with a bearer token."""
    return ApiApplicant(client, api_token(make_applicant().label))


@pytest.fixture
def browser(client: FlaskClient, make_applicant, sign_in_page) -> Browser:
    """A new applicant signed in to the pages, in English."""
    applicant = make_applicant()
    assert sign_in_page(client, applicant.label).status_code == 303
    client.set_cookie("lang", "en")
    return Browser(client)


@pytest.fixture
def sign_in_staff(client: FlaskClient, make_staff, sign_in_page) -> Callable[..., StaffBrowser]:
    """Sign a new staff member with these roles in to the console, in English."""

    def sign_in(*roles: str) -> StaffBrowser:
        member = make_staff(*roles)
        assert sign_in_page(client, member.label, staff=True).status_code == 303
        client.set_cookie("lang", "en")
        return StaffBrowser(client)

    return sign_in


@pytest.fixture
def staff_api(client: FlaskClient, make_staff, api_token) -> Callable[..., ApiApplicant]:
    """A staff member's API client (the same call helper as an applicant's)."""

    def make(*roles: str) -> ApiApplicant:
        return ApiApplicant(client, api_token(make_staff(*roles).label))

    return make


@pytest.fixture
def office(verification_url: str) -> Office:
    """A reviewer speaking straight to the verification service."""
    return Office(verification_url)
