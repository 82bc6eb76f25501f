"""What a reviewer does to a case: claim and release it, give each document a
verdict, record the answer checks, reveal a masked answer, and decide.

Each use case locks the case row, checks, changes, audits and publishes in one
transaction: a refusal raises before anything is written.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from common.auth import Identity
from common.db import UnitOfWork
from common.errors import Conflict, InvalidInput, NotFound
from verification import domain, events
from verification.audit import Action
from verification.domain import CaseStatus, Decision, Verdict
from verification.models import Case, CaseCheck, Document
from verification.review import (
    AwaitingApplicant,
    CaseTaken,
    NotAssigned,
    NotAssignee,
    ReviewPolicy,
    audit_case,
    checks_of,
    document_of,
    is_supervisor,
    refuse_closed,
    refuse_others,
    require_reviewer,
    review_view,
    submitted_case,
    workable_case,
)


class VerdictsIncomplete(Conflict):
    title = "Not every document is accepted and every check a match"
    slug = "verdicts-incomplete"


class NothingRefused(Conflict):
    title = "No document is refused"
    slug = "nothing-refused"


class RoundsExhausted(Conflict):
    title = "No resubmission round is left"
    slug = "rounds-exhausted"


# --- claim and release -------------------------------------------------------------------


def claim(uow: UnitOfWork, order_id: str, identity: Identity, policy: ReviewPolicy) -> dict:
    """Take the case; the first claim of a case starts its review (orders → in_review)."""
    require_reviewer(identity)
    with uow:
        case = submitted_case(uow, order_id, for_update=True)
        refuse_closed(case)
        if case.assignee_id not in (None, identity.subject):
            raise CaseTaken(
                f"{case.assignee_id} is reviewing this case.",
                errors={"assignee_id": [case.assignee_id]},
            )
        if case.assignee_id is None:
            _take(uow, case, identity)
        view = review_view(uow, case, policy)
        uow.commit()
    return view


def _take(uow: UnitOfWork, case: Case, identity: Identity) -> None:
    now = uow.clock.now()
    case.assignee_id = identity.subject
    if case.status == CaseStatus.QUEUED:
        case.status = CaseStatus.IN_REVIEW.value
    case.updated_at = now
    audit_case(uow, case, identity, Action.CASE_CLAIMED)
    if case.review_started_at is None:
        case.review_started_at = now
        _publish(
            uow,
            case,
            events.REVIEW_STARTED,
            reviewer_id=identity.subject,
            started_at=now,
        )


def release(uow: UnitOfWork, order_id: str, identity: Identity, policy: ReviewPolicy) -> dict:
    """Give the case back to the queue: its assignee, or a supervisor for anyone's."""
    require_reviewer(identity)
    with uow:
        case = submitted_case(uow, order_id, for_update=True)
        refuse_closed(case)
        if case.assignee_id is None:
            raise NotAssigned("Nobody has claimed this case; there is nothing to release.")
        if not is_supervisor(identity):
            refuse_others(case, identity)
        audit_case(uow, case, identity, Action.CASE_RELEASED, details={"from": case.assignee_id})
        case.assignee_id = None
        if case.status == CaseStatus.IN_REVIEW:
            case.status = CaseStatus.QUEUED.value
        case.updated_at = uow.clock.now()
        view = review_view(uow, case, policy)
        uow.commit()
    return view


# --- verdicts and checks ------------------------------------------------------------------


def give_verdict(
    uow: UnitOfWork,
    order_id: str,
    code: str,
    values: dict[str, Any],
    identity: Identity,
    policy: ReviewPolicy,
) -> dict:
    """Accept a document, or refuse it with a reason code (and a note)."""
    require_reviewer(identity)
    verdict, reason_code, note = values["verdict"], values.get("reason_code"), values.get("note")
    problems = verdict_problems(verdict, reason_code, note)
    with uow:
        case = workable_case(uow, order_id, identity)
        document = document_of(case, code)
        if problems:
            raise InvalidInput("The verdict's reason is not right.", errors=problems)
        apply_verdict(uow, case, document, values, identity)
        view = review_view(uow, case, policy)
        uow.commit()
    return view


def apply_verdict(
    uow: UnitOfWork, case: Case, document: Document, values: dict[str, Any], identity: Identity
) -> None:
    """Write a checked verdict on a document, and its audit entry."""
    verdict, reason_code, note = values["verdict"], values.get("reason_code"), values.get("note")
    document.verdict = verdict
    document.verdict_reason_code = reason_code
    document.verdict_note = note
    document.verdict_by = identity.subject
    document.verdict_at = case.updated_at = uow.clock.now()
    audit_case(
        uow,
        case,
        identity,
        Action.DOCUMENT_VERDICT,
        document_code=document.code,
        reason=reason_code,
        details={"verdict": verdict, "note": note},
    )


def verdict_problems(verdict: str, reason_code: str | None, note: str | None) -> dict:
    if verdict == Verdict.REFUSED:
        return domain.reason_problems(reason_code, note, domain.DOCUMENT_REFUSAL_REASONS)
    problems = {}
    if reason_code is not None:
        problems["reason_code"] = ["Only a refusal has a reason code."]
    if note is not None and len(note) > domain.NOTE_MAX:
        problems["note"] = [f"At most {domain.NOTE_MAX} characters."]
    return problems


def record_check(
    uow: UnitOfWork,
    order_id: str,
    code: str,
    values: dict[str, Any],
    identity: Identity,
    policy: ReviewPolicy,
) -> dict:
    """Whether a form answer matches what the pictures show."""
    require_reviewer(identity)
    with uow:
        case = workable_case(uow, order_id, identity)
        if code not in checks_of(case, policy.answers(case)):
            raise NotFound(f"The case has no answer check {code!r}.")
        apply_check(uow, case, code, values, identity)
        view = review_view(uow, case, policy)
        uow.commit()
    return view


def apply_check(
    uow: UnitOfWork, case: Case, code: str, values: dict[str, Any], identity: Identity
) -> None:
    """Write a checked answer check's result, and its audit entry."""
    check = next((check for check in case.checks if check.code == code), None)
    if check is None:
        check = CaseCheck(order_id=case.order_id, code=code)
        case.checks.append(check)
    check.result, check.note = values["result"], values.get("note")
    check.checked_by = identity.subject
    check.checked_at = case.updated_at = uow.clock.now()
    audit_case(
        uow,
        case,
        identity,
        Action.CHECK_RECORDED,
        field=code,
        details={"result": check.result, "note": check.note},
    )


# --- revealing a masked answer ---------------------------------------------------------------


def reveal(
    uow: UnitOfWork, order_id: str, values: dict[str, Any], identity: Identity, policy: ReviewPolicy
) -> dict[str, str]:
    """The full value of a masked answer, with the reason written to the audit log:
    for a supervisor, or the case's assignee. A reviewer not assigned to the case
    keeps the masked value (409 not-assignee)."""
    require_reviewer(identity)
    field, reason = values.get("field"), values.get("reason")
    with uow:
        case = submitted_case(uow, order_id)
        if not is_supervisor(identity) and case.assignee_id != identity.subject:
            raise NotAssignee(
                "Only the case's assignee or a supervisor may see the full value.",
                errors={"field": ["not assigned to you"]},
            )
        answer = next((a for a in policy.answers(case) if a.get("name") == field), None)
        problems = {}
        if answer is None or not domain.is_masked(answer.get("type")):
            problems["field"] = [f"{field!r} is not a masked answer of this case."]
        reason_problem = domain.reveal_reason_problem(reason)
        if reason_problem:
            problems["reason"] = [reason_problem]
        if problems or answer is None:
            raise InvalidInput("Name a masked answer and say why.", errors=problems)
        audit_case(uow, case, identity, Action.ANSWER_REVEALED, field=field, reason=reason)
        uow.commit()
    return {"field": answer["name"], "value": answer["value"]}


# --- decisions ---------------------------------------------------------------------------------


def decide(
    uow: UnitOfWork, order_id: str, values: dict[str, Any], identity: Identity, policy: ReviewPolicy
) -> dict:
    """Approve, ask for new photos of the refused documents, or reject."""
    require_reviewer(identity)
    decision = values["decision"]
    with uow:
        case = submitted_case(uow, order_id, for_update=True)
        refuse_closed(case)
        refuse_others(case, identity)
        if case.status == CaseStatus.AWAITING_APPLICANT and decision != Decision.REJECT:
            raise AwaitingApplicant(
                "The applicant is replacing the refused documents; only a rejection fits now."
            )
        if decision == Decision.APPROVE:
            _approve(uow, case, identity, policy)
        elif decision == Decision.REQUEST_RESUBMISSION:
            _request_resubmission(uow, case, values, identity, policy)
        else:
            _check_rejection(values)
            reject(uow, case, values["reason_code"], values.get("note"), identity)
        view = review_view(uow, case, policy)
        uow.commit()
    return view


def _approve(uow: UnitOfWork, case: Case, identity: Identity, policy: ReviewPolicy) -> None:
    verdicts: dict[str, str | None] = dict.fromkeys(case.required_codes)
    verdicts.update({document.code: document.verdict for document in case.documents})
    results = {check["code"]: check["result"] for check in _recorded_checks(case, policy)}
    blockers = domain.approval_blockers(verdicts, results)
    if blockers:
        raise VerdictsIncomplete(
            "Accept every document and record every check as a match before approving.",
            errors=blockers,
        )
    now = uow.clock.now()
    _close(uow, case, "approved", identity.subject, None, None)
    audit_case(uow, case, identity, Action.CASE_APPROVED)
    _publish(uow, case, events.APPROVED, reviewer_id=identity.subject, approved_at=now)


def _recorded_checks(case: Case, policy: ReviewPolicy) -> list[dict[str, Any]]:
    recorded = {check.code: check.result for check in case.checks}
    checks = checks_of(case, policy.answers(case))
    return [{"code": code, "result": recorded.get(code)} for code in checks]


def _request_resubmission(
    uow: UnitOfWork, case: Case, values: dict[str, Any], identity: Identity, policy: ReviewPolicy
) -> None:
    days = values.get("deadline_days")
    days_problem = domain.deadline_days_problem(days)
    if days_problem:
        raise InvalidInput(
            "The deadline is out of range.", errors={"deadline_days": [days_problem]}
        )
    refused = [doc for doc in case.documents if doc.verdict == Verdict.REFUSED]
    if not refused:
        raise NothingRefused("Refuse at least one document before asking for new photos.")
    if not domain.may_request_resubmission(case.round, policy.max_rounds):
        raise RoundsExhausted(
            f"The applicant has had {case.round} of {policy.max_rounds} rounds; reject instead.",
            errors={"round": [f"{case.round} of {policy.max_rounds}"]},
        )
    now = uow.clock.now()
    case.round += 1
    case.status = CaseStatus.AWAITING_APPLICANT.value
    case.awaiting_since = case.updated_at = now
    case.resubmission_deadline = now + timedelta(days=days or policy.resubmission_days)
    documents = [
        {"code": doc.code, "reason_code": doc.verdict_reason_code, "note": doc.verdict_note}
        for doc in refused
    ]
    case.decision = _decision(Decision.REQUEST_RESUBMISSION, identity.subject, now, None, None)
    audit_case(
        uow,
        case,
        identity,
        Action.CASE_RESUBMISSION_REQUESTED,
        details={"round": case.round, "documents": [doc.code for doc in refused]},
    )
    _publish(
        uow,
        case,
        events.RESUBMISSION_REQUESTED,
        reviewer_id=identity.subject,
        round=case.round,
        deadline=case.resubmission_deadline,
        documents=documents,
    )


def _check_rejection(values: dict[str, Any]) -> None:
    problems = domain.reason_problems(
        values.get("reason_code"), values.get("note"), domain.REJECTION_REASONS
    )
    if not (values.get("note") or "").strip() and "note" not in problems:
        problems["note"] = ["Say why the application is rejected."]
    if problems:
        raise InvalidInput("The rejection's reason is not right.", errors=problems)


def reject(
    uow: UnitOfWork,
    case: Case,
    reason_code: str,
    note: str | None,
    identity: Identity | None,
) -> None:
    """Close the case as rejected; `identity` None is the system (a missed deadline)."""
    rejected_by = identity.subject if identity is not None else "system"
    _close(uow, case, "rejected", rejected_by, reason_code, note)
    audit_case(
        uow, case, identity, Action.CASE_REJECTED, reason=reason_code, details={"note": note}
    )
    _publish(
        uow, case, events.REJECTED, reason_code=reason_code, note=note, rejected_by=rejected_by
    )


def _close(
    uow: UnitOfWork,
    case: Case,
    because: str,
    by: str,
    reason_code: str | None,
    note: str | None,
) -> None:
    now = uow.clock.now()
    decision = Decision.APPROVE if because == "approved" else Decision.REJECT
    case.decision = _decision(decision, by, now, reason_code, note)
    case.status = CaseStatus.CLOSED.value
    case.closed_because = because
    case.closed_at = case.updated_at = now
    if case.awaiting_since is not None:  # the SLA clock stays stopped where it paused
        case.awaiting_since = None


def _decision(
    decision: str, by: str, at: Any, reason_code: str | None, note: str | None
) -> dict[str, Any]:
    return {
        "decision": decision,
        "reason_code": reason_code,
        "note": note,
        "by": by,
        "at": at.isoformat(),
    }


def _publish(uow: UnitOfWork, case: Case, event_type: str, **values: Any) -> None:
    data = {"order_id": case.order_id, "reference": case.reference, **values}
    uow.publish(event_type, events.payload(event_type, data), correlation_id=case.order_id)
