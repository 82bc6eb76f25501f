"""The review case as staff see it, and what every review use case shares:
who may act, the refusals, and finding the case to act on.

Reads and decisions are for reviewers and supervisors; other staff (and
applicants) get 403 on the review endpoints. A decision is the assignee's
alone; a supervisor may also release someone else's case. Every change is
audited (verification.audit) in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from common.auth import Identity
from common.db import UnitOfWork
from common.errors import Conflict, Forbidden, NotFound
from verification import audit, domain
from verification.domain import CaseStatus
from verification.models import AuditEntry, Case, Document
from verification.sealing import Answers, AnswerSeal
from verification.services import CaseClosed, document_status, find_case

SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class ReviewPolicy:
    """The review's settings (VERIFICATION_RESUBMISSION_DAYS, _MAX_RESUBMISSION_ROUNDS)
    and the keyring that opens the form's answers."""

    seal: AnswerSeal
    resubmission_days: float = 7.0
    max_rounds: int = 3

    def answers(self, case: Case) -> Answers:
        """The case's form answers, unsealed (never written back in clear)."""
        return self.seal.unseal(case.answers_sealed)


# --- refusals --------------------------------------------------------------------------


class CaseTaken(Conflict):
    title = "Another reviewer has this case"
    slug = "case-taken"


class CaseNotSubmitted(Conflict):
    title = "The application has not been submitted for review"
    slug = "case-not-submitted"


class NotAssignee(Conflict):
    title = "The case is not assigned to you"
    slug = "not-assignee"


class AwaitingApplicant(Conflict):
    title = "The case is waiting for the applicant's new photos"
    slug = "awaiting-applicant"


class NotAssigned(Conflict):
    title = "Nobody has claimed the case"
    slug = "not-assigned"


# --- who may act -------------------------------------------------------------------------


def require_reviewer(identity: Identity) -> None:
    if not identity.has_any(domain.VIEWING_STAFF):
        raise Forbidden("Reviewing applications is for reviewers and supervisors.")


def require_supervisor(identity: Identity) -> None:
    if SUPERVISOR not in identity.roles:
        raise Forbidden("The audit log is for supervisors.")


def is_supervisor(identity: Identity) -> bool:
    return SUPERVISOR in identity.roles


# --- finding the case ----------------------------------------------------------------------


def submitted_case(uow: UnitOfWork, order_id: str, *, for_update: bool = False) -> Case:
    """A case that has reached the review (or was closed after it); else 404/409."""
    case = find_case(uow, order_id, for_update=for_update)
    if case is None:
        raise NotFound(f"There is no application {order_id!r}.")
    if case.queued_at is None:
        if case.status == CaseStatus.CLOSED:
            raise CaseClosed("The application was closed before it was submitted for review.")
        raise CaseNotSubmitted(
            "The application has not been paid and submitted yet.",
            errors={"status": [case.status]},
        )
    return case


def workable_case(uow: UnitOfWork, order_id: str, identity: Identity) -> Case:
    """The caller's own case, open and in review: the one verdicts and checks go to."""
    case = submitted_case(uow, order_id, for_update=True)
    refuse_closed(case)
    refuse_others(case, identity)
    if case.status == CaseStatus.AWAITING_APPLICANT:
        raise AwaitingApplicant(
            "The applicant is replacing the refused documents; wait for the resubmission."
        )
    return case


def refuse_closed(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise CaseClosed(
            f"The case is closed ({case.closed_because}); it takes no more decisions.",
            errors={"status": [f"closed: {case.closed_because}"]},
        )


def refuse_others(case: Case, identity: Identity) -> None:
    if case.assignee_id != identity.subject:
        held_by = case.assignee_id or "nobody"
        raise NotAssignee(
            f"Claim the case before working on it (it is assigned to {held_by}).",
            errors={"assignee_id": [held_by]},
        )


def document_of(case: Case, code: str) -> Document:
    document = next((doc for doc in case.documents if doc.code == code), None)
    if document is None:
        raise NotFound(f"The case has no document {code!r}.")
    return document


def checks_of(case: Case, answers: Answers) -> list[str]:
    return domain.derive_checks(answers, case.required_codes)


def audit_case(
    uow: UnitOfWork, case: Case, identity: Identity | None, action: str, **values: Any
) -> None:
    audit.record(
        uow,
        actor=identity,
        action=action,
        order_id=case.order_id,
        reference=case.reference,
        **values,
    )


# --- the review, as staff see it ----------------------------------------------------------


def review_view(
    uow: UnitOfWork, case: Case, policy: ReviewPolicy, *, unmasked: bool = False
) -> dict[str, Any]:
    """The case for staff; `unmasked` shows masked answers in full (the assignee's own
    page, see shown_to_assignee)."""
    now = uow.clock.now()
    titles = {entry["code"]: entry.get("title") for entry in case.required_documents or []}
    uploaded = {document.code: document for document in case.documents}
    answers = policy.answers(case)
    return {
        "order_id": case.order_id,
        "reference": case.reference,
        "applicant_id": case.applicant_id,
        "applicant_name": applicant_name(answers),
        "item_code": case.item_code,
        "status": case.status,
        "closed_because": case.closed_because,
        "closed_at": case.closed_at,
        "assignee_id": case.assignee_id,
        "queued_at": case.queued_at,
        "sla_due_at": case.sla_due_at,
        "overdue": is_overdue(case, now),
        "sla_paused": case.status == CaseStatus.AWAITING_APPLICANT,
        "round": case.round,
        "max_rounds": policy.max_rounds,
        "resubmission_deadline": case.resubmission_deadline,
        "answers": [answer_view(answer, unmasked=unmasked) for answer in answers],
        "documents": [
            staff_document_view(code, titles[code], uploaded.get(code)) for code in titles
        ],
        "checks": checks_view(case, answers),
        "decision": case.decision,
        "history": [audit.entry_view(entry) for entry in history(uow, case.order_id)],
    }


# The catalog's questions that ask for the applicant's own name, in order of
# preference: a name is a plain text answer, so it is known by its question.
NAME_QUESTIONS = ("full_name", "owner_name")


def applicant_name(answers: Answers) -> str | None:
    """The name the applicant gave on the form, if the item asks for one."""
    given = {answer.get("name"): answer.get("value") for answer in answers}
    return next((given[name] for name in NAME_QUESTIONS if given.get(name)), None)


def is_overdue(case: Case, now: datetime) -> bool:
    if case.status not in domain.UNDER_REVIEW:
        return False
    return domain.is_overdue(case.sla_due_at, case.awaiting_since, now)


def answer_view(answer: dict[str, Any], *, unmasked: bool = False) -> dict[str, Any]:
    masked = domain.is_masked(answer.get("type"))
    value = answer.get("value") or ""
    return {
        "name": answer["name"],
        "type": answer.get("type"),
        "label": answer.get("label"),
        "value": domain.mask(value) if masked and not unmasked else value,
        "masked": masked,
        "revealed": masked and unmasked,
    }


def verdict_view(document: Document | None) -> dict[str, Any] | None:
    if document is None or document.verdict is None:
        return None
    return {
        "verdict": document.verdict,
        "reason_code": document.verdict_reason_code,
        "note": document.verdict_note,
        "by": document.verdict_by,
        "at": document.verdict_at,
    }


def staff_document_view(
    code: str, title: dict[str, str] | None, document: Document | None
) -> dict[str, Any]:
    return {
        "code": code,
        "title": title,
        "status": document_status(document),
        "uploaded_at": document.uploaded_at if document else None,
        "width": document.width if document else None,
        "height": document.height if document else None,
        "verdict": verdict_view(document),
        "replaced_in_round": document.replaced_in_round if document else None,
    }


def checks_view(case: Case, answers: Answers) -> list[dict[str, Any]]:
    recorded = {check.code: check for check in case.checks}
    views = []
    for code in checks_of(case, answers):
        check = recorded.get(code)
        views.append(
            {
                "code": code,
                "result": check.result if check else None,
                "note": check.note if check else None,
                "by": check.checked_by if check else None,
                "at": check.checked_at if check else None,
            }
        )
    return views


def history(uow: UnitOfWork, order_id: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.order_id == order_id).order_by(AuditEntry.id)
    return list(uow.session.scalars(query))


def rules(identity: Identity, policy: ReviewPolicy) -> dict[str, Any]:
    """The reason lists and limits the review and the chat enforce, for pages to
    draw their forms from: any staff role, and the applicant (the chat's limit)."""
    if not (identity.is_staff or domain.APPLICANT in identity.roles):
        raise Forbidden("The review's rules are for staff and applicants.")
    return domain.review_rules(policy.max_rounds)


def is_theirs(case: Case, identity: Identity) -> bool:
    """The case is assigned to this person and still open."""
    return case.assignee_id == identity.subject and case.status in domain.UNDER_REVIEW


def shown_to_assignee(uow: UnitOfWork, case: Case, identity: Identity, answers: Answers) -> None:
    """The assignee compares the ID number with the card on every case: they see it
    without typing a reason, and the log records it once per case and masked field."""
    for answer in answers:
        field = answer.get("name")
        if not domain.is_masked(answer.get("type")) or audit.has_entry(
            uow,
            case.order_id,
            identity.subject,
            audit.Action.ANSWER_REVEALED,
            reason=audit.SHOWN_TO_ASSIGNEE,
            field=field,
        ):
            continue
        audit_case(
            uow,
            case,
            identity,
            audit.Action.ANSWER_REVEALED,
            field=field,
            reason=audit.SHOWN_TO_ASSIGNEE,
        )


def get_review(
    uow: UnitOfWork,
    order_id: str,
    identity: Identity,
    policy: ReviewPolicy,
    *,
    unmask_for_assignee: bool = False,
) -> dict[str, Any]:
    """The case; with `unmask_for_assignee` (the console's case page asks for it) the
    assignee of an open case sees its masked answers in full. Anyone else, a
    reviewer not assigned included, gets them masked."""
    require_reviewer(identity)
    with uow:
        case = submitted_case(uow, order_id)
        unmasked = unmask_for_assignee and is_theirs(case, identity)
        if unmasked:
            shown_to_assignee(uow, case, identity, policy.answers(case))
        view = review_view(uow, case, policy, unmasked=unmasked)
        uow.commit()
    return view
