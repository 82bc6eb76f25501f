"""The applicant's journey through /api/v1/applications on the real services:
problem+json from orders and verification passed on with their field errors."""

from __future__ import annotations

import uuid

from flask.testing import FlaskClient

from common.testing import eventually

from .journeys import (
    ANSWERS,
    DECLINED_CARD,
    GOOD_CARD,
    HTML_AS_JPEG,
    LICENCE,
    LICENCE_DOCUMENTS,
    ApiApplicant,
    fee_of,
    photo,
)


def test_an_applicant_goes_from_draft_to_submitted_paying_after_a_declined_card(
    applicant: ApiApplicant,
) -> None:
    order_id = applicant.ready_to_submit()
    first = applicant.submit(order_id)
    assert first.status_code == 200
    order = first.get_json()
    fee = fee_of(applicant.client)
    assert order["status"] == "awaiting_payment"
    assert order["price"] == {**order["price"], "production_fen": fee["production_fen"],
                              "delivery_fen": fee["delivery_fen"], "total_fen": fee["total_fen"],
                              "total_yuan": fee["total_yuan"], "locked": True}  # fmt: skip
    assert order["allowed_actions"] == ["cancel", "pay"]
    assert applicant.submit(order_id).get_json()["id"] == order_id  # the same key: the first answer

    assert applicant.pay(order_id, DECLINED_CARD).status_code == 202
    declined = eventually(
        lambda: (
            (p := applicant.call("GET", f"/applications/{order_id}/payment", 200).get_json())[
                "status"
            ]
            == "failed"
            and p
        )
    )
    assert declined["failure_reason"] == "card_declined"
    assert applicant.call("GET", f"/applications/{order_id}").get_json()["status"] == (
        "awaiting_payment"
    )

    processing = applicant.pay(order_id, GOOD_CARD)
    assert processing.status_code == 202
    assert processing.get_json()["status"] == "processing"
    assert processing.get_json()["card_last4"] == "4242"
    eventually(
        lambda: (
            applicant.call("GET", f"/applications/{order_id}").get_json()["status"] == "submitted"
        )
    )
    entries = applicant.call("GET", f"/applications/{order_id}/timeline", 200).get_json()["entries"]
    assert [e["to_status"] for e in entries][-2:] == ["awaiting_payment", "submitted"]
    listed = applicant.call("GET", "/applications", 200).get_json()["applications"]
    assert [a["id"] for a in listed] == [order_id]


def test_starting_twice_with_one_key_makes_one_draft(applicant: ApiApplicant) -> None:
    key = uuid.uuid4().hex
    assert applicant.start(key=key)["id"] == applicant.start(key=key)["id"]
    assert applicant.start()["status"] == "draft"


def test_a_write_without_an_idempotency_key_is_refused_naming_the_header(
    applicant: ApiApplicant,
) -> None:
    answer = applicant.call("POST", "/applications", json={"item_code": LICENCE})
    body = answer.get_json()
    assert answer.status_code == 400
    assert answer.content_type == "application/problem+json"
    assert body["type"] == "/problems/idempotency-key-required"
    assert "Idempotency-Key" in body["errors"]


def test_bad_answers_are_refused_naming_each_field_and_nothing_is_saved(
    applicant: ApiApplicant,
) -> None:
    order_id = applicant.start()["id"]
    answer = applicant.call(
        "PUT",
        f"/applications/{order_id}/answers",
        json={"answers": {**ANSWERS, "id_number": "123", "phone": "999"}},
    )
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == {"id_number", "phone"}
    assert applicant.call("GET", f"/applications/{order_id}").get_json()["answers"] == {}
    unknown = applicant.call("POST", "/applications", json={"item_code": "no-such-item"},
                             headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
    assert unknown.status_code == 422 and "item_code" in unknown.get_json()["errors"]


def test_a_bad_delivery_is_refused_naming_the_field(applicant: ApiApplicant) -> None:
    order_id = applicant.start()["id"]
    answer = applicant.call(
        "PUT",
        f"/applications/{order_id}/delivery",
        json={"kind": "courier", "address": {"recipient": "张三"}},
    )
    assert answer.status_code == 422
    assert "address.street" in answer.get_json()["errors"]
    bad_kind = applicant.call("PUT", f"/applications/{order_id}/delivery", json={"kind": "drone"})
    assert bad_kind.status_code == 422 and "kind" in bad_kind.get_json()["errors"]
    pickup = applicant.call(
        "PUT",
        f"/applications/{order_id}/delivery",
        200,
        json={"kind": "pickup", "office_code": "pickup-shinan"},
    ).get_json()
    assert pickup["delivery"]["office_code"] == "pickup-shinan"
    assert pickup["price"]["delivery_fen"] == 0 and pickup["price"]["locked"] is False


def test_an_html_file_named_jpg_is_refused_with_its_reason(applicant: ApiApplicant) -> None:
    order_id = applicant.start()["id"]
    answer = eventually(
        lambda: (
            (a := applicant.upload(order_id, "id_card_front", HTML_AS_JPEG)).status_code != 409
            and a
        )
    )
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == {"file": ["not-an-image"]}


def test_documents_list_what_is_uploaded_and_the_thumbnail_is_a_jpeg(
    applicant: ApiApplicant,
) -> None:
    order_id = applicant.start()["id"]
    eventually(
        lambda: applicant.upload(order_id, "selfie_with_id_card", photo(21)).status_code == 201
    )
    documents = applicant.call("GET", f"/applications/{order_id}/documents", 200).get_json()
    assert documents["complete"] is False
    assert {d["code"]: d["status"] for d in documents["documents"]} == {
        code: "uploaded" if code == "selfie_with_id_card" else "missing"
        for code in LICENCE_DOCUMENTS
    }
    picture = applicant.call(
        "GET", f"/applications/{order_id}/documents/selfie_with_id_card/thumbnail", 200
    )
    assert picture.mimetype == "image/jpeg" and picture.data[:2] == b"\xff\xd8"


def test_submitting_without_the_documents_is_a_409_listing_what_is_missing(
    applicant: ApiApplicant,
) -> None:
    order_id = applicant.start()["id"]
    refusal = applicant.submit(order_id)
    assert refusal.status_code == 409
    assert "id_card_front" in refusal.get_json()["errors"]["documents"]


def test_cancelling_a_draft_discards_it_and_a_second_cancel_is_a_409(
    applicant: ApiApplicant,
) -> None:
    order_id = applicant.start()["id"]
    cancelled = applicant.call(
        "POST", f"/applications/{order_id}/cancel", 200, json={"reason": "x"}
    )
    assert cancelled.get_json()["status"] == "discarded"
    again = applicant.call("POST", f"/applications/{order_id}/cancel", json={})
    assert again.status_code == 409
    assert again.content_type == "application/problem+json"


def test_another_applicants_application_is_not_found(
    client: FlaskClient, applicant: ApiApplicant, make_applicant, api_token
) -> None:
    order_id = applicant.start()["id"]
    stranger = ApiApplicant(client, api_token(make_applicant().label))
    assert stranger.call("GET", f"/applications/{order_id}").status_code == 404
    assert stranger.call("GET", f"/applications/{order_id}/timeline").status_code == 404
    assert stranger.upload(order_id, "id_card_front", photo(30)).status_code == 404
    assert stranger.call("GET", f"/applications/{order_id}/payment").status_code == 404


def test_an_upload_to_an_application_that_does_not_exist_is_not_found_not_a_retry(
    applicant: ApiApplicant,
) -> None:
    answer = applicant.upload(str(uuid.uuid4()), "id_card_front", photo(31))
    assert answer.status_code == 404


def test_an_unknown_field_inside_the_address_is_named_by_its_path(applicant: ApiApplicant) -> None:
    order_id = applicant.start()["id"]
    address = {"recipient": "张三", "phone": "13800138000", "province": "山东省", "city": "青岛市",
               "district": "市南区", "street": "香港中路 1 号", "fee": 1}  # fmt: skip
    answer = applicant.call(
        "PUT", f"/applications/{order_id}/delivery", json={"kind": "courier", "address": address}
    )
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == {"address.fee": ["Unknown field."]}
