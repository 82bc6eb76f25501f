"""The review console's own part, with no I/O: the roles that may review, how
a verdict, check, decision or reveal form is read into the request sent to
verification, how a verification refusal of a field is said in words, how a
case's SLA reads as a tag, and what each of verification's refusals is called.
Messages are keys of gateway.i18n.

Verification owns the review's rules (reason codes, limits, what needs a
note) and decides every form; nothing here repeats them. The page reads what
it needs to draw itself (the reason lists, the limits) from verification's
`GET /review/rules` (gateway.clients.review_rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gateway.clients.review_rules import Limits
from gateway.domain import FieldErrors

REVIEW_ROLES = ("reviewer", "supervisor")
SUPERVISOR = "supervisor"

ACCEPTED, REFUSED = "accepted", "refused"
REJECT = "reject"
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
    deadline_days: int | str | None  # a number, or what was typed for verification to refuse


def _text(raw: str | None) -> str | None:
    return (raw or "").strip() or None


def _required(value: str | None, name: str, key: str) -> str:
    if not value:
        raise FieldErrors({name: [key]})
    return value


def parse_verdict(verdict: str | None, reason_code: str | None, note: str | None) -> VerdictForm:
    """The verdict form as a request: the reason dropdown speaks only for a refusal."""
    chosen = _required(_text(verdict), "verdict", "review.verdict_required")
    reason = _text(reason_code) if chosen == REFUSED else None
    return VerdictForm(chosen, reason, _text(note))


def parse_check(result: str | None, note: str | None) -> CheckForm:
    return CheckForm(_required(_text(result), "result", "review.result_required"), _text(note))


def parse_decision(
    decision: str | None, reason_code: str | None, note: str | None, deadline_days: str | None
) -> DecisionForm:
    """The decision form as a request: the reason dropdown speaks only for a rejection,
    the deadline only when new photos are asked for; a deadline that is not a whole
    number goes as typed, for verification to refuse by name."""
    chosen = _required(_text(decision), "decision", "review.decision_required")
    reason = _text(reason_code) if chosen == REJECT else None
    if chosen == REJECT:
        # A dropdown left on its prompt: say so before the "are you sure?" page,
        # which would otherwise ask to confirm a rejection with no reason.
        _required(reason, "reason_code", "review.rejection_reason_required")
    typed = _text(deadline_days) if chosen != REJECT else None
    days: int | str | None = int(typed) if typed and typed.isdigit() else typed
    return DecisionForm(chosen, reason, _text(note), days)


def parse_reveal(field: str | None, reason: str | None) -> tuple[str, str]:
    """Which masked answer to reveal, and why (verification audits both)."""
    return (field or "").strip(), (reason or "").strip()


def parse_cancel_reason(reason: str | None) -> str:
    """The supervisor's reason as typed, trimmed. Orders decides whether it will
    do (it is required, and orders keeps its length limit) and names the field."""
    return (reason or "").strip()


def cancel_refusal_key(typed: str) -> str:
    """The words for a reason orders refused: missing, or too long when anything
    was typed. Orders keeps the limit, so the words name no number."""
    return "review.cancel_reason_too_long" if typed.strip() else "review.cancel_reason_required"


# What a field verification refused is called on each form, in words. Verification
# names the field; the gateway chooses the words (filled with the rules' limits).
_FIELD_WORDS: dict[str, dict[str, str]] = {
    "verdict": {
        "verdict": "review.verdict_required",
        "reason_code": "review.reason_required",
    },
    "check": {"result": "review.result_required"},
    "decision": {
        "decision": "review.decision_required",
        "reason_code": "review.rejection_reason_required",
        "deadline_days": "review.deadline_days_between",
    },
    "reveal": {"field": "review.reveal_field_invalid", "reason": "review.reveal_reason_between"},
}


def refused_field_key(form: str, field: str, typed: dict[str, str], limits: Limits) -> str | None:
    """The message key for a field verification refused on `form`, or None to show
    verification's own words. A note is refused for being too long or for being
    missing: what was typed tells which."""
    if field == "note":
        if len((typed.get("note") or "").strip()) > limits.note_max:
            return "review.note_at_most"
        return "review.rejection_note_required" if form == "decision" else "review.note_required"
    return _FIELD_WORDS.get(form, {}).get(field)


def limit_values(limits: Limits) -> dict[str, Any]:
    """The numbers a hint or a refusal may name."""
    return {
        "max": limits.note_max,
        "low": limits.reveal_reason_min,
        "high": limits.reveal_reason_max,
        "days_min": limits.deadline_days_min,
        "days_max": limits.deadline_days_max,
    }


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
