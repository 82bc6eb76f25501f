"""The review console's rules, with no I/O: the reason codes a reviewer may
pick, how a verdict, check, decision or reveal form is checked before it goes
to verification, how a case's SLA reads as a tag, and what each of
verification's refusals is called. Messages are keys of gateway.i18n.

Verification checks everything again (it is the owner); checking here first
lets a page name the field in words without a round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.domain import FieldErrors

REVIEW_ROLES = ("reviewer", "supervisor")
SUPERVISOR = "supervisor"

ACCEPTED, REFUSED = "accepted", "refused"
MATCH, MISMATCH = "match", "mismatch"
APPROVE, REQUEST_RESUBMISSION, REJECT = "approve", "request_resubmission", "reject"
DOCUMENT_REASONS = (
    "blurred",
    "glare",
    "cropped",
    "wrong-document",
    "expired",
    "face-not-visible",
    "not-original",
    "mismatch",
    "other",
)
# The timer's `resubmission-deadline-missed` is verification's alone to give.
REJECTION_REASONS = (
    "documents-invalid",
    "identity-mismatch",
    "not-eligible",
    "suspected-fraud",
    "other",
)
OTHER = "other"
NOTE_MAX = 500
REVEAL_REASON_MIN, REVEAL_REASON_MAX = 5, 200
# No deadline given: verification applies the office's (VERIFICATION_RESUBMISSION_DAYS).
DEADLINE_DAYS_MIN, DEADLINE_DAYS_MAX = 1, 30
CANCEL_REASON_MAX = 500
# Case statuses in which a reviewer can still act (verification says the rest).
OPEN_STATUSES = frozenset({"queued", "in_review", "awaiting_applicant"})
DUE_SOON = timedelta(hours=24)

# Verification's and orders' refusals (the problem type's last segment) → words.
REFUSALS = (
    "case-taken",
    "case-closed",
    "case-not-submitted",
    "not-assignee",
    "awaiting-applicant",
    "verdicts-incomplete",
    "nothing-refused",
    "rounds-exhausted",
    "not-assigned",
)


@dataclass(frozen=True)
class VerdictForm:
    verdict: str
    reason_code: str | None
    note: str | None


@dataclass(frozen=True)
class CheckForm:
    result: str
    note: str | None


@dataclass(frozen=True)
class DecisionForm:
    decision: str
    reason_code: str | None
    note: str | None
    deadline_days: int | None


def _note(raw: str | None, errors: dict[str, list[str]], name: str = "note") -> str | None:
    text = (raw or "").strip()
    if len(text) > NOTE_MAX:
        errors[name] = ["review.note_too_long"]
    return text or None


def parse_verdict(verdict: str | None, reason_code: str | None, note: str | None) -> VerdictForm:
    """A document's verdict: refused needs a reason; `other` needs a note."""
    errors: dict[str, list[str]] = {}
    said = _note(note, errors)
    reason = (reason_code or "").strip() or None
    if verdict not in (ACCEPTED, REFUSED):
        errors["verdict"] = ["review.verdict_required"]
    elif verdict == ACCEPTED:
        reason = None
    elif reason not in DOCUMENT_REASONS:
        errors["reason_code"] = ["review.reason_required"]
    elif reason == OTHER and not said and "note" not in errors:
        errors["note"] = ["review.note_required"]
    if errors:
        raise FieldErrors(errors)
    return VerdictForm(str(verdict), reason, said)


def parse_check(result: str | None, note: str | None) -> CheckForm:
    errors: dict[str, list[str]] = {}
    said = _note(note, errors)
    if result not in (MATCH, MISMATCH):
        errors["result"] = ["review.result_required"]
    if errors:
        raise FieldErrors(errors)
    return CheckForm(str(result), said)


def parse_decision(
    decision: str | None, reason_code: str | None, note: str | None, deadline_days: str | None
) -> DecisionForm:
    """Approve; ask for new photos within a deadline; or reject with a reason."""
    errors: dict[str, list[str]] = {}
    said = _note(note, errors)
    reason = (reason_code or "").strip() or None
    days: int | None = None
    if decision not in (APPROVE, REQUEST_RESUBMISSION, REJECT):
        errors["decision"] = ["review.decision_required"]
    elif decision == REJECT:
        if reason not in REJECTION_REASONS:
            errors["reason_code"] = ["review.rejection_reason_required"]
        elif not said and "note" not in errors:
            errors["note"] = ["review.rejection_note_required"]
    elif decision == REQUEST_RESUBMISSION:
        days = _deadline_days(deadline_days, errors)
    if decision != REJECT:
        reason = None
    if errors:
        raise FieldErrors(errors)
    return DecisionForm(str(decision), reason, said, days)


def _deadline_days(raw: str | None, errors: dict[str, list[str]]) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or not DEADLINE_DAYS_MIN <= int(text) <= DEADLINE_DAYS_MAX:
        errors["deadline_days"] = ["review.deadline_days_invalid"]
        return None
    return int(text)


def parse_reveal(field: str | None, reason: str | None, masked: set[str]) -> tuple[str, str]:
    """Which masked answer to reveal, and why (5 to 200 characters; audited)."""
    errors: dict[str, list[str]] = {}
    why = (reason or "").strip()
    if field not in masked:
        errors["field"] = ["review.reveal_field_invalid"]
    if not REVEAL_REASON_MIN <= len(why) <= REVEAL_REASON_MAX:
        errors["reason"] = ["review.reveal_reason_invalid"]
    if errors:
        raise FieldErrors(errors)
    return str(field), why


def parse_cancel_reason(reason: str | None) -> str:
    why = (reason or "").strip()
    if not why:
        raise FieldErrors({"reason": ["review.cancel_reason_required"]})
    if len(why) > CANCEL_REASON_MAX:
        raise FieldErrors({"reason": ["review.note_too_long"]})
    return why


def due_tag(sla_due_at: str | None, *, overdue: bool, paused: bool, now: datetime) -> str:
    """How a case's SLA reads: overdue, due soon (within a day), paused, or on time."""
    if paused:
        return "paused"
    if overdue:
        return "overdue"
    if sla_due_at:
        try:
            due = datetime.fromisoformat(sla_due_at)
        except ValueError:
            return "on_time"
        if due.tzinfo is not None and due - now <= DUE_SOON:
            return "overdue" if due <= now else "due_soon"
    return "on_time"


def hours_left(sla_due_at: str | None, now: datetime) -> int | None:
    """Whole hours until the SLA is due (negative once past), for the case's clock."""
    if not sla_due_at:
        return None
    try:
        due = datetime.fromisoformat(sla_due_at)
    except ValueError:
        return None
    if due.tzinfo is None:
        return None
    return int((due - now).total_seconds() // 3600)


def refusal_key(slug: str | None) -> str:
    """The message key for a refusal verification or orders made, by its problem type."""
    return f"review.refused.{slug}" if slug in REFUSALS else "review.refused.other"
