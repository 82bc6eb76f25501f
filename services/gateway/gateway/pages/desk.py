"""What the production, dispatch and counter pages share: the client, who is
asking, the page number, the items' titles, and fulfillment's refusals said in
the page's words beside the field they are about."""

from __future__ import annotations

from typing import Any

from flask import request

from common.service_client import ServiceError
from gateway import browser, delivering
from gateway.clients.catalog import Text
from gateway.clients.fulfillment import FulfillmentClient
from gateway.clients.http import Caller
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang


def _t(key: str, **values: Any) -> str:
    return translate(key, lang(), **values)


def client() -> FulfillmentClient:
    found = gateway().fulfillment
    if found is None:  # create_app always builds it; a bare Gateway in a test may not
        raise RuntimeError("the fulfillment client is not configured")
    return found


def staff() -> Caller:
    return browser.caller_for(browser.current_principal())


def is_supervisor() -> bool:
    principal = browser.current_principal()
    return bool(principal and principal.has_any(*delivering.SUPERVISOR))


def page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


def item_titles() -> dict[str, Text]:
    return {item.code: item.title for item in gateway().catalog.all_items(staff())}


def state_words(status: str) -> str:
    return _t("job_status." + status) if status else ""


def refusal(error: ServiceError, field: str) -> dict[str, list[str]]:
    """A 409 or another refusal of fulfillment as one error on the page's field:
    the state the order is in, in words, or fulfillment's own detail."""
    status = delivering.first(error.errors, "status")
    if error.status == 409 and error.slug == "credentials-missing":
        return {field: [_t("production.refused.credentials_missing")]}
    if error.status == 409 and status:
        return {field: [_t("delivery.refused.wrong_state", status=_state_or_order(status))]}
    if error.status == 409:
        return {field: [_t("delivery.refused.conflict")]}
    return {field: [_t("delivery.refused.other")]}


def _state_or_order(status: str) -> str:
    key = "job_status." + status
    said = _t(key)
    return said if said != key else _t("order_status." + status)
