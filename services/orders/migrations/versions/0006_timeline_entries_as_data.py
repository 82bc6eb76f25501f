"""Timeline entries are data: a code and its parameters (orders.domain.timeline)
instead of an English sentence, so each reader says them in its own language.

Entries already written are read back from the sentences orders used to
write; a sentence that cannot be read gets the code `legacy` with the old
text as its `text` parameter, and readers show it as it is. The sentence
column goes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
LEGACY = "legacy"
BATCH = 500

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
Params = dict[str, Any]


def _span(count: str, unit: str) -> int:
    return round(float(count) * _UNITS[unit.rstrip("s")])


def _day(value: str) -> str:
    """The old sentences wrote a pickup day as `2026-03-09 UTC`."""
    return f"{value}T00:00:00+00:00"


def _refused(listed: str) -> list[Params] | None:
    found = []
    for part in listed.split("; "):
        match = re.fullmatch(r"(\S+) (\S+)(?: \((.*)\))?", part)
        if match is None:
            return None
        found.append({"code": match[1], "reason_code": match[2], "note": match[3]})
    return found


def _money_back(words: str | None, fen: str | None) -> Params:
    if fen:
        return {"money": "refunded", "refunded_fen": int(fen)}
    return {"money": "voided" if words else "none", "refunded_fen": 0}


# Each sentence orders wrote (its pattern, anchored), → (code, parameters from the match).
SENTENCES: list[tuple[str, str, Callable[[re.Match[str]], Params | None]]] = [
    (r"Application started\.", "started", lambda m: {}),
    (r"Submitted; the price is locked at (\d+) fen \(fee version (\d+)\)\.", "submitted",
     lambda m: {"total_fen": int(m[1]), "fee_version": int(m[2])}),
    (r"Nothing to pay\.", "nothing_to_pay", lambda m: {}),
    (r"Paid: (\d+) fen authorised\.", "paid_authorised", lambda m: {"amount_fen": int(m[1])}),
    (r"Not paid within (\d+) (\w+) of submission\.", "expired_unpaid",
     lambda m: {"after_seconds": _span(m[1], m[2])}),
    (r"No change for (\d+) (\w+)\.", "draft_discarded",
     lambda m: {"idle_seconds": _span(m[1], m[2])}),
    (r"Review started\.", "review_started", lambda m: {}),
    (r"Approved\.(?: (\d+) fen captured\.)?", "approved",
     lambda m: {"captured_fen": int(m[1] or 0)}),
    (r"Approved, but the payment provider refused the capture \((.*)\): a supervisor may "
     r"retry it or cancel the order\.", "capture_failed", lambda m: {"provider_reason": m[1]}),
    (r"Capture retried by a supervisor: (\d+) fen captured\.", "capture_retried",
     lambda m: {"captured_fen": int(m[1])}),
    (r"New photos needed by (\d{4}-\d\d-\d\d) (\d\d:\d\d) UTC \(round (\d+)\): (.*)\.",
     "resubmission_requested",
     lambda m: None if (documents := _refused(m[4])) is None else {
         "round": int(m[3]), "deadline": f"{m[1]}T{m[2]}:00+00:00", "documents": documents,
     }),
    (r"New photos sent \(round (\d+)\); back in review\.", "resubmitted",
     lambda m: {"round": int(m[1])}),
    (r"Rejected \(([^)]+)\)(?:: (.*)|\.)", "rejected",
     lambda m: {"reason_code": m[1], "note": m[2]}),
    (r"Closed after the rejection \(([^)]+)\)(: the authorisation was voided|: (\d+) fen "
     r"refunded)?\.", "closed_after_rejection",
     lambda m: {"reason_code": m[1], **_money_back(m[2], m[3])}),
    (r"(?:Production started|Handed to the courier|Ready for pickup)\. \(reported after a "
     r"later step\)", "reported_late", lambda m: {}),
    (r"Production started \(batch (.+)\)\.", "production_started",
     lambda m: {"batch_id": m[1]}),
    (r"Produced(?:; credential number (.+))?\.", "produced",
     lambda m: {"credential_number": m[1]}),
    (r"Sent again after the delivery problem \((.+), waybill (.+)\)\.", "reshipped",
     lambda m: {"carrier": m[1], "waybill": m[2]}),
    (r"Handed to the courier \((.+), waybill (.+)\)\.", "shipped",
     lambda m: {"carrier": m[1], "waybill": m[2]}),
    (r"Delivery attempt (\d+) failed \(([^)]+)\): (.*) / (.*)", "delivery_attempt_failed",
     lambda m: {"attempt": int(m[1]), "reason": m[2], "what_to_do": {"en": m[3], "zh": m[4]}}),
    (r"Switched to pickup at (\S+); collect by (\d{4}-\d\d-\d\d) UTC\.", "switched_to_pickup",
     lambda m: {"office_code": m[1], "collect_by": _day(m[2])}),
    (r"Ready for pickup at (\S+); collect by (\d{4}-\d\d-\d\d) UTC\.", "ready_for_pickup",
     lambda m: {"office_code": m[1], "collect_by": _day(m[2])}),
    (r"Reminder: not collected yet at (\S+); collect by (\d{4}-\d\d-\d\d) UTC\.",
     "pickup_reminder", lambda m: {"office_code": m[1], "collect_by": _day(m[2])}),
    (r"Collected at the counter\.", "collected", lambda m: {}),
    (r"Signed for \(waybill (.+)\)\.", "signed_for", lambda m: {"waybill": m[1]}),
    (r"Not collected in time: returned to the archive\.", "uncollected", lambda m: {}),
    (r"Delivery problem \(([^,]+), waybill (.+)\)\.", "delivery_exception",
     lambda m: {"reason_code": m[1], "waybill": m[2]}),
    (r"Receipt confirmed by the applicant\.", "receipt_confirmed", lambda m: {}),
    (r"Receipt confirmed automatically, ([\d.]+) (days|hours) after delivery\.",
     "receipt_auto_confirmed", lambda m: {"after_seconds": _span(m[1], m[2])}),
    (r"Automatic confirmation paused: a complaint is open\.", "auto_confirm_paused",
     lambda m: {}),
    (r"Complaint (\S+) opened(?:: automatic confirmation paused with ([\d.]+) (days|hours) "
     r"left)?\.", "complaint_opened",
     lambda m: {"complaint_id": m[1],
                "paused_left_seconds": _span(m[2], m[3]) if m[2] else None}),
    (r"Complaint (\S+) closed(?:: automatic confirmation resumed with ([\d.]+) (days|hours) "
     r"left)?\.", "complaint_closed",
     lambda m: {"complaint_id": m[1],
                "resumed_left_seconds": _span(m[2], m[3]) if m[2] else None}),
    # A tracking update: `EMS 1234567890123: in_transit (Qingdao).`
    (r"(\S+) (\S+): ([a-z_]+)(?: \((.+)\))?\.", "shipment_status",
     lambda m: {"carrier": m[1], "waybill": m[2], "state": m[3], "city": m[4]}),
]  # fmt: skip

_CANCELLED = {"cancelled", "discarded", "closed_unpaid"}


def entry_of(
    reason: str | None, actor: str, from_status: str | None, to_status: str
) -> tuple[str, Params]:
    """The code and parameters an old entry's sentence meant (`legacy` when unreadable)."""
    text = reason or ""
    if to_status in _CANCELLED and from_status != to_status and actor != "system":
        # A cancel wrote the canceller's own words (or the default for none).
        if actor.startswith("supervisor:"):
            return "cancelled_by_supervisor", {"reason_text": text}
        typed = None if text == "Cancelled by the applicant." else text or None
        return "cancelled_by_applicant", {"reason_text": typed}
    for pattern, code, params_of in SENTENCES:
        if code == "shipment_status" and actor != "courier":
            continue
        match = re.fullmatch(pattern, text, flags=re.DOTALL)
        if match is not None and (params := params_of(match)) is not None:
            return code, params
    return LEGACY, {"text": reason}


def upgrade() -> None:
    op.add_column("order_timeline", sa.Column("code", sa.String(40), nullable=True))
    op.add_column("order_timeline", sa.Column("params", Json, nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table("order_timeline") as batch:
        batch.alter_column("code", existing_type=sa.String(40), nullable=False)
        batch.alter_column("params", existing_type=Json, nullable=False)
        batch.drop_column("reason")


def _backfill(connection: sa.Connection) -> None:
    timeline = sa.table(
        "order_timeline",
        sa.column("id", sa.Integer),
        sa.column("actor", sa.String),
        sa.column("from_status", sa.String),
        sa.column("to_status", sa.String),
        sa.column("reason", sa.Text),
        sa.column("code", sa.String),
        sa.column("params", Json),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(timeline.c.id, timeline.c.actor, timeline.c.from_status,
                      timeline.c.to_status, timeline.c.reason)
            .where(timeline.c.id > last).order_by(timeline.c.id).limit(BATCH)
        ).all()  # fmt: skip
        if not rows:
            return
        for row in rows:
            code, params = entry_of(row.reason, row.actor, row.from_status, row.to_status)
            connection.execute(
                timeline.update().where(timeline.c.id == row.id).values(code=code, params=params)
            )
        last = rows[-1].id


def downgrade() -> None:
    # The sentences are not written again: an entry keeps its code as its reason.
    with op.batch_alter_table("order_timeline") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
    op.execute("UPDATE order_timeline SET reason = code")
    with op.batch_alter_table("order_timeline") as batch:
        batch.drop_column("params")
        batch.drop_column("code")
