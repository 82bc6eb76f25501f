"""SMS and email through the sandbox providers: accepted once and never again,
retried with back-off while the provider is down, failed with the reason and
visible to staff, held by quiet hours, and closed by signed delivery receipts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from notifications.domain import QuietHours
from notifications.providers.sandbox import HEADER, set_down
from notifications.sending import LEASE, send_due

from common.webhooks import sign

from .conftest import WEBHOOK_SECRET


def _sms(rows):
    return rows("SELECT * FROM messages WHERE channel = 'sms'")[0]


def _sandbox(rows, channel="sms"):
    return rows("SELECT * FROM sandbox_sent WHERE channel = :c", c=channel)


def test_an_sms_the_provider_accepted_is_never_sent_again(story, ctx, clock, rows):
    story.contact()
    story.submitted()
    assert send_due(ctx, clock.now()) == 2  # the SMS and the email
    clock.advance(timedelta(hours=1))
    assert send_due(ctx, clock.now()) == 0
    sms = _sms(rows)
    assert sms["status"] == "accepted" and sms["to_masked"] == "139****5678"
    sent = _sandbox(rows)
    assert len(sent) == 1 and sent[0]["to"] == "13912345678"
    assert sent[0]["idempotency_key"] == f"ntf-{sms['id']}-1"


def test_the_provider_refusing_then_accepting_yields_one_sms(story, ctx, clock, rows):
    story.contact()
    story.submitted()
    set_down(_sessions(ctx), "sms", True)
    send_due(ctx, clock.now())
    sms = _sms(rows)
    assert (sms["status"], sms["attempts"]) == ("pending", 1)
    assert sms["next_attempt_at"] == clock.now() + timedelta(seconds=30)
    assert sms["reason"] == "unavailable: the sandbox sms provider is down"
    clock.advance(timedelta(seconds=29))
    send_due(ctx, clock.now())
    assert _sms(rows)["attempts"] == 1  # not due yet: the back-off holds
    set_down(_sessions(ctx), "sms", False)
    clock.advance(timedelta(seconds=1))
    send_due(ctx, clock.now())
    assert _sms(rows)["status"] == "accepted" and len(_sandbox(rows)) == 1


def test_a_provider_down_for_every_attempt_fails_the_message_with_the_reason(
    story, ctx, clock, rows, outbox, client, supervisor
):
    story.contact(email=None)
    story.submitted()
    set_down(_sessions(ctx), "sms", True)
    for _ in range(4):  # the tests' NOTIFICATIONS_MAX_ATTEMPTS
        send_due(ctx, clock.now())
        clock.advance(timedelta(hours=1))
    sms = _sms(rows)
    assert sms["status"] == "failed" and sms["attempts"] == 4
    assert sms["reason"] == "unavailable: 4 attempts, the last: the sandbox sms provider is down"
    [failed] = outbox("notifications.message_failed")
    assert failed["data"]["message_id"] == sms["id"] and failed["data"]["channel"] == "sms"
    assert "13912345678" not in str(failed)
    listed = client.get("/staff/failures?channel=sms", headers=supervisor).json
    assert listed["counts"] == [{"channel": "sms", "reason": "unavailable", "count": 1}]
    assert [m["id"] for m in listed["messages"]] == [sms["id"]]


def test_a_resent_message_goes_out_with_a_new_key_once_the_provider_is_back(
    story, ctx, clock, rows, client, supervisor
):
    story.contact(phone="13900000000", email=None)  # the sandbox rejects numbers ending 0000
    story.submitted()
    send_due(ctx, clock.now())
    sms = _sms(rows)
    assert (sms["status"], sms["reason"]) == ("failed", "rejected: invalid-recipient")
    story.contact(phone="13912345678", email=None, changed_at="2026-03-02T02:00:00+00:00")
    answer = client.post(f"/staff/messages/{sms['id']}/resend", headers=supervisor)
    assert answer.status_code == 200 and answer.json["generation"] == 2
    send_due(ctx, clock.now())
    assert _sms(rows)["status"] == "accepted"
    assert [s["idempotency_key"] for s in _sandbox(rows)] == [f"ntf-{sms['id']}-2"]


def test_a_message_not_failed_cannot_be_resent(story, ctx, clock, rows, client, supervisor):
    story.contact()
    story.submitted()
    send_due(ctx, clock.now())
    answer = client.post(f"/staff/messages/{_sms(rows)['id']}/resend", headers=supervisor)
    assert answer.status_code == 409 and answer.json["errors"] == {"status": ["accepted"]}


def test_a_worker_dying_after_the_provider_accepted_does_not_send_it_twice(story, ctx, clock, rows):
    story.contact(email=None)
    story.submitted()
    sms = _sms(rows)
    # The provider took it, then the worker died before recording the answer.
    first = ctx.providers["sms"].send(idempotency_key=f"ntf-{sms['id']}-1", to="13912345678",
                                      subject=sms["title"], body=sms["body"])  # fmt: skip
    clock.advance(LEASE)
    send_due(ctx, clock.now())
    assert _sms(rows)["provider_message_id"] == first
    assert len(_sandbox(rows)) == 1


def test_quiet_hours_hold_an_sms_until_8_in_the_morning_but_not_the_email(story, ctx, clock, rows):
    story.contact()
    clock.advance(timedelta(hours=14))  # 23:00 in Beijing
    story.submitted()
    send_due(ctx, clock.now())
    assert _sms(rows)["status"] == "pending" and len(_sandbox(rows, "email")) == 1
    clock.advance(timedelta(hours=8, minutes=59))  # 07:59
    send_due(ctx, clock.now())
    assert _sms(rows)["status"] == "pending"
    clock.advance(timedelta(minutes=1))
    send_due(ctx, clock.now())
    assert _sms(rows)["status"] == "accepted"


@pytest.mark.parametrize("settings_changes", [{"quiet_hours": QuietHours.parse("12:00-14:00")}])
def test_quiet_hours_set_for_the_lunch_hour_hold_an_sms_until_14(story, ctx, clock, rows):
    story.contact()
    clock.advance(timedelta(hours=3, minutes=30))  # 12:30 in Beijing
    story.submitted()
    send_due(ctx, clock.now())
    assert _sms(rows)["status"] == "pending"
    clock.advance(timedelta(hours=1, minutes=30))
    send_due(ctx, clock.now())
    assert _sms(rows)["status"] == "accepted"


@pytest.mark.parametrize("settings_changes", [{"quiet_hours": None}])
def test_quiet_hours_switched_off_let_an_sms_go_at_23(story, ctx, clock, rows):
    story.contact()
    clock.advance(timedelta(hours=14))  # 23:00 in Beijing
    story.submitted()
    send_due(ctx, clock.now())
    assert _sms(rows)["status"] == "accepted" and len(_sandbox(rows)) == 1


def test_the_pickup_code_sms_is_not_held_by_quiet_hours(story, ctx, clock, rows, pickup_codes):
    story.contact()
    story.draft()
    clock.advance(timedelta(hours=14))
    pickup_codes.codes[story.order_id] = "482913"
    story.tell("fulfillment.ready_for_pickup", office_code="pickup-shinan", office=None)
    send_due(ctx, clock.now())
    assert _sms(rows)["status"] == "accepted" and "482913" in _sandbox(rows)[0]["body"]


def test_the_delivery_receipt_arrives_by_signed_webhook(story, ctx, clock, rows, receipts):
    story.contact(phone="13912349999", email=None)  # the sandbox: accepted, never arrives
    story.submitted()
    send_due(ctx, clock.now())
    assert receipts(timedelta(seconds=5)) == [200]
    sms = _sms(rows)
    assert (sms["status"], sms["reason"]) == ("undeliverable", "undeliverable: handset-unreachable")


def test_a_delivered_receipt_closes_the_message(story, ctx, clock, rows, receipts):
    story.contact(email=None)
    story.submitted()
    send_due(ctx, clock.now())
    assert receipts(timedelta(seconds=5)) == [200]
    assert _sms(rows)["status"] == "delivered"


def test_a_receipt_with_a_bad_signature_is_refused_and_changes_nothing(
    story, ctx, clock, rows, client
):
    story.contact(email=None)
    story.submitted()
    send_due(ctx, clock.now())
    [sent] = _sandbox(rows)
    body = (b'{"receipts": [{"message_id": "%s", "status": "delivered", "reason": null, '
            b'"occurred_at": "2026-03-02T01:00:05+00:00"}]}' % sent["id"].encode())  # fmt: skip
    forged = sign("not-the-secret", body, int(clock.now().timestamp()))
    for headers in ({HEADER: forged}, {}):
        answer = client.post("/webhooks/sms/sandbox", data=body, headers=headers)
        assert answer.status_code == 401
        assert answer.content_type == "application/problem+json"
    assert _sms(rows)["status"] == "accepted"
    good = {HEADER: sign(WEBHOOK_SECRET, body, int(clock.now().timestamp()))}
    assert client.post("/webhooks/sms/sandbox", data=body, headers=good).json == {
        "stored": 1,
        "unknown": 0,
    }


def test_a_signed_receipt_that_is_not_a_receipt_is_a_400(client, clock):
    body = b'{"nothing": []}'
    headers = {HEADER: sign(WEBHOOK_SECRET, body, int(clock.now().timestamp()))}
    assert client.post("/webhooks/sms/sandbox", data=body, headers=headers).status_code == 400


def _sessions(ctx):
    return ctx.providers["sms"]._sessions
