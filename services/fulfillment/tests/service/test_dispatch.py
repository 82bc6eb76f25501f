"""Waybills, labels, the hand-over, the courier's signed tracking webhooks, the
exception queue and the address correction, through the HTTP API with the
sandbox courier pushing on a frozen clock."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import event
from sqlalchemy.engine import Engine

from common.webhooks import sign
from fulfillment import domain
from fulfillment.couriers.sandbox import HEADER

STEP = timedelta(seconds=60)


def test_a_waybill_is_ems_style_with_a_valid_check_digit_and_a_printable_label(
    client, headers, flow
) -> None:
    _order, waybill = flow.waybill()
    assert domain.is_valid_waybill(waybill)
    label = client.get(f"/dispatch/shipments/{waybill}/label.svg", headers=headers("dispatcher"))
    assert label.status_code == 200
    assert label.mimetype == "image/svg+xml"
    assert waybill.encode() in label.data and b"139****5678" in label.data


def test_a_second_dispatch_of_the_same_order_is_a_conflict(client, headers, flow, snapshot) -> None:
    order_id, _waybill = flow.waybill()
    before = snapshot()
    again = client.post(
        "/dispatch/waybills", json={"order_ids": [order_id]}, headers=headers("dispatcher")
    )
    assert again.status_code == 409
    assert snapshot() == before


def test_an_order_not_produced_cannot_be_dispatched(client, headers, flow) -> None:
    order_id, _batch = flow.in_production()
    answer = client.post(
        "/dispatch/waybills", json={"order_ids": [order_id]}, headers=headers("dispatcher")
    )
    assert answer.status_code == 409
    assert answer.json["errors"]["status"] == ["in_production"]


def test_handing_over_ships_the_order_and_tells_orders_the_carrier_and_waybill(
    flow, outbox
) -> None:
    order_id, waybill = flow.shipped()
    [dispatched] = outbox("fulfillment.dispatched")
    assert dispatched["data"] == {
        **dispatched["data"],
        "carrier": "EMS",
        "waybill": waybill,
        "reship": False,
    }
    assert flow.job_view(order_id)["status"] == "shipped"


def test_a_parcel_is_handed_over_once(client, headers, flow) -> None:
    _order, waybill = flow.shipped()
    again = client.post(
        "/dispatch/hand-over", json={"waybills": [waybill]}, headers=headers("dispatcher")
    )
    assert again.status_code == 409
    assert again.json["errors"]["status"] == ["handed_over"]


def test_the_default_parcel_is_tracked_to_its_signature(flow, courier_push, outbox) -> None:
    order_id, waybill = flow.shipped()
    for _ in range(4):
        assert courier_push(STEP) == [200]
    view = flow.job_view(order_id)
    assert view["status"] == "delivered"
    assert [t["state"] for t in view["shipment"]["tracking"]] == [
        "signed",
        "out_for_delivery",
        "in_transit",
        "collected",
    ]
    assert view["shipment"]["signer"] == "张三"
    [delivered] = outbox("fulfillment.delivered")
    assert delivered["data"]["how"] == "courier" and delivered["data"]["waybill"] == waybill
    assert len(outbox("fulfillment.tracking_updated")) == 4
    assert all("张三" not in json.dumps(e, ensure_ascii=False) for e in outbox())


def test_tracking_heard_before_the_hand_over_commits_is_kept_and_applied_by_the_hand_over(
    client, headers, flow, ctx, courier_push, outbox
) -> None:
    # The courier commits the subscription on its own; if fulfillment's hand-over then
    # fails (a database cut), the courier pushes for a parcel not yet shipped here.
    order_id, waybill = flow.waybill()
    ctx.courier.subscribe_tracking(waybill, ctx.callback_url)
    assert courier_push(STEP * 4) == [200] * 4
    assert flow.job_view(order_id)["status"] == "produced"
    assert flow.job_view(order_id)["shipment"]["status"] == "waybill_created"
    assert outbox("fulfillment.tracking_updated") == []

    retried = client.post(
        "/dispatch/hand-over", json={"waybills": [waybill]}, headers=headers("dispatcher")
    )
    assert retried.status_code == 200, retried.json
    view = flow.job_view(order_id)
    assert view["status"] == "delivered"
    assert view["shipment"]["status"] == "signed" and len(view["shipment"]["tracking"]) == 4
    assert [e["type"] for e in outbox() if e["type"] != "fulfillment.production_started"][-3:] == [
        "fulfillment.dispatched", "fulfillment.tracking_updated", "fulfillment.delivered",
    ]  # fmt: skip


def test_a_job_read_as_its_parcel_is_signed_shows_both_before_or_both_after(
    flow, courier_push
) -> None:
    order_id, _waybill = flow.shipped()
    courier_push(STEP * 3)  # collected, in transit, out for delivery
    landed: list[list[int]] = []

    def signature_between_the_reads(_conn, _cursor, statement: str, *_args) -> None:
        # The courier's last webhook commits after the job is read and before its parcel is.
        if not landed and "FROM shipments" in statement:
            landed.append([])
            landed[0] = courier_push(STEP)

    event.listen(Engine, "before_cursor_execute", signature_between_the_reads)
    try:
        view = flow.job_view(order_id)
    finally:
        event.remove(Engine, "before_cursor_execute", signature_between_the_reads)
    assert landed == [[200]]
    assert (view["status"], view["shipment"]["status"]) == ("shipped", "out_for_delivery")
    after = flow.job_view(order_id)
    assert (after["status"], after["shipment"]["status"]) == ("delivered", "signed")


def test_duplicated_late_and_reversed_webhooks_are_stored_once_and_never_undo_the_signature(
    flow, courier_push, outbox, db
) -> None:
    order_id, _waybill = flow.shipped(recipient="乱序先生")
    courier_push(STEP * 4)  # the signature arrives first, twice
    assert flow.job_view(order_id)["status"] == "delivered"
    courier_push(STEP * 4)  # then the older events, each twice
    view = flow.job_view(order_id)
    assert view["shipment"]["status"] == "signed"
    assert len(view["shipment"]["tracking"]) == 4
    assert len(outbox("fulfillment.delivered")) == 1


def test_three_failed_attempts_make_an_exception_and_each_attempt_is_told(
    flow, courier_push, outbox
) -> None:
    order_id, _waybill = flow.shipped(recipient="三次先生")
    courier_push(STEP * 8)
    failed = outbox("fulfillment.delivery_attempt_failed")
    assert [e["data"]["attempt"] for e in failed] == [1, 2, 3]
    assert failed[0]["data"]["what_to_do"]["zh"]
    [exception] = outbox("fulfillment.delivery_exception")
    assert exception["data"]["reason_code"] == "three_failed_attempts"
    assert flow.job_view(order_id)["status"] == "delivery_exception"


def test_a_refused_parcel_goes_to_the_exception_queue_and_is_reshipped_without_a_new_fee(
    client, headers, flow, courier_push, outbox
) -> None:
    order_id, old = flow.shipped(recipient="拒收先生")
    courier_push(STEP * 4)
    queue = client.get("/dispatch/exceptions", headers=headers("dispatcher")).json
    assert [job["order_id"] for job in queue["jobs"]] == [order_id]
    assert queue["jobs"][0]["exception_reason"] == "refused"
    new_address = {"recipient": "张三", "phone": "13912345678", "province": "山东省", "city": "青岛市",
                   "district": "崂山区", "street": "海尔路 1 号"}  # fmt: skip
    reshipped = client.post(f"/dispatch/jobs/{order_id}/reship", json={"address": new_address},
                            headers=headers("dispatcher"))  # fmt: skip
    assert reshipped.status_code == 201
    new = reshipped.json["waybill"]
    assert new != old and reshipped.json["reship"] is True
    client.post("/dispatch/hand-over", json={"waybills": [new]}, headers=headers("dispatcher"))
    assert outbox("fulfillment.dispatched")[-1]["data"]["reship"] is True
    courier_push(STEP * 4)
    assert flow.job_view(order_id)["status"] == "delivered"


def test_an_exception_can_switch_to_pickup_with_a_code(
    client, headers, flow, courier_push, outbox
) -> None:
    order_id, _waybill = flow.shipped(recipient="退回先生")
    courier_push(STEP * 3)
    answer = client.post(f"/dispatch/jobs/{order_id}/switch-to-pickup",
                         json={"office_code": "pickup-shinan"}, headers=headers("dispatcher"))  # fmt: skip
    assert answer.status_code == 200
    assert answer.json["status"] == "ready_for_pickup"
    assert outbox("fulfillment.ready_for_pickup")[-1]["data"]["switched"] is True


def test_reshipping_an_order_that_is_not_an_exception_is_a_conflict(client, headers, flow) -> None:
    order_id, _waybill = flow.shipped()
    answer = client.post(
        f"/dispatch/jobs/{order_id}/reship", json={}, headers=headers("dispatcher")
    )
    assert answer.status_code == 409
    assert answer.json["errors"]["status"] == ["shipped"]


def test_a_webhook_with_a_bad_or_missing_signature_is_refused_and_stores_nothing(
    client, flow, snapshot
) -> None:
    _order, waybill = flow.shipped()
    body = json.dumps({"waybill": waybill, "events": [{"event_id": "e1", "waybill": waybill,
                       "state": "signed", "occurred_at": "2026-03-02T03:00:00+00:00"}]}).encode()  # fmt: skip
    before = snapshot()
    forged = sign("not-the-secret", body, 1772416800)
    assert (
        client.post("/webhooks/couriers/sandbox", data=body, headers={HEADER: forged}).status_code
        == 401
    )
    assert client.post("/webhooks/couriers/sandbox", data=body).status_code == 401
    assert snapshot() == before


def test_a_webhook_for_an_unknown_waybill_is_not_found_and_logged(
    client, signed, snapshot, caplog
) -> None:
    body = json.dumps({"waybill": "EA999999990CN", "events": [{"event_id": "e1", "waybill": "EA999999990CN",
                       "state": "collected", "occurred_at": "2026-03-02T03:00:00+00:00"}]}).encode()  # fmt: skip
    before = snapshot()
    answer = client.post("/webhooks/couriers/sandbox", data=body, headers=signed(body))
    assert answer.status_code == 404
    assert snapshot() == before
    assert any("never made" in record.getMessage() for record in caplog.records)


def test_a_courier_that_stops_pushing_is_polled_after_the_quiet_period(flow, ctx, clock) -> None:
    from fulfillment import tracking

    order_id, _waybill = flow.shipped(recipient="静默先生")
    clock.advance(STEP * 5)
    assert tracking.poll_quiet_couriers(ctx, clock.now()) == 0  # not quiet long enough yet
    clock.advance(ctx.tracking_quiet)
    assert tracking.poll_quiet_couriers(ctx, clock.now()) == 1
    assert flow.job_view(order_id)["status"] == "delivered"


def test_the_applicant_corrects_the_address_before_dispatch_never_after(
    client, headers, flow
) -> None:
    order_id = flow.produced()
    owner = headers("applicant", subject="acct-a")
    new = {"recipient": "张三", "phone": "13800138000", "province": "山东省", "city": "青岛市",
           "district": "黄岛区", "street": "长江路 1 号"}  # fmt: skip
    answer = client.put(f"/jobs/{order_id}/address", json=new, headers=owner)
    assert answer.status_code == 200
    assert answer.json["address"]["district"] == "黄岛区"
    client.post("/dispatch/waybills", json={"order_ids": [order_id]}, headers=headers("dispatcher"))
    late = client.put(f"/jobs/{order_id}/address", json=new, headers=owner)
    assert late.status_code == 409
    assert late.json["errors"]["address"] == ["already-dispatched"]


def test_an_address_correction_names_each_bad_field(client, headers, flow, snapshot) -> None:
    order_id = flow.job()
    before = snapshot()
    answer = client.put(f"/jobs/{order_id}/address", json={"recipient": "张三", "phone": "123"},
                        headers=headers("applicant", subject="acct-a"))  # fmt: skip
    assert answer.status_code == 422
    assert {"phone", "street"} <= set(answer.json["errors"])
    assert snapshot() == before


def test_another_applicant_gets_not_found_and_production_staff_are_refused(
    client, headers, flow
) -> None:
    order_id, _waybill = flow.shipped()
    assert (
        client.get(f"/jobs/{order_id}", headers=headers("applicant", subject="acct-b")).status_code
        == 404
    )
    assert client.put(f"/jobs/{order_id}/address", json={},
                      headers=headers("applicant", subject="acct-b")).status_code == 404  # fmt: skip
    assert client.get(f"/jobs/{order_id}", headers=headers("production")).status_code == 403
    assert (
        client.get(f"/jobs/{order_id}", headers=headers("applicant", subject="acct-a")).status_code
        == 200
    )
