"""A timeline entry as data, the old sentences read back as codes (migration
0006), and the expected completion day from the item's SLA in working days."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from orders import domain
from orders.domain.timeline import Entry, iso, refused_documents

MIGRATION = (
    Path(__file__).resolve().parents[2] / "migrations/versions/0006_timeline_entries_as_data.py"
)


def _migration():
    spec = importlib.util.spec_from_file_location("orders_migration_0006", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the expected completion -------------------------------------------------------------

MONDAY_9_BEIJING = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
FRIDAY_17_BEIJING = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "submitted_at", "sla", "expected"),
    [
        ("submitted", MONDAY_9_BEIJING, 3, date(2026, 3, 5)),
        ("in_production", FRIDAY_17_BEIJING, 1, date(2026, 3, 9)),  # over the weekend
        ("awaiting_payment", MONDAY_9_BEIJING, 5, date(2026, 3, 9)),
        ("draft", None, 3, None),
        ("completed", MONDAY_9_BEIJING, 3, None),
        ("delivered", MONDAY_9_BEIJING, 3, None),
        ("cancelled", MONDAY_9_BEIJING, 3, None),
        ("submitted", MONDAY_9_BEIJING, None, None),  # drafted before orders kept the SLA
    ],
)
def test_the_expected_completion_counts_working_days_in_beijing(
    status, submitted_at, sla, expected
):
    assert domain.expected_completion(status, submitted_at, sla) == expected


def test_the_day_is_beijing_s_even_late_in_the_utc_evening():
    # 23:30 UTC on Wednesday is 07:30 Thursday in Beijing: one working day later is Friday.
    late = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)
    assert domain.expected_completion("submitted", late, 1) == date(2026, 3, 6)


# --- the parameters ------------------------------------------------------------------------


def test_times_are_iso_utc_and_refused_documents_keep_code_reason_and_note():
    from zoneinfo import ZoneInfo

    beijing = datetime(2026, 3, 9, 11, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert iso(beijing) == "2026-03-09T03:00:00+00:00"
    assert refused_documents([
        {"code": "selfie_with_id_card", "reason_code": "blurred", "note": "模糊"},
        {"code": "portrait_photo", "reason_code": "glare", "note": ""},
    ]) == [
        {"code": "selfie_with_id_card", "reason_code": "blurred", "note": "模糊"},
        {"code": "portrait_photo", "reason_code": "glare", "note": None},
    ]  # fmt: skip


# --- the old sentences (migration 0006) -----------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "actor", "moved", "code", "params"),
    [
        ("Application started.", "acct-1", (None, "draft"), "started", {}),
        ("Submitted; the price is locked at 2500 fen (fee version 1).", "acct-1",
         ("draft", "awaiting_payment"), "submitted", {"total_fen": 2500, "fee_version": 1}),
        ("Paid: 2500 fen authorised.", "payment-provider", ("awaiting_payment", "submitted"),
         "paid_authorised", {"amount_fen": 2500}),
        ("Not paid within 30 minutes of submission.", "system",
         ("awaiting_payment", "closed_unpaid"), "expired_unpaid", {"after_seconds": 1800}),
        ("No change for 30 days.", "system", ("draft", "discarded"), "draft_discarded",
         {"idle_seconds": 2592000}),
        ("Approved. 2500 fen captured.", "reviewer:s", ("in_review", "approved"), "approved",
         {"captured_fen": 2500}),
        ("Approved.", "reviewer:s", ("in_review", "approved"), "approved", {"captured_fen": 0}),
        ("New photos needed by 2026-12-07 11:39 UTC (round 1): selfie_with_id_card "
         "face-not-visible", "reviewer:s", ("in_review", "needs_resubmission"), "legacy",
         {"text": "New photos needed by 2026-12-07 11:39 UTC (round 1): selfie_with_id_card "
                  "face-not-visible"}),
        ("New photos needed by 2026-12-07 11:39 UTC (round 1): selfie_with_id_card "
         "face-not-visible (看不清脸); portrait_photo glare.", "reviewer:s",
         ("in_review", "needs_resubmission"), "resubmission_requested",
         {"round": 1, "deadline": "2026-12-07T11:39:00+00:00", "documents": [
             {"code": "selfie_with_id_card", "reason_code": "face-not-visible",
              "note": "看不清脸"},
             {"code": "portrait_photo", "reason_code": "glare", "note": None}]}),
        ("Rejected (identity-mismatch): not the same person.", "reviewer:s",
         ("in_review", "rejected"), "rejected",
         {"reason_code": "identity-mismatch", "note": "not the same person."}),
        ("Closed after the rejection (other): 2500 fen refunded.", "system",
         ("rejected", "closed"), "closed_after_rejection",
         {"reason_code": "other", "money": "refunded", "refunded_fen": 2500}),
        ("Cancelled by the applicant.", "acct-1", ("submitted", "cancelled"),
         "cancelled_by_applicant", {"reason_text": None}),
        ("Review started.", "acct-1", ("submitted", "cancelled"),  # the applicant's own words
         "cancelled_by_applicant", {"reason_text": "Review started."}),
        ("电话撤回", "supervisor:s", ("approved", "cancelled"), "cancelled_by_supervisor",
         {"reason_text": "电话撤回"}),
        ("EMS EA000000014CN: in_transit (青岛).", "courier", ("shipped", "shipped"),
         "shipment_status", {"carrier": "EMS", "waybill": "EA000000014CN",
                             "state": "in_transit", "city": "青岛"}),
        ("Handed to the courier. (reported after a later step)", "system",
         ("in_production", "shipped"), "reported_late", {}),
        ("Ready for pickup at pickup-shinan; collect by 2026-04-01 UTC.", "system",
         ("in_production", "ready_for_pickup"), "ready_for_pickup",
         {"office_code": "pickup-shinan", "collect_by": "2026-04-01T00:00:00+00:00"}),
        ("Complaint cmp-1 opened: automatic confirmation paused with 5.0 days left.", "system",
         ("delivered", "delivered"), "complaint_opened",
         {"complaint_id": "cmp-1", "paused_left_seconds": 432000}),
        ("Something orders never wrote.", "system", ("shipped", "shipped"), "legacy",
         {"text": "Something orders never wrote."}),
    ],
)  # fmt: skip
def test_an_old_sentence_is_read_back_as_its_code_or_kept_as_legacy(
    reason, actor, moved, code, params
):
    assert _migration().entry_of(reason, actor, *moved) == (code, params)


def test_every_code_the_backfill_gives_is_one_orders_writes():
    codes = {code for _pattern, code, _params in _migration().SENTENCES}
    assert codes <= {entry.value for entry in Entry}
