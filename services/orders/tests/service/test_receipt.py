"""Receipt and completion: the applicant confirms receipt of a delivered
order, or the worker's sweep completes it ORDERS_AUTO_CONFIRM_DAYS after
delivery on the frozen clock; complaints pause that timer and give back the
time it had left. orders.completed carries what the catalog counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orders import timers
from orders.api import CONTEXT

DAY = timedelta(days=1)


@pytest.fixture
def delivered(approved, fulfillment, applicant, clock):
    """delivered() → an order signed for now (the clock's time)."""

    def make():
        order = approved()
        assert fulfillment.delivered(order["id"], at=clock.now().isoformat()).action == "ack"
        return applicant.get(order["id"])

    return make


@pytest.fixture
def sweep(app, clock):
    """The worker's auto-confirm sweep at the clock's time."""
    return lambda: timers.auto_confirm_receipts(app.extensions[CONTEXT], clock.now())


def confirm(client, order_id, headers):
    return client.post(f"/orders/{order_id}/confirm-receipt", headers=headers)


# --- the applicant confirms -------------------------------------------------------------


def test_the_applicant_confirms_receipt_and_the_order_completes(
    delivered, client, applicant, outbox_events, sweep, clock
):
    order = delivered()
    assert "confirm_receipt" in order["allowed_actions"]
    answer = confirm(client, order["id"], applicant.headers)
    assert answer.status_code == 200, answer.json
    assert (answer.json["status"], answer.json["receipt"]) == ("completed", None)
    event = outbox_events()[-1]
    assert event["type"] == "orders.completed"
    assert event["data"] == {
        "order_id": order["id"], "reference": order["reference"],
        "item_code": "driving-licence-replacement", "applicant_id": applicant.subject,
        "completed_at": clock.now().isoformat(), "how": "confirmed",
    }  # fmt: skip
    clock.advance(8 * DAY)
    assert sweep() == 0  # the timer has nothing left to do


@pytest.mark.parametrize("status", ["approved", "in_production", "shipped"])
def test_confirming_before_delivery_is_a_409_naming_the_state_and_writes_nothing(
    status, approved, fulfillment, client, applicant, snapshot
):
    order = approved()
    if status != "approved":
        fulfillment.production_started(order["id"])
    if status == "shipped":
        fulfillment.dispatched(order["id"])
    before = snapshot()
    answer = confirm(client, order["id"], applicant.headers)
    assert answer.status_code == 409
    assert answer.content_type == "application/problem+json"
    assert answer.json["errors"]["status"] == [status]
    assert status in answer.json["detail"] and answer.json["detail"].endswith(".")
    assert snapshot() == before


def test_another_applicants_order_is_a_404_and_writes_nothing(
    delivered, client, other_applicant, snapshot
):
    order = delivered()
    before = snapshot()
    assert confirm(client, order["id"], other_applicant.headers).status_code == 404
    assert snapshot() == before


def test_staff_cannot_confirm_for_the_applicant(delivered, client, supervisor, snapshot):
    order = delivered()
    before = snapshot()
    assert confirm(client, order["id"], supervisor).status_code == 403
    assert snapshot() == before


def test_a_second_confirmation_is_a_409(delivered, client, applicant):
    order = delivered()
    assert confirm(client, order["id"], applicant.headers).status_code == 200
    answer = confirm(client, order["id"], applicant.headers)
    assert answer.status_code == 409 and "completed" in answer.json["detail"]
    assert answer.json["errors"]["status"] == ["completed"]


# --- the timer ----------------------------------------------------------------------------


def test_a_delivered_order_completes_itself_seven_days_after_delivery(
    delivered, applicant, sweep, clock, outbox_events, client
):
    order = delivered()
    assert order["receipt"] == {
        "auto_confirm_at": (clock.now() + 7 * DAY).isoformat(), "paused": False,
        "left_seconds": None,
    }  # fmt: skip
    clock.advance(7 * DAY - timedelta(seconds=1))
    assert sweep() == 0
    clock.advance(timedelta(seconds=1))
    assert sweep() == 1
    assert applicant.get(order["id"])["status"] == "completed"
    assert outbox_events()[-1]["data"]["how"] == "auto"
    entry = client.get(f"/orders/{order['id']}/timeline", headers=applicant.headers).json[
        "entries"
    ][-1]
    assert (entry["to_status"], entry["actor"], entry["actor_kind"]) == (
        "completed", "system", "system",
    )  # fmt: skip


def test_the_period_is_the_setting_with_fractions_of_a_day(settings_for, clock, app):
    from orders.wiring import build_context

    settings = settings_for(auto_confirm_days=0.5)
    context = build_context(settings, app.extensions["orders.engine"], clock)
    assert context.auto_confirm == timedelta(hours=12)


def test_a_supervisors_cancel_of_a_delivered_order_leaves_the_timer_nothing_to_do(
    delivered, client, supervisor, sweep, clock, applicant
):
    order = delivered()
    answer = client.post(f"/orders/{order['id']}/cancel", json={"reason": "lost in the post"},
                         headers=supervisor)  # fmt: skip
    assert answer.status_code == 200
    clock.advance(8 * DAY)
    assert sweep() == 0
    assert applicant.get(order["id"])["status"] == "cancelled"


# --- complaints pause it ----------------------------------------------------------------


def test_a_complaint_pauses_the_timer_and_its_closing_gives_back_the_time_left(
    delivered, fulfillment, applicant, sweep, clock
):
    order = delivered()
    clock.advance(2 * DAY)
    assert fulfillment.complaint(order["id"], "cmp-1", True, clock.now()).action == "ack"
    assert applicant.get(order["id"])["receipt"] == {
        "auto_confirm_at": None, "paused": True, "left_seconds": int((5 * DAY).total_seconds()),
    }  # fmt: skip
    clock.advance(30 * DAY)
    assert sweep() == 0  # paused: never fires
    assert fulfillment.complaint(order["id"], "cmp-1", False, clock.now()).action == "ack"
    resumed = applicant.get(order["id"])["receipt"]
    assert resumed["auto_confirm_at"] == (clock.now() + 5 * DAY).isoformat()
    clock.advance(5 * DAY - timedelta(seconds=1))
    assert sweep() == 0
    clock.advance(timedelta(seconds=1))
    assert sweep() == 1
    assert applicant.get(order["id"])["status"] == "completed"


def test_with_several_complaints_the_timer_stays_paused_until_the_last_closes(
    delivered, fulfillment, applicant, sweep, clock
):
    order = delivered()
    clock.advance(DAY)
    fulfillment.complaint(order["id"], "cmp-1", True, clock.now())
    fulfillment.complaint(order["id"], "cmp-2", True, clock.now() + DAY)
    clock.advance(3 * DAY)
    fulfillment.complaint(order["id"], "cmp-1", False, clock.now())
    assert applicant.get(order["id"])["receipt"]["paused"] is True
    clock.advance(10 * DAY)
    assert sweep() == 0
    fulfillment.complaint(order["id"], "cmp-2", False, clock.now())
    assert (
        applicant.get(order["id"])["receipt"]["auto_confirm_at"]
        == (clock.now() + 6 * DAY).isoformat()
    )


def test_a_complaint_opened_before_delivery_pauses_the_timer_from_its_start(
    approved, fulfillment, applicant, clock, sweep
):
    order = approved()
    fulfillment.complaint(order["id"], "cmp-1", True, clock.now())
    fulfillment.delivered(order["id"], at=clock.now().isoformat())
    receipt = applicant.get(order["id"])["receipt"]
    assert (receipt["paused"], receipt["left_seconds"]) == (True, int((7 * DAY).total_seconds()))
    clock.advance(8 * DAY)
    assert sweep() == 0


def test_a_closing_that_overtook_its_opening_pauses_nothing(
    delivered, fulfillment, applicant, clock, rows
):
    order = delivered()
    fulfillment.complaint(order["id"], "cmp-1", False, clock.now() + DAY)
    assert fulfillment.complaint(order["id"], "cmp-1", True, clock.now()).action == "ack"
    assert applicant.get(order["id"])["receipt"]["paused"] is False
    # a second opening of the same complaint is stale
    assert fulfillment.complaint(order["id"], "cmp-1", True, clock.now()).action == "ack"
    outcomes = rows("SELECT outcome FROM inbox WHERE event_type = 'ratings.complaint_opened'")
    assert sorted(o["outcome"] for o in outcomes) == ["handled", "stale"]


def test_the_applicant_may_confirm_while_a_complaint_is_open(
    delivered, fulfillment, client, applicant, clock
):
    order = delivered()
    fulfillment.complaint(order["id"], "cmp-1", True, clock.now())
    assert confirm(client, order["id"], applicant.headers).json["status"] == "completed"


# --- the invitation to rate ---------------------------------------------------------------


def test_an_invitation_to_rate_a_completed_order_is_a_timeline_entry(
    delivered, client, applicant, fulfillment, clock
):
    order = delivered()
    confirm(client, order["id"], applicant.headers)
    rate_by = (clock.now() + 15 * DAY).isoformat()
    outcome = fulfillment.send("ratings.rating_invited", order["id"], applicant_id="acct-1",
                               item_code="driving-licence-replacement", rate_by=rate_by,
                               occurred_at=clock.now().isoformat())  # fmt: skip
    assert outcome.action == "ack"
    entries = client.get(f"/orders/{order['id']}/timeline", headers=applicant.headers).json
    last = entries["entries"][-1]
    assert (last["to_status"], last["actor_kind"], last["code"], last["params"]) == (
        "completed", "system", "rating_invited", {"rate_by": rate_by},
    )  # fmt: skip


def test_an_invitation_for_an_order_not_completed_is_stale(delivered, fulfillment, rows, clock):
    order = delivered()
    fulfillment.send("ratings.rating_invited", order["id"], applicant_id="acct-1",
                     item_code="driving-licence-replacement",
                     rate_by=clock.now().isoformat(), occurred_at=clock.now().isoformat())  # fmt: skip
    outcomes = rows("SELECT outcome FROM inbox WHERE event_type = 'ratings.rating_invited'")
    assert [o["outcome"] for o in outcomes] == ["stale"]


def test_a_complaint_says_how_long_the_paused_timer_had_left(
    delivered, client, applicant, fulfillment, clock
):
    order = delivered()
    clock.advance(2 * DAY)
    fulfillment.complaint(order["id"], "cmp-1", True, clock.now())
    fulfillment.complaint(order["id"], "cmp-1", False, clock.now())
    said = [
        (e["code"], e["params"])
        for e in client.get(f"/orders/{order['id']}/timeline", headers=applicant.headers).json[
            "entries"
        ]
    ][-2:]
    left = int((5 * DAY).total_seconds())
    assert said == [
        ("complaint_opened", {"complaint_id": "cmp-1", "paused_left_seconds": left}),
        ("complaint_closed", {"complaint_id": "cmp-1", "resumed_left_seconds": left}),
    ]
