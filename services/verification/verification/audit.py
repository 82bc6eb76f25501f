"""The review's audit log: the one writer of `audit_entries`, and its reads.

Every staff action on a case (claim, verdict, decision, each picture viewed,
each ID number revealed, each chat message) and every action of the system on
one (a missed deadline, a purge) is one entry, written in the same
transaction as the action, so there is never an action without its entry.
The table is append-only: the database refuses UPDATE and DELETE.
"""

from __future__ import annotations

from typing import Any

from common.auth import Identity
from common.db import UnitOfWork
from verification.models import AuditEntry

SYSTEM = "system"
# The order of preference when an identity holds several roles.
_ROLES = ("supervisor", "reviewer", "production", "dispatcher", "applicant")


class Action:
    """The audited actions (docs/design/review.md, "Audit and retention")."""

    CASE_CLAIMED = "case.claimed"
    CASE_RELEASED = "case.released"
    DOCUMENT_VERDICT = "document.verdict"
    CHECK_RECORDED = "check.recorded"
    CASE_APPROVED = "case.approved"
    CASE_RESUBMISSION_REQUESTED = "case.resubmission_requested"
    CASE_REJECTED = "case.rejected"
    CASE_RESUBMITTED = "case.resubmitted"
    DOCUMENT_VIEWED = "document.viewed"
    ANSWER_REVEALED = "answer.revealed"
    CHAT_MESSAGE = "chat.message"
    CHAT_NOTE = "chat.note"
    DOCUMENTS_PURGED = "documents.purged"


def actor_role(actor: Identity | None) -> str:
    if actor is None:
        return SYSTEM
    return next(
        (role for role in _ROLES if role in actor.roles), actor.roles[0] if actor.roles else ""
    )


def record(
    uow: UnitOfWork,
    *,
    actor: Identity | None,
    action: str,
    order_id: str,
    reference: str | None = None,
    document_code: str | None = None,
    field: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry to the unit of work's transaction; `actor` None is the system."""
    entry = AuditEntry(
        at=uow.clock.now(),
        actor_id=actor.subject if actor is not None else SYSTEM,
        actor_role=actor_role(actor),
        action=action,
        order_id=order_id,
        reference=reference,
        document_code=document_code,
        field=field,
        reason=reason,
        details=details,
    )
    uow.session.add(entry)
    return entry


def entry_view(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at,
        "actor_id": entry.actor_id,
        "actor_role": entry.actor_role,
        "action": entry.action,
        "order_id": entry.order_id,
        "reference": entry.reference,
        "document_code": entry.document_code,
        "field": entry.field,
        "reason": entry.reason,
        "details": entry.details,
    }
