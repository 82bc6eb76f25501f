"""Applying: start a draft from an item, the task list, one question a page,
delivery, and check your answers (which submits and goes to payment)."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Blueprint, abort, redirect, request, url_for
from werkzeug.wrappers import Response

from common.errors import NotFound
from common.service_client import ServiceConflict, ServiceRejected
from gateway import browser, journey, typed_answers
from gateway.clients.catalog import FormField, Item
from gateway.clients.orders import ADDRESS_FIELDS, Address, DeliveryChoice, Order
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, loading, render

bp = Blueprint("apply_pages", __name__)
log = logging.getLogger("gateway.applications")
# How long submitting waits for verification's verdict to reach orders.
DOCUMENTS_WAIT_SECONDS = 3.0


def _to(endpoint: str, **values: Any) -> Response:
    return redirect(url_for(endpoint, **values), code=303)


def _after_change(found: Order, default: Response) -> Response:
    """`?change=1` comes from check your answers: go back there when done."""
    if request.args.get("change"):
        return _to(".check", order_id=found.id)
    return default


def _t(key: str, **values: Any) -> str:
    return translate(key, lang(), **values)


def _messages(errors: dict[str, list[str]], **values: Any) -> dict[str, list[str]]:
    return {name: [_t(key, **values) for key in keys] for name, keys in errors.items()}


# --- starting -------------------------------------------------------------------


@bp.post("/items/<code>/start")
def start(code: str) -> Response:
    """Start an application; two clicks on the same button make one draft."""
    principal = browser.current_principal()
    if principal is None or principal.is_staff:
        item_page = url_for("store_pages.item", code=code)
        return _to("account_pages.sign_in", next=item_page, reason="start")
    app = gateway()
    key = journey.idempotency_key(
        app.settings.secret_key,
        principal.account_id,
        f"start:{code}",
        request.form.get("attempt"),
    )
    try:
        draft = app.orders.start(code, loading.applicant(), idempotency_key=key)
    except ServiceRejected:
        raise NotFound("item.not_found") from None
    log.info("application started", extra={"order_id": draft.id, "item_code": code})
    return _to(".tasks", order_id=draft.id)


# --- the task list ----------------------------------------------------------------


@bp.get("/applications/<order_id>/tasks")
@browser.applicant_page
def tasks(order_id: str) -> Any:
    found = loading.order(order_id)
    if (elsewhere := loading.unless_editable(found)) is not None:
        return elsewhere
    item = loading.item_of(found)
    task_list = journey.tasks(item, found, loading.case_of(found))
    done = sum(1 for task in task_list if task.status == journey.COMPLETED)
    return render(
        "apply/tasks.html",
        page_title=_t("tasks.title"),
        order=found,
        item=item,
        tasks=task_list,
        links={task.section: _task_link(found, item, task.section) for task in task_list},
        done=done,
        total=len(task_list) - 1,
    )


def _task_link(found: Order, item: Item, section: str) -> str:
    if section in {journey.DETAILS, journey.VEHICLE}:
        first = journey.questions_in(item, section)[0]
        return url_for(".question", order_id=found.id, name=first.name)
    endpoint = {
        journey.DOCUMENTS: "document_pages.documents",
        journey.DELIVERY: ".delivery",
        journey.CHECK: ".check",
    }[section]
    return url_for(endpoint, order_id=found.id)


# --- one question a page --------------------------------------------------------------


def _question(item: Item, name: str) -> FormField:
    question = next((q for q in item.form_fields if q.name == name), None)
    if question is None:
        abort(404)
    return question


def _question_page(
    found: Order,
    item: Item,
    question: FormField,
    *,
    value: str,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    previous = journey.previous_question(item, question.name)
    if request.args.get("change"):
        back = url_for(".check", order_id=found.id)
    elif previous is not None:
        back = url_for(".question", order_id=found.id, name=previous.name)
    else:
        back = url_for(".tasks", order_id=found.id)
    return render(
        "apply/question.html",
        status,
        page_title=question.label.get(lang()),
        order=found,
        question=question,
        section=journey.section_of(question),
        value=value,
        back=back,
        change=bool(request.args.get("change")),
        errors=errors or {},
    )


@bp.get("/applications/<order_id>/questions/<name>")
@browser.applicant_page
def question(order_id: str, name: str) -> Any:
    found = loading.order(order_id)
    if (elsewhere := loading.unless_editable(found)) is not None:
        return elsewhere
    item = loading.item_of(found)
    asked = _question(item, name)
    return _question_page(found, item, asked, value=found.answers.get(name, ""))


@bp.post("/applications/<order_id>/questions/<name>")
@browser.applicant_page
def answer(order_id: str, name: str) -> Any:
    found = loading.order(order_id)
    if (elsewhere := loading.unless_editable(found)) is not None:
        return elsewhere
    item = loading.item_of(found)
    asked = _question(item, name)
    typed = request.form.get("answer", "").strip()
    label = asked.label.get(lang())

    def refuse(status: int, value: str) -> tuple[str, int]:
        key = journey.answer_error(asked, value)
        message = _t(key, label=label, max=asked.max_length or 0)
        return _question_page(
            found, item, asked, value=value, errors={"answer": [message]}, status=status
        )

    try:
        value = typed_answers.normalised(asked, typed)
    except typed_answers.NotADate:
        return refuse(422, typed)
    if not value and asked.required:
        return refuse(422, value)
    answers = dict(found.answers)
    if value:
        answers[name] = value
    else:
        answers.pop(name, None)
    try:
        saved = gateway().orders.save_answers(found.id, loading.applicant(), answers)
    except ServiceRejected:
        return refuse(422, value)
    except ServiceConflict:
        return _to("application_pages.application", order_id=found.id)
    following = journey.next_question(item, name)
    if following is not None and not request.args.get("change"):
        return _to(".question", order_id=saved.id, name=following.name)
    return _after_change(saved, _to(".tasks", order_id=saved.id))


# --- delivery -------------------------------------------------------------------------


def _delivery_page(
    found: Order, item: Item, *, chosen: str, errors: Any = None, status: int = 200
) -> tuple[str, int]:
    return render(
        "apply/delivery.html",
        status,
        page_title=_t("delivery.title"),
        order=found,
        item=item,
        chosen=chosen,
        change=bool(request.args.get("change")),
        errors=errors or {},
    )


@bp.get("/applications/<order_id>/delivery")
@browser.applicant_page
def delivery(order_id: str) -> Any:
    found = loading.order(order_id)
    if (elsewhere := loading.unless_editable(found)) is not None:
        return elsewhere
    current = found.delivery
    chosen = ""
    if current is not None:
        chosen = "courier" if current.kind == "courier" else current.office_code or ""
    return _delivery_page(found, loading.item_of(found), chosen=chosen)


@bp.post("/applications/<order_id>/delivery")
@browser.applicant_page
def choose_delivery(order_id: str) -> Any:
    found = loading.order(order_id)
    if (elsewhere := loading.unless_editable(found)) is not None:
        return elsewhere
    item = loading.item_of(found)
    chosen = request.form.get("delivery", "")
    change = {"change": 1} if request.args.get("change") else {}
    if chosen == "courier" and item.delivery.courier:
        return _to(".address", order_id=found.id, **change)
    office = next((o for o in item.delivery.pickup_offices if o.code == chosen), None)
    if office is None:
        errors = {"delivery": [_t("delivery.choose")]}
        return _delivery_page(found, item, chosen="", errors=errors, status=422)
    choice = DeliveryChoice(kind="pickup", office_code=office.code)
    try:
        saved = gateway().orders.choose_delivery(found.id, loading.applicant(), choice)
    except ServiceRejected:
        errors = {"delivery": [_t("delivery.choose")]}
        return _delivery_page(found, item, chosen="", errors=errors, status=422)
    except ServiceConflict:
        return _to("application_pages.application", order_id=found.id)
    return _after_change(saved, _to(".tasks", order_id=saved.id))


def _address_page(
    found: Order, item: Item, form: dict[str, str], errors: Any = None, status: int = 200
) -> tuple[str, int]:
    return render(
        "apply/address.html",
        status,
        page_title=_t("address.title"),
        order=found,
        item=item,
        form=form,
        change=bool(request.args.get("change")),
        errors=errors or {},
        order_of_fields=list(ADDRESS_FIELDS),
    )


@bp.get("/applications/<order_id>/delivery/address")
@browser.applicant_page
def address(order_id: str) -> Any:
    found = loading.order(order_id)
    if (elsewhere := loading.unless_editable(found)) is not None:
        return elsewhere
    current = found.delivery.address if found.delivery else None
    form = {name: getattr(current, name) if current else "" for name in ADDRESS_FIELDS}
    return _address_page(found, loading.item_of(found), form)


@bp.post("/applications/<order_id>/delivery/address")
@browser.applicant_page
def save_address(order_id: str) -> Any:
    found = loading.order(order_id)
    if (elsewhere := loading.unless_editable(found)) is not None:
        return elsewhere
    item = loading.item_of(found)
    form = {name: request.form.get(name, "").strip() for name in ADDRESS_FIELDS}
    errors = journey.address_errors(form)
    if errors:
        return _address_page(found, item, form, _messages(errors), 422)
    choice = DeliveryChoice(kind="courier", address=Address(**form))
    try:
        saved = gateway().orders.choose_delivery(found.id, loading.applicant(), choice)
    except ServiceRejected as error:
        refused = journey.address_errors(form, (error.errors or {}).keys())
        if not refused:
            refused = {"street": ["address.street.invalid"]}
        return _address_page(found, item, form, _messages(refused), 422)
    except ServiceConflict:
        return _to("application_pages.application", order_id=found.id)
    return _after_change(saved, _to(".tasks", order_id=saved.id))


# --- check your answers, then submit --------------------------------------------------


def _check_page(
    found: Order, item: Item, *, errors: Any = None, status: int = 200
) -> tuple[str, int]:
    case = loading.case_of(found)
    sections = [
        (section, journey.questions_in(item, section))
        for section in (journey.DETAILS, journey.VEHICLE)
        if journey.questions_in(item, section)
    ]
    office = None
    if found.delivery and found.delivery.kind == "pickup":
        office = next(
            (o for o in item.delivery.pickup_offices if o.code == found.delivery.office_code),
            None,
        )
    return render(
        "apply/check.html",
        status,
        page_title=_t("check.title"),
        order=found,
        item=item,
        sections=sections,
        case=case,
        office=office,
        attempt=journey.new_attempt(),
        errors=errors or {},
    )


@bp.get("/applications/<order_id>/check")
@browser.applicant_page
def check(order_id: str) -> Any:
    found = loading.order(order_id)
    if (elsewhere := loading.unless_editable(found)) is not None:
        return elsewhere
    item = loading.item_of(found)
    task_list = journey.tasks(item, found, loading.case_of(found))
    if task_list[-1].status == journey.CANNOT_START:
        return _to(".tasks", order_id=found.id)
    return _check_page(found, item)


@bp.post("/applications/<order_id>/check")
@browser.applicant_page
def submit(order_id: str) -> Any:
    found = loading.order(order_id)
    app = gateway()
    principal = browser.current_principal()
    assert principal is not None  # applicant_page
    key = journey.idempotency_key(
        app.settings.secret_key,
        principal.account_id,
        f"submit:{found.id}",
        request.form.get("attempt"),
    )
    try:
        submitted = app.orders.submit(found.id, loading.applicant(), idempotency_key=key)
    except ServiceConflict:
        fresh = loading.order(order_id)
        if not fresh.allows("edit"):
            return _to("payment_pages.pay", order_id=fresh.id)
        if not _documents_reach_orders(fresh):
            errors = {"incomplete": [_t("check.incomplete")]}
            return _check_page(fresh, loading.item_of(fresh), errors=errors, status=409)
        # A refusal stores nothing under the key, so the same key tries again.
        return _submit_again(found.id, key)
    log.info("application sent", extra={"order_id": submitted.id, "status": submitted.status})
    return _to("payment_pages.pay", order_id=submitted.id)


def _submit_again(order_id: str, key: str) -> Any:
    try:
        submitted = gateway().orders.submit(order_id, loading.applicant(), idempotency_key=key)
    except ServiceConflict:
        fresh = loading.order(order_id)
        errors = {"incomplete": [_t("check.incomplete")]}
        return _check_page(fresh, loading.item_of(fresh), errors=errors, status=409)
    return _to("payment_pages.pay", order_id=submitted.id)


def _documents_reach_orders(found: Order) -> bool:
    """Verification has every photo but orders has not heard yet (its event is on the
    way): wait a moment for it rather than tell the applicant something is missing."""
    case = loading.case_of(found)
    if found.documents.complete or case is None or not case.complete:
        return False
    deadline = time.monotonic() + DOCUMENTS_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if loading.order(found.id).documents.complete:
            return True
    return False
