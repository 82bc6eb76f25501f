"""Ratings, complaints and the statistics through the public API.

Public: the levels and tags, an item's ratings, the summaries, the
statistics. The applicant (bearer): an order's rating, rating it, the
follow-up, complaints and their thread, accept or reopen. Thin views: ratings
decides everything and its refusals come back as it made them (422 naming the
field, `comment` for personal data; 409 naming `order`, `follow_up`, `status`
or `reopen`; another applicant's order or case is 404)."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_smorest import Blueprint

from common.service_client import ServiceNotFound
from gateway.api import BEARER, api_caller, api_principal
from gateway.clients.http import Caller
from gateway.pages.ratings import client
from gateway.ratings_schemas import (
    BodyIn,
    CaseListOut,
    CaseOut,
    ComplaintIn,
    FollowUpIn,
    LevelsOut,
    OrderRatingOut,
    PageQuery,
    RatingIn,
    RatingListOut,
    RatingOut,
    RatingsQuery,
    StatsOut,
    StatsQuery,
    SummaryOut,
)

blp = Blueprint(
    "api_ratings", __name__, url_prefix="/api/v1",
    description="Ratings (好差评), complaints and the public statistics",
)  # fmt: skip
REFUSALS: dict[int | str, Any] = {
    401: {"description": "No or a bad bearer token"},
    404: {"description": "No such order or case, or not yours"},
    503: {"description": "A service behind the gateway is down"},
}
CHANGES: dict[int | str, Any] = {
    **REFUSALS,
    409: {"description": "The state forbids it: errors names order, follow_up, status or reopen"},
    422: {"description": "Bad fields: errors names each one (comment: personal data)"},
}
_APPLICANT_PATHS = ("/api/v1/applications/", "/api/v1/complaints")


@blp.before_request
def _signed_in_first() -> None:
    """Who is calling is checked before the body is read: no token is a 401, not a 422."""
    if request.path.startswith(_APPLICANT_PATHS):
        g.api_principal = api_principal()


def _caller() -> Caller:
    return api_caller(g.api_principal)


# -- public -----------------------------------------------------------------------------------


@blp.get("/ratings/levels")
@blp.response(200, LevelsOut)
def levels() -> Any:
    """The five levels (stars, zh/en names) with their tags, the scores' dimensions, the
    complaint categories."""
    return client().levels()


@blp.get("/items/<code>/ratings")
@blp.arguments(RatingsQuery, location="query")
@blp.response(200, RatingListOut)
def item_ratings(query: dict[str, Any], code: str) -> Any:
    """An item's ratings, newest first, 20 a page, with replies and follow-ups."""
    return client().item_ratings(code, level=query.get("level"), page=query["page"])


@blp.get("/items/<code>/rating-summary")
@blp.response(200, SummaryOut)
def item_summary(code: str) -> Any:
    """An item's summary: count, average (null while too_few), distribution, dimensions."""
    return client().item_summary(code)


@blp.get("/store/rating-summary")
@blp.response(200, SummaryOut)
def store_summary() -> Any:
    """The store's summary, as an item's."""
    return client().store_summary()


@blp.get("/stats")
@blp.arguments(StatsQuery, location="query")
@blp.response(200, StatsOut)
def stats(query: dict[str, Any]) -> Any:
    """The public statistics of the store or one item over 30d or 12m (422 period)."""
    return client().stats(item=query.get("item"), period=query["period"])


# -- the applicant ------------------------------------------------------------------------------


@blp.get("/applications/<order_id>/rating")
@blp.response(200, OrderRatingOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def order_rating(order_id: str) -> Any:
    """Whether the order can be rated (until rate_by) or followed up, and its rating."""
    return client().order_rating(_caller(), order_id)


@blp.post("/applications/<order_id>/rating")
@blp.arguments(RatingIn)
@blp.response(201, RatingOut)
@blp.doc(security=BEARER, responses=CHANGES)
def rate(body: dict[str, Any], order_id: str) -> Any:
    """Rate a completed order, once, within 15 days of completion."""
    return client().rate(_caller(), order_id, body)


@blp.post("/applications/<order_id>/rating/follow-up")
@blp.arguments(FollowUpIn)
@blp.response(201, RatingOut)
@blp.doc(security=BEARER, responses=CHANGES)
def follow_up(body: dict[str, Any], order_id: str) -> Any:
    """The follow-up rating (追评) of a bad rating whose case has been answered, once."""
    caller = _caller()
    rating = client().order_rating(caller, order_id).get("rating")
    if not rating:
        raise ServiceNotFound("ratings", 404, "ratings.not_found")
    return client().follow_up(caller, rating["id"], body)


@blp.post("/applications/<order_id>/complaints")
@blp.arguments(ComplaintIn)
@blp.response(201, CaseOut)
@blp.doc(security=BEARER, responses=CHANGES)
def complain(body: dict[str, Any], order_id: str) -> Any:
    """Open a complaint on a submitted order (category, description)."""
    return client().complain(_caller(), order_id, body)


@blp.get("/complaints")
@blp.arguments(PageQuery, location="query")
@blp.response(200, CaseListOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def my_cases(query: dict[str, Any]) -> Any:
    """My cases (complaints and bad ratings' cases), newest first."""
    return client().my_cases(_caller(), query["page"])


@blp.get("/complaints/<case_id>")
@blp.response(200, CaseOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def case(case_id: str) -> Any:
    """A case of mine with its thread."""
    return client().case(_caller(), case_id)


@blp.post("/complaints/<case_id>/messages")
@blp.arguments(BodyIn)
@blp.response(201, CaseOut)
@blp.doc(security=BEARER, responses=CHANGES)
def post_message(body: dict[str, Any], case_id: str) -> Any:
    """A message to the office on the case's thread (409 once closed)."""
    return client().post_message(_caller(), case_id, body["body"])


@blp.post("/complaints/<case_id>/accept")
@blp.response(200, CaseOut)
@blp.doc(security=BEARER, responses=CHANGES)
def accept(case_id: str) -> Any:
    """Accept the office's answer: the case closes."""
    return client().accept(_caller(), case_id)


@blp.post("/complaints/<case_id>/reopen")
@blp.response(200, CaseOut)
@blp.doc(security=BEARER, responses=CHANGES)
def reopen(case_id: str) -> Any:
    """Reopen the answered case, once: escalated to another supervisor."""
    return client().reopen(_caller(), case_id)
