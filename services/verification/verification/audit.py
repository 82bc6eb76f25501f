"""The review's audit log: the one writer of `audit_entries`, and its reads.

Every staff action on a case (claim, verdict, decision, each picture viewed,
each ID number revealed, each chat message) and every action of the system on
one (a missed deadline, a purge) is one entry, written in the same
transaction as the action, so there is never an action without its entry.
The table is append-only: the database refuses UPDATE and DELETE.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, select

from common.auth import Identity
from common.db import UnitOfWork
from common.errors import Forbidden
from verification.models import AuditEntry, Case

PAGE_SIZE = 50
COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "order_id",
    "reference",
    "document_code",
    "field",
    "reason",
    "details",
)

SYSTEM = "system"
# A person looking at a case's pictures is recorded once in this window: a page
# shows every picture of the case, and each reload would otherwise add a row each.
VIEW_WINDOW = timedelta(hours=1)
# The reason of the reveal a case's assignee gets without asking (review.py).
SHOWN_TO_ASSIGNEE = "assigned-reviewer"
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


def record_view_once(
    uow: UnitOfWork, case: Case, actor: Identity, document_code: str, *, thumbnail: bool
) -> None:
    """A `document.viewed` entry unless this person has one for this case in the
    last VIEW_WINDOW. The case row is locked first, so the pictures of one page,
    fetched at once, do not each find no entry and each write one."""
    uow.session.execute(
        select(Case.order_id).where(Case.order_id == case.order_id).with_for_update()
    )
    since = uow.clock.now() - VIEW_WINDOW
    if has_entry(uow, case.order_id, actor.subject, Action.DOCUMENT_VIEWED, since=since):
        return
    record(
        uow,
        actor=actor,
        action=Action.DOCUMENT_VIEWED,
        order_id=case.order_id,
        reference=case.reference,
        document_code=document_code,
        details={"thumbnail": thumbnail},
    )


def has_entry(
    uow: UnitOfWork,
    order_id: str,
    actor_id: str,
    action: str,
    *,
    since: Any = None,
    reason: str | None = None,
    field: str | None = None,
) -> bool:
    """Whether this actor already has such an entry on the case (optionally since a
    time, with a reason, on a field)."""
    query = select(AuditEntry.id).where(
        AuditEntry.order_id == order_id,
        AuditEntry.actor_id == actor_id,
        AuditEntry.action == action,
    )
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if reason is not None:
        query = query.where(AuditEntry.reason == reason)
    if field is not None:
        query = query.where(AuditEntry.field == field)
    return uow.session.scalar(query.limit(1)) is not None


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


# --- reading the log (supervisors) -----------------------------------------------------


def _require_supervisor(identity: Identity) -> None:
    if "supervisor" not in identity.roles:
        raise Forbidden("The audit log is for supervisors.")


def _matching(filters: dict[str, Any]) -> Select[Any]:
    query = select(AuditEntry)
    if filters.get("actor"):
        query = query.where(AuditEntry.actor_id == filters["actor"])
    if filters.get("order_id"):
        query = query.where(AuditEntry.order_id == filters["order_id"])
    if filters.get("action"):
        query = query.where(AuditEntry.action == filters["action"])
    if filters.get("since"):
        query = query.where(AuditEntry.at >= filters["since"])
    if filters.get("until"):
        query = query.where(AuditEntry.at < filters["until"])
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def list_entries(uow: UnitOfWork, identity: Identity, filters: dict[str, Any]) -> dict[str, Any]:
    """One page of the matching entries, newest first."""
    _require_supervisor(identity)
    with uow:
        query = _matching(filters)
        total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page = filters.get("page") or 1
        entries = uow.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
        return {
            "entries": [entry_view(entry) for entry in entries],
            "page": page,
            "pages": max(1, math.ceil(total / PAGE_SIZE)),
        }


def export_csv(uow: UnitOfWork, identity: Identity, filters: dict[str, Any]) -> str:
    """Every matching entry as CSV, newest first."""
    _require_supervisor(identity)
    with uow:
        entries = uow.session.scalars(_matching(filters).execution_options(yield_per=500))
        return "".join(_csv_lines(entry_view(entry) for entry in entries))


def _csv_lines(views: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for view in views:
        view["at"] = view["at"].isoformat()
        view["details"] = json.dumps(view["details"], ensure_ascii=False) if view["details"] else ""
        writer.writerow([_cell(view[column]) for column in COLUMNS])
    yield buffer.getvalue()


def _cell(value: Any) -> Any:
    """A value a spreadsheet shows as text: a leading =, +, - or @ would run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value
