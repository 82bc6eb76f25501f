"""When a service is down the gateway says so (503), never a 500: the catalog for
the store, orders for the applicant's pages and API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask


def test_the_store_front_is_a_503_page_when_the_catalog_is_down(down_app: Flask) -> None:
    client = down_app.test_client()
    client.set_cookie("lang", "en")
    response = client.get("/")
    assert response.status_code == 503
    assert "text/html" in response.content_type
    assert "The service is unavailable at the moment. Try again later." in response.get_data(
        as_text=True
    )


def test_the_api_answers_a_503_problem_when_the_catalog_is_down(down_app: Flask) -> None:
    for path in ("/api/v1/items", "/api/v1/items/driving-licence", "/api/v1/store"):
        response = down_app.test_client().get(path)
        assert response.status_code == 503
        assert response.content_type == "application/problem+json"


def test_pages_that_need_no_catalog_still_work_when_it_is_down(down_app: Flask) -> None:
    assert down_app.test_client().get("/sign-in").status_code == 200
    assert down_app.test_client().get("/healthz").status_code == 200
    assert down_app.test_client().get("/readyz").status_code == 200


def test_my_applications_is_a_503_page_when_orders_is_down(
    down_app, make_applicant: Callable[..., Any], sign_in_page
) -> None:
    client = down_app.test_client()
    client.set_cookie("lang", "en")
    # Signing in needs only the gateway's own database.
    assert sign_in_page(client, make_applicant().label).status_code == 303
    answer = client.get("/applications")
    assert answer.status_code == 503
    assert "The service is unavailable at the moment." in answer.get_data(as_text=True)


def test_a_service_that_is_down_is_a_503_problem(down_app, make_applicant) -> None:
    client = down_app.test_client()
    token = client.post(
        "/api/v1/sessions",
        json={"identifier": make_applicant().label, "password": "a long enough password"},
    ).get_json()["token"]
    answer = client.get("/api/v1/applications", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 503
    assert answer.content_type == "application/problem+json"
