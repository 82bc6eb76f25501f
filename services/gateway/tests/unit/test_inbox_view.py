"""The words the inbox, preferences and staff pages put on notifications'
codes, the preferences form as notifications takes it, and the account events'
payloads: pure rules, no database, no network."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from common.events.payloads import PayloadMismatch
from gateway import events, inbox_view
from gateway.pages.inbox import page_number
from gateway.pages.preferences import read_form


@pytest.mark.parametrize(
    ("reason", "key"),
    [
        ("invalid-recipient", "failure.invalid_recipient"),
        ("unavailable: connection refused", "failure.unavailable"),
        ("undeliverable: handset off", "failure.undeliverable"),
        ("ProviderError", "failure.other"),
        (None, "failure.other"),
    ],
)
def test_a_failure_reason_is_said_by_its_kind(reason, key):
    assert inbox_view.reason_key(reason) == key


def test_a_known_template_is_named_and_a_new_one_is_another_message():
    assert inbox_view.template_key("pickup_ready") == "template.pickup_ready"
    assert inbox_view.template_key("something_new") == "template.other"


def test_a_receipt_not_yet_received_reads_as_waiting():
    assert inbox_view.receipt_key("") == "sandbox.receipt.pending"
    assert inbox_view.receipt_key("delivered") == "sandbox.receipt.delivered"


def test_an_unticked_switch_is_sent_as_off_and_the_language_as_chosen():
    changes = read_form(MultiDict({"sms": "on", "language": "en"}))
    assert changes == {"sms": True, "email": False, "language": "en"}


def test_a_language_left_unchosen_is_not_sent():
    assert "language" not in read_form(MultiDict({"email": "on"}))


@pytest.mark.parametrize(("raw", "page"), [(None, 1), ("3", 3), ("0", 1), ("x", 1)])
def test_a_page_number_that_is_not_one_is_the_first_page(raw, page):
    assert page_number(raw) == page


def test_the_contact_event_carries_only_where_messages_go():
    data = events.payload(
        events.CONTACT_CHANGED,
        {"account_id": "a1", "language": "en", "phone": "13912345678", "email": None,
         "changed_at": datetime(2026, 3, 1, tzinfo=UTC), "password_hash": "$argon2id$…"},
    )  # fmt: skip
    assert set(data) == {"account_id", "language", "phone", "email", "changed_at"}


def test_a_contact_event_with_a_language_notifications_cannot_use_is_refused():
    with pytest.raises(PayloadMismatch):
        events.payload(
            events.CONTACT_CHANGED,
            {"account_id": "a1", "language": "fr", "phone": None, "email": None,
             "changed_at": datetime(2026, 3, 1, tzinfo=UTC)},
        )  # fmt: skip
