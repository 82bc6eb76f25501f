"""Verification's rules: the case's lifecycle, who may see or change it, when
its document set is complete, and why an upload is refused. Pure functions
over plain values; no I/O, no Flask, no SQLAlchemy.

A case follows its order. It opens collecting documents when the order's
draft is created, is locked once the order awaits payment (the set the
applicant paid for is the set staff review), and closes when the order is
cancelled, closed unpaid or discarded. Events about an order may arrive in any
order, so a case only ever moves forward: a late event that would move it back
is stale. Once paid and submitted the case is reviewed: `queued` →
`in_review` ⇄ `awaiting_applicant` → `closed` (docs/design/review.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

DOCUMENT_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
APPLICANT = "applicant"
# Staff who may look at an applicant's pictures; other staff roles (production,
# dispatcher) have no business with ID card photos.
VIEWING_STAFF = ("reviewer", "supervisor")


class CaseStatus(StrEnum):
    COLLECTING = "collecting"
    LOCKED = "locked"
    QUEUED = "queued"
    IN_REVIEW = "in_review"
    AWAITING_APPLICANT = "awaiting_applicant"
    CLOSED = "closed"


# The review's states are one stage for orders' events: none of them moves a
# reviewed case back to locked, and each may close.
_PROGRESS = {
    CaseStatus.COLLECTING: 0,
    CaseStatus.LOCKED: 1,
    CaseStatus.QUEUED: 2,
    CaseStatus.IN_REVIEW: 2,
    CaseStatus.AWAITING_APPLICANT: 2,
    CaseStatus.CLOSED: 3,
}
UNDER_REVIEW = (CaseStatus.QUEUED, CaseStatus.IN_REVIEW, CaseStatus.AWAITING_APPLICANT)


def moves_forward(current: str, target: CaseStatus) -> bool:
    """Whether an event asking for `target` advances a case now in `current`."""
    return _PROGRESS[target] > _PROGRESS[CaseStatus(current)]


class Refusal(StrEnum):
    """Why an upload is refused; the code travels in the problem's `errors.file`."""

    NOT_AN_IMAGE = "not-an-image"
    POLYGLOT = "polyglot"
    TOO_MANY_PIXELS = "too-many-pixels"
    TOO_SMALL = "too-small"
    CORRUPT = "corrupt"
    DUPLICATE = "duplicate"
    TOO_LARGE = "too-large"


REFUSAL_TEXT = {
    Refusal.NOT_AN_IMAGE: "The file is not a JPEG or PNG picture (judged by its content, "
    "not by its name).",
    Refusal.POLYGLOT: "The file carries something besides the picture (markup, a script, or "
    "data after the picture's end, as a motion photo's video): send a plain photo.",
    Refusal.TOO_MANY_PIXELS: "The picture has more pixels than we accept; send a smaller one.",
    Refusal.TOO_SMALL: "The picture is too small to read; take it again at a higher resolution.",
    Refusal.CORRUPT: "The picture is damaged or incomplete and cannot be read.",
    Refusal.DUPLICATE: "This picture is already uploaded as another of the application's "
    "documents; each document needs its own photo.",
    Refusal.TOO_LARGE: "The file is larger than we accept.",
}


# --- who may do what -----------------------------------------------------------


def is_owner(subject: str, roles: Iterable[str], applicant_id: str | None) -> bool:
    return applicant_id is not None and subject == applicant_id and APPLICANT in roles


def may_view(subject: str, roles: Iterable[str], applicant_id: str | None) -> bool:
    roles = tuple(roles)
    return is_owner(subject, roles, applicant_id) or any(r in VIEWING_STAFF for r in roles)


def change_blocker(status: str) -> str | None:
    """Why the case's documents cannot change now; None while collecting."""
    if status == CaseStatus.COLLECTING:
        return None
    if status == CaseStatus.LOCKED:
        return "The application has been submitted for payment; its documents can no longer change."
    if status in (CaseStatus.QUEUED, CaseStatus.IN_REVIEW):
        return "The application is being reviewed; its documents can no longer change."
    if status == CaseStatus.AWAITING_APPLICANT:
        return None  # only the refused documents: see refused_replacement_blocker
    return "The application is closed; its documents can no longer change."


# --- completeness ----------------------------------------------------------------


def missing_documents(required: Sequence[str], uploaded: Iterable[str]) -> list[str]:
    """Required codes without an upload, in the item's order."""
    have = set(uploaded)
    return [code for code in required if code not in have]


def fits_minimum(width: int, height: int, min_width: int, min_height: int) -> bool:
    """Large enough in either orientation: a portrait 480×640 passes a 640×480 minimum."""
    return max(width, height) >= max(min_width, min_height) and min(width, height) >= min(
        min_width, min_height
    )


# --- the review: reasons ------------------------------------------------------------

# The review's limits. The gateway draws its forms from them (GET /review/rules,
# review_rules below) and keeps no copy; verification enforces each one.
NOTE_MAX = 500
REVEAL_REASON_LENGTH = (5, 200)
# The days a reviewer may give the applicant for new photos (else the settings' default).
DEADLINE_DAYS = (1, 30)


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"


class CheckResult(StrEnum):
    MATCH = "match"
    MISMATCH = "mismatch"


class Decision(StrEnum):
    APPROVE = "approve"
    REQUEST_RESUBMISSION = "request_resubmission"
    REJECT = "reject"


# Why a document is refused; `other` needs a note saying what is wrong.
DOCUMENT_REFUSAL_REASONS = (
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
DEADLINE_MISSED = "resubmission-deadline-missed"
# Why a case is rejected; the last one is the timer's alone.
REJECTION_REASONS = (
    "documents-invalid",
    "identity-mismatch",
    "not-eligible",
    "suspected-fraud",
    "other",
)
SYSTEM_REJECTION_REASONS = (DEADLINE_MISSED,)


def reason_problems(
    reason_code: str | None, note: str | None, allowed: Sequence[str]
) -> dict[str, list[str]]:
    """Field errors for a refusal's or a rejection's reason code and note."""
    problems: dict[str, list[str]] = {}
    if reason_code is None:
        problems["reason_code"] = [f"Required: one of {', '.join(allowed)}."]
    elif reason_code not in allowed:
        problems["reason_code"] = [f"Unknown reason {reason_code!r}: one of {', '.join(allowed)}."]
    if note is not None and len(note) > NOTE_MAX:
        problems["note"] = [f"At most {NOTE_MAX} characters."]
    elif reason_code == "other" and not (note or "").strip():
        problems["note"] = ["Say what is wrong when the reason is 'other'."]
    return problems


# --- the review: answer checks and masking --------------------------------------------

ID_NUMBER = "id_number"
PLATE_NUMBER = "plate_number"
ID_CHECK = "id_number_matches_id_card"
PLATE_CHECK = "plate_matches_car_photo"


def derive_checks(answers: Iterable[Mapping[str, Any]], document_codes: Iterable[str]) -> list[str]:
    """The answer checks a case needs: a form field and the document that shows it."""
    types = {answer.get("type") for answer in answers}
    codes = list(document_codes)
    checks = []
    if ID_NUMBER in types and "id_card_front" in codes:
        checks.append(ID_CHECK)
    if PLATE_NUMBER in types and any(code.startswith("vehicle") for code in codes):
        checks.append(PLATE_CHECK)
    return checks


def is_masked(answer_type: str | None) -> bool:
    return answer_type == ID_NUMBER


def mask(value: str) -> str:
    """First 3 and last 4 characters shown, the rest `*`; a value too short to
    keep anything hidden is masked whole."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


# --- the review: the SLA clock (counted in working days by common.working_days) --------


def resumed_due(due: datetime, waited_since: datetime, now: datetime) -> datetime:
    """The SLA due time after a pause: moved on by the time the case waited."""
    return due + max(now - waited_since, timedelta(0))


def is_overdue(due: datetime | None, paused_since: datetime | None, now: datetime) -> bool:
    """Past its due time; a paused clock is judged at the moment it stopped."""
    return due is not None and due < (paused_since or now)


# --- the review: rounds and decisions -------------------------------------------------


def may_request_resubmission(round_: int, max_rounds: int) -> bool:
    return round_ < max_rounds


def approval_blockers(
    verdicts: Mapping[str, str | None], checks: Mapping[str, str | None]
) -> dict[str, list[str]]:
    """What stands in the way of approving: documents not accepted, checks not a match."""
    blockers = {
        "documents": [code for code, verdict in verdicts.items() if verdict != Verdict.ACCEPTED],
        "checks": [code for code, result in checks.items() if result != CheckResult.MATCH],
    }
    return {name: codes for name, codes in blockers.items() if codes}


def deadline_days_problem(days: int | None) -> str | None:
    """Why a reviewer's deadline for new photos is refused; None when it is fine
    (no deadline given means the office's default)."""
    low, high = DEADLINE_DAYS
    if days is not None and not low <= days <= high:
        return f"From {low} to {high} days."
    return None


def reveal_reason_problem(reason: str | None) -> str | None:
    low, high = REVEAL_REASON_LENGTH
    if reason is None or not low <= len(reason.strip()) <= high:
        return f"Say why you need to see the full value ({low} to {high} characters)."
    return None


# --- the order chat --------------------------------------------------------------------

APPLICANT_SIDE = "applicant"
STAFF_SIDE = "staff"
# Counted after stripping: what is stored is what is counted.
CHAT_MESSAGE_MAX = 1000


# --- the rules, as the gateway reads them ------------------------------------------------


def review_rules(max_rounds: int) -> dict[str, Any]:
    """The reason lists and limits a page needs to draw its forms, from the
    constants above (and the configured rounds): the one place they are owned."""
    return {
        "document_reasons": list(DOCUMENT_REFUSAL_REASONS),
        "rejection_reasons": list(REJECTION_REASONS),
        "check_results": [result.value for result in CheckResult],
        "decisions": [decision.value for decision in Decision],
        "limits": {
            "note_max": NOTE_MAX,
            "reveal_reason_min": REVEAL_REASON_LENGTH[0],
            "reveal_reason_max": REVEAL_REASON_LENGTH[1],
            "deadline_days_min": DEADLINE_DAYS[0],
            "deadline_days_max": DEADLINE_DAYS[1],
            "max_rounds": max_rounds,
            "chat_message_max": CHAT_MESSAGE_MAX,
        },
    }
