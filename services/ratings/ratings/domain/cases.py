"""A case (a bad rating's rectification or a complaint): its states, the moves
between them as data, its working-day deadlines and the due tag the queue shows.

open ──contact──▶ contacted ──answer──▶ answered ──accept──▶ closed
answered ──reopen (once)──▶ escalated ──answer (another supervisor)──▶ answered
answered ──no word from the applicant──▶ closed
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from common.working_days import OFFICE_TIME, add_working_days


class CaseStatus(StrEnum):
    OPEN = "open"
    CONTACTED = "contacted"
    ANSWERED = "answered"
    ESCALATED = "escalated"
    CLOSED = "closed"


class Move(StrEnum):
    CONTACT = "contact"
    ANSWER = "answer"
    ACCEPT = "accept"
    REOPEN = "reopen"
    EXPIRE = "expire"


MOVES: dict[Move, tuple[frozenset[CaseStatus], CaseStatus]] = {
    Move.CONTACT: (frozenset({CaseStatus.OPEN}), CaseStatus.CONTACTED),
    Move.ANSWER: (frozenset({CaseStatus.CONTACTED, CaseStatus.ESCALATED}), CaseStatus.ANSWERED),
    Move.ACCEPT: (frozenset({CaseStatus.ANSWERED}), CaseStatus.CLOSED),
    Move.REOPEN: (frozenset({CaseStatus.ANSWERED}), CaseStatus.ESCALATED),
    Move.EXPIRE: (frozenset({CaseStatus.ANSWERED}), CaseStatus.CLOSED),
}


def next_status(status: str, move: Move) -> CaseStatus | None:
    """Where `move` takes a case in `status`, or None when it may not be made."""
    allowed, to = MOVES[move]
    return to if CaseStatus(status) in allowed else None


@dataclass(frozen=True)
class Deadlines:
    contact_by: datetime
    answer_by: datetime

    @classmethod
    def from_opening(cls, opened_at: datetime, contact_days: int, answer_days: int) -> Deadlines:
        return cls(
            contact_by=add_working_days(opened_at, contact_days),
            answer_by=add_working_days(opened_at, answer_days),
        )


class DueTag(StrEnum):
    ON_TIME = "on_time"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"


def due_tag(pending: list[datetime], now: datetime) -> DueTag:
    """The tag of a case by the deadlines it still has to meet."""
    if any(deadline <= now for deadline in pending):
        return DueTag.OVERDUE
    today = now.astimezone(OFFICE_TIME).date()
    if any(deadline.astimezone(OFFICE_TIME).date() == today for deadline in pending):
        return DueTag.DUE_TODAY
    return DueTag.ON_TIME
