"""Ratings' HTTP API: thin views that parse, call one use case, dump.

Roles (docs/design/rate-and-complain.md): `applicant` rates, follows up and
complains about their own orders; `supervisor` replies and works the case
queue; any staff role reads the dashboard; the public reads (levels, an
item's ratings, summaries, statistics) take any valid token. The role check
runs before the body is parsed. `register` is the one place the blueprint is
put on the app, with its Context.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask.views import MethodView
from flask_smorest import Api, Blueprint

from common.auth import APPLICANT, STAFF_ROLES, current_identity, require_roles
from common.errors import Forbidden
from ratings import complaints, rating, statistics
from ratings.domain import COMPLAINT_CATEGORIES, DIMENSIONS, LEVELS, TAGS
from ratings.schemas import (
    CaseListOut,
    CaseOut,
    ComplaintIn,
    DashboardOut,
    FeedbackIn,
    FollowUpIn,
    LevelsOut,
    MessageIn,
    NoteIn,
    OrderRatingOut,
    PageQuery,
    QueueQuery,
    RatingIn,
    RatingListOut,
    RatingOut,
    RatingsQuery,
    ReplyIn,
    StatsOut,
    StatsQuery,
    SummaryOut,
)
from ratings.services import Context

CONTEXT = "ratings.context"
SUPERVISOR = "supervisor"

blp = Blueprint("ratings", __name__, description="Ratings, complaints and statistics")


def register(app: Flask, api: Api, *, context: Context) -> None:
    """Give the views the use cases' Context and register the blueprint."""
    app.extensions[CONTEXT] = context
    api.register_blueprint(blp)


def _ctx() -> Context:
    context: Context = current_app.extensions[CONTEXT]
    return context


def _me() -> str:
    return current_identity().subject


def _party() -> tuple[str, bool]:
    """(subject, supervisor?) for what the case's applicant and supervisors share."""
    identity = current_identity()
    if identity.has_any([SUPERVISOR]):
        return identity.subject, True
    if identity.has_any([APPLICANT]):
        return identity.subject, False
    raise Forbidden("This needs the case's applicant or the role supervisor.")


def _labels(table: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
    return [{"code": code, "zh": zh, "en": en} for code, (zh, en) in table.items()]


@blp.route("/levels")
class Levels(MethodView):
    @blp.response(200, LevelsOut)
    def get(self) -> dict[str, Any]:
        """The five levels with their tag sets, the dimensions and the complaint categories."""
        return {
            "levels": [
                {"stars": lv.stars, "code": lv.code, "zh": lv.zh, "en": lv.en, "bad": lv.bad,
                 "tags": _labels(TAGS[lv.tag_set])}
                for lv in LEVELS.values()
            ],
            "dimensions": _labels(DIMENSIONS),
            "complaint_categories": _labels(COMPLAINT_CATEGORIES),
        }  # fmt: skip


@blp.route("/items/<item_code>/ratings")
class ItemRatings(MethodView):
    @blp.arguments(RatingsQuery, location="query")
    @blp.response(200, RatingListOut)
    def get(self, query: dict[str, Any], item_code: str) -> dict[str, Any]:
        """An item's ratings, newest first, with replies and follow-ups; filter by level."""
        return rating.list_ratings(_ctx(), item_code, query["level"], query["page"])


@blp.route("/summaries/store")
class StoreSummary(MethodView):
    @blp.response(200, SummaryOut)
    def get(self) -> dict[str, Any]:
        """The store's summary; no average while there are too few ratings."""
        return rating.summary_view(_ctx(), None)


@blp.route("/summaries/items/<item_code>")
class ItemSummary(MethodView):
    @blp.response(200, SummaryOut)
    def get(self, item_code: str) -> dict[str, Any]:
        """An item's summary; no average while there are too few ratings."""
        return rating.summary_view(_ctx(), item_code)


@blp.route("/stats")
class Stats(MethodView):
    @blp.arguments(StatsQuery, location="query")
    @blp.response(200, StatsOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Public statistics of an item or the store over 30 days or 12 months."""
        return statistics.public_figures(_ctx(), query["item"], query["period"])


@blp.route("/orders/<order_id>/rating")
class OrderRating(MethodView):
    @blp.response(200, OrderRatingOut)
    def get(self, order_id: str) -> dict[str, Any]:
        """Whether the order may be rated and until when, and its rating."""
        identity = current_identity()
        if not identity.is_staff and not identity.has_any([APPLICANT]):
            raise Forbidden("This needs the order's applicant or a staff role.")
        return rating.order_rating(_ctx(), order_id, identity.subject, identity.is_staff)

    @require_roles(APPLICANT)
    @blp.arguments(RatingIn)
    @blp.response(201, RatingOut)
    def post(self, data: dict[str, Any], order_id: str) -> dict[str, Any]:
        """Rate a completed order of yours, once, within the window."""
        return rating.rate(_ctx(), order_id, _me(), data)


@blp.route("/ratings/<rating_id>/reply")
class Reply(MethodView):
    @require_roles(SUPERVISOR)
    @blp.arguments(ReplyIn)
    @blp.response(201, RatingOut)
    def post(self, data: dict[str, Any], rating_id: str) -> dict[str, Any]:
        """Reply to a rating in public, once."""
        return rating.reply(_ctx(), rating_id, _me(), data["body"])


@blp.route("/ratings/<rating_id>/follow-up")
class FollowUp(MethodView):
    @require_roles(APPLICANT)
    @blp.arguments(FollowUpIn)
    @blp.response(201, RatingOut)
    def post(self, data: dict[str, Any], rating_id: str) -> dict[str, Any]:
        """Add the follow-up rating once your bad rating's case is answered."""
        return rating.follow_up(_ctx(), rating_id, _me(), data)


@blp.route("/orders/<order_id>/complaints")
class Complaints(MethodView):
    @require_roles(APPLICANT)
    @blp.arguments(ComplaintIn)
    @blp.response(201, CaseOut)
    def post(self, data: dict[str, Any], order_id: str) -> dict[str, Any]:
        """Complain about a submitted order of yours."""
        return complaints.open_complaint(_ctx(), order_id, _me(), data)


@blp.route("/my/cases")
class MyCases(MethodView):
    @require_roles(APPLICANT)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, CaseListOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Your cases, newest first."""
        return complaints.my_cases(_ctx(), _me(), query["page"])


@blp.route("/cases")
class Queue(MethodView):
    @require_roles(SUPERVISOR)
    @blp.arguments(QueueQuery, location="query")
    @blp.response(200, CaseListOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Open cases: overdue on top, then the oldest first, with the counts per due tag."""
        return complaints.queue(_ctx(), query)


@blp.route("/cases/<case_id>")
class CaseView(MethodView):
    @blp.response(200, CaseOut)
    def get(self, case_id: str) -> dict[str, Any]:
        """A case with its thread, for its applicant or a supervisor."""
        who, staff = _party()
        return complaints.read_case(_ctx(), case_id, who, staff)


@blp.route("/cases/<case_id>/messages")
class Messages(MethodView):
    @blp.arguments(MessageIn)
    @blp.response(201, CaseOut)
    def post(self, data: dict[str, Any], case_id: str) -> dict[str, Any]:
        """Add a message to the case's thread."""
        who, staff = _party()
        return complaints.post_message(_ctx(), case_id, who, staff, data["body"])


@blp.route("/cases/<case_id>/contact")
class Contact(MethodView):
    @require_roles(SUPERVISOR)
    @blp.arguments(NoteIn)
    @blp.response(200, CaseOut)
    def post(self, data: dict[str, Any], case_id: str) -> dict[str, Any]:
        """Record that the applicant was contacted, and how."""
        return complaints.contact(_ctx(), case_id, _me(), data["note"])


@blp.route("/cases/<case_id>/answer")
class Answer(MethodView):
    @require_roles(SUPERVISOR)
    @blp.arguments(FeedbackIn)
    @blp.response(200, CaseOut)
    def post(self, data: dict[str, Any], case_id: str) -> dict[str, Any]:
        """Record the rectification and the feedback to the applicant."""
        return complaints.answer(_ctx(), case_id, _me(), data["feedback"])


@blp.route("/cases/<case_id>/accept")
class Accept(MethodView):
    @require_roles(APPLICANT)
    @blp.response(200, CaseOut)
    def post(self, case_id: str) -> dict[str, Any]:
        """Accept the answer: the case closes."""
        return complaints.accept(_ctx(), case_id, _me())


@blp.route("/cases/<case_id>/reopen")
class Reopen(MethodView):
    @require_roles(APPLICANT)
    @blp.response(200, CaseOut)
    def post(self, case_id: str) -> dict[str, Any]:
        """Reopen the case, once: it is escalated to another supervisor."""
        return complaints.reopen(_ctx(), case_id, _me())


@blp.route("/dashboard")
class Dashboard(MethodView):
    @require_roles(*STAFF_ROLES)
    @blp.response(200, DashboardOut)
    def get(self) -> dict[str, Any]:
        """The complaint queue's live counts and the store's steps per day, 30 days."""
        return complaints.dashboard_cases(_ctx())
