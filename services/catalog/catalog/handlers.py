"""Events from other services that keep the store's shop window current: the
rating summary of each item and of the store, and the deal counts.

The Dispatcher runs each handler inside the worker's transaction, after the
inbox row for the event id (a redelivered event never reaches a handler).
The handlers are also safe on their own: an order is counted once whatever
the number of events saying it completed, and a rating summary older than the
one held is recorded as stale and ignored (competing consumers reorder them).
A payload missing a field we read fails validation and is dead-lettered.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import or_, update

from catalog import domain
from catalog.models import CountedDeal, Item, StoreRating
from common.db import UnitOfWork
from common.events.consumer import Handler, StaleEvent
from common.events.envelope import Envelope

log = logging.getLogger("catalog.handlers")

RATINGS_SUMMARY_CHANGED = "ratings.summary_changed"
ORDERS_COMPLETED = "orders.completed"


class _Summary(Schema):
    class Meta:
        unknown = EXCLUDE

    average_milli = fields.Integer(
        strict=True, required=True, allow_none=True, validate=validate.Range(min=1000, max=5000)
    )
    count = fields.Integer(strict=True, required=True, validate=validate.Range(min=0))

    @validates_schema
    def _average_with_ratings(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if (data["count"] == 0) != (data["average_milli"] is None):
            raise ValidationError("average_milli is null exactly when count is 0.", "average_milli")


class RatingSummaryChanged(_Summary):
    """What catalog reads of ratings.summary_changed (ratings owns the full schema)."""

    item_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    store = fields.Nested(_Summary, required=True)
    as_of = fields.AwareDateTime(load_default=None)


class OrderCompleted(Schema):
    """What catalog reads of orders.completed (orders owns the full schema)."""

    class Meta:
        unknown = EXCLUDE

    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    item_code = fields.String(required=True, validate=validate.Length(min=1, max=64))


def record_rating_summary(event: Envelope, uow: UnitOfWork) -> None:
    """Show the item's and the store's latest rating summary; older ones lose."""
    data = RatingSummaryChanged().load(event.data)
    as_of: datetime = data["as_of"] or event.occurred_at
    item_applied = _apply_item_summary(uow, data, as_of)
    store_applied = _apply_store_summary(uow, data["store"], as_of)
    if not item_applied and not store_applied:
        raise StaleEvent(f"a summary newer than {as_of.isoformat()} is already shown")


def _apply_item_summary(uow: UnitOfWork, data: dict[str, Any], as_of: datetime) -> bool:
    # One conditional UPDATE: concurrent summaries cannot overwrite a newer one.
    result = uow.session.execute(
        update(Item)
        .where(Item.code == data["item_code"])
        .where(or_(Item.rating_as_of.is_(None), Item.rating_as_of < as_of))
        .values(
            rating_average_milli=data["average_milli"],
            rating_count=data["count"],
            rating_as_of=as_of,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _apply_store_summary(uow: UnitOfWork, store: dict[str, Any], as_of: datetime) -> bool:
    row = uow.session.get(StoreRating, "store", with_for_update=True)
    if row is None:
        uow.session.add(
            StoreRating(
                key="store", average_milli=store["average_milli"], count=store["count"], as_of=as_of
            )
        )
        return True
    if not domain.is_newer_summary(row.as_of, as_of):
        return False
    row.average_milli, row.count, row.as_of = store["average_milli"], store["count"], as_of
    return True


def count_deal(event: Envelope, uow: UnitOfWork) -> None:
    """One more deal for the item and the store, once per order."""
    data = OrderCompleted().load(event.data)
    if uow.session.get(CountedDeal, data["order_id"]) is not None:
        raise StaleEvent(f"order {data['order_id']} is already counted")
    uow.session.add(
        CountedDeal(
            order_id=data["order_id"], item_code=data["item_code"], completed_at=event.occurred_at
        )
    )
    counted = uow.session.execute(
        update(Item)
        .where(Item.code == data["item_code"])
        .values(deal_count=Item.deal_count + 1)
        .execution_options(synchronize_session=False)
    )
    if not counted.rowcount:  # type: ignore[attr-defined]
        log.warning(
            "completed order for an item the catalog does not know; counted for the store only",
            extra={"item_code": data["item_code"], "correlation_id": data["order_id"]},
        )


HANDLERS: dict[str, Handler] = {
    RATINGS_SUMMARY_CHANGED: record_rating_summary,
    ORDERS_COMPLETED: count_deal,
}
BINDINGS = [RATINGS_SUMMARY_CHANGED, ORDERS_COMPLETED]

# What the catalog reads of each event it consumes; the contract tests load
# every producer's example through these.
CONSUMED: dict[str, type[Schema]] = {
    RATINGS_SUMMARY_CHANGED: RatingSummaryChanged,
    ORDERS_COMPLETED: OrderCompleted,
}
