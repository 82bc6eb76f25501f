"""The store front across real processes: gateway → catalog over HTTP, catalog on RabbitMQ."""

from __future__ import annotations

import uuid

import requests

from common.processes import Stack
from common.testing import eventually

DRIVING_LICENCE = "driving-licence-replacement"


def _items(stack: Stack) -> dict[str, dict]:
    answer = requests.get(stack.url("gateway") + "/api/v1/items", timeout=10)
    assert answer.status_code == 200, answer.text
    return {item["code"]: item for item in answer.json()}


def _item(stack: Stack, code: str) -> dict:
    answer = requests.get(stack.url("gateway") + f"/api/v1/items/{code}", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_the_store_front_lists_the_three_services_with_their_approved_prices(stack):
    items = _items(stack)
    assert set(items) == {
        "driving-licence-replacement",
        "licence-plate-replacement",
        "annual-licence-verification",
    }
    fee = items[DRIVING_LICENCE]["fee"]
    assert fee["production_fen"] == 1000
    assert fee["approval_ref"]


def test_an_unknown_item_is_a_404_problem(stack):
    answer = requests.get(stack.url("gateway") + "/api/v1/items/no-such-item", timeout=10)
    assert answer.status_code == 404
    assert answer.headers["Content-Type"].startswith("application/problem+json")


def test_a_supervisors_fee_change_shows_in_the_store_and_is_published(
    stack, supervisor_token, broker
):
    listening = broker.listen("catalog.item_changed")
    answer = requests.post(
        stack.url("gateway") + "/api/v1/staff/items/licence-plate-replacement/fees",
        json={"production_fen": 12000, "delivery_fen": 2200, "approval_ref": "青价费〔2026〕9号"},
        headers={"Authorization": f"Bearer {supervisor_token}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    # Other gateway processes show it once their few-second cache entries expire.
    eventually(lambda: _item(stack, "licence-plate-replacement")["fee"]["production_fen"] == 12000)
    assert _item(stack, "licence-plate-replacement")["fee"]["delivery_fen"] == 2200
    event = broker.take(listening)
    assert event["type"] == "catalog.item_changed"
    assert event["data"]["code"] == "licence-plate-replacement"
    assert event["data"]["new_fee_version"]["production_cost_fen"] == 12000


def test_a_refused_fee_change_names_the_field_and_publishes_nothing(
    stack, supervisor_token, broker
):
    listening = broker.listen("catalog.#")
    answer = requests.post(
        stack.url("gateway") + f"/api/v1/staff/items/{DRIVING_LICENCE}/fees",
        json={"production_fen": -1, "delivery_fen": 1500, "approval_ref": "x"},
        headers={"Authorization": f"Bearer {supervisor_token}"},
        timeout=10,
    )
    assert answer.status_code == 422
    assert "production_fen" in answer.json()["errors"]
    assert _item(stack, DRIVING_LICENCE)["fee"]["production_fen"] == 1000
    assert broker.count(listening) == 0


def test_staff_endpoints_refuse_a_caller_without_a_token(stack):
    answer = requests.post(
        stack.url("gateway") + f"/api/v1/staff/items/{DRIVING_LICENCE}/withdraw", timeout=10
    )
    assert answer.status_code == 401


def test_each_completed_order_adds_one_deal_however_often_it_is_delivered(broker, catalog_item):
    def deals() -> int:
        return int(catalog_item(DRIVING_LICENCE)["deal_count"])

    before = deals()
    order_id = f"LT{uuid.uuid4().hex[:12]}"
    data = {"order_id": order_id, "item_code": DRIVING_LICENCE}
    event_id = broker.publish("orders.completed", data, correlation_id=order_id)
    broker.publish("orders.completed", data, event_id=event_id, correlation_id=order_id)
    broker.publish("orders.completed", data, correlation_id=order_id)  # a second report
    eventually(lambda: deals() == before + 1)
    other = f"LT{uuid.uuid4().hex[:12]}"
    broker.publish("orders.completed", {"order_id": other, "item_code": DRIVING_LICENCE})
    eventually(lambda: deals() == before + 2)


def test_a_rating_summary_reaches_the_store_front(stack, broker):
    """Through the gateway: other processes' caches expire within seconds."""
    broker.publish(
        "ratings.summary_changed",
        {
            "item_code": "annual-licence-verification",
            "average_milli": 4900,
            "count": 10,
            "store": {"average_milli": 4800, "count": 25},
        },
    )
    rating = eventually(
        lambda: (r := _item(stack, "annual-licence-verification")["rating"])["count"] == 10 and r
    )
    assert rating["average"] == 4.9


def test_a_malformed_event_is_dead_lettered_while_the_worker_keeps_going(
    stack, broker, catalog_item
):
    def deals() -> int:
        return int(catalog_item(DRIVING_LICENCE)["deal_count"])

    dead_letters = f"{stack.prefix}.catalog.dead"
    dead_before = broker.count(dead_letters)
    broker.publish_raw("orders.completed", b"{not json")
    broker.publish("orders.completed", {"item_code": DRIVING_LICENCE})  # no order_id
    deals_before = deals()
    broker.publish("orders.completed", {"order_id": uuid.uuid4().hex, "item_code": DRIVING_LICENCE})
    eventually(lambda: deals() == deals_before + 1)
    eventually(lambda: broker.count(dead_letters) == dead_before + 2)
    reasons = broker.dead_letter_reasons(dead_letters)
    assert any("JSON" in reason for reason in reasons)
    assert any("order_id" in reason for reason in reasons)
