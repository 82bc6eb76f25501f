"""What a timeline entry says, as data: a stable code and its parameters.

Orders stores no sentence: each reader (the gateway's pages, an API client)
says the entry in its own language from the code and the parameters. Money
is integer fen, times are ISO 8601 in UTC, durations whole seconds; documents,
reasons, carriers and offices are their codes. Text a person typed (a
cancellation's reason, a reviewer's note) is kept as typed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any


class Entry(StrEnum):
    """Every code orders writes on a timeline (docs/api.md lists their parameters)."""

    STARTED = "started"
    SUBMITTED = "submitted"  # total_fen, fee_version
    NOTHING_TO_PAY = "nothing_to_pay"
    PAID_AUTHORISED = "paid_authorised"  # amount_fen, method (a wallet's: held)
    PAID = "paid"  # amount_fen, method: taken at once (the page wallet)
    EXPIRED_UNPAID = "expired_unpaid"  # after_seconds
    DRAFT_DISCARDED = "draft_discarded"  # idle_seconds
    CANCELLED_BY_APPLICANT = "cancelled_by_applicant"  # reason_text (or null)
    CANCELLED_BY_SUPERVISOR = "cancelled_by_supervisor"  # reason_text
    REVIEW_STARTED = "review_started"
    APPROVED = "approved"  # captured_fen
    CAPTURE_FAILED = "capture_failed"  # provider_reason
    CAPTURE_RETRIED = "capture_retried"  # captured_fen
    RESUBMISSION_REQUESTED = "resubmission_requested"  # round, deadline, documents
    RESUBMITTED = "resubmitted"  # round
    REJECTED = "rejected"  # reason_code, note
    CLOSED_AFTER_REJECTION = "closed_after_rejection"  # reason_code, money, refunded_fen
    PRODUCTION_STARTED = "production_started"  # batch_id
    PRODUCED = "produced"  # credential_number
    SHIPPED = "shipped"  # carrier, waybill
    RESHIPPED = "reshipped"  # carrier, waybill
    SHIPMENT_STATUS = "shipment_status"  # carrier, waybill, state, city
    DELIVERY_ATTEMPT_FAILED = "delivery_attempt_failed"  # attempt, reason, what_to_do
    READY_FOR_PICKUP = "ready_for_pickup"  # office_code, collect_by
    SWITCHED_TO_PICKUP = "switched_to_pickup"  # office_code, collect_by
    PICKUP_REMINDER = "pickup_reminder"  # office_code, collect_by
    REPORTED_LATE = "reported_late"  # a step implied by a later one (the entry's to_status)
    SIGNED_FOR = "signed_for"  # waybill
    COLLECTED = "collected"
    DELIVERY_EXCEPTION = "delivery_exception"  # reason_code, waybill
    UNCOLLECTED = "uncollected"
    RECEIPT_CONFIRMED = "receipt_confirmed"
    RECEIPT_AUTO_CONFIRMED = "receipt_auto_confirmed"  # after_seconds
    AUTO_CONFIRM_PAUSED = "auto_confirm_paused"
    COMPLAINT_OPENED = "complaint_opened"  # complaint_id, paused_left_seconds
    COMPLAINT_CLOSED = "complaint_closed"  # complaint_id, resumed_left_seconds
    RATING_INVITED = "rating_invited"  # rate_by
    LEGACY = "legacy"  # text: a sentence written before entries were data


# Money moved back when a rejected order closed (`closed_after_rejection`'s `money`).
VOIDED, REFUNDED, NOTHING = "voided", "refunded", "none"


def iso(moment: datetime) -> str:
    """A time as the parameters hold it: ISO 8601 in UTC."""
    return moment.astimezone(UTC).isoformat()


def seconds(span: timedelta) -> int:
    return int(span.total_seconds())


def refused_documents(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A resubmission request's documents: code and reason code, and the reviewer's note
    when there is one."""
    return [
        {"code": d["code"], "reason_code": d["reason_code"], "note": d.get("note") or None}
        for d in documents
    ]
