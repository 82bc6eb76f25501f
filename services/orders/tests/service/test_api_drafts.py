"""Starting an application, answering its questions and choosing delivery,
through the HTTP API as the gateway calls it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.testing import free_port
from orders.app import create_app

LICENCE = "driving-licence-replacement"
PLATES = "licence-plate-replacement"


# --- starting a draft --------------------------------------------------------------


def test_an_applicant_starts_a_draft_and_sees_what_is_still_missing(applicant):
    answer = applicant.create(LICENCE)
    assert answer.status_code == 201
    order = answer.json
    assert order["status"] == "draft"
    assert order["reference"] == "LT20260302000001"
    assert order["item_code"] == LICENCE
    assert order["item_title"]["en"] == "Replace a lost driving licence"
    assert order["applicant_id"] == "acct-1"
    assert order["missing_answers"] == [
        "full_name",
        "id_number",
        "phone",
        "licence_class",
        "reason",
    ]
    assert order["documents"] == {
        "complete": False,
        "missing": ["id_card_front", "id_card_back", "selfie_with_id_card", "portrait_photo"],
    }
    assert [doc["code"] for doc in order["required_documents"]] == order["documents"]["missing"]
    assert order["delivery"] is None and order["price"] is None and order["payment"] is None
    assert order["allowed_actions"] == ["edit", "cancel"]
    assert order["submitted_at"] is None and order["pay_by"] is None


def test_a_new_draft_tells_verification_which_documents_to_collect(applicant, outbox_events):
    order = applicant.draft()
    [event] = outbox_events()
    assert event["type"] == "orders.draft_created"
    assert event["correlation_id"] == order["id"]
    assert event["data"]["order_id"] == order["id"]
    assert event["data"]["reference"] == order["reference"]
    assert event["data"]["applicant_id"] == "acct-1"
    assert event["data"]["item_code"] == LICENCE
    assert event["data"]["required_documents"][0] == {
        "code": "id_card_front", "title": {"zh": "居民身份证人像面", "en": "ID card, photo side"},
    }  # fmt: skip


def test_references_count_up_within_the_day(applicant, other_applicant):
    first, second = applicant.draft(), other_applicant.draft(PLATES)
    assert (first["reference"], second["reference"]) == ("LT20260302000001", "LT20260302000002")


def test_the_draft_starts_its_timeline(applicant, client):
    order = applicant.draft()
    entries = client.get(f"/orders/{order['id']}/timeline", headers=applicant.headers).json[
        "entries"
    ]
    assert entries == [{
        "at": "2026-03-02T01:00:00+00:00", "from_status": None, "to_status": "draft",
        "actor": "acct-1", "actor_kind": "applicant", "code": "started", "params": {},
    }]  # fmt: skip


@pytest.mark.parametrize("code", ["no-such-item", "x" * 64])
def test_an_unknown_item_is_refused_naming_item_code_and_nothing_is_written(
    applicant, snapshot, code
):
    before = snapshot()
    answer = applicant.create(code)
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert "item_code" in answer.json["errors"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "extra",
    [
        {"total_fen": 1},
        {"price": {"total_fen": 1}},
        {"fee": 0},
        {"status": "submitted"},
        {"applicant_id": "acct-2"},
    ],
)
def test_a_price_fee_or_state_sent_by_the_client_is_refused(applicant, client, snapshot, extra):
    before = snapshot()
    answer = client.post(
        "/orders", json={"item_code": LICENCE, **extra}, headers=applicant.with_key()
    )
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == set(extra)
    assert snapshot() == before


def test_creating_without_an_idempotency_key_is_refused_naming_the_header(
    applicant, client, snapshot
):
    before = snapshot()
    answer = client.post("/orders", json={"item_code": LICENCE}, headers=applicant.headers)
    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"
    assert "Idempotency-Key" in answer.json["detail"]
    assert list(answer.json["errors"]) == ["Idempotency-Key"]
    assert snapshot() == before


def test_a_retried_create_with_the_same_key_returns_the_first_order(
    applicant, client, rows, outbox_events
):
    first = applicant.create(LICENCE, key="create-1")
    again = applicant.create(LICENCE, key="create-1")
    assert again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(rows("SELECT id FROM orders")) == 1
    assert len(outbox_events()) == 1


def test_the_same_key_with_another_body_is_refused(applicant, snapshot):
    applicant.create(LICENCE, key="create-2")
    before = snapshot()
    answer = applicant.create(PLATES, key="create-2")
    assert answer.status_code == 422
    assert "different request" in answer.json["detail"]
    assert list(answer.json["errors"]) == ["Idempotency-Key"]
    assert snapshot() == before


def test_another_applicants_key_is_their_own(applicant, other_applicant, rows):
    applicant.create(LICENCE, key="shared")
    assert other_applicant.create(LICENCE, key="shared").json["applicant_id"] == "acct-2"
    assert len(rows("SELECT id FROM orders")) == 2


def test_only_an_applicant_starts_an_order(client, headers_for):
    answer = client.post(
        "/orders", json={"item_code": LICENCE},
        headers={**headers_for(["reviewer"]), "Idempotency-Key": "k"},
    )  # fmt: skip
    assert answer.status_code == 403


def test_a_call_without_a_token_is_refused(client):
    assert client.get("/orders").status_code == 401


def test_a_catalog_that_is_down_is_a_503_and_nothing_is_written(
    db, settings_for, clock, snapshot, headers_for
):
    app = create_app(settings_for(catalog_url=f"http://127.0.0.1:{free_port()}"), clock=clock)
    try:
        before = snapshot()
        answer = app.test_client().post(
            "/orders", json={"item_code": LICENCE},
            headers={**headers_for(["applicant"]), "Idempotency-Key": "k"},
        )  # fmt: skip
        assert answer.status_code == 503
        assert answer.mimetype == "application/problem+json"
        assert "catalog" in answer.json["detail"]
        assert snapshot() == before
    finally:
        app.extensions["orders.engine"].dispose()


# --- answers ---------------------------------------------------------------------------


def test_answers_are_saved_normalised_and_no_longer_missing(applicant, answers):
    order = applicant.draft()
    answered = applicant.answer(order["id"], {**answers, "id_number": "11010519491231002x"})
    assert answered.status_code == 200
    assert answered.json["answers"]["id_number"] == "11010519491231002X"
    assert answered.json["missing_answers"] == []


def test_saving_answers_replaces_the_previous_set(applicant, answers):
    order = applicant.draft()
    applicant.answer(order["id"], answers)
    saved = applicant.answer(order["id"], {"full_name": "李四"}).json
    assert saved["answers"] == {"full_name": "李四"}
    assert "id_number" in saved["missing_answers"]


def test_a_wrong_id_check_digit_is_refused_and_nothing_is_saved(applicant, answers, snapshot):
    order = applicant.draft()
    applicant.answer(order["id"], {"full_name": "张三"})
    before = snapshot()
    answer = applicant.answer(order["id"], {**answers, "id_number": "110105194912310021"})
    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["id_number"]
    assert "id_number" in answer.json["detail"]
    assert snapshot() == before
    assert applicant.get(order["id"])["answers"] == {"full_name": "张三"}


def test_a_malformed_plate_is_refused_naming_the_field(applicant):
    order = applicant.draft(PLATES)
    answer = applicant.answer(order["id"], {"plate_number": "鲁I12345", "phone": "123"})
    assert answer.status_code == 422
    assert sorted(answer.json["errors"]) == ["phone", "plate_number"]


def test_an_answer_to_a_question_the_form_does_not_ask_is_refused(applicant):
    order = applicant.draft()
    answer = applicant.answer(order["id"], {"favourite_colour": "red"})
    assert answer.status_code == 422
    assert answer.json["errors"] == {"favourite_colour": ["This form has no such field."]}


def test_answers_without_the_answers_object_are_refused(applicant, client):
    order = applicant.draft()
    answer = client.put(
        f"/orders/{order['id']}/answers", json={"full_name": "张三"}, headers=applicant.headers
    )
    assert answer.status_code == 422
    assert sorted(answer.json["errors"]) == ["answers", "full_name"]


def test_another_applicants_order_is_not_found(applicant, other_applicant, answers, client):
    order = applicant.draft()
    assert other_applicant.answer(order["id"], answers).status_code == 404
    assert other_applicant.deliver_to(order["id"]).status_code == 404
    for path in ("", "/timeline"):
        assert (
            client.get(f"/orders/{order['id']}{path}", headers=other_applicant.headers).status_code
            == 404
        )
    assert other_applicant.cancel(order["id"]).status_code == 404
    assert other_applicant.submit(order["id"]).status_code == 404


def test_a_malformed_or_unknown_order_id_is_not_found(applicant, client):
    for order_id in ("nope", "00000000-0000-0000-0000-000000000000"):
        assert client.get(f"/orders/{order_id}", headers=applicant.headers).status_code == 404


# --- delivery --------------------------------------------------------------------------


def test_courier_delivery_gives_a_quote_of_production_plus_courier(applicant, address):
    order = applicant.draft()
    answer = applicant.deliver_to(order["id"], kind="courier", address=address)
    assert answer.status_code == 200
    assert answer.json["delivery"] == {"kind": "courier", "address": address}
    assert answer.json["price"] == {
        "fee_version": 1, "production_fen": 1000, "delivery_fen": 1500, "total_fen": 2500,
        "approval_reference": "鲁价费发〔2017〕58号", "locked": False,
    }  # fmt: skip


def test_pickup_at_an_office_of_the_item_costs_only_the_production(applicant):
    order = applicant.draft(PLATES)
    answer = applicant.deliver_to(order["id"], kind="pickup", office_code="pickup-huangdao")
    assert answer.status_code == 200
    assert answer.json["delivery"]["office_code"] == "pickup-huangdao"
    assert (
        answer.json["delivery"]["office"]["name"]["en"]
        == "Qingdao Vehicle Administration Office, Huangdao branch"
    )
    assert answer.json["price"]["total_fen"] == 10000


def test_courier_delivery_without_the_whole_address_is_refused_naming_each_field(
    applicant, address, snapshot
):
    order = applicant.draft()
    before = snapshot()
    del address["street"]
    answer = applicant.deliver_to(order["id"], kind="courier", address={**address, "phone": "555"})
    assert answer.status_code == 422
    assert sorted(answer.json["errors"]) == ["address.phone", "address.street"]
    assert snapshot() == before


def test_courier_delivery_with_no_address_at_all_is_refused(applicant):
    order = applicant.draft()
    answer = applicant.deliver_to(order["id"], kind="courier")
    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["address"]


def test_an_office_the_item_is_not_picked_up_at_is_refused_naming_office_code(applicant, snapshot):
    order = applicant.draft()
    before = snapshot()
    answer = applicant.deliver_to(order["id"], kind="pickup", office_code="pickup-laoshan")
    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["office_code"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [{"kind": "drone"}, {"kind": "pickup", "office_code": "pickup-shinan", "fee_fen": 0}, {}],
)
def test_a_delivery_of_an_unknown_kind_or_with_a_fee_is_refused(applicant, body, client):
    order = applicant.draft()
    answer = client.put(f"/orders/{order['id']}/delivery", json=body, headers=applicant.headers)
    assert answer.status_code == 422


# --- reading ---------------------------------------------------------------------------


def test_an_applicant_lists_their_own_orders_newest_first(
    applicant, other_applicant, client, clock
):
    first = applicant.draft()
    clock.advance(timedelta(minutes=1))
    second = applicant.draft(PLATES)
    other_applicant.draft()
    listed = client.get("/orders", headers=applicant.headers).json["orders"]
    assert [order["id"] for order in listed] == [second["id"], first["id"]]


def test_orders_are_filtered_by_status(applicant, client):
    kept = applicant.draft()
    applicant.cancel(applicant.draft()["id"])
    listed = client.get("/orders?status=draft", headers=applicant.headers).json["orders"]
    assert [order["id"] for order in listed] == [kept["id"]]
    assert client.get("/orders?status=lost", headers=applicant.headers).status_code == 422


def test_staff_read_every_order_but_change_none(
    applicant, other_applicant, client, headers_for, answers
):
    order = applicant.draft()
    other_applicant.draft()
    staff = headers_for(["reviewer"], subject="staff-1")
    assert len(client.get("/orders", headers=staff).json["orders"]) == 2
    assert client.get(f"/orders/{order['id']}", headers=staff).json["id"] == order["id"]
    assert client.get(f"/orders/{order['id']}/timeline", headers=staff).status_code == 200
    put = client.put(f"/orders/{order['id']}/answers", json={"answers": answers}, headers=staff)
    assert put.status_code == 403


def test_a_visitor_without_a_role_reads_nothing(client, headers_for):
    assert client.get("/orders", headers=headers_for(["public"])).status_code == 403
