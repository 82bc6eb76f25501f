"""The staff's changes to the catalog through the gateway, against the real
catalog: a fee in force at once, one dated in the future, withdrawing and
publishing, and the catalog's own refusal of a fee in the past."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask.testing import FlaskClient

from gateway.formatting import money

Submit = Callable[..., Any]


def _first_code(client: FlaskClient) -> str:
    return str(client.get("/api/v1/items").get_json()[0]["code"])


def _supervisor(client: FlaskClient, make_staff, sign_in_page) -> None:  # type: ignore[no-untyped-def]
    supervisor = make_staff("supervisor")
    assert sign_in_page(client, supervisor.label, staff=True).status_code == 303


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


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
    assert money(production_fen, "zh-CN") in store
    assert "¥16.50" in store
    item = client.get(f"/api/v1/items/{code}").get_json()
    assert item["fee"]["production_fen"] == production_fen
    assert item["fee"]["delivery_fen"] == 1650
    assert item["fee"]["approval_ref"] == "QD-PRICE-2026-77"


def test_a_supervisor_withdraws_an_item_and_publishes_it_again(
    client: FlaskClient, submit: Submit, sign_in_page: Submit, make_staff
) -> None:
    code = _first_code(client)
    _supervisor(client, make_staff, sign_in_page)
    # The list links to a page that asks first; a post without the answer withdraws nothing.
    asking = f"/staff/items/{code}/withdraw"
    assert f'href="{asking}"' in client.get("/staff/items").get_data(as_text=True)
    unconfirmed = submit(client, asking, {})
    assert unconfirmed.headers["Location"] == asking
    assert code in [item["code"] for item in client.get("/api/v1/items").get_json()]
    withdrawn = submit(client, asking, {"confirmed": "yes"})
    assert withdrawn.status_code == 303
    assert code not in [item["code"] for item in client.get("/api/v1/items").get_json()]
    assert client.get(f"/items/{code}").status_code in {200, 404}
    published = submit(client, "/staff/items", {}, action=f"/staff/items/{code}/publish")
    assert published.status_code == 303
    assert code in [item["code"] for item in client.get("/api/v1/items").get_json()]


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


def test_a_supervisor_adds_a_fee_version_through_the_api(
    client: FlaskClient, make_staff, api_token
) -> None:
    token = api_token(make_staff("supervisor").label)
    code = client.get("/api/v1/staff/items", headers=_bearer(token)).get_json()[0]["code"]
    response = client.post(
        f"/api/v1/staff/items/{code}/fees",
        json={"production_fen": 1234, "delivery_fen": 1500, "approval_ref": "QD-2026-9"},
        headers=_bearer(token),
    )
    assert response.status_code == 201
    assert response.get_json()["fee"]["production_fen"] == 1234
    assert client.get(f"/api/v1/items/{code}").get_json()["fee"]["production_yuan"] == "12.34"


def test_a_fee_in_the_past_is_refused_by_the_catalog_naming_the_field(
    client: FlaskClient, make_staff, api_token
) -> None:
    token = api_token(make_staff("supervisor").label)
    code = client.get("/api/v1/items").get_json()[0]["code"]
    response = client.post(
        f"/api/v1/staff/items/{code}/fees",
        json={
            "production_fen": 1,
            "delivery_fen": 1,
            "approval_ref": "X",
            "effective_from": "2020-01-01T00:00:00+08:00",
        },
        headers=_bearer(token),
    )
    assert response.status_code == 422
    assert "effective_from" in response.get_json()["errors"]
