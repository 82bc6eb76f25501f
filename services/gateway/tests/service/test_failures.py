"""When the catalog is down the gateway says so (503), never a 500."""

from __future__ import annotations

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
