"""Fixtures for verification's service tests.

API and handler tests run against a real PostgreSQL database (one fresh
database per test session, migrated with verification's own migrations,
emptied between tests) and a real storage directory per test; the database,
the frozen clock and the in-memory bus come from common's pytest plugin. Cases are
opened the way production opens them: orders' events through the common
Dispatcher. Every picture is drawn with Pillow (tests/pictures.py).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from common.auth import issue_token
from common.clock import FrozenClock
from common.db import UnitOfWork, unit_of_work_factory
from common.events.consumer import Dispatcher, Outcome
from common.events.envelope import Envelope
from common.pytest_plugin import FROZEN_AT, service_database_fixtures
from common.settings import CommonSettings
from common.testing import table_snapshot
from verification.app import create_app
from verification.handlers import handlers_for
from verification.migrate import upgrade
from verification.sealing import AnswerSeal
from verification.settings import Settings
from verification.storage import keyring

from ..pictures import drawing, encode

SECRET = "verification-test-secret"
NOW = FROZEN_AT  # the frozen_clock fixture's time
TABLES = ("audit_entries", "case_checks", "documents", "cases", "outbox", "inbox")
KEY = Fernet.generate_key().decode()
SEAL = AnswerSeal(keyring((KEY,)))
HANDLERS = handlers_for(SEAL)  # as the worker builds them with KEY
APPLICANT = "applicant-1"
DOCUMENTS = ("id_card_front", "id_card_back", "selfie_with_id_card")
TITLES = {
    "id_card_front": {"zh": "居民身份证人像面", "en": "ID card, photo side"},
    "id_card_back": {"zh": "居民身份证国徽面", "en": "ID card, national emblem side"},
    "selfie_with_id_card": {"zh": "本人手持身份证照片", "en": "Selfie holding your ID card"},
    "vehicle_photo": {"zh": "车辆照片", "en": "Photo of the vehicle"},
}

ID_NUMBER = "110101199003071234"
ANSWERS = [
    {
        "name": "full_name",
        "type": "text",  # as the catalog declares it
        "label": {"zh": "姓名", "en": "Full name"},
        "value": "Wang Fang",
    },
    {
        "name": "id_number",
        "type": "id_number",
        "label": {"zh": "身份证号码", "en": "ID card number"},
        "value": ID_NUMBER,
    },
]


# --- the database --------------------------------------------------------------


# The session's migrated database, an engine on it, that engine with TABLES emptied
# before each test, and the frozen clock: common's pytest plugin makes them.
database_url, engine, db, clock = service_database_fixtures(upgrade, "verification_test", TABLES)


@pytest.fixture
def uow_factory(db: Engine, clock: FrozenClock) -> Callable[[], UnitOfWork]:
    return unit_of_work_factory(db, "verification", clock)


@pytest.fixture
def snapshot(db: Engine, storage_dir: Path) -> Callable[[], dict[str, Any]]:
    """Every row of every table and every stored file, to prove a refusal wrote nothing."""

    def take() -> dict[str, Any]:
        return {**table_snapshot(db, TABLES), "files": stored_files(storage_dir)}

    return take


# --- files -----------------------------------------------------------------------


@pytest.fixture
def storage_dir(tmp_path: Path) -> Path:
    return tmp_path / "files"


def stored_files(root: Path) -> dict[str, bytes]:
    """Every stored picture file (relative path → its bytes on disk)."""
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and len(path.parent.name) == 2
    }


# --- the web app ---------------------------------------------------------------


def make_settings(
    database_url: str,
    storage_dir: Path,
    *,
    keys: tuple[str, ...] = (KEY,),
    bus_url: str = "memory://",
    **overrides: Any,
) -> Settings:
    return Settings(
        common=CommonSettings(
            service="verification",
            database_url=database_url,
            bus_url=bus_url,
            bus_prefix="verification-test",
            internal_token_secret=SECRET,
            log_format="text",
            consumer_prefetch=50,
            max_attempts=3,
            retry_delays_ms=(10,),
            relay_batch_size=100,
            relay_idle_seconds=0.05,
        ),
        storage_dir=storage_dir,
        encryption_keys=keys,
        bus_check_timeout=2.0,
        **overrides,
    )


@pytest.fixture
def settings_for() -> Callable[..., Settings]:
    return make_settings


@pytest.fixture
def app(db: Engine, database_url: str, storage_dir: Path, clock: FrozenClock) -> Iterator[Flask]:
    app = create_app(make_settings(database_url, storage_dir), clock=clock)
    yield app
    app.extensions["verification.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def bearer(roles: list[str], *, subject: str = APPLICANT, **options: Any) -> dict[str, str]:
    token = issue_token(
        options.pop("secret", SECRET),
        subject=subject,
        roles=roles,
        audience=options.pop("audience", "verification"),
        **options,
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def headers() -> Callable[..., dict[str, str]]:
    """headers("reviewer", subject="staff-1") → a signed internal token for those roles."""
    return lambda *roles, **options: bearer(list(roles), **options)


class Uploader:
    """Sends pictures the way the gateway will: multipart, field `file`."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def put(
        self,
        order_id: str,
        code: str,
        data: bytes,
        *,
        name: str = "photo.jpg",
        content_type: str = "image/jpeg",
        subject: str = APPLICANT,
        roles: tuple[str, ...] = ("applicant",),
    ) -> Any:
        return self.client.put(
            f"/cases/{order_id}/documents/{code}",
            data={"file": (io.BytesIO(data), name, content_type)},
            content_type="multipart/form-data",
            headers=bearer(list(roles), subject=subject),
        )

    def uploaded(self, order_id: str, code: str, data: bytes, **options: Any) -> dict[str, Any]:
        answer = self.put(order_id, code, data, **options)
        assert answer.status_code == 201, answer.json
        return answer.json  # type: ignore[no-any-return]

    def get(self, path: str, *, subject: str = APPLICANT, roles: tuple[str, ...] = ("applicant",)):
        return self.client.get(path, headers=bearer(list(roles), subject=subject))

    def delete(
        self,
        order_id: str,
        code: str,
        *,
        subject: str = APPLICANT,
        roles: tuple[str, ...] = ("applicant",),
    ) -> Any:
        return self.client.delete(
            f"/cases/{order_id}/documents/{code}", headers=bearer(list(roles), subject=subject)
        )


@pytest.fixture
def uploads(client: FlaskClient) -> Uploader:
    return Uploader(client)


# --- orders' events ----------------------------------------------------------------


class Orders:
    """Sends orders' events through verification's handlers, as the worker would."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.sent: list[Envelope] = []

    def send(self, event_type: str, order_id: str, **data: Any) -> Outcome:
        envelope = Envelope(
            type=event_type,
            producer="orders",
            data={"order_id": order_id, "reference": f"LT-{order_id[:8]}", **data},
            correlation_id=order_id,
        )
        self.sent.append(envelope)
        return self.dispatcher.handle(envelope.to_json(), 0)

    def draft(
        self,
        order_id: str | None = None,
        *,
        applicant: str = APPLICANT,
        documents: tuple[str, ...] = DOCUMENTS,
    ) -> str:
        order_id = order_id or str(uuid.uuid4())
        outcome = self.send(
            "orders.draft_created",
            order_id,
            applicant_id=applicant,
            item_code="driving-licence-replacement",
            required_documents=[{"code": code, "title": TITLES[code]} for code in documents],
        )
        assert outcome.action == "ack", outcome
        return order_id

    def awaiting_payment(self, order_id: str) -> Outcome:
        return self.send(
            "orders.awaiting_payment", order_id, total_fen=2500, pay_by="2026-03-02T01:30:00+00:00"
        )

    def submitted(
        self,
        order_id: str,
        applicant: str = APPLICANT,
        *,
        answers: list[dict[str, Any]] | None = None,
        sla_working_days: int = 3,
        submitted_at: str = "2026-03-02T01:10:00+00:00",
    ) -> Outcome:
        return self.send(
            "orders.submitted",
            order_id,
            applicant_id=applicant,
            item_code="driving-licence-replacement",
            total_fen=2500,
            submitted_at=submitted_at,
            sla_working_days=sla_working_days,
            answers=ANSWERS if answers is None else answers,
        )

    def closed(self, order_id: str, how: str = "orders.cancelled") -> Outcome:
        extra = {"from_status": "draft", "reason": "changed my mind", "actor": APPLICANT}
        return self.send(how, order_id, **(extra if how == "orders.cancelled" else {}))


@pytest.fixture
def orders(uow_factory: Callable[[], UnitOfWork]) -> Orders:
    return Orders(Dispatcher("verification", HANDLERS, uow_factory, max_attempts=3))


# --- pictures ------------------------------------------------------------------------


@pytest.fixture
def photo() -> Callable[..., bytes]:
    """photo(seed=3) → a JPEG of 1024×768; photo(fmt="PNG", width=..., height=...)."""

    def make(
        seed: int = 0, *, width: int = 1024, height: int = 768, fmt: str = "JPEG", **options: Any
    ) -> bytes:
        return encode(drawing(width, height, seed), fmt, **options)

    return make
