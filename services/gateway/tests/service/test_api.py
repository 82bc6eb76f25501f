"""The public JSON API, /api/v1: problem+json on every error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from gateway.models import sessions
from gateway.services import token_hash

from .conftest import PASSWORD, unique_email, unique_mobile


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_lists_the_published_items_with_fees_in_fen_and_yuan(client: FlaskClient) -> None:
    items = client.get("/api/v1/items").get_json()
    assert len(items) == 3
    fee = items[0]["fee"]
    assert fee["total_fen"] == fee["production_fen"] + fee["delivery_fen"]
    assert fee["total_yuan"] == f"{fee['total_fen'] // 100}.{fee['total_fen'] % 100:02d}"
    assert {"zh", "en"} <= set(items[0]["title"])


def test_shows_one_item_with_what_you_need_and_delivery_options(client: FlaskClient) -> None:
    code = client.get("/api/v1/items").get_json()[0]["code"]
    item = client.get(f"/api/v1/items/{code}").get_json()
    assert item["code"] == code
    assert item["required_documents"]
    assert item["form_fields"]
    assert "pickup_offices" in item["delivery_options"]


def test_an_unknown_item_is_a_404_problem(client: FlaskClient) -> None:
    response = client.get("/api/v1/items/no-such-thing")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.get_json()["detail"] == "There is no such service."


def test_shows_the_store_totals(client: FlaskClient) -> None:
    store = client.get("/api/v1/store").get_json()
    assert set(store) == {"deal_count", "rating"}


def test_registers_an_account(client: FlaskClient) -> None:
    mobile = unique_mobile()
    response = client.post("/api/v1/accounts", json={"identifier": mobile, "password": PASSWORD})
    assert response.status_code == 201
    assert response.get_json()["identifier"] == mobile
    assert "password" not in response.get_json()


def test_a_second_registration_is_a_409_problem(client: FlaskClient) -> None:
    email = unique_email()
    client.post("/api/v1/accounts", json={"identifier": email, "password": PASSWORD})
    response = client.post(
        "/api/v1/accounts", json={"identifier": email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert "if you have an account, sign in" in response.get_json()["detail"]


def test_registration_names_every_bad_field(client: FlaskClient) -> None:
    response = client.post("/api/v1/accounts", json={"identifier": "nobody", "password": "short"})
    body = response.get_json()
    assert response.status_code == 422
    assert set(body["errors"]) == {"identifier", "password"}
    missing = client.post("/api/v1/accounts", json={})
    assert missing.status_code == 422
    assert set(missing.get_json()["errors"]) == {"identifier", "password"}


def test_signing_in_answers_a_bearer_token_whose_hash_only_is_stored(
    client: FlaskClient, make_applicant: Callable[..., Any], gateway_uow
) -> None:
    applicant = make_applicant()
    response = client.post(
        "/api/v1/sessions", json={"identifier": applicant.label, "password": PASSWORD}
    )
    body = response.get_json()
    assert response.status_code == 201
    assert body["token_type"] == "Bearer"
    with gateway_uow() as uow:
        stored = uow.session.execute(select(sessions.c.id_hash)).scalars().all()
    assert stored == [token_hash(body["token"])]
    me = client.get("/api/v1/accounts/current", headers=_bearer(body["token"]))
    assert me.get_json()["id"] == applicant.account_id


def test_a_wrong_password_is_a_401_problem(client: FlaskClient, make_applicant) -> None:
    response = client.post(
        "/api/v1/sessions",
        json={"identifier": make_applicant().label, "password": "wrong wrong wrong"},
    )
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"


def test_the_sixth_api_sign_in_attempt_is_a_429_problem(
    client: FlaskClient, make_applicant
) -> None:
    applicant = make_applicant()
    for _ in range(5):
        client.post("/api/v1/sessions", json={"identifier": applicant.label, "password": "x" * 12})
    response = client.post(
        "/api/v1/sessions", json={"identifier": applicant.label, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.get_json()["detail"]


def test_signing_out_stops_the_token_at_once(
    client: FlaskClient, make_applicant, api_token
) -> None:
    token = api_token(make_applicant().label)
    assert client.delete("/api/v1/sessions/current", headers=_bearer(token)).status_code == 204
    response = client.get("/api/v1/accounts/current", headers=_bearer(token))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_fee_changes_need_a_supervisor(
    client: FlaskClient, make_staff, make_applicant, api_token
) -> None:
    code = client.get("/api/v1/items").get_json()[0]["code"]
    body = {"production_fen": 1, "delivery_fen": 1, "approval_ref": "X"}
    anonymous = client.post(f"/api/v1/staff/items/{code}/fees", json=body)
    assert anonymous.status_code == 401
    reviewer = api_token(make_staff("reviewer").label)
    assert (
        client.post(
            f"/api/v1/staff/items/{code}/fees", json=body, headers=_bearer(reviewer)
        ).status_code
        == 403
    )
    applicant = api_token(make_applicant().label)
    assert client.get("/api/v1/staff/items", headers=_bearer(applicant)).status_code == 403


def test_a_fractional_or_negative_fee_is_a_422_naming_the_field(
    client: FlaskClient, make_staff, api_token
) -> None:
    token = api_token(make_staff("supervisor").label)
    code = client.get("/api/v1/items").get_json()[0]["code"]
    before = client.get(f"/api/v1/items/{code}").get_json()["fee"]
    response = client.post(
        f"/api/v1/staff/items/{code}/fees",
        json={"production_fen": 10.5, "delivery_fen": -1},
        headers=_bearer(token),
    )
    body = response.get_json()
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert set(body["errors"]) == {"production_fen", "delivery_fen", "approval_ref"}
    assert client.get(f"/api/v1/items/{code}").get_json()["fee"] == before


def test_the_openapi_document_lists_the_public_api(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/items",
        "/api/v1/items/{code}",
        "/api/v1/store",
        "/api/v1/accounts",
        "/api/v1/sessions",
        "/api/v1/sessions/current",
        "/api/v1/staff/items/{code}/fees",
    ):
        assert path in paths
