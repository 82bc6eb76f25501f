"""Replies to ratings, the case queue and the dashboard through /api/v1/staff.

Who is calling is checked before the body is read: 401 without a token; the
replies and the cases need the role supervisor (403 otherwise), the dashboard
any staff role. Ratings decides the moves: 409 naming `status` or `reply`,
403 naming `actor` when an escalated case is answered by its first supervisor."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_smorest import Blueprint

from gateway.api import BEARER, api_caller, api_principal
from gateway.clients.http import Caller
from gateway.domain import STAFF_ROLES
from gateway.pages.dashboard import staff_dashboard_for
from gateway.pages.ratings import client
from gateway.ratings_schemas import (
    BodyIn,
    CaseListOut,
    CaseOut,
    DashboardOut,
    FeedbackIn,
    NoteIn,
    QueueQuery,
    RatingOut,
)

blp = Blueprint(
    "api_staff_ratings", __name__, url_prefix="/api/v1/staff",
    description="Replies to ratings, complaints and cases (supervisor); the dashboard (staff)",
)  # fmt: skip
REFUSALS: dict[int | str, Any] = {
    401: {"description": "No or a bad bearer token"},
    403: {"description": "Not a supervisor, or (actor) the escalated case's first supervisor"},
    404: {"description": "No such rating or case"},
    503: {"description": "A service behind the gateway is down"},
}
CHANGES: dict[int | str, Any] = {
    **REFUSALS,
    409: {"description": "The state forbids it: errors names status or reply"},
    422: {"description": "Bad fields: errors names each one"},
}


@blp.before_request
def _staff_first() -> None:
    if request.path == "/api/v1/staff/dashboard":
        g.api_principal = api_principal(*STAFF_ROLES)
    elif request.path.startswith(("/api/v1/staff/ratings/", "/api/v1/staff/complaints")):
        g.api_principal = api_principal("supervisor")


def _caller() -> Caller:
    return api_caller(g.api_principal)


@blp.post("/ratings/<rating_id>/reply")
@blp.arguments(BodyIn)
@blp.response(201, RatingOut)
@blp.doc(security=BEARER, responses=CHANGES)
def reply(body: dict[str, Any], rating_id: str) -> Any:
    """Reply in public to a rating, once (1–500 characters, no personal data)."""
    return client().reply(_caller(), rating_id, body["body"])


@blp.get("/complaints")
@blp.arguments(QueueQuery, location="query")
@blp.response(200, CaseListOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def queue(query: dict[str, Any]) -> Any:
    """Open cases, overdue first then oldest, with counts per due tag."""
    return client().queue(_caller(), kind=query["kind"], status=query["status"],
                          due=query["due"], page=query["page"])  # fmt: skip


@blp.get("/complaints/<case_id>")
@blp.response(200, CaseOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def case(case_id: str) -> Any:
    """A case with its thread, deadlines and outcome."""
    return client().case(_caller(), case_id)


@blp.post("/complaints/<case_id>/messages")
@blp.arguments(BodyIn)
@blp.response(201, CaseOut)
@blp.doc(security=BEARER, responses=CHANGES)
def post_message(body: dict[str, Any], case_id: str) -> Any:
    """A message to the applicant on the case's thread."""
    return client().post_message(_caller(), case_id, body["body"])


@blp.post("/complaints/<case_id>/contact")
@blp.arguments(NoteIn)
@blp.response(200, CaseOut)
@blp.doc(security=BEARER, responses=CHANGES)
def contact(body: dict[str, Any], case_id: str) -> Any:
    """Record that the applicant was contacted, and how."""
    return client().contact(_caller(), case_id, body["note"])


@blp.post("/complaints/<case_id>/answer")
@blp.arguments(FeedbackIn)
@blp.response(200, CaseOut)
@blp.doc(security=BEARER, responses=CHANGES)
def answer(body: dict[str, Any], case_id: str) -> Any:
    """Record the rectification and the feedback to the applicant."""
    return client().answer(_caller(), case_id, body["feedback"])


@blp.get("/dashboard")
@blp.response(200, DashboardOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def dashboard() -> Any:
    """Every queue's live count with what is late, and the store's steps per day (30 days)."""
    return staff_dashboard_for(_caller())
