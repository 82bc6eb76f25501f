"""The staff review API: the queue, a case, claiming, verdicts, checks,
decisions and revealing a masked answer. Thin views: parse, call one use
case, dump. Reviewers and supervisors only (403 for other roles), except the
rules, which every staff role and applicant may read."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from common.auth import current_identity
from verification import batch_verdicts, decisions, review, review_queue
from verification.api.context import policy, uow
from verification.schemas.review import (
    CheckIn,
    DecisionIn,
    QueueOut,
    QueueQuery,
    RevealIn,
    RevealOut,
    ReviewOut,
    ReviewQuery,
    RulesOut,
    VerdictIn,
    VerdictsIn,
)

blp = Blueprint("reviews", __name__, description="Staff: the review of submitted applications")

_STAFF_ONLY: dict[int, Any] = {403: {"description": "not a reviewer or supervisor"}}
_CASE = {**_STAFF_ONLY, 404: {"description": "no such case"}}
_WORK = {
    **_CASE,
    409: {"description": "not-assignee, case-closed, awaiting-applicant or case-not-submitted"},
    422: {"description": "errors names the field: reason_code or note"},
}


@blp.route("/review/rules")
class Rules(MethodView):
    @blp.response(200, RulesOut)
    @blp.doc(responses={403: {"description": "neither staff nor an applicant"}})
    def get(self) -> dict[str, Any]:
        """The reason codes and limits verification enforces, for forms to draw from."""
        return review.rules(current_identity(), policy())


@blp.route("/reviews")
class Queue(MethodView):
    @blp.arguments(QueueQuery, location="query")
    @blp.response(200, QueueOut)
    @blp.doc(responses=_STAFF_ONLY)
    def get(self, filters: dict[str, Any]) -> dict[str, Any]:
        """The review queue by tab, oldest first, 25 a page, with each tab's count."""
        return review_queue.list_reviews(uow(), current_identity(), filters)


@blp.route("/reviews/<order_id>")
class OneReview(MethodView):
    @blp.arguments(ReviewQuery, location="query")
    @blp.response(200, ReviewOut)
    @blp.doc(responses={**_CASE, 409: {"description": "case-not-submitted"}})
    def get(self, query: dict[str, Any], order_id: str) -> dict[str, Any]:
        """The whole case for staff: answers (ID numbers masked, except to the assignee
        of an open case who asks with unmask_for_assignee), documents, checks, history."""
        return review.get_review(
            uow(),
            order_id,
            current_identity(),
            policy(),
            unmask_for_assignee=query["unmask_for_assignee"],
        )


@blp.route("/reviews/<order_id>/claim")
class Claim(MethodView):
    @blp.response(200, ReviewOut)
    @blp.doc(
        responses={**_CASE, 409: {"description": "case-taken, case-closed, case-not-submitted"}}
    )
    def post(self, order_id: str) -> dict[str, Any]:
        """Take the case; the first claim starts the order's review."""
        return decisions.claim(uow(), order_id, current_identity(), policy())


@blp.route("/reviews/<order_id>/release")
class Release(MethodView):
    @blp.response(200, ReviewOut)
    @blp.doc(responses={**_CASE, 409: {"description": "not-assigned, not-assignee, case-closed"}})
    def post(self, order_id: str) -> dict[str, Any]:
        """Give the case back to the queue (its assignee, or a supervisor)."""
        return decisions.release(uow(), order_id, current_identity(), policy())


@blp.route("/reviews/<order_id>/documents/<code>/verdict")
class DocumentVerdict(MethodView):
    @blp.arguments(VerdictIn)
    @blp.response(200, ReviewOut)
    @blp.doc(responses=_WORK)
    def put(self, values: dict[str, Any], order_id: str, code: str) -> dict[str, Any]:
        """Accept a document, or refuse it with a reason code and a note."""
        return decisions.give_verdict(uow(), order_id, code, values, current_identity(), policy())


@blp.route("/reviews/<order_id>/verdicts")
class CaseVerdicts(MethodView):
    @blp.arguments(VerdictsIn)
    @blp.response(200, ReviewOut)
    @blp.doc(
        responses={
            **_WORK,
            422: {"description": "errors names the item and field: verdicts.<code>.reason_code"},
        }
    )
    def put(self, values: dict[str, Any], order_id: str) -> dict[str, Any]:
        """A verdict per document and a result per check in one go: all saved, or none."""
        return batch_verdicts.give_verdicts(uow(), order_id, values, current_identity(), policy())


@blp.route("/reviews/<order_id>/checks/<check>")
class AnswerCheck(MethodView):
    @blp.arguments(CheckIn)
    @blp.response(200, ReviewOut)
    @blp.doc(responses=_WORK)
    def put(self, values: dict[str, Any], order_id: str, check: str) -> dict[str, Any]:
        """Record whether a form answer matches the pictures."""
        return decisions.record_check(uow(), order_id, check, values, current_identity(), policy())


@blp.route("/reviews/<order_id>/decision")
class CaseDecision(MethodView):
    @blp.arguments(DecisionIn)
    @blp.response(200, ReviewOut)
    @blp.doc(
        responses={
            **_WORK,
            409: {
                "description": "not-assignee, case-closed, awaiting-applicant, "
                "verdicts-incomplete, nothing-refused, rounds-exhausted"
            },
        }
    )
    def post(self, values: dict[str, Any], order_id: str) -> dict[str, Any]:
        """Approve, request new photos of the refused documents, or reject."""
        return decisions.decide(uow(), order_id, values, current_identity(), policy())


@blp.route("/reviews/<order_id>/reveal")
class Reveal(MethodView):
    @blp.arguments(RevealIn)
    @blp.response(200, RevealOut)
    @blp.doc(responses={**_CASE, 422: {"description": "errors names field or reason"}})
    def post(self, values: dict[str, Any], order_id: str) -> dict[str, str]:
        """The full value of a masked answer; the reason goes to the audit log."""
        return decisions.reveal(uow(), order_id, values, current_identity(), policy())
