"""The catalog item as the order keeps it: read through orders' catalog client,
copied onto the order on every change to a draft and frozen at submission, so
reads never need the catalog."""

from __future__ import annotations

from datetime import datetime

from common.errors import Conflict
from orders import domain
from orders.clients.catalog import CatalogItem
from orders.models import Order
from orders.services.context import Context


def item_on_sale(ctx: Context, code: str, *, fresh: bool = False) -> CatalogItem:
    """The item as the catalog sells it (`fresh`: read now, not from the
    per-process cache); 409 once it is off sale."""
    item = ctx.catalog.item(code, fresh=fresh)
    if item is None:
        message = f"The item {code} is no longer on sale: this order can only be cancelled."
        raise Conflict(message, errors={"item_code": [message]})
    return item


def take_snapshot(order: Order, item: CatalogItem) -> None:
    order.item_revision = item.revision
    order.item_title = item.title
    order.form_fields = item.form_fields
    order.required_documents = item.required_documents
    order.delivery_options = item.delivery_options
    order.fee = item.fee
    order.upcoming_fee = item.upcoming_fee
    order.sla_working_days = item.sla_working_days


def fee_now(order: Order, now: datetime) -> domain.Fee | None:
    """The fee of the order's snapshot in force at `now`."""
    fees = [domain.Fee.from_dict(raw) for raw in (order.fee, order.upcoming_fee) if raw]
    return domain.fee_in_force(fees, now)


def fee_in_catalog(item: CatalogItem, now: datetime) -> domain.Fee | None:
    """The item's fee in force at `now` (None: it cannot be applied for)."""
    fees = [domain.Fee.from_dict(raw) for raw in (item.fee, item.upcoming_fee) if raw]
    return domain.fee_in_force(fees, now)
