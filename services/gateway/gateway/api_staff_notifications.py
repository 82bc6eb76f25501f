"""Supervisors' view of sending through /api/v1/staff: the messages no provider
took or delivered (by channel and reason), resend, and the counts per day.
Notifications decides (a message that has not failed is its 409)."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_smorest import Blueprint

from gateway.api import BEARER, api_caller, api_principal
from gateway.inbox_schemas import FailuresOut, FailuresQuery, StaffMessageOut, StatsOut, StatsQuery
from gateway.pages.inbox import notifications

blp = Blueprint(
    "api_staff_notifications",
    __name__,
    url_prefix="/api/v1/staff",
    description="Failed messages and sending counts (supervisors)",
)
REFUSALS: dict[int | str, Any] = {
    401: {"description": "No or a bad bearer token"},
    403: {"description": "Not a supervisor"},
    503: {"description": "Notifications is down"},
}


@blp.before_request
def _supervisor_first() -> None:
    if request.path.startswith("/api/v1/staff/notifications"):
        g.api_principal = api_principal("supervisor")


@blp.get("/notifications/failures")
@blp.arguments(FailuresQuery, location="query")
@blp.response(200, FailuresOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def failures(query: dict[str, Any]) -> Any:
    """Failed and undeliverable messages, newest first, with counts by channel and reason."""
    return notifications().failures(api_caller(g.api_principal), **query)


@blp.post("/notifications/<message_id>/resend")
@blp.response(200, StaffMessageOut)
@blp.doc(security=BEARER, responses={**REFUSALS, 404: {"description": "No such message"},
                                     409: {"description": "The message has not failed"}})  # fmt: skip
def resend(message_id: str) -> Any:
    """Send a failed message again, with a new idempotency key."""
    return notifications().resend(api_caller(g.api_principal), message_id)


@blp.get("/notifications/stats")
@blp.arguments(StatsQuery, location="query")
@blp.response(200, StatsOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def stats(query: dict[str, Any]) -> Any:
    """Messages per Beijing day and channel: created, sent, delivered, failed."""
    return {"days": notifications().stats(api_caller(g.api_principal), days=query["days"])}
