"""The applicant's side of a resubmission round, and its deadline.

While a case awaits the applicant, only its refused documents can be replaced
(services.upload_document enforces it). Resubmitting hands the case back to
its reviewer (or to the queue when it was released meanwhile), moves the SLA
due time on by the time the case waited, and clears the refused verdicts of
the replaced documents: they get a fresh look; accepted ones keep theirs.

A deadline that passes without a resubmission rejects the case, by the
worker's timer, exactly as a reviewer's rejection would, with actor `system`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select

from common.auth import Identity
from common.db import UnitOfWork
from common.errors import Conflict, NotFound
from verification import domain, events
from verification.audit import Action
from verification.decisions import reject
from verification.domain import CaseStatus, Verdict
from verification.models import Case
from verification.review import audit_case
from verification.services import case_view, find_case

log = logging.getLogger("verification.resubmission")

BATCH = 100
DEADLINE_NOTE = "No new photos arrived by the deadline."


class NotAwaitingApplicant(Conflict):
    title = "The application is not waiting for new photos"
    slug = "not-awaiting-applicant"


class ReplacementsMissing(Conflict):
    title = "Some refused documents have not been replaced"
    slug = "replacements-missing"


def resubmit(uow: UnitOfWork, order_id: str, identity: Identity) -> dict[str, Any]:
    """The applicant's new photos are in: back to the review."""
    with uow:
        case = find_case(uow, order_id, for_update=True)
        if case is None or not domain.is_owner(identity.subject, identity.roles, case.applicant_id):
            raise NotFound(f"There is no application {order_id!r} for you.")
        if case.status != CaseStatus.AWAITING_APPLICANT:
            raise NotAwaitingApplicant(
                "Nothing was asked of you for this application.", errors={"status": [case.status]}
            )
        missing = _refused_not_replaced(case)
        if missing:
            raise ReplacementsMissing(
                f"Upload new photos for: {', '.join(missing)}.", errors={"documents": missing}
            )
        _back_to_review(uow, case)
        audit_case(uow, case, identity, Action.CASE_RESUBMITTED, details={"round": case.round})
        data = {"order_id": case.order_id, "reference": case.reference, "round": case.round}
        uow.publish(
            events.RESUBMITTED,
            events.payload(events.RESUBMITTED, data),
            correlation_id=case.order_id,
        )
        view = case_view(case)
        uow.commit()
    return view


def _refused_not_replaced(case: Case) -> list[str]:
    return [
        doc.code
        for doc in case.documents
        if doc.verdict == Verdict.REFUSED and doc.replaced_in_round != case.round
    ]


def _back_to_review(uow: UnitOfWork, case: Case) -> None:
    now = uow.clock.now()
    for document in case.documents:
        if document.replaced_in_round == case.round:
            document.verdict = document.verdict_reason_code = document.verdict_note = None
            document.verdict_by, document.verdict_at = None, None
    if case.sla_due_at is not None and case.awaiting_since is not None:
        case.sla_due_at = domain.resumed_due(case.sla_due_at, case.awaiting_since, now)
    case.awaiting_since = None
    case.resubmission_deadline = None
    case.status = (CaseStatus.IN_REVIEW if case.assignee_id else CaseStatus.QUEUED).value
    case.updated_at = now


# --- the deadline's timer ------------------------------------------------------------------


def reject_missed_deadlines(uow_factory: Any, now: datetime) -> int:
    """Reject every case whose resubmission deadline passed by `now`; how many."""
    rejected = 0
    for _ in range(BATCH):
        with uow_factory() as uow:
            case = uow.session.scalars(
                select(Case)
                .where(
                    Case.status == CaseStatus.AWAITING_APPLICANT,
                    Case.resubmission_deadline <= now,
                )
                .order_by(Case.resubmission_deadline)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if case is None:
                break
            reject(uow, case, domain.DEADLINE_MISSED, DEADLINE_NOTE, None)
            uow.commit()
        rejected += 1
        log.info("resubmission deadline missed", extra={"correlation_id": case.order_id})
    return rejected
