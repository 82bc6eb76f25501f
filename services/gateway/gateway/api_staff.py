"""The staff review API, /api/v1/staff: the console's queue, case, claim,
release, verdicts, checks, decision and reveal, the audit log and its CSV,
and a supervisor's retry of a failed capture or cancellation with a refund.

Thin views: parse, call the service under the staff member's own identity,
dump. What the staff member sent goes on as sent: verification owns the
review's rules, and its and orders' refusals come back as they made them
(status, problem type, field errors). Who is calling is checked before the
body is read: 401 without a token, 403 without the role.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, g
from flask_smorest import Blueprint

from common.errors import Forbidden
from gateway import reviewing
from gateway.api import BEARER, api_caller, api_principal
from gateway.clients.http import Caller
from gateway.context import gateway
from gateway.schemas import ApplicationOut
from gateway.staff_schemas import (
    StaffAuditOut,
    StaffAuditQuery,
    StaffCancelIn,
    StaffCheckIn,
    StaffDecisionIn,
    StaffQueueOut,
    StaffQueueQuery,
    StaffRevealIn,
    StaffRevealOut,
    StaffReviewOut,
    StaffReviewRulesOut,
    StaffVerdictIn,
)

blp = Blueprint(
    "api_staff",
    __name__,
    url_prefix="/api/v1/staff",
    description="The review console's API (reviewer, supervisor)",
)
REFUSALS: dict[int | str, Any] = {
    401: {"description": "No or a bad bearer token"},
    403: {"description": "Not a reviewer or supervisor (or, for the audit log, a supervisor)"},
    404: {"description": "No such case"},
    503: {"description": "A service behind the gateway is down"},
}
CHANGE_REFUSALS: dict[int | str, Any] = {
    **REFUSALS,
    409: {"description": "case-taken, case-closed, not-assignee, verdicts-incomplete, …"},
    422: {"description": "Bad fields: `errors` names each one"},
}
CSV: dict[str, Any] = {
    "description": "Every matching entry",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


@blp.before_request
def _staff_first() -> None:
    g.api_principal = api_principal(*reviewing.REVIEW_ROLES)


def _staff() -> Caller:
    return api_caller(g.api_principal)


def _supervisor() -> Caller:
    if not g.api_principal.has_any(reviewing.SUPERVISOR):
        raise Forbidden("auth.forbidden")
    return _staff()


@blp.get("/reviews")
@blp.arguments(StaffQueueQuery, location="query")
@blp.response(200, StaffQueueOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def queue(query: dict[str, Any]) -> Any:
    """The review queue: one tab, filtered, oldest first, 25 a page, with every tab's count."""
    filters = {name: str(query[name]) for name in ("item", "status", "assignee", "q")}
    filters["overdue"] = "1" if query["overdue"] else ""
    return gateway().reviews.queue(_staff(), tab=query["tab"], filters=filters, page=query["page"])


@blp.get("/reviews/<order_id>")
@blp.response(200, StaffReviewOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def review(order_id: str) -> Any:
    """The whole case: answers (ID numbers masked), documents, verdicts, checks, history."""
    return gateway().reviews.review(order_id, _staff())


@blp.get("/reviews/<order_id>/documents/<code>/image")
@blp.response(200, content_type="image/jpeg")
@blp.doc(
    security=BEARER,
    responses={
        "200": {
            "description": "The picture at full size",
            "content": {"image/jpeg": {"schema": {}}},
        },
        **REFUSALS,
    },
)
def picture(order_id: str, code: str) -> Response:
    """A document's picture at full size (each view is audited)."""
    found = gateway().reviews.picture(order_id, code, _staff())
    response = Response(found.content, mimetype=found.content_type)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.post("/reviews/<order_id>/claim")
@blp.response(200, StaffReviewOut)
@blp.doc(security=BEARER, responses=CHANGE_REFUSALS)
def claim(order_id: str) -> Any:
    """Take the case (one reviewer at a time: another's is 409 case-taken)."""
    return gateway().reviews.claim(order_id, _staff())


@blp.post("/reviews/<order_id>/release")
@blp.response(200, StaffReviewOut)
@blp.doc(security=BEARER, responses=CHANGE_REFUSALS)
def release(order_id: str) -> Any:
    """Put the case back in the queue (its reviewer, or a supervisor)."""
    return gateway().reviews.release(order_id, _staff())


@blp.put("/reviews/<order_id>/documents/<code>/verdict")
@blp.arguments(StaffVerdictIn)
@blp.response(200, StaffReviewOut)
@blp.doc(security=BEARER, responses=CHANGE_REFUSALS)
def verdict(body: dict[str, Any], order_id: str, code: str) -> Any:
    """Accept a document, or refuse it with a reason code (and a note for `other`)."""
    return gateway().reviews.give_verdict(
        order_id,
        code,
        _staff(),
        verdict=body["verdict"],
        reason_code=body["reason_code"],
        note=body["note"],
    )


@blp.put("/reviews/<order_id>/checks/<check>")
@blp.arguments(StaffCheckIn)
@blp.response(200, StaffReviewOut)
@blp.doc(security=BEARER, responses=CHANGE_REFUSALS)
def check(body: dict[str, Any], order_id: str, check: str) -> Any:
    """Record an answer check: match or mismatch."""
    return gateway().reviews.record_check(
        order_id, check, _staff(), result=body["result"], note=body["note"]
    )


@blp.post("/reviews/<order_id>/decision")
@blp.arguments(StaffDecisionIn)
@blp.response(200, StaffReviewOut)
@blp.doc(security=BEARER, responses=CHANGE_REFUSALS)
def decision(body: dict[str, Any], order_id: str) -> Any:
    """Approve, ask for new photos (with a deadline in days) or reject (reason and note)."""
    return gateway().reviews.decide(
        order_id,
        _staff(),
        decision=body["decision"],
        reason_code=body["reason_code"],
        note=body["note"],
        deadline_days=body["deadline_days"],
    )


@blp.post("/reviews/<order_id>/reveal")
@blp.arguments(StaffRevealIn)
@blp.response(200, StaffRevealOut)
@blp.doc(security=BEARER, responses=CHANGE_REFUSALS)
def reveal(body: dict[str, Any], order_id: str) -> Any:
    """A masked answer in full; the reason is recorded in the audit log."""
    value = gateway().reviews.reveal(
        order_id, _staff(), field_name=body["field"], reason=body["reason"]
    )
    return {"field": body["field"], "value": value}


@blp.get("/review-rules")
@blp.response(200, StaffReviewRulesOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def review_rules() -> Any:
    """Verification's reason codes and limits, as the review's forms need them."""
    return gateway().review_rules.rules(_staff())


def _audit_filters(query: dict[str, Any]) -> dict[str, str]:
    return {
        name: value.isoformat() if isinstance(value, datetime) else str(value or "")
        for name, value in query.items()
        if name != "page"
    }


@blp.get("/audit")
@blp.arguments(StaffAuditQuery, location="query")
@blp.response(200, StaffAuditOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def audit(query: dict[str, Any]) -> Any:
    """The review audit log, newest first (supervisor)."""
    caller = _supervisor()
    return gateway().reviews.audit(caller, filters=_audit_filters(query), page=query["page"])


@blp.get("/audit.csv")
@blp.arguments(StaffAuditQuery, location="query")
@blp.response(200, content_type="text/csv")
@blp.doc(security=BEARER, responses={"200": CSV, **REFUSALS})
def audit_csv(query: dict[str, Any]) -> Response:
    """Every matching audit entry as CSV (supervisor)."""
    caller = _supervisor()
    content = gateway().reviews.audit_csv(caller, filters=_audit_filters(query))
    response = Response(content, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="review-audit.csv"'
    return response


@blp.post("/orders/<order_id>/capture")
@blp.response(200, ApplicationOut)
@blp.doc(security=BEARER, responses=CHANGE_REFUSALS)
def retry_capture(order_id: str) -> Any:
    """Retry the capture of an order whose capture failed (supervisor); 409 with the reason."""
    return gateway().reviews.retry_capture(order_id, _supervisor())


@blp.post("/orders/<order_id>/cancel")
@blp.arguments(StaffCancelIn)
@blp.response(200, ApplicationOut)
@blp.doc(security=BEARER, responses=CHANGE_REFUSALS)
def cancel(body: dict[str, Any], order_id: str) -> Any:
    """Cancel an order with a reason (supervisor); what was captured is refunded."""
    return gateway().reviews.cancel_order(order_id, _supervisor(), reason=body["reason"].strip())
