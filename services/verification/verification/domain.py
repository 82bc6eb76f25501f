"""Verification's rules: the case's lifecycle, who may see or change it, when
its document set is complete, and why an upload is refused. Pure functions
over plain values; no I/O, no Flask, no SQLAlchemy.

A case follows its order. It opens collecting documents when the order's
draft is created, is locked once the order awaits payment (the set the
applicant paid for is the set staff review), and closes when the order is
cancelled, closed unpaid or discarded. Events about an order may arrive in any
order, so a case only ever moves forward: a late event that would move it back
is stale. The review part adds its states after `locked`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import StrEnum

DOCUMENT_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
APPLICANT = "applicant"
# Staff who may look at an applicant's pictures; other staff roles (production,
# dispatcher) have no business with ID card photos.
VIEWING_STAFF = ("reviewer", "supervisor")


class CaseStatus(StrEnum):
    COLLECTING = "collecting"
    LOCKED = "locked"
    CLOSED = "closed"


_PROGRESS = {CaseStatus.COLLECTING: 0, CaseStatus.LOCKED: 1, CaseStatus.CLOSED: 2}


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
