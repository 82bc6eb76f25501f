"""The review audit log, for supervisors: filters, pages of entries newest
first, and the CSV export of every matching entry (verification's, proxied
under the supervisor's identity)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from gateway import audit_view, browser, reviewing
from gateway.clients.reviews import AUDIT_FILTERS, AuditPage
from gateway.context import gateway
from gateway.domain import CHINA_STANDARD_TIME, FieldErrors
from gateway.pages import lang, render
from gateway.pages.reviews import _t, messages, my_id, staff
from gateway.staff_names import every_staff_member, staff_names

bp = Blueprint("audit_pages", __name__, url_prefix="/staff")
ACTIONS = (
    "case.claimed",
    "case.released",
    "document.verdict",
    "check.recorded",
    "case.approved",
    "case.resubmission_requested",
    "case.rejected",
    "case.resubmitted",
    "document.viewed",
    "answer.revealed",
    "chat.message",
    "chat.note",
    "documents.purged",
)


def audit_filters(args: Any) -> dict[str, str]:
    """The filters as verification takes them; days (China time) become times.
    `until` is a whole day: everything before the next midnight."""
    typed = {name: str(args.get(name, "")).strip()[:100] for name in AUDIT_FILTERS}
    errors: dict[str, list[str]] = {}
    if typed["action"] and typed["action"] not in ACTIONS:
        errors["action"] = ["audit.action_invalid"]
    for name, shift in (("since", 0), ("until", 1)):
        if typed[name]:
            try:
                day = date.fromisoformat(typed[name]) + timedelta(days=shift)
            except ValueError:
                errors[name] = ["audit.day_invalid"]
            else:
                typed[name] = datetime.combine(day, time(0), CHINA_STANDARD_TIME).isoformat()
    if errors:
        raise FieldErrors(errors)
    return typed


@bp.get("/audit")
@browser.staff_page(reviewing.SUPERVISOR)
def audit() -> tuple[str, int]:
    shown = {name: request.args.get(name, "").strip() for name in AUDIT_FILTERS}
    raw_page = request.args.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 100_000 else 1
    people = every_staff_member(gateway().uow())
    try:
        filters = audit_filters(request.args)
    except FieldErrors as error:
        return render(
            "staff/audit.html",
            422,
            page_title=_t("audit.title"),
            form=shown,
            errors=messages(error.errors),
            found=None,
            actions=ACTIONS,
            people=people,
        )
    found = _entries(filters, page)
    query = {name: value for name, value in shown.items() if value}
    return render(
        "staff/audit.html",
        page_title=_t("audit.title"),
        form=shown,
        found=found,
        rows=_rows(found),
        actions=ACTIONS,
        people=people,
        query=urlencode(query),
    )


def _entries(filters: dict[str, str], page: int) -> AuditPage:
    """Verification's page of entries; an application named by its reference is
    looked up first (verification's audit filter takes the internal id)."""
    reference = audit_view.as_reference(filters["order_id"])
    if reference is not None:
        order_id = _order_id_of(reference)
        if order_id is None:
            return AuditPage(entries=(), page=1, pages=1)
        filters = {**filters, "order_id": order_id}
    return gateway().reviews.audit(staff(), filters=filters, page=page)


def _order_id_of(reference: str) -> str | None:
    found = gateway().reviews.queue(staff(), tab="all", filters={"q": reference})
    return next((case.order_id for case in found.cases if case.reference == reference), None)


def _rows(found: AuditPage) -> list[audit_view.AuditRow]:
    app = gateway()
    names = staff_names(app.uow(), (entry.actor_id for entry in found.entries))
    # The list gives items without their documents and questions: read each in full
    # (cached by the catalog client) so the rows name them instead of showing codes.
    items = [app.catalog.item(item.code, staff()) for item in app.catalog.all_items(staff())]
    vocabulary = audit_view.titles_and_labels(items, lang())
    return audit_view.audit_rows(found.entries, names, vocabulary, me=my_id(), lang=lang())


@bp.get("/audit.csv")
@browser.staff_page(reviewing.SUPERVISOR)
def audit_csv() -> Any:
    try:
        filters = audit_filters(request.args)
    except FieldErrors:
        return audit()  # the page says which filter is wrong
    reference = audit_view.as_reference(filters["order_id"])
    if reference is not None:
        filters = {**filters, "order_id": _order_id_of(reference) or reference}
    content = gateway().reviews.audit_csv(staff(), filters=filters)
    response = Response(content, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="review-audit.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
