"""Who may call what: tokens are checked on every call, changes need a supervisor."""

from __future__ import annotations

import time

import pytest

STAFF_CALLS = [
    ("post", "/items", {"code": "x-item"}),
    ("patch", "/items/driving-licence-replacement", {"sla_working_days": 9}),
    ("post", "/items/driving-licence-replacement/fees", {"production_cost_fen": 1}),
    ("post", "/items/driving-licence-replacement/publish", None),
    ("post", "/items/driving-licence-replacement/withdraw", {}),
]


@pytest.mark.parametrize("role", ["public", "applicant", "reviewer"])
@pytest.mark.parametrize(("method", "path", "body"), STAFF_CALLS)
def test_only_a_supervisor_may_change_the_catalog(
    client, store, headers, snapshot, role, method, path, body
) -> None:
    store.published()
    before = snapshot()
    answer = getattr(client, method)(path, json=body, headers=headers(role))
    assert answer.status_code == 403
    assert answer.mimetype == "application/problem+json"
    assert "supervisor" in answer.json["detail"]
    assert snapshot() == before


def test_a_call_without_a_token_is_refused(client) -> None:
    answer = client.get("/items")
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"


def test_a_change_without_a_token_is_refused_and_writes_nothing(
    client, snapshot, item_body
) -> None:
    before = snapshot()
    assert client.post("/items", json=item_body()).status_code == 401
    assert snapshot() == before


def test_an_expired_token_is_refused(client, headers) -> None:
    expired = headers("supervisor", now=time.time() - 3600, ttl_seconds=60)
    answer = client.get("/items", headers=expired)
    assert answer.status_code == 401
    assert "expired" in answer.json["detail"]


def test_a_token_for_another_service_is_refused(client, headers) -> None:
    answer = client.get("/items", headers=headers("supervisor", audience="orders"))
    assert answer.status_code == 401
    assert "another service" in answer.json["detail"]


def test_a_token_signed_with_another_secret_is_refused(client, headers) -> None:
    answer = client.get(
        "/items", headers=headers("supervisor", secret="not-our-secret-though-at-least-32-bytes")
    )
    assert answer.status_code == 401


def test_the_operational_endpoints_need_no_token(client) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/openapi.json").status_code == 200
