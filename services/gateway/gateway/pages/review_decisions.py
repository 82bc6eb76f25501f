"""The reviewer's judgements on a case: a verdict per document, the answer
checks, and the decision (approve, ask for new photos, reject), which goes
through a confirmation page before it is sent.

Verification decides each form; its refusals come back beside the field they
name, in words, with what was typed kept. The gateway checks only that a
choice was made. A refused form changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from flask import Blueprint, request, url_for

from common.service_client import ServiceConflict, ServiceRejected
from gateway import browser, reviewing
from gateway.context import gateway
from gateway.domain import FieldErrors
from gateway.pages import render
from gateway.pages.reviews import (
    REVIEWERS,
    _t,
    case_page,
    form_values,
    messages,
    refusal,
    staff,
    to_case,
    upstream_field_errors,
)

bp = Blueprint("review_decision_pages", __name__, url_prefix="/staff/reviews")
log = logging.getLogger("gateway.reviews")
DECISION_FIELDS = ("decision", "deadline_days", "reason_code", "note")
T = TypeVar("T")


def _prefixed(values: dict[str, T], prefix: str) -> dict[str, T]:
    """Each document and check has its own form on the case page: names carry its code."""
    return {f"{prefix}{name}": value for name, value in values.items()}


@bp.post("/<order_id>/documents/<code>/verdict")
@browser.staff_page(*REVIEWERS)
def verdict(order_id: str, code: str) -> Any:
    prefix = f"{code}-"
    typed = {name: request.form.get(name, "") for name in ("verdict", "reason_code", "note")}
    form = _prefixed(typed, prefix)
    try:
        given = reviewing.parse_verdict(typed["verdict"], typed["reason_code"], typed["note"])
        gateway().reviews.give_verdict(
            order_id,
            code,
            staff(),
            verdict=given.verdict,
            reason_code=given.reason_code,
            note=given.note,
        )
    except FieldErrors as error:
        errors = messages(_prefixed(error.errors, prefix))
        return case_page(order_id, errors=errors, form=form, status=422)
    except ServiceRejected as error:
        errors = upstream_field_errors(error, "verdict", typed, prefix, f"{prefix}verdict")
        return case_page(order_id, errors=errors, form=form, status=422)
    except ServiceConflict as error:
        errors = refusal(error, f"{prefix}verdict")
        return case_page(order_id, errors=errors, form=form, status=409)
    return to_case(order_id, "review.notice.verdict_saved", anchor=f"document-{code}")


@bp.post("/<order_id>/checks/<check>")
@browser.staff_page(*REVIEWERS)
def check(order_id: str, check: str) -> Any:
    prefix = f"{check}-"
    typed = {name: request.form.get(name, "") for name in ("result", "note")}
    form = _prefixed(typed, prefix)
    try:
        given = reviewing.parse_check(typed["result"], typed["note"])
        gateway().reviews.record_check(
            order_id, check, staff(), result=given.result, note=given.note
        )
    except FieldErrors as error:
        errors = messages(_prefixed(error.errors, prefix))
        return case_page(order_id, errors=errors, form=form, status=422)
    except ServiceRejected as error:
        errors = upstream_field_errors(error, "check", typed, prefix, f"{prefix}result")
        return case_page(order_id, errors=errors, form=form, status=422)
    except ServiceConflict as error:
        errors = refusal(error, f"{prefix}result")
        return case_page(order_id, errors=errors, form=form, status=409)
    return to_case(order_id, "review.notice.check_saved", anchor=f"check-{check}")


# --- the decision, with its confirmation -----------------------------------------


def _decision_page(
    order_id: str,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    review = gateway().reviews.review(order_id, staff())
    return render(
        "staff/reviews/decision.html",
        status,
        page_title=_t("review.decision_title", reference=review.reference),
        review=review,
        form=form or {},
        errors=errors or {},
        fields=DECISION_FIELDS,
        **form_values(),
    )


def _typed_decision() -> dict[str, str]:
    return {name: request.form.get(name, "").strip() for name in DECISION_FIELDS}


@bp.get("/<order_id>/decision")
@browser.staff_page(*REVIEWERS)
def decision(order_id: str) -> tuple[str, int]:
    return _decision_page(order_id)


@bp.post("/<order_id>/decision")
@browser.staff_page(*REVIEWERS)
def check_decision(order_id: str) -> tuple[str, int]:
    """The decision form, checked; then "are you sure?" with what will happen."""
    typed = _typed_decision()
    try:
        chosen = reviewing.parse_decision(
            typed["decision"], typed["reason_code"], typed["note"], typed["deadline_days"]
        )
    except FieldErrors as error:
        return _decision_page(order_id, form=typed, errors=messages(error.errors), status=422)
    review = gateway().reviews.review(order_id, staff())
    return render(
        "staff/reviews/confirm_decision.html",
        page_title=_t("review.confirm_title", reference=review.reference),
        review=review,
        chosen=chosen,
        refused=[
            doc for doc in review.documents if doc.verdict and doc.verdict.verdict == "refused"
        ],
        back=url_for(".decision", order_id=order_id),
    )


@bp.post("/<order_id>/decision/confirm")
@browser.staff_page(*REVIEWERS)
def confirm_decision(order_id: str) -> Any:
    typed = _typed_decision()
    try:
        chosen = reviewing.parse_decision(
            typed["decision"], typed["reason_code"], typed["note"], typed["deadline_days"]
        )
        gateway().reviews.decide(
            order_id,
            staff(),
            decision=chosen.decision,
            reason_code=chosen.reason_code,
            note=chosen.note,
            deadline_days=chosen.deadline_days,
        )
    except FieldErrors as error:
        return _decision_page(order_id, form=typed, errors=messages(error.errors), status=422)
    except ServiceRejected as error:
        errors = upstream_field_errors(error, "decision", typed, fallback="decision")
        return _decision_page(order_id, form=typed, errors=errors, status=422)
    except ServiceConflict as error:
        return _decision_page(order_id, form=typed, errors=refusal(error, "decision"), status=409)
    log.info("case decided", extra={"order_id": order_id, "decision": chosen.decision})
    return to_case(order_id, "review.notice.decided")
