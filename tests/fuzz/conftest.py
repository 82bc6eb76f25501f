"""The system the fuzz tests call: every service in this process on PostgreSQL.

Each service has a fresh database, migrated and seeded with the demo data
(the catalog's items on sale, a staff account for every role, an applicant);
the workers run on the in-memory bus, and every app is served over HTTP so
that the gateway reaches the others as it does when deployed. The fuzzer
calls each app in-process (WSGI), which is several times faster than over a
socket and runs the same code.

The applicant opens an application before any fuzzing starts, so operations
on an order have a real one to reach.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from common.testing import eventually

from ..in_process import ServiceApps, internal_headers, service_apps

DEMO_PASSWORD = "demo-password-2026"  # gateway.seed's, printed by `make run`
DEMO_APPLICANT = "13800138000"
STAFF_ROLES = ("reviewer", "production", "dispatcher", "supervisor")
ITEM_ON_SALE = "driving-licence-replacement"
ITEM_CODES = ("driving-licence-replacement", "licence-plate-replacement")
DOCUMENT_CODES = ("id_card_front", "selfie_with_id_card")


@dataclass
class FuzzSystem:
    running: ServiceApps
    applicant_id: str = ""
    gateway_tokens: dict[str, str] = field(default_factory=dict)  # identity -> session token
    order_id: str = ""
    _throwaway: Iterator[int] = field(default_factory=itertools.count)

    @property
    def apps(self) -> dict[str, Flask]:
        return self.running.apps

    def internal(self, service: str, identity: str) -> dict[str, str]:
        """Headers as the gateway signs them for `identity` (applicant or a staff role)."""
        if identity == "applicant":
            return internal_headers(
                self.running.secret, service, subject=self.applicant_id, roles=["applicant"]
            )
        return internal_headers(
            self.running.secret, service, subject=f"staff-{identity}", roles=[identity]
        )

    def bearer(self, identity: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.gateway_tokens[identity]}"}

    def throwaway_applicant(self) -> dict[str, str]:
        """A new applicant's session: for the operations that end a session or an account."""
        identifier = f"fuzz{next(self._throwaway)}-{uuid.uuid4().hex[:8]}@example.com"
        client = self.apps["gateway"].test_client()
        body = {"identifier": identifier, "password": DEMO_PASSWORD}
        created = client.post("/api/v1/accounts", json=body)
        assert created.status_code == 201, created.get_data(as_text=True)
        return {"Authorization": f"Bearer {_sign_in(self.apps['gateway'], identifier)}"}

    def path_hints(self) -> dict[str, tuple[str, ...]]:
        """Real values for path variables of these names: rows the fuzzer can reach."""
        return {
            "order_id": (self.order_id,),
            "code": (*ITEM_CODES, *DOCUMENT_CODES),
            "item_code": ITEM_CODES,
        }


def _sign_in(gateway: Flask, identifier: str) -> str:
    answer = gateway.test_client().post(
        "/api/v1/sessions", json={"identifier": identifier, "password": DEMO_PASSWORD}
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return str(answer.get_json()["token"])


def _open_application(gateway: Flask, bearer: dict[str, str]) -> str:
    """The applicant's draft; retried (same key) while the catalog is too slow to answer."""
    headers = {**bearer, "Idempotency-Key": str(uuid.uuid4())}
    body = {"item_code": ITEM_ON_SALE}

    def answered() -> Any:
        answer = gateway.test_client().post("/api/v1/applications", json=body, headers=headers)
        return answer if answer.status_code != 503 else None

    opened = eventually(answered, timeout=60, interval=1)
    assert opened.status_code == 201, opened.get_data(as_text=True)
    return str(opened.get_json()["id"])


@pytest.fixture(scope="session")
def fuzz_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzSystem]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    with service_apps(data_dir, postgres=True) as running:
        system = FuzzSystem(running)
        gateway = running.apps["gateway"]
        system.gateway_tokens["applicant"] = _sign_in(gateway, DEMO_APPLICANT)
        for role in STAFF_ROLES:
            system.gateway_tokens[role] = _sign_in(gateway, f"{role}@demo.example")
        me = gateway.test_client().get(
            "/api/v1/accounts/current", headers=system.bearer("applicant")
        )
        system.applicant_id = str(me.get_json()["id"])
        system.order_id = _open_application(gateway, system.bearer("applicant"))
        yield system
