"""The review console: the queue, one case (identity bar, every photo fitted
to the screen with its larger sizes and quarter turns, the answers beside
them, every verdict in one form, the chat, the history in words),
claiming and releasing, pictures proxied under the staff member's identity,
and the chat's messages and internal notes.

Verdicts and decisions are in review_decisions.py; the supervisor's actions
on an order whose capture failed in order_actions.py. Every call to
verification carries the staff member's own identity, so verification audits
each picture shown and each answer revealed under their name.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Blueprint, Response, abort, redirect, request, url_for

from common.errors import DomainError
from common.service_client import ServiceConflict, ServiceRejected
from gateway import browser, review_case, reviewing
from gateway.clients.catalog import FormField
from gateway.clients.chat import MessageRefused
from gateway.clients.http import Caller
from gateway.clients.review_rules import ReviewRules
from gateway.clients.reviews import FILTERS, TABS, Review
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, render
from gateway.staff_names import staff_names

bp = Blueprint("review_pages", __name__, url_prefix="/staff/reviews")
log = logging.getLogger("gateway.reviews")
REVIEWERS = reviewing.REVIEW_ROLES
# Notices a review page may show after a redirect (anything else in ?notice= is ignored).
NOTICES = frozenset(
    {
        "review.notice.claimed",
        "review.notice.released",
        "review.notice.verdict_saved",
        "review.notice.verdicts_saved",
        "review.notice.check_saved",
        "review.notice.decided",
        "review.notice.message_sent",
        "review.notice.note_saved",
        "review.notice.captured",
        "review.notice.order_cancelled",
    }
)


def _t(key: str, **values: Any) -> str:
    return translate(key, lang(), **values)


def staff() -> Caller:
    return browser.caller_for(browser.current_principal())


def my_id() -> str:
    principal = browser.current_principal()
    return principal.account_id if principal else ""


def is_supervisor() -> bool:
    principal = browser.current_principal()
    return bool(principal and principal.has_any(reviewing.SUPERVISOR))


def messages(errors: dict[str, list[str]], **values: Any) -> dict[str, list[str]]:
    """Field errors as message keys → in the visitor's language."""
    return {name: [_t(key, **values) for key in keys] for name, keys in errors.items()}


def refusal(error: DomainError, field: str) -> dict[str, list[str]]:
    """A refusal of verification or orders as an error on one field of the page."""
    said = _t(reviewing.refusal_key(error.slug))
    listed = [str(m) for value in (error.errors or {}).values() for m in _as_list(value)]
    if error.slug in {"verdicts-incomplete", "nothing-refused"} and listed:
        said = f"{said} {', '.join(listed)}"
    elif error.slug not in reviewing.REFUSALS and error.detail:
        said = f"{said} {_t(error.detail)}"
    return {field: [said]}


def rules() -> ReviewRules:
    """Verification's reason lists and limits, to draw a form and word a refusal."""
    return gateway().review_rules.rules(staff())


def upstream_field_errors(
    error: ServiceRejected,
    form: str,
    typed: dict[str, str],
    prefix: str = "",
    fallback: str = "",
) -> dict[str, list[str]]:
    """Verification's 422 field errors, named as the page's fields and said in the
    page's words for that field (its own words where the page has none)."""
    limits = rules().limits
    found: dict[str, list[str]] = {}
    for name, value in (error.errors or {}).items():
        key = reviewing.refused_field_key(form, name, typed, limits)
        said = [_t(key, **reviewing.limit_values(limits))] if key else []
        found[f"{prefix}{name}"] = said or [_t(str(m)) for m in _as_list(value)]
    return found or {fallback: [_t(error.detail)]}


def form_values() -> dict[str, Any]:
    """What every review form needs to draw itself, from verification's rules."""
    found = rules()
    return {
        "limits": found.limits,
        "limit_values": reviewing.limit_values(found.limits),
        "reasons": found.document_reasons,
        "rejection_reasons": found.rejection_reasons,
        "check_options": [(code, _t("review.result." + code)) for code in found.check_results],
        "decision_options": [
            (code, _t("decision." + code), _t(f"decision.{code}_hint")) for code in found.decisions
        ],
    }


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def to_case(order_id: str, notice: str, anchor: str | None = None) -> Any:
    url = url_for("review_pages.case", order_id=order_id, notice=notice)
    return redirect(url + (f"#{anchor}" if anchor else ""), code=303)


# --- the queue ------------------------------------------------------------------


def _queue_filters() -> dict[str, str]:
    values = {name: request.args.get(name, "").strip()[:100] for name in FILTERS}
    values["overdue"] = "1" if values["overdue"] else ""
    return values


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


@bp.get("")
@browser.staff_page(*REVIEWERS)
def queue() -> tuple[str, int]:
    tab = request.args.get("tab", "unassigned")
    tab = tab if tab in TABS else "unassigned"
    filters = _queue_filters()
    app = gateway()
    found = app.reviews.queue(staff(), tab=tab, filters=filters, page=_page_number())
    items = {item.code: item.title for item in app.catalog.all_items(staff())}
    now = app.clock.now()
    # Verification pauses the SLA clock while it waits for the applicant's new photos.
    rows = [
        (
            case,
            reviewing.due_tag(
                case.sla_due_at,
                overdue=case.overdue,
                paused=case.status == "awaiting_applicant",
                now=now,
            ),
        )
        for case in found.cases
    ]
    return render(
        "staff/reviews/queue.html",
        page_title=_t("review.queue_title"),
        tab=tab,
        tabs=TABS,
        queue=found,
        rows=rows,
        items=items,
        filters=filters,
        me=my_id(),
    )


# --- one case ---------------------------------------------------------------------


def case_page(
    order_id: str,
    *,
    errors: dict[str, list[str]] | None = None,
    form: dict[str, str] | None = None,
    revealed: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The case with everything a reviewer needs on one page; a refused form comes
    back here with the error summary and what was typed."""
    app = gateway()
    caller = staff()
    # The assignee compares the ID number with the card on every case: shown in full.
    review = app.reviews.review(order_id, caller, unmask_for_assignee=True)
    order = app.orders.order(order_id, caller)
    names = staff_names(app.uow(), review_case.staff_ids(review))
    thread = app.chat.thread(order_id, caller)
    canned = app.reviews.canned_replies(caller)
    form = dict(form or {})
    reply = next((r for r in canned if r.code == request.args.get("reply")), None)
    if reply is not None and not form.get("body"):
        # The applicant may read either language: the reply goes in both, to edit freely.
        form["body"] = (
            reply.text.zh
            if reply.text.zh == reply.text.en
            else (f"{reply.text.zh}\n\n{reply.text.en}")
        )
    now = app.clock.now()
    notice = request.args.get("notice")
    turns = review_case.rotations(request.args, review.documents)
    return render(
        "staff/reviews/case.html",
        status,
        page_title=_t("review.case_title", reference=review.reference),
        review=review,
        documents=review_case.ordered_documents(review.documents),
        turns=turns,
        turn_url=_turn_url(order_id, turns),
        answer_values=review_case.answer_values(review, _form_fields(review.item_code), lang()),
        history=review_case.history_rows(review, names, me=my_id(), lang=lang()),
        outcome=review_case.outcome(review, lang()),
        assignee_name=names.get(review.assignee_id or ""),
        order=order,
        thread=thread,
        canned=canned,
        errors=errors or {},
        form=form,
        revealed=revealed or {},
        due=reviewing.due_tag(
            review.sla_due_at, overdue=review.overdue, paused=review.sla_paused, now=now
        ),
        hours_left=reviewing.hours_left(review.sla_due_at, now),
        mine=review.assignee_id == my_id(),
        me=my_id(),
        supervisor=is_supervisor(),
        can_act=_can_act(review),
        notice=notice if notice in NOTICES else None,
        **form_values(),
    )


def _turn_url(order_id: str, turns: dict[str, int]) -> Any:
    """turn_url(code, 90) → this page with that photo turned a further 90° clockwise,
    the other photos as they are: a turn without JavaScript."""

    def url(code: str, by: int) -> str:
        args: dict[str, Any] = {f"turn-{other}": n for other, n in turns.items() if n}
        args[f"turn-{code}"] = review_case.next_turn(turns.get(code, 0), by)
        return url_for("review_pages.case", order_id=order_id, _anchor=f"document-{code}", **args)

    return url


def _form_fields(item_code: str) -> dict[str, FormField]:
    """The item's form fields by name, to say a choice's code in words; none when the
    catalog cannot tell (the page then shows the answers as given)."""
    try:
        item = gateway().catalog.item(item_code, staff())
    except DomainError:
        log.warning("item unknown to the catalog", extra={"item_code": item_code})
        return {}
    return {field.name: field for field in item.form_fields}


def _can_act(review: Review) -> bool:
    """Verdicts, checks and decisions are the assignee's, while the case is in review."""
    return review.status == "in_review" and review.assignee_id == my_id()


@bp.get("/<order_id>")
@browser.staff_page(*REVIEWERS)
def case(order_id: str) -> tuple[str, int]:
    return case_page(order_id)


@bp.post("/<order_id>/claim")
@browser.staff_page(*REVIEWERS)
def claim(order_id: str) -> Any:
    try:
        gateway().reviews.claim(order_id, staff())
    except ServiceConflict as error:
        return case_page(order_id, errors=refusal(error, "claim"), status=409)
    log.info("case claimed", extra={"order_id": order_id})
    return to_case(order_id, "review.notice.claimed")


@bp.post("/<order_id>/release")
@browser.staff_page(*REVIEWERS)
def release(order_id: str) -> Any:
    try:
        gateway().reviews.release(order_id, staff())
    except ServiceConflict as error:
        return case_page(order_id, errors=refusal(error, "claim"), status=409)
    return to_case(order_id, "review.notice.released")


@bp.get("/<order_id>/documents/<code>/image")
@browser.staff_page(*REVIEWERS)
def picture(order_id: str, code: str) -> Response:
    """The document in verification's size (fit, large, full) and turn, fetched under
    the staff member's identity (audited). Any other size or turn is not a picture."""
    size = request.args.get("size", "full")
    raw_turn = request.args.get("rotate", "0")
    if size not in review_case.SIZES or str(review_case.rotation(raw_turn)) != raw_turn:
        abort(404)
    found = gateway().reviews.picture(
        order_id, code, staff(), size=size, rotate=review_case.rotation(raw_turn)
    )
    if not found.content_type.startswith("image/"):
        abort(404)
    response = Response(found.content, mimetype=found.content_type)
    safe_code = re.sub(r"[^A-Za-z0-9_-]", "", code)
    response.headers["Content-Disposition"] = f'inline; filename="{safe_code}.jpg"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<order_id>/reveal")
@browser.staff_page(*REVIEWERS)
def reveal(order_id: str) -> Any:
    """Show one masked answer on this response only: never in a URL, never stored."""
    field = request.form.get("field", "")
    reason = request.form.get("reason", "")
    review = gateway().reviews.review(order_id, staff())
    masked = {answer.name for answer in review.answers if answer.masked}
    error_field = f"reveal-{field}" if field in masked else "reveal"
    form = {error_field: reason}
    name, why = reviewing.parse_reveal(field, reason)
    try:
        value = gateway().reviews.reveal(order_id, staff(), field_name=name, reason=why)
    except ServiceRejected as error:
        # One form per masked answer: every refusal of it is said beside its reason box.
        found = upstream_field_errors(error, "reveal", {"reason": why})
        errors = {error_field: [m for ms in found.values() for m in ms]}
        return case_page(order_id, errors=errors, form=form, status=422)
    log.info("answer revealed", extra={"order_id": order_id, "field": name})
    return case_page(order_id, revealed={name: value})


@bp.post("/<order_id>/messages")
@browser.staff_page(*REVIEWERS)
def post_message(order_id: str) -> Any:
    """A message to the applicant, or an internal note only staff see."""
    body = request.form.get("body", "")
    internal = request.form.get("internal") == "1"
    try:
        gateway().chat.post(order_id, staff(), body, internal=internal)
    except MessageRefused as error:
        errors = {"body": [_t(error.detail)]}
        form = {"body": body, "internal": "1" if internal else ""}
        return case_page(order_id, errors=errors, form=form, status=error.status)
    notice = "review.notice.note_saved" if internal else "review.notice.message_sent"
    return to_case(order_id, notice, anchor="chat-title")
