"""The staff desk: supervisors manage items and fees; nobody else may."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

Submit = Callable[..., Any]


def _first_code(client: FlaskClient) -> str:
    return str(client.get("/api/v1/items").get_json()[0]["code"])


def _supervisor(client: FlaskClient, make_staff, sign_in_page) -> None:  # type: ignore[no-untyped-def]
    supervisor = make_staff("supervisor")
    assert sign_in_page(client, supervisor.label, staff=True).status_code == 303


def test_the_staff_list_shows_every_item_with_its_status(
    client: FlaskClient, sign_in_page: Submit, make_staff
) -> None:
    _supervisor(client, make_staff, sign_in_page)
    client.set_cookie("lang", "en")
    html = client.get("/staff/items").get_data(as_text=True)
    assert html.count("<tr>") == 1 + len(client.get("/api/v1/items").get_json())
    assert "Change fee" in html


def test_a_fee_with_more_than_two_decimals_or_a_negative_amount_is_refused_naming_the_field(
    client: FlaskClient, submit: Submit, sign_in_page: Submit, make_staff
) -> None:
    code = _first_code(client)
    before = client.get(f"/api/v1/items/{code}").get_json()["fee"]
    _supervisor(client, make_staff, sign_in_page)
    client.set_cookie("lang", "en")
    response = submit(
        client,
        f"/staff/items/{code}/fee",
        {
            "production_yuan": "10.005",
            "delivery_yuan": "-1",
            "approval_ref": "",
            "effective_from": "",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        '<a href="#production_yuan">The “Production cost (yuan)” can have at most 2 decimal places'
        " (fen).</a>" in html
    )
    assert '<a href="#delivery_yuan">The “Courier fee (yuan)” cannot be negative.</a>' in html
    assert '<a href="#approval_ref">Enter the price approval reference.</a>' in html
    assert client.get(f"/api/v1/items/{code}").get_json()["fee"] == before


def test_a_fee_starting_in_the_past_is_refused(
    client: FlaskClient, submit: Submit, sign_in_page: Submit, make_staff
) -> None:
    code = _first_code(client)
    _supervisor(client, make_staff, sign_in_page)
    response = submit(
        client,
        f"/staff/items/{code}/fee",
        {
            "production_yuan": "1",
            "delivery_yuan": "1",
            "approval_ref": "X",
            "effective_from": "2020-01-01",
        },
    )
    assert response.status_code == 422
    assert 'href="#effective_from"' in response.get_data(as_text=True)


def test_a_reviewer_may_not_change_fees(
    client: FlaskClient, submit: Submit, sign_in_page: Submit, make_staff
) -> None:
    code = _first_code(client)
    reviewer = make_staff("reviewer")
    sign_in_page(client, reviewer.label, staff=True)
    assert client.get(f"/staff/items/{code}/fee").status_code == 403
    assert client.get("/staff/items").status_code == 403
    response = submit(
        client,
        "/staff",
        {"production_yuan": "1", "delivery_yuan": "1", "approval_ref": "X"},
        action=f"/staff/items/{code}/fee",
    )
    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_staff_sign_in(client: FlaskClient) -> None:
    response = client.get("/staff/items")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/sign-in?next=")


def test_an_applicant_is_sent_to_the_staff_sign_in(
    client: FlaskClient, sign_in_page: Submit, make_applicant
) -> None:
    sign_in_page(client, make_applicant().label)
    assert client.get("/staff/items").status_code == 302


def test_staff_sign_in_returns_to_the_page_asked_for(
    client: FlaskClient, submit: Submit, make_staff
) -> None:
    supervisor = make_staff("supervisor")
    response = submit(
        client,
        "/staff/sign-in?next=/staff/items",
        {
            "identifier": supervisor.label,
            "password": "a long enough password",
            "next": "/staff/items",
        },
        action="/staff/sign-in",
    )
    assert response.headers["Location"] == "/staff/items"
