"""Cases: a bad rating's rectification and the applicant's complaints, one loop.

open_case (a bad rating) and open_complaint publish ratings.complaint_opened;
contact, answer, reopen publish case_contacted, case_answered, case_reopened;
accept and the expiry of an answered case publish ratings.complaint_closed.
A move from the wrong state is 409 `status`; an escalated case answered by
the supervisor who answered it first is 403 `actor`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from common.db import UnitOfWork
from common.errors import Conflict, Forbidden, NotFound
from ratings import events, statistics
from ratings.domain import CaseStatus, Deadlines, DueTag, Move, due_tag, next_status
from ratings.models import Case, CaseMessage, Order
from ratings.services import Context, new_id, publishable, refuse_if

PAGE_SIZE = 50


def _case_event(uow: UnitOfWork, event_type: str, case: Case, **values: Any) -> None:
    data = {"order_id": case.order_id, "complaint_id": case.id, "kind": case.kind,
            "occurred_at": uow.clock.now(), **values}  # fmt: skip
    uow.publish(event_type, events.payload(event_type, data), correlation_id=case.order_id)


def open_case(
    uow: UnitOfWork, ctx: Context, order: Order, *, kind: str, rating_id: str | None = None,
    category: str | None = None, description: str | None = None,
) -> Case:  # fmt: skip
    now = uow.clock.now()
    deadlines = Deadlines.from_opening(now, ctx.contact_working_days, ctx.answer_working_days)
    case = Case(
        id=new_id("cas"), kind=kind, order_id=order.order_id, item_code=order.item_code,
        applicant_id=order.applicant_id, rating_id=rating_id, category=category,
        description=description, status=CaseStatus.OPEN.value, opened_at=now,
        contact_by=deadlines.contact_by, answer_by=deadlines.answer_by, updated_at=now,
    )  # fmt: skip
    uow.session.add(case)
    uow.session.flush()
    statistics.apply(uow.session, statistics.Counter(), statistics.case_counts(case))
    _case_event(uow, events.COMPLAINT_OPENED, case, category=category,
                contact_by=case.contact_by, answer_by=case.answer_by)  # fmt: skip
    return case


def open_complaint(
    ctx: Context, order_id: str, applicant_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    """The applicant complains about one of their submitted orders."""
    with ctx.uow() as uow:
        order = uow.session.get(Order, order_id, with_for_update=True)
        if order is None or order.applicant_id != applicant_id:
            raise NotFound(f"There is no order {order_id} of yours.")
        if not (order.submitted_at or order.approved_at or order.completed_at):
            raise Conflict("A complaint is about a submitted order, not a draft.",
                           errors={"order": ["not-submitted"]})  # fmt: skip
        errors: dict[str, list[str]] = {}
        publishable(errors, "description", data["description"])
        refuse_if(errors)
        case = open_case(uow, ctx, order, kind="complaint", category=data["category"],
                         description=data["description"].strip())  # fmt: skip
        uow.commit()
        return case_view(case, [], uow.clock.now())


def _case(uow: UnitOfWork, case_id: str, applicant: str | None) -> Case:
    """The case, locked; an applicant sees only their own (404 otherwise)."""
    case = uow.session.get(Case, case_id, with_for_update=True)
    if case is None or (applicant is not None and case.applicant_id != applicant):
        raise NotFound(f"There is no case {case_id}.")
    return case


def _move(case: Case, move: Move, field: str = "status") -> CaseStatus:
    to = next_status(case.status, move)
    if to is None:
        raise Conflict(f"A case that is {case.status} cannot be {move.value}ed.",
                       errors={field: [case.status]})  # fmt: skip
    return to


def contact(ctx: Context, case_id: str, supervisor: str, note: str) -> dict[str, Any]:
    """Record that a supervisor reached the applicant."""
    with ctx.uow() as uow:
        case, now = _case(uow, case_id, None), uow.clock.now()
        with statistics.Counting(uow.session, case, statistics.case_counts):
            case.status = _move(case, Move.CONTACT).value
            case.contacted_at, case.contacted_by, case.contact_note = now, supervisor, note.strip()
            case.updated_at = now
        _case_event(uow, events.CASE_CONTACTED, case, on_time=now <= case.contact_by)
        uow.commit()
        return _view(uow, case)


def answer(ctx: Context, case_id: str, supervisor: str, feedback: str) -> dict[str, Any]:
    """Record the rectification and the feedback given to the applicant."""
    with ctx.uow() as uow:
        case, now = _case(uow, case_id, None), uow.clock.now()
        escalated = case.status == CaseStatus.ESCALATED
        to = _move(case, Move.ANSWER)
        if escalated and case.answered_by == supervisor:
            raise Forbidden("An escalated case is answered by another supervisor.",
                            errors={"actor": ["answered-it-before"]})  # fmt: skip
        with statistics.Counting(uow.session, case, statistics.case_counts):
            case.status, case.feedback, case.updated_at = to.value, feedback.strip(), now
            if escalated:
                case.reopened_answered_by = supervisor
            else:
                case.first_answered_at, case.answered_by = now, supervisor
            case.answered_at = now
        _case_event(
            uow, events.CASE_ANSWERED, case, on_time=now <= case.answer_by, escalated=escalated
        )
        uow.commit()
        return _view(uow, case)


def accept(ctx: Context, case_id: str, applicant: str) -> dict[str, Any]:
    """The applicant accepts the answer: the case closes."""
    with ctx.uow() as uow:
        case, now = _case(uow, case_id, applicant), uow.clock.now()
        _close(uow, case, _move(case, Move.ACCEPT), "accepted", now)
        uow.commit()
        return _view(uow, case)


def _close(uow: UnitOfWork, case: Case, to: CaseStatus, outcome: str, now: datetime) -> None:
    with statistics.Counting(uow.session, case, statistics.case_counts):
        case.status, case.outcome, case.closed_at, case.updated_at = to.value, outcome, now, now
    _case_event(uow, events.COMPLAINT_CLOSED, case, outcome=outcome)


def reopen(ctx: Context, case_id: str, applicant: str) -> dict[str, Any]:
    """The applicant is not satisfied, once: escalated to another supervisor."""
    with ctx.uow() as uow:
        case, now = _case(uow, case_id, applicant), uow.clock.now()
        if case.reopened_at is not None:
            raise Conflict("A case is reopened once.", errors={"reopen": ["already-reopened"]})
        case.status, case.reopened_at, case.updated_at = _move(case, Move.REOPEN).value, now, now
        _case_event(uow, events.CASE_REOPENED, case)
        uow.commit()
        return _view(uow, case)


def expire_answered(ctx: Context, now: datetime, limit: int = 200) -> int:
    """Close answered cases the applicant left alone past the acceptance period."""
    with ctx.uow() as uow:
        cases = uow.session.scalars(
            select(Case).where(Case.status == CaseStatus.ANSWERED.value)
            .where(Case.answered_at <= now - ctx.accept_after)
            .order_by(Case.answered_at).limit(limit).with_for_update(skip_locked=True)
        ).all()  # fmt: skip
        for case in cases:
            _close(uow, case, CaseStatus.CLOSED, "no_response", now)
        uow.commit()
        return len(cases)


def post_message(ctx: Context, case_id: str, author: str, staff: bool, body: str) -> dict[str, Any]:
    """A message in the case's thread, from its applicant or a supervisor."""
    with ctx.uow() as uow:
        case, now = _case(uow, case_id, None if staff else author), uow.clock.now()
        if case.status == CaseStatus.CLOSED:
            raise Conflict("The case is closed.", errors={"status": [case.status]})
        uow.session.add(CaseMessage(case_id=case.id, author_id=author, body=body.strip(),
                                    author_role="staff" if staff else "applicant", created_at=now))  # fmt: skip
        case.updated_at = now
        uow.commit()
        return _view(uow, case)


def _messages(uow: UnitOfWork, case_id: str) -> list[CaseMessage]:
    return list(uow.session.scalars(
        select(CaseMessage).where(CaseMessage.case_id == case_id).order_by(CaseMessage.id)
    ))  # fmt: skip


def _view(uow: UnitOfWork, case: Case) -> dict[str, Any]:
    return case_view(case, _messages(uow, case.id), uow.clock.now())


def read_case(ctx: Context, case_id: str, viewer: str, staff: bool) -> dict[str, Any]:
    with ctx.uow() as uow:
        return _view(uow, _case(uow, case_id, None if staff else viewer))


def pending(case: Case) -> list[datetime]:
    """The deadlines the case has still to meet."""
    if case.status == CaseStatus.CLOSED:
        return []
    found = [case.contact_by] if case.contacted_at is None else []
    if case.status != CaseStatus.ANSWERED:
        found.append(case.answer_by)
    return found


def case_view(case: Case, messages: list[CaseMessage], now: datetime) -> dict[str, Any]:
    return {
        "id": case.id, "kind": case.kind, "order_id": case.order_id, "item_code": case.item_code,
        "rating_id": case.rating_id, "category": case.category, "description": case.description,
        "status": case.status, "due": due_tag(pending(case), now).value if pending(case) else None,
        "escalated": case.reopened_at is not None, "opened_at": case.opened_at,
        "contact_by": case.contact_by, "answer_by": case.answer_by,
        "contacted_at": case.contacted_at, "contact_note": case.contact_note,
        "answered_at": case.answered_at, "feedback": case.feedback,
        "first_answered_by": case.answered_by, "reopened_at": case.reopened_at,
        "closed_at": case.closed_at, "outcome": case.outcome,
        "messages": [{"author_role": m.author_role, "author_id": m.author_id, "body": m.body,
                      "created_at": m.created_at} for m in messages],
    }  # fmt: skip


def _sort_key(case: Case, now: datetime) -> tuple[int, datetime]:
    tag = due_tag(pending(case), now) if pending(case) else DueTag.ON_TIME
    return (0 if tag == DueTag.OVERDUE else 1, case.opened_at)


def queue(ctx: Context, query: dict[str, Any]) -> dict[str, Any]:
    """Open cases for supervisors: overdue on top, then the oldest first; counts per due tag."""
    with ctx.uow() as uow:
        now = uow.clock.now()
        select_cases = select(Case).where(Case.status != CaseStatus.CLOSED.value)
        if query.get("kind"):
            select_cases = select_cases.where(Case.kind == query["kind"])
        if query.get("status"):
            select_cases = select_cases.where(Case.status == query["status"])
        cases = sorted(uow.session.scalars(select_cases), key=lambda c: _sort_key(c, now))
        tags = {c.id: (due_tag(pending(c), now).value if pending(c) else None) for c in cases}
        counts = {tag.value: sum(1 for t in tags.values() if t == tag.value) for tag in DueTag}
        counts["all"] = len(cases)
        if query.get("due"):
            cases = [c for c in cases if tags[c.id] == query["due"]]
        page = query["page"]
        shown = cases[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return {"cases": [case_view(c, [], now) for c in shown], "counts": counts,
                "page": page, "pages": max(1, -(-len(cases) // PAGE_SIZE))}  # fmt: skip


def my_cases(ctx: Context, applicant: str, page: int) -> dict[str, Any]:
    with ctx.uow() as uow:
        now = uow.clock.now()
        cases = list(uow.session.scalars(
            select(Case).where(Case.applicant_id == applicant).order_by(Case.opened_at.desc())
            .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        ))  # fmt: skip
        return {"cases": [case_view(c, [], now) for c in cases], "page": page}


def dashboard_cases(ctx: Context) -> dict[str, Any]:
    """The complaint queue's live counts for every staff role."""
    with ctx.uow() as uow:
        now = uow.clock.now()
        cases = list(
            uow.session.scalars(select(Case).where(Case.status != CaseStatus.CLOSED.value))
        )
        by_status = {s.value: 0 for s in CaseStatus if s != CaseStatus.CLOSED}
        late = {"contact": 0, "answer": 0}
        for case in cases:
            by_status[case.status] += 1
            late["contact"] += case.contacted_at is None and case.contact_by <= now
            late["answer"] += case.status != CaseStatus.ANSWERED and case.answer_by <= now
        overdue = sum(1 for c in cases if pending(c) and due_tag(pending(c), now) == DueTag.OVERDUE)
        return {"open": len(cases), "by_status": by_status, "overdue": overdue, "late": late,
                "per_day": statistics.per_day(uow.session, now)}  # fmt: skip
