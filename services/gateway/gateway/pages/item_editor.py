"""A supervisor's new service item: typed in the console (item_form), created in
the catalog as a draft with its first fee version, previewed as an applicant
will see it, then published from the preview. No code changes per item: the
applicant's pages read everything from the catalog."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, redirect, request, url_for

from common.answer_patterns import PATTERN_NAMES
from common.service_client import ServiceConflict, ServiceRejected
from gateway import browser, domain, item_form, journey
from gateway.clients.catalog import Item, PickupOffice, Text
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, render

bp = Blueprint("item_editor_pages", __name__, url_prefix="/staff/items")

FEE_INPUTS = ("production_yuan", "delivery_yuan", "approval_ref")


def _supervisor() -> Any:
    return browser.caller_for(browser.current_principal())


def _offices() -> list[PickupOffice]:
    """The pickup offices the store's items offer (a list's summaries name none)."""
    catalog, caller = gateway().catalog, _supervisor()
    items = [catalog.item(summary.code, caller) for summary in catalog.all_items(caller)]
    return item_form.known_offices(items)


def _courier_title() -> Text:
    return Text(
        zh=translate("item_form.courier_title", "zh-CN"),
        en=translate("item_form.courier_title", "en"),
    )


def _error_order() -> list[str]:
    """Every input's id in the page's order, for the error summary's links."""
    names = ["code", "title_zh", "title_en", "description_zh", "description_en"]
    names.append("sla_working_days")
    for row in range(item_form.DOCUMENT_ROWS):
        names += [f"document-{row}-{name}" for name in item_form.DOCUMENT_INPUTS]
    for row in range(item_form.QUESTION_ROWS):
        inputs = ("name", "type", "pattern", "section", *item_form.QUESTION_TEXTS[1:])
        names += [f"question-{row}-{name}" for name in inputs]
    return [*names, "courier", *FEE_INPUTS]


def _page(form: Any = None, errors: Any = None, status: int = 200) -> tuple[str, int]:
    return render(
        "staff/item_new.html",
        status,
        page_title=translate("item_form.title", lang()),
        form=form if form is not None else {"courier": "yes"},
        chosen_offices=set(form.getlist("office")) if form is not None else set(),
        errors=errors or {},
        error_order=_error_order(),
        offices=_offices(),
        document_rows=range(item_form.DOCUMENT_ROWS),
        question_rows=range(item_form.QUESTION_ROWS),
        question_types=item_form.QUESTION_TYPES,
        sections=item_form.SECTIONS,
        patterns=PATTERN_NAMES,
    )


def _in_words(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each refusal in the page's language; a fee's names its amount (the two are alike)."""
    return {
        name: [translate(key, lang(), label=translate(f"staff.{name}", lang())) for key in keys]
        if name in FEE_INPUTS
        else [translate(key, lang()) for key in keys]
        for name, keys in errors.items()
    }


@bp.get("/new")
@browser.staff_page("supervisor")
def new() -> tuple[str, int]:
    return _page()


@bp.post("/new")
@browser.staff_page("supervisor")
def create() -> Any:
    errors: dict[str, list[str]] = {}
    draft = None
    try:
        draft = item_form.parse(request.form, _offices(), _courier_title())
    except item_form.ItemFormErrors as error:
        errors.update(error.errors)
    fee = None
    try:
        fee = domain.parse_fee_form(
            production_yuan=request.form.get("production_yuan", ""),
            delivery_yuan=request.form.get("delivery_yuan", ""),
            approval_ref=request.form.get("approval_ref", ""),
            effective_from="",  # the first version takes effect when it is saved
            today=domain.today_in_china(gateway().clock.now()),
        )
    except domain.FieldErrors as error:
        errors.update(error.errors)
    if errors or draft is None or fee is None:
        return _page(request.form, _in_words(errors), 422)
    catalog, caller = gateway().catalog, _supervisor()
    try:
        catalog.create_item(draft.body, caller)
    except ServiceConflict:
        return _page(request.form, _in_words({"code": ["item_form.code_taken"]}), 409)
    except ServiceRejected as error:
        refused = {
            item_form.input_for(key, draft): ["item_form.refused"] for key in error.errors or {}
        }
        return _page(request.form, _in_words(refused or {"code": ["item_form.refused"]}), 422)
    code = draft.body["code"]
    catalog.change_fee(
        code,
        caller,
        production_fen=fee.production_fen,
        delivery_fen=fee.delivery_fen,
        approval_ref=fee.approval_ref,
        effective_from=None,
    )
    return redirect(url_for(".preview", code=code), code=303)


@bp.get("/<code>/preview")
@browser.staff_page("supervisor")
def preview(code: str) -> tuple[str, int]:
    """The item's page and its questions and photo pages, as an applicant will see them."""
    found = gateway().catalog.item(code, _supervisor())
    as_sold: Item = dataclasses.replace(found, status="published")
    sections = [
        (section, journey.questions_in(found, section))
        for section in item_form.SECTIONS
        if journey.questions_in(found, section)
    ]
    return render(
        "staff/item_preview.html",
        item=as_sold,
        stored_status=found.status,
        sections=sections,
        page_title=translate("item_form.preview_title", lang(), title=found.title.get(lang())),
        attempt="",
    )
