"""The lifecycle's events become messages: once each, in the applicant's language,
on the channels their preferences and the law allow; bad events are dead-lettered
with the reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from notifications.handlers import handlers_for
from notifications.reminders import sweep_reminders
from notifications.services import order_of, write_messages

from common.events.consumer import Dispatcher

from .conftest import event

STEPS: list[tuple[str, dict[str, Any], str]] = [
    ("orders.submitted", {"applicant_id": "acct-a", "total_fen": 2500}, "submitted"),
    ("verification.resubmission_requested", {"round": 1, "deadline": "2026-03-09T09:35:00+00:00",
     "documents": [{"code": "selfie_with_id_card", "reason_code": "face-not-visible", "note": None}]},
     "photos_needed"),
    ("orders.approved", {"applicant_id": "acct-a", "total_fen": 2500}, "approved"),
    ("orders.rejected", {"reason_code": "identity-mismatch", "note": "照片与身份证不符"}, "rejected"),
    ("orders.payment_refunded", {"payment_id": "p1", "amount_fen": 2500, "reason": "rejected"}, "refunded"),
    ("fulfillment.production_started", {"item_code": "x", "batch_id": "b", "actor": "s",
                                        "started_at": "2026-03-04T01:30:00+00:00"}, "in_production"),
    ("fulfillment.dispatched", {"carrier": "EMS", "waybill": "EA000000014CN"}, "dispatched"),
    ("fulfillment.delivery_attempt_failed", {"waybill": "EA000000014CN", "attempt": 1,
     "what_to_do": {"zh": "请保持电话畅通。", "en": "Keep your phone on."}}, "delivery_attempt_failed"),
    ("fulfillment.ready_for_pickup", {"office_code": "pickup-shinan", "office": None}, "pickup_ready"),
    ("fulfillment.delivered", {"how": "courier"}, "delivered"),
    ("orders.completed", {"applicant_id": "acct-a", "how": "confirmed"}, "completed"),
    ("verification.chat_message_posted", {"applicant_id": "acct-a", "message_id": 7,
                                          "posted_at": "2026-03-02T09:30:00+00:00"}, "chat_reply"),
    ("ratings.complaint_opened", {"complaint_id": "cas_1", "kind": "complaint", "category": None,
     "contact_by": "2026-03-11T02:00:00+00:00", "answer_by": "2026-03-31T02:00:00+00:00",
     "occurred_at": "2026-03-10T02:00:00+00:00"}, "complaint_opened"),
    ("ratings.case_answered", {"complaint_id": "cas_1", "kind": "complaint", "on_time": True,
     "escalated": False, "occurred_at": "2026-03-12T02:00:00+00:00"}, "complaint_answered"),
    ("ratings.complaint_closed", {"complaint_id": "cas_1", "kind": "complaint",
     "outcome": "accepted", "occurred_at": "2026-03-13T02:00:00+00:00"}, "complaint_closed"),
]  # fmt: skip


def _messages(rows, story):
    return rows("SELECT template, channel, language, title, body, status FROM messages "
                "WHERE order_id = :o ORDER BY template, channel", o=story.order_id)  # fmt: skip


@pytest.mark.parametrize(("event_type", "data", "template"), STEPS, ids=[s[2] for s in STEPS])
def test_each_event_becomes_its_message_on_every_channel_once_even_when_delivered_twice(
    story, deliver, rows, event_type, data, template
):
    story.contact()
    story.draft()
    envelope = event(event_type, {"order_id": story.order_id, "reference": story.reference, **data})
    assert deliver(envelope).action == "ack"
    assert deliver(envelope).action == "ack"
    found = _messages(rows, story)
    assert [(m["template"], m["channel"]) for m in found] == [
        (template, "email"),
        (template, "inapp"),
        (template, "sms"),
    ]
    assert all(story.reference in m["body"] for m in found if m["channel"] == "inapp")


def test_the_messages_are_written_in_the_applicants_language(story, rows):
    story.contact(language="en")
    story.submitted()
    inapp = rows("SELECT title, body, language FROM messages WHERE channel = 'inapp'")
    assert inapp == [{"title": "Application submitted", "language": "en",
                      "body": f"Your application {story.reference} is submitted; ¥25.00 is held "
                              "and taken only on approval."}]  # fmt: skip


def test_a_message_the_applicant_switched_off_goes_to_the_inbox_only(
    story, client, applicant, rows
):
    story.contact()
    client.put("/preferences", json={"sms": False, "email": False}, headers=applicant())
    story.submitted()
    assert [m["channel"] for m in rows("SELECT channel FROM messages")] == ["inapp"]


def test_a_rejection_is_sent_by_sms_and_email_even_when_they_are_switched_off(
    story, client, applicant, rows
):
    story.contact()
    client.put("/preferences", json={"sms": False, "email": False}, headers=applicant())
    story.draft()
    story.tell("orders.rejected", reason_code="identity-mismatch", note=None)
    channels = sorted(m["channel"] for m in rows("SELECT channel FROM messages"))
    assert channels == ["email", "inapp", "sms"]


def test_an_event_about_an_order_not_known_yet_is_retried_not_lost(story, rows):
    outcome = story.tell("fulfillment.dispatched", carrier="EMS", waybill="EA000000014CN")
    assert outcome.action == "retry" and f"order {story.order_id} not known" in outcome.reason
    story.draft()
    assert (
        story.tell("fulfillment.dispatched", carrier="EMS", waybill="EA000000014CN").action == "ack"
    )


def test_an_event_missing_a_field_is_dead_lettered_naming_it(story, rows):
    story.draft()
    outcome = story.tell("fulfillment.dispatched", carrier="EMS")
    assert outcome.action == "dead" and "waybill" in outcome.reason
    assert rows("SELECT id FROM messages") == []


def test_an_unknown_template_is_dead_lettered_with_the_reason_and_others_keep_flowing(
    story, ctx, rows
):
    story.draft()

    def birthday(envelope, uow):
        write_messages(ctx, uow, event_id=envelope.id, event_type=envelope.type,
                       template_key="birthday", order=order_of(uow, story.order_id),
                       values=lambda language: {})  # fmt: skip

    dispatcher = Dispatcher("notifications", {"orders.birthday": birthday}, ctx.uow, max_attempts=3)
    bad = event("orders.birthday", {"order_id": story.order_id})
    outcome = dispatcher.handle(bad.to_json(), 0)
    assert outcome.action == "dead" and "unknown template 'birthday'" in outcome.reason
    assert story.tell("fulfillment.delivered", how="courier").action == "ack"


def test_the_pickup_code_is_read_from_fulfillment_for_the_owner_and_kept_out_of_email(
    story, pickup_codes, rows
):
    story.contact()
    story.draft()
    pickup_codes.codes[story.order_id] = "482913"
    story.tell("fulfillment.ready_for_pickup", office_code="pickup-shinan", office={
        "name": {"zh": "市南大厅", "en": "Shinan hall"},
        "hours": {"zh": "工作日 9:00–17:00", "en": "Weekdays 9:00–17:00"}})  # fmt: skip
    assert pickup_codes.asked == [(story.order_id, "acct-a")]
    bodies = {m["channel"]: m["body"] for m in rows("SELECT channel, body FROM messages")}
    assert "482913" in bodies["inapp"] and "482913" in bodies["sms"]
    assert "482913" not in bodies["email"] and "市南大厅" in bodies["email"]


def test_an_older_contact_change_is_stale_and_the_newer_one_is_kept(story, rows):
    story.contact(phone="13900000001", changed_at="2026-03-02T00:00:00+00:00")
    story.contact(phone="13900000002", changed_at="2026-03-01T00:00:00+00:00")
    assert rows("SELECT phone FROM contacts") == [{"phone": "13900000001"}]


def test_a_contact_change_without_a_language_keeps_the_language_chosen(story, rows):
    story.contact(language="en", changed_at="2026-03-01T00:00:00+00:00")
    story.contact(phone="13900000003", language=None, changed_at="2026-03-02T00:00:00+00:00")
    assert rows("SELECT phone FROM contacts") == [{"phone": "13900000003"}]
    assert rows("SELECT language FROM preferences") == [{"language": "en"}]


def test_a_deleted_account_is_forgotten_with_its_messages(story, deliver, rows):
    story.contact()
    story.submitted()
    deliver(
        event(
            "accounts.deleted", {"account_id": "acct-a", "deleted_at": "2026-03-03T00:00:00+00:00"}
        )
    )
    for table in ("contacts", "preferences", "messages", "orders"):
        assert rows(f"SELECT * FROM {table}") == [], table


def test_the_photos_reminder_is_sent_once_24_hours_before_the_deadline(story, ctx, clock, rows):
    story.contact()
    story.draft()
    story.tell("verification.resubmission_requested", round=1, deadline="2026-03-09T09:35:00+00:00",
               documents=[{"code": "selfie_with_id_card", "reason_code": "blurred", "note": None}])  # fmt: skip
    clock.advance(timedelta(days=6, hours=8, minutes=34))  # a minute short of 24 h before
    assert sweep_reminders(ctx, clock.now()) == 0
    clock.advance(timedelta(minutes=1))
    assert sweep_reminders(ctx, clock.now()) == 1
    assert sweep_reminders(ctx, clock.now()) == 0
    inapp = rows(
        "SELECT body FROM messages WHERE template = 'photos_reminder' AND channel = 'inapp'"
    )
    assert (
        len(inapp) == 1
        and "3月9日17:35" in inapp[0]["body"]
        and "本人手持身份证照片" in inapp[0]["body"]
    )


def test_photos_resubmitted_before_the_reminder_cancel_it(story, ctx, clock, rows):
    story.draft()
    story.tell("verification.resubmission_requested", round=1, deadline="2026-03-09T09:35:00+00:00",
               documents=[{"code": "selfie_with_id_card", "reason_code": "blurred", "note": None}])  # fmt: skip
    story.tell("verification.resubmitted", round=1)
    clock.advance(timedelta(days=7))
    assert sweep_reminders(ctx, clock.now()) == 0
    assert rows("SELECT id FROM messages WHERE template = 'photos_reminder'") == []


def test_the_case_a_bad_rating_opened_is_not_told_as_a_complaint(story, rows):
    story.contact()
    story.draft()
    outcome = story.tell("ratings.complaint_opened", complaint_id="cas_2", kind="bad_rating",
                         category=None, contact_by="2026-03-11T02:00:00+00:00",
                         answer_by="2026-03-31T02:00:00+00:00",
                         occurred_at="2026-03-10T02:00:00+00:00")  # fmt: skip
    assert outcome.action == "ack"
    assert rows("SELECT id FROM messages") == []


def test_a_staff_reply_names_no_word_of_the_chat_in_the_applicants_language(story, rows):
    story.contact(language="en")
    story.draft()
    story.tell("verification.chat_message_posted", applicant_id=story.account, message_id=9,
               posted_at="2026-03-02T09:30:00+00:00")  # fmt: skip
    [inbox] = rows("SELECT title, body, link FROM messages WHERE channel = 'inapp'")
    assert inbox == {"title": "Staff replied",
                     "body": f"Staff replied in the chat of {story.reference}.",
                     "link": f"https://gov.test/applications/{story.order_id}"}  # fmt: skip


def test_a_batch_about_one_order_is_handled_as_one_event_at_a_time_would_be(ctx, story, rows):
    """The worker's dispatcher reads the batch's orders at once and writes at commit:
    a contact, a new order and its next step in one batch still read each other."""
    from notifications.dispatcher import BatchReadingDispatcher

    from common.events.consumer import Delivery

    dispatcher = BatchReadingDispatcher("notifications", handlers_for(ctx), ctx.uow,
                                        max_attempts=3, hint=ctx.batch)  # fmt: skip
    order = {"order_id": story.order_id, "reference": story.reference}
    batch = [
        event("accounts.contact_changed", {"account_id": "acct-a", "language": "en",
              "phone": "13912345678", "email": None, "changed_at": "2026-03-01T00:00:00+00:00"}),
        event("orders.submitted", {**order, "applicant_id": "acct-a", "total_fen": 2500}),
        event("fulfillment.production_started", order),
        event("fulfillment.delivered", {"order_id": "an-order-nobody-named"}),
    ]  # fmt: skip
    outcomes = dispatcher.handle_batch([Delivery(e.to_json()) for e in batch])
    assert [o.action for o in outcomes] == ["ack", "ack", "ack", "retry"]
    found = rows("SELECT template, channel, language FROM messages ORDER BY template, channel")
    assert [(m["template"], m["channel"], m["language"]) for m in found] == [
        ("in_production", "inapp", "en"), ("in_production", "sms", "en"),
        ("submitted", "inapp", "en"), ("submitted", "sms", "en"),
    ]  # fmt: skip
    assert rows("SELECT account_id FROM orders") == [{"account_id": "acct-a"}]
    assert ctx.batch.orders == {}
