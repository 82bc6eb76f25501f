"""The timeline says what kind of actor made each change (applicant, staff,
provider, system), so a reader never guesses it from the actor's name."""

from __future__ import annotations

from datetime import timedelta

from orders import timers
from orders.api import CONTEXT


def kinds(client, applicant, order_id):
    answer = client.get(f"/orders/{order_id}/timeline", headers=applicant.headers)
    return [(e["to_status"], e["actor"], e["actor_kind"]) for e in answer.json["entries"]]


def test_the_applicant_the_provider_and_a_reviewer_each_have_their_kind(
    applicant, verification, client
):
    order = applicant.paid()
    assert verification.claim(order["id"]).action == "ack"
    assert kinds(client, applicant, order["id"]) == [
        ("draft", "acct-1", "applicant"),
        ("awaiting_payment", "acct-1", "applicant"),
        ("submitted", "payment-provider", "provider"),
        ("in_review", "reviewer:staff-21", "staff"),
    ]


def test_a_supervisor_is_staff(applicant, client, supervisor):
    order = applicant.paid()
    answer = client.post(
        f"/orders/{order['id']}/cancel", json={"reason": "申请人来电撤回"}, headers=supervisor
    )
    assert answer.status_code == 200, answer.json
    assert kinds(client, applicant, order["id"])[-1] == (
        "cancelled", "supervisor:staff-99", "staff",
    )  # fmt: skip


def test_a_rejection_is_staff_and_the_closing_after_it_the_system(
    applicant, verification, client, sweep_money
):
    order = applicant.paid()
    verification.reject(order["id"])
    sweep_money()
    assert [kind for _to, _actor, kind in kinds(client, applicant, order["id"])[-3:]] == [
        "staff",  # the claim the rejection implies
        "staff",
        "system",
    ]


def test_an_order_closed_unpaid_by_its_timer_is_the_system(applicant, client, clock, app):
    order = applicant.submitted()
    clock.advance(timedelta(minutes=31))
    assert timers.expire_unpaid_orders(app.extensions[CONTEXT], clock.now()) == 1
    assert kinds(client, applicant, order["id"])[-1] == ("closed_unpaid", "system", "system")


def test_a_resubmission_verification_reports_is_the_applicant(applicant, verification, client):
    order = applicant.paid()
    verification.claim(order["id"])
    verification.ask(order["id"])
    verification.resubmitted(order["id"])
    assert kinds(client, applicant, order["id"])[-1] == ("in_review", "applicant", "applicant")


def test_a_capture_the_provider_refuses_is_the_provider(
    applicant, verification, client, sweep_money
):
    order = applicant.submitted()
    applicant.card(order["payment"]["id"], "4000 0000 0000 9995")
    applicant.webhooks()
    verification.approve(order["id"])
    sweep_money()
    assert kinds(client, applicant, order["id"])[-1] == (
        "capture_failed", "payment-provider", "provider",
    )  # fmt: skip
