"""The review queue: the cases staff see in each tab, oldest in the queue first.

Tabs: `unassigned` (queued, nobody's), `mine` (the caller's open cases),
`awaiting_applicant`, and `all` (every case that reached the review, closed
ones included). Filters narrow the tab; the counts are the tabs' sizes
without filters, as the console's tab labels show them.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.sql import ColumnElement

from common.auth import Identity
from common.db import UnitOfWork
from verification.chat import unread_counts
from verification.domain import STAFF_SIDE, UNDER_REVIEW, CaseStatus
from verification.models import Case
from verification.review import is_overdue, require_reviewer

PAGE_SIZE = 25


def _tab(tab: str, identity: Identity) -> ColumnElement[bool]:
    if tab == "unassigned":
        return and_(Case.status == CaseStatus.QUEUED, Case.assignee_id.is_(None))
    if tab == "mine":
        return and_(
            Case.assignee_id == identity.subject,
            Case.status.in_([CaseStatus.IN_REVIEW, CaseStatus.AWAITING_APPLICANT]),
        )
    if tab == "awaiting_applicant":
        return Case.status == CaseStatus.AWAITING_APPLICANT
    return Case.queued_at.is_not(None)


def _overdue(now: datetime) -> ColumnElement[bool]:
    return and_(
        Case.status.in_(list(UNDER_REVIEW)),
        Case.sla_due_at < func.coalesce(Case.awaiting_since, now),
    )


def _filtered(query: Select[Any], filters: dict[str, Any], now: datetime) -> Select[Any]:
    if filters.get("item"):
        query = query.where(Case.item_code == filters["item"])
    if filters.get("status"):
        query = query.where(Case.status == filters["status"])
    if filters.get("assignee"):
        query = query.where(Case.assignee_id == filters["assignee"])
    if filters.get("overdue"):
        query = query.where(_overdue(now))
    if filters.get("q"):
        term = filters["q"].strip()
        query = query.where(or_(Case.reference == term, Case.reference.ilike(f"%{term}%")))
    return query


def list_reviews(
    uow: UnitOfWork,
    identity: Identity,
    filters: dict[str, Any],
) -> dict[str, Any]:
    require_reviewer(identity)
    with uow:
        now = uow.clock.now()
        query = _filtered(select(Case).where(_tab(filters["tab"], identity)), filters, now)
        total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page = filters["page"]
        cases = uow.session.scalars(
            query.order_by(Case.queued_at, Case.order_id)
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        unread = unread_counts(uow, STAFF_SIDE)  # the applicants' messages staff have not read
        counts = {
            tab: uow.session.scalar(select(func.count()).where(_tab(tab, identity))) or 0
            for tab in ("unassigned", "mine", "awaiting_applicant", "all")
        }
        return {
            "cases": [summary(case, now, unread.get(case.order_id, 0)) for case in cases],
            "counts": counts,
            "page": page,
            "pages": max(1, math.ceil(total / PAGE_SIZE)),
        }


def summary(case: Case, now: datetime, unread_messages: int) -> dict[str, Any]:
    return {
        "order_id": case.order_id,
        "reference": case.reference,
        "item_code": case.item_code,
        "status": case.status,
        "assignee_id": case.assignee_id,
        "queued_at": case.queued_at,
        "sla_due_at": case.sla_due_at,
        "overdue": is_overdue(case, now),
        "round": case.round,
        "unread_messages": unread_messages,
    }
