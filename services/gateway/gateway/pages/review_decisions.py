"""The reviewer's judgements on a case: a verdict per document and the answer
checks (all in one form, sent to verification in one request, saved all or
none; the single-document forms remain for pages that post one), and the decision (approve, ask for new photos, reject), which goes
through a confirmation page before it is sent.

Verification decides each form; its refusals come back beside the field they
name, in words, with what was typed kept. The gateway checks only that a
choice was made. A refused form changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
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
    rules,
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


VERDICT_FIELDS = ("verdict", "reason_code", "note")
CHECK_FIELDS = ("result", "note")


@dataclass
class _Batch:
    """The case page's one form: what was typed (by page field id), the items to
    send, and the page's own refusals (message keys by page field id)."""

    typed: dict[str, dict[str, str]] = field(default_factory=dict)
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def form(self) -> dict[str, str]:
        return {
            k: v
            for code, typed in self.typed.items()
            for k, v in _prefixed(typed, f"{code}-").items()
        }


def _read_batch() -> _Batch:
    """Every document's verdict and every check's result the form holds; a document
    left without a choice is left as it was, unless a reason or note says otherwise."""
    batch = _Batch()
    for code in request.form.getlist("document"):
        typed = batch.typed[code] = {n: request.form.get(f"{code}-{n}", "") for n in VERDICT_FIELDS}
        if not typed["verdict"].strip():
            if typed["reason_code"].strip() or typed["note"].strip():
                batch.errors[f"{code}-verdict"] = ["review.verdict_required"]
            continue
        given = reviewing.parse_verdict(typed["verdict"], typed["reason_code"], typed["note"])
        batch.verdicts.append({"code": code, **asdict(given)})
    for code in request.form.getlist("check"):
        typed = batch.typed[code] = {n: request.form.get(f"{code}-{n}", "") for n in CHECK_FIELDS}
        if typed["result"].strip():
            given_check = reviewing.parse_check(typed["result"], typed["note"])
            batch.checks.append({"code": code, **asdict(given_check)})
    documents = request.form.getlist("document")
    if not (batch.verdicts or batch.checks or batch.errors) and documents:
        batch.errors[f"{documents[0]}-verdict"] = ["review.verdict_required"]
    return batch


def _batch_refusals(error: ServiceRejected, batch: _Batch) -> dict[str, list[str]]:
    """Verification's `verdicts.<code>.<field>` refusals beside the page's fields, in words."""
    limits = rules().limits
    found: dict[str, list[str]] = {}
    for name, value in (error.errors or {}).items():
        _group, _, rest = name.partition(".")
        code, _, field_name = rest.rpartition(".")
        form = "verdict" if _group == "verdicts" else "check"
        key = reviewing.refused_field_key(form, field_name, batch.typed.get(code, {}), limits)
        words = [_t(key, **reviewing.limit_values(limits))] if key else []
        target = f"{code}-{field_name if field_name in VERDICT_FIELDS + CHECK_FIELDS else form}"
        found[target] = words or [
            _t(str(m)) for m in (value if isinstance(value, list) else [value])
        ]
    return found or {"documents": [_t(error.detail)]}


@bp.post("/<order_id>/verdicts")
@browser.staff_page(*REVIEWERS)
def verdicts(order_id: str) -> Any:
    """Every photo's verdict and every check from the case page's one form."""
    batch = _read_batch()
    if batch.errors:
        return case_page(order_id, errors=messages(batch.errors), form=batch.form(), status=422)
    try:
        gateway().reviews.give_verdicts(
            order_id, staff(), verdicts=batch.verdicts, checks=batch.checks
        )
    except ServiceRejected as error:
        errors = _batch_refusals(error, batch)
        return case_page(order_id, errors=errors, form=batch.form(), status=422)
    except ServiceConflict as error:
        first = next(iter(batch.typed), "documents")
        errors = refusal(error, f"{first}-verdict")
        return case_page(order_id, errors=errors, form=batch.form(), status=409)
    log.info("verdicts saved", extra={"order_id": order_id, "count": len(batch.verdicts)})
    return to_case(order_id, "review.notice.verdicts_saved", anchor="documents-title")


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
