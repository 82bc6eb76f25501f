"""Complaints and rectification cases, both sides of the thread.

The applicant opens a complaint on any submitted order (a category and a
description), follows the case (the thread with the office, the contact and
the feedback recorded), and accepts the answer or reopens the case once.
Supervisors work the queue (overdue on top, due tabs with their counts, by
kind and status), the case page (record the contact, answer with feedback,
messages; an escalated case is flagged and ratings refuses its first
supervisor, said beside the form) and reply once, in public, to a rating.
Ratings keeps the cases and decides every move; its refusals are shown
beside the form they are about."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, redirect, request, url_for

from common.service_client import ServiceConflict, ServiceError, ServiceForbidden, ServiceRejected
from gateway import browser, rating_view
from gateway.i18n import translate
from gateway.pages import lang, loading, render
from gateway.pages.ratings import client

bp = Blueprint("complaint_pages", __name__)
staff_bp = Blueprint("staff_complaint_pages", __name__, url_prefix="/staff")
log = logging.getLogger("gateway.complaints")
SUPERVISOR = "supervisor"
TEXT_MAX = 2000
NOTICES = frozenset(
    {
        "complaints.notice.opened",
        "complaints.notice.sent",
        "complaints.notice.accepted",
        "complaints.notice.reopened",
        "complaints.notice.contacted",
        "complaints.notice.answered",
        "complaints.notice.replied",
    }
)


def _t(key: str, **values: Any) -> str:
    return translate(key, lang(), **values)


def _notice() -> str | None:
    notice = request.args.get("notice")
    return notice if notice in NOTICES else None


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


def _words(error: ServiceError, field: str) -> dict[str, list[str]]:
    """A refusal of ratings beside the form's field, in the page's words."""
    if isinstance(error, ServiceRejected):
        words = rating_view.form_errors(error.errors)
        return {name: [_t(key) for key in keys] for name, keys in words.items()} or {
            field: [_t("ratings.refused.other")]
        }
    if isinstance(error, ServiceForbidden) and "actor" in (error.errors or {}):
        return {field: [_t("complaints.refused.same_supervisor")]}
    if "reopen" in (error.errors or {}):
        return {field: [_t("complaints.refused.reopened_before")]}
    status = next(iter((error.errors or {}).get("status") or []), None)
    if status:
        return {field: [_t("complaints.refused.state", status=_t("case_status." + str(status)))]}
    return {field: [_t("ratings.refused.other")]}


# -- the applicant ------------------------------------------------------------------------


def _new_page(order_id: str, *, form: Any = None, errors: Any = None, status: int = 200) -> tuple[str, int]:  # fmt: skip
    order = loading.order(order_id)
    return render(
        "ratings/complain.html",
        status,
        page_title=_t("complaints.new_title", reference=order.reference),
        order=order,
        categories=client().levels()["complaint_categories"],
        form=form or {},
        errors=errors or {},
        text_max=TEXT_MAX,
    )


@bp.get("/applications/<order_id>/complaints/new")
@browser.applicant_page
def new(order_id: str) -> tuple[str, int]:
    return _new_page(order_id)


@bp.post("/applications/<order_id>/complaints")
@browser.applicant_page
def open_complaint(order_id: str) -> Any:
    form = {
        "category": request.form.get("category", ""),
        "description": request.form.get("description", "").strip(),
    }
    errors: dict[str, list[str]] = {}
    if not form["category"]:
        errors["category"] = [_t("ratings.refused.category")]
    if not form["description"]:
        errors["description"] = [_t("complaints.refused.description_empty")]
    if errors:
        return _new_page(order_id, form=form, errors=errors, status=422)
    try:
        case = client().complain(loading.applicant(), order_id, form)
    except (ServiceRejected, ServiceConflict) as error:
        words = _words(error, "description")
        if isinstance(error, ServiceConflict):
            words = {"category": [_t("complaints.refused.not_submitted")]}
        return _new_page(order_id, form=form, errors=words, status=error.status)
    log.info("complaint opened", extra={"order_id": order_id, "case_id": case["id"]})
    return redirect(url_for(".case", case_id=case["id"], notice="complaints.notice.opened"), 303)


@bp.get("/complaints")
@browser.applicant_page
def mine() -> tuple[str, int]:
    found = client().my_cases(loading.applicant(), _page_number())
    return render(
        "ratings/my_cases.html", page_title=_t("complaints.mine_title"), cases=found["cases"]
    )


def _case_page(case_id: str, *, form: Any = None, errors: Any = None, status: int = 200) -> tuple[str, int]:  # fmt: skip
    found = client().case(loading.applicant(), case_id)
    return render(
        "ratings/case.html",
        status,
        page_title=_t("complaints.case_title"),
        case=found,
        categories=client().levels()["complaint_categories"],
        form=form or {},
        errors=errors or {},
        notice=_notice(),
        text_max=TEXT_MAX,
    )


@bp.get("/complaints/<case_id>")
@browser.applicant_page
def case(case_id: str) -> tuple[str, int]:
    return _case_page(case_id)


@bp.post("/complaints/<case_id>/messages")
@browser.applicant_page
def post_message(case_id: str) -> Any:
    body = request.form.get("body", "").strip()
    if not body:
        return _case_page(case_id, errors={"body": [_t("ratings.refused.body")]}, status=422)
    try:
        client().post_message(loading.applicant(), case_id, body)
    except (ServiceRejected, ServiceConflict) as error:
        return _case_page(case_id, form={"body": body}, errors=_words(error, "body"),
                          status=error.status)  # fmt: skip
    return redirect(
        url_for(".case", case_id=case_id, notice="complaints.notice.sent") + "#thread", 303
    )


@bp.post("/complaints/<case_id>/accept")
@browser.applicant_page
def accept(case_id: str) -> Any:
    return _applicant_move(case_id, "accept", "complaints.notice.accepted")


@bp.post("/complaints/<case_id>/reopen")
@browser.applicant_page
def reopen(case_id: str) -> Any:
    return _applicant_move(case_id, "reopen", "complaints.notice.reopened")


def _applicant_move(case_id: str, move: str, notice: str) -> Any:
    try:
        getattr(client(), move)(loading.applicant(), case_id)
    except ServiceConflict as error:
        return _case_page(case_id, errors=_words(error, "outcome"), status=409)
    return redirect(url_for(".case", case_id=case_id, notice=notice), 303)


# -- supervisors ------------------------------------------------------------------------------


def _staff() -> Any:
    return browser.caller_for(browser.current_principal())


def _filters() -> dict[str, str]:
    due = request.args.get("due", "all")
    kind = request.args.get("kind", "")
    status = request.args.get("status", "")
    return {
        "due": due if due in rating_view.DUE_TABS else "all",
        "kind": kind if kind in rating_view.KINDS else "",
        "status": status if status in ("open", "contacted", "answered", "escalated") else "",
    }


@staff_bp.get("/complaints")
@browser.staff_page(SUPERVISOR)
def queue() -> tuple[str, int]:
    filters = _filters()
    found = client().queue(
        _staff(), kind=filters["kind"], status=filters["status"],
        due="" if filters["due"] == "all" else filters["due"], page=_page_number(),
    )  # fmt: skip
    return render(
        "staff/complaints/queue.html",
        page_title=_t("complaints.queue_title"),
        queue=found,
        filters=filters,
        tabs=rating_view.DUE_TABS,
    )


def _staff_case_page(case_id: str, *, form: Any = None, errors: Any = None,
                     status: int = 200) -> tuple[str, int]:  # fmt: skip
    found = client().case(_staff(), case_id)
    rating = None
    if found.get("rating_id"):
        try:
            rating = client().order_rating(_staff(), found["order_id"]).get("rating")
        except ServiceError:
            rating = None
    principal = browser.current_principal()
    return render(
        "staff/complaints/case.html",
        status,
        page_title=_t("complaints.staff_case_title"),
        case=found,
        rating=rating,
        categories=client().levels()["complaint_categories"],
        first_supervisor=bool(
            principal
            and found.get("escalated")
            and found.get("first_answered_by") == principal.account_id
        ),
        form=form or {},
        errors=errors or {},
        notice=_notice(),
        text_max=TEXT_MAX,
    )


@staff_bp.get("/complaints/<case_id>")
@browser.staff_page(SUPERVISOR)
def staff_case(case_id: str) -> tuple[str, int]:
    return _staff_case_page(case_id)


def _staff_move(case_id: str, field: str, call: Any, notice: str) -> Any:
    text = request.form.get(field, "").strip()
    if not text:
        return _staff_case_page(
            case_id, errors={field: [_t(f"ratings.refused.{field}")]}, status=422
        )
    try:
        call(_staff(), case_id, text)
    except (ServiceRejected, ServiceConflict, ServiceForbidden) as error:
        return _staff_case_page(case_id, form={field: text}, errors=_words(error, field),
                                status=error.status)  # fmt: skip
    return redirect(url_for(".staff_case", case_id=case_id, notice=notice), 303)


@staff_bp.post("/complaints/<case_id>/contact")
@browser.staff_page(SUPERVISOR)
def contact(case_id: str) -> Any:
    return _staff_move(case_id, "note", client().contact, "complaints.notice.contacted")


@staff_bp.post("/complaints/<case_id>/answer")
@browser.staff_page(SUPERVISOR)
def answer(case_id: str) -> Any:
    return _staff_move(case_id, "feedback", client().answer, "complaints.notice.answered")


@staff_bp.post("/complaints/<case_id>/messages")
@browser.staff_page(SUPERVISOR)
def staff_message(case_id: str) -> Any:
    return _staff_move(case_id, "body", client().post_message, "complaints.notice.sent")


@staff_bp.post("/ratings/<rating_id>/reply")
@browser.staff_page(SUPERVISOR)
def reply(rating_id: str) -> Any:
    """A public reply, once: back to the page it was written on, or that page with the refusal."""
    back = browser.safe_next(request.form.get("next"), url_for("store_pages.index"))
    body = request.form.get("reply", "").strip()
    try:
        if not body:
            raise ServiceRejected("ratings", 422, "reply", errors={"body": ["empty"]})
        client().reply(_staff(), rating_id, body)
    except (ServiceRejected, ServiceConflict) as error:
        key = "complaints.refused.replied_before" if isinstance(error, ServiceConflict) else (
            rating_view.form_errors(error.errors).get("body", ["ratings.refused.body"])[0]
        )  # fmt: skip
        return render(
            "error.html", error.status, page_title=_t("error.conflict_title"), message=_t(key)
        )  # fmt: skip
    sep = "&" if "?" in back else "?"
    return redirect(f"{back}{sep}notice=complaints.notice.replied#rating-{rating_id}", 303)
