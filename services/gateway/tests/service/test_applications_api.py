"""The applications API's parts the gateway answers alone: who is calling is asked
first, and the journey is in the OpenAPI document. The journey itself, through
orders and verification, is tested in tests/integration/gateway."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_no_token_is_a_401_before_anything_is_read(client: FlaskClient) -> None:
    for method, path in (("GET", "/applications"), ("POST", "/applications"),
                         ("POST", "/applications/x/payment/card")):  # fmt: skip
        answer = client.open(f"/api/v1{path}", method=method, json={})
        assert answer.status_code == 401, path
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_journey_is_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/applications",
        "/api/v1/applications/{order_id}",
        "/api/v1/applications/{order_id}/answers",
        "/api/v1/applications/{order_id}/delivery",
        "/api/v1/applications/{order_id}/documents",
        "/api/v1/applications/{order_id}/documents/{code}",
        "/api/v1/applications/{order_id}/documents/{code}/thumbnail",
        "/api/v1/applications/{order_id}/submit",
        "/api/v1/applications/{order_id}/payment",
        "/api/v1/applications/{order_id}/payment/card",
        "/api/v1/applications/{order_id}/cancel",
        "/api/v1/applications/{order_id}/timeline",
    ):
        assert path in paths, path
    upload = paths["/api/v1/applications/{order_id}/documents/{code}"]["put"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    start = paths["/api/v1/applications"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in start["parameters"])
