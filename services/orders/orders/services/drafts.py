"""The applicant's draft: started for an item on sale (once per
Idempotency-Key), its answers and its delivery checked against the item as
the catalog sells it now, each change refreshing the item's snapshot and the
draft's idle timer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from common.auth import Identity
from common.db import UnitOfWork
from orders import domain, events, idempotency
from orders.clients.catalog import CatalogItem
from orders.domain import ActorKind, Status
from orders.domain.timeline import Entry
from orders.idempotency import Answer
from orders.models import Order, ReferenceCounter, TimelineEntry
from orders.services.base import (
    conflict,
    invalid,
    keyed_request,
    own_order,
    publish,
    touch_draft,
)
from orders.services.context import Context
from orders.services.snapshot import fee_in_catalog, item_on_sale, take_snapshot
from orders.services.views import ORDER_OUT, current_view, view_of


def create_order(ctx: Context, who: Identity, item_code: str, key: str) -> Answer:
    """A draft for the item; its required documents go to verification with the event."""
    request = keyed_request(ctx, who, key, "POST /orders", {"item_code": item_code})
    try:
        # One transaction for the replay check and the draft: a second one
        # would cost a pool checkout, its ping and a rollback on every draft.
        with ctx.uow() as uow:
            first = idempotency.replay(uow, request, current_view)
            if first is not None:
                return first
            item = ctx.catalog.item(item_code)
            if item is None or fee_in_catalog(item, ctx.clock.now()) is None:
                raise invalid(
                    "There is no such item on sale.",
                    {"item_code": [f"The store sells no item {item_code!r} now."]},
                )
            order = _new_draft(ctx, uow, who, item)
            answer = Answer(
                201,
                ORDER_OUT.dump(view_of(uow, order, payment=None)),
                resource=f"order:{order.id}",
            )
            idempotency.remember(uow, request, answer)
            uow.commit()
            return answer
    except IntegrityError:
        # The same key arrived twice at once: the other request made the order.
        with ctx.uow() as uow:
            first = idempotency.replay(uow, request, current_view)
        if first is None:
            raise
        return first


def _new_draft(ctx: Context, uow: UnitOfWork, who: Identity, item: CatalogItem) -> Order:
    now = uow.clock.now()
    missing = [doc["code"] for doc in item.required_documents]
    order = Order(
        id=str(uuid.uuid4()),
        reference=_next_reference(uow, now),
        applicant_id=who.subject,
        status=Status.DRAFT.value,
        item_code=item.code,
        answers={},
        delivery=None,
        documents_complete=not missing,
        documents_missing=missing,
        documents_revision=0,
        locked_price=None,
        created_at=now,
        updated_at=now,
    )
    take_snapshot(order, item)
    uow.session.add(order)
    uow.session.add(
        TimelineEntry(order_id=order.id, at=now, from_status=None, to_status=order.status,
                      actor=who.subject, actor_kind=ActorKind.APPLICANT.value,
                      code=Entry.STARTED.value, params={})
    )  # fmt: skip
    # Touched before the first flush: after it, the new updated_at would cost an UPDATE.
    touch_draft(ctx, uow, order, new=True)
    uow.session.flush()
    publish(uow, order, events.DRAFT_CREATED, {
        "order_id": order.id, "reference": order.reference, "applicant_id": order.applicant_id,
        "item_code": order.item_code, "required_documents": order.required_documents,
    })  # fmt: skip
    return order


def _next_reference(uow: UnitOfWork, now: datetime) -> str:
    """The day's next reference; one upsert, so concurrent drafts never share one."""
    day = domain.reference_day(now)
    statement = _REFERENCE_UPSERT[uow.session.get_bind().dialect.name == "postgresql"]
    sequence = uow.session.execute(statement, {"day": f"{day:%Y%m%d}"}).scalar_one()
    return domain.format_reference(day, int(sequence))


def _reference_upsert(upsert: Any) -> Any:
    return (
        upsert(ReferenceCounter)
        .values(day=bindparam("day"), last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": ReferenceCounter.last + 1})
        .returning(ReferenceCounter.last)
    )


# Built once per dialect (keyed by "is PostgreSQL"), the day a parameter:
# building the upsert and its cache key on every draft cost more than its
# execution's Python side.
_REFERENCE_UPSERT = {
    True: _reference_upsert(postgresql_insert),
    False: _reference_upsert(sqlite_insert),
}


def save_answers(
    ctx: Context, who: Identity, order_id: str, answers: dict[str, Any]
) -> dict[str, Any]:
    """Replace the draft's answers, checked against the item's form as it is now."""
    with ctx.uow() as uow:
        order = _editable(uow, order_id, who)
        item = item_on_sale(ctx, order.item_code)
        kept, problems = domain.check_answers(
            item.form_fields, answers, domain.reference_day(uow.clock.now())
        )
        if problems:
            raise invalid("Some answers are not accepted.", problems)
        take_snapshot(order, item)
        order.answers = kept
        touch_draft(ctx, uow, order)
        view = view_of(uow, order)
        uow.commit()
        return view


def choose_delivery(
    ctx: Context, who: Identity, order_id: str, choice: dict[str, Any]
) -> dict[str, Any]:
    """Courier to an address, or pickup at one of the item's offices."""
    with ctx.uow() as uow:
        order = _editable(uow, order_id, who)
        item = item_on_sale(ctx, order.item_code)
        delivery, problems = domain.check_delivery(item.delivery_options, choice)
        if problems or delivery is None:
            raise invalid("The delivery cannot be used.", problems)
        take_snapshot(order, item)
        order.delivery = delivery
        touch_draft(ctx, uow, order)
        view = view_of(uow, order)
        uow.commit()
        return view


def _editable(uow: UnitOfWork, order_id: str, who: Identity) -> Order:
    order = own_order(uow, order_id, who)
    try:
        domain.check_editable(order.status)
    except domain.IllegalTransition as error:
        raise conflict(error) from None
    return order
