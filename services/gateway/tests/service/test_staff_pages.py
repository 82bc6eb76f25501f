"""The staff desk: supervisors manage items and fees; nobody else may."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask.testing import FlaskClient

from gateway.domain import format_yuan

Submit = Callable[..., Any]


def _first_code(client: FlaskClient) -> str:
    return str(client.get("/api/v1/items").get_json()[0]["code"])


def _supervisor(client: FlaskClient, make_staff, sign_in_page) -> None:  # type: ignore[no-untyped-def]
    supervisor = make_staff("supervisor")
    assert sign_in_page(client, supervisor.label, staff=True).status_code == 303


def test_a_supervisor_changes_a_fee_and_the_store_shows_the_new_price(
    client: FlaskClient, submit: Submit, sign_in_page: Submit, make_staff
) -> None:
    code = _first_code(client)
    _supervisor(client, make_staff, sign_in_page)
    production_fen = 1000 + (hash(code) % 500) + 1  # a price no seed has
    response = submit(
        client,
        f"/staff/items/{code}/fee",
        {
            "production_yuan": f"{production_fen // 100}.{production_fen % 100:02d}",
            "delivery_yuan": "16.5",
            "approval_ref": "QD-PRICE-2026-77",
            "effective_from": "",
        },
    )
    assert response.status_code == 303
    assert "notice.fee_saved" in response.headers["Location"]
    store = client.get("/").get_data(as_text=True)
    assert format_yuan(production_fen) in store
    assert "¥16.50" in store
    item = client.get(f"/api/v1/items/{code}").get_json()
    assert item["fee"]["production_fen"] == production_fen
    assert item["fee"]["delivery_fen"] == 1650
    assert item["fee"]["approval_ref"] == "QD-PRICE-2026-77"


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
        '<a href="#production_yuan">The amount can have at most 2 decimal places (fen).</a>' in html
    )
    assert '<a href="#delivery_yuan">The amount cannot be negative.</a>' in html
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


def test_a_supervisor_withdraws_an_item_and_publishes_it_again(
    client: FlaskClient, submit: Submit, sign_in_page: Submit, make_staff
) -> None:
    code = _first_code(client)
    _supervisor(client, make_staff, sign_in_page)
    withdrawn = submit(client, "/staff/items", {}, action=f"/staff/items/{code}/withdraw")
    assert withdrawn.status_code == 303
    assert code not in [item["code"] for item in client.get("/api/v1/items").get_json()]
    assert client.get(f"/items/{code}").status_code in {200, 404}
    published = submit(client, "/staff/items", {}, action=f"/staff/items/{code}/publish")
    assert published.status_code == 303
    assert code in [item["code"] for item in client.get("/api/v1/items").get_json()]


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


def test_a_fee_dated_in_the_future_is_shown_as_upcoming(
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
            "production_yuan": "77.70",
            "delivery_yuan": "7",
            "approval_ref": "QD-FUTURE-1",
            "effective_from": "2099-01-01",
        },
    )
    assert response.status_code == 303
    item = client.get(f"/api/v1/items/{code}").get_json()
    assert item["fee"] == before
    assert item["upcoming_fee"]["production_fen"] == 7770
    starts = datetime.fromisoformat(item["upcoming_fee"]["effective_from"])
    assert starts == datetime.fromisoformat("2099-01-01T00:00:00+08:00")
    assert "New fee from 2099-01-01" in client.get(f"/items/{code}").get_data(as_text=True)
