"""The applicant's journey over HTTP, through the gateway's public API, with
gateway, catalog, orders and verification as real processes on RabbitMQ and
PostgreSQL: from a draft to a paid, submitted application."""

from __future__ import annotations

import uuid

import requests

from common.testing import eventually


def test_an_applicant_goes_from_draft_to_submitted_paying_after_a_declined_card(journey):
    applicant = journey.applicant()
    order_id = journey.ready_to_submit(applicant)
    order = journey.submit(applicant, order_id)
    assert order["status"] == "awaiting_payment"
    assert order["price"] == {**order["price"], "production_fen": 1000, "delivery_fen": 1500,
                              "total_fen": 2500, "locked": True}  # fmt: skip
    assert journey.submit(applicant, order_id)["id"] == order_id  # the same key: the first answer

    journey.pay(applicant, order_id, journey.DECLINED_CARD)
    declined = eventually(
        lambda: (o := applicant.application(order_id))["payment"]["status"] == "failed" and o
    )
    assert declined["status"] == "awaiting_payment"

    journey.pay(applicant, order_id, journey.APPROVED_CARD)
    submitted = eventually(
        lambda: (o := applicant.application(order_id))["status"] == "submitted" and o
    )
    assert submitted["payment"]["status"] == "authorised"
    timeline = applicant.call("GET", f"/applications/{order_id}/timeline", 200)["entries"]
    assert [entry["to_status"] for entry in timeline][-2:] == ["awaiting_payment", "submitted"]


def test_submitting_without_the_documents_is_refused_listing_what_is_missing(journey):
    applicant = journey.applicant()
    order = applicant.call(
        "POST", "/applications", 201, json={"item_code": journey.ITEM},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    refusal = requests.post(
        f"{applicant.base}/applications/{order['id']}/submit",
        headers={**applicant.headers, "Idempotency-Key": uuid.uuid4().hex}, timeout=30,
    )  # fmt: skip
    assert refusal.status_code == 409
    assert "id_card_front" in refusal.json()["errors"]["documents"]


def test_another_applicants_order_is_not_found(journey):
    applicant = journey.applicant()
    order = applicant.call(
        "POST", "/applications", 201, json={"item_code": journey.ITEM},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    stranger = journey.applicant()
    stranger.call("GET", f"/applications/{order['id']}", 404)
    answer = requests.put(
        f"{stranger.base}/applications/{order['id']}/documents/id_card_front",
        headers=stranger.headers, files={"file": ("a.jpg", journey.photo(9), "image/jpeg")}, timeout=30,
    )  # fmt: skip
    assert answer.status_code == 404
